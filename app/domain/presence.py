"""Availability of a person, as shown next to every contact."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PresenceState(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    ON_CALL = "on_call"
    AWAY = "away"
    DO_NOT_DISTURB = "dnd"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PresenceState.AVAILABLE: "Available",
    PresenceState.BUSY: "Busy",
    PresenceState.ON_CALL: "On a call",
    PresenceState.AWAY: "Away",
    PresenceState.DO_NOT_DISTURB: "Do not disturb",
    PresenceState.OFFLINE: "Offline",
    PresenceState.UNKNOWN: "Unknown",
}


@dataclass(frozen=True, slots=True)
class Presence:
    """A user's status at a moment. ``user_id`` is the provider's user/contact id."""

    user_id: str
    state: PresenceState
    email: str = ""
    raw_status: str = ""
    changed_at: str = ""
