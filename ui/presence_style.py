"""How each presence state looks."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.domain.presence import PresenceState

PRESENCE_COLOURS: dict[PresenceState, QColor] = {
    PresenceState.AVAILABLE: QColor("#2da44e"),
    PresenceState.BUSY: QColor("#cf222e"),
    PresenceState.ON_CALL: QColor("#cf222e"),
    PresenceState.AWAY: QColor("#d4a72c"),
    PresenceState.DO_NOT_DISTURB: QColor("#8250df"),
    PresenceState.OFFLINE: QColor("#8c959f"),
    PresenceState.UNKNOWN: QColor(0, 0, 0, 0),
}

AVATAR_COLOURS = ("#0969da", "#1a7f37", "#9a6700", "#bc4c00", "#8250df", "#bf3989", "#0a3069")


def avatar_colour(name: str) -> QColor:
    return QColor(AVATAR_COLOURS[sum(map(ord, name)) % len(AVATAR_COLOURS)])
