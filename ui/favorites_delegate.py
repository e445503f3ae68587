"""Paints one favorite as a tile: avatar with presence, name, presence in words, and one-click
Call and Text buttons."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.presence import PresenceState
from app.services.calling import preferred_call_number, preferred_text_number
from app.store.contacts import StoredContact
from ui.contact_list_model import ContactRole
from ui.presence_style import PRESENCE_COLOURS, avatar_colour

TILE = QSize(176, 176)
AVATAR = 64
BUTTON_HEIGHT = 26

_Index = QModelIndex | QPersistentModelIndex


def button_rects(rect: QRect) -> tuple[QRect, QRect]:
    """Where the Call and Text buttons of a tile are."""
    top = rect.bottom() - BUTTON_HEIGHT - 8
    width = (rect.width() - 3 * 10) // 2
    call = QRect(rect.left() + 10, top, width, BUTTON_HEIGHT)
    return call, call.translated(width + 10, 0)


class FavoriteDelegate(QStyledItemDelegate):
    call_clicked = Signal(object)  # StoredContact
    text_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return TILE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        stored = index.data(ContactRole)
        if not isinstance(stored, StoredContact):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette: QPalette = option.palette
        rect: QRect = option.rect.adjusted(6, 6, -6, -6)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(
            palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Midlight)
        )
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 10, 10)

        contact = stored.contact
        avatar = QRect(rect.center().x() - AVATAR // 2, rect.top() + 12, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(contact.display_name))
        painter.drawEllipse(avatar)
        bold = QFont(painter.font())
        bold.setBold(True)
        big = QFont(bold)
        big.setPointSizeF(big.pointSizeF() * 1.5)
        painter.setFont(big)
        painter.setPen(QColor("white"))
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, contact.initials)
        if stored.presence is not PresenceState.UNKNOWN:
            painter.setBrush(PRESENCE_COLOURS[stored.presence])
            painter.setPen(palette.color(QPalette.ColorRole.Base))
            painter.drawEllipse(QRect(avatar.right() - 17, avatar.bottom() - 17, 18, 18))

        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name_rect = QRect(rect.left() + 8, avatar.bottom() + 6, rect.width() - 16, 20)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignCenter,
            painter.fontMetrics().elidedText(
                contact.display_name, Qt.TextElideMode.ElideRight, name_rect.width()
            ),
        )
        regular = QFont(painter.font())
        regular.setBold(False)
        painter.setFont(regular)
        painter.setPen(
            PRESENCE_COLOURS[stored.presence]
            if stored.presence is not PresenceState.UNKNOWN
            else palette.color(QPalette.ColorRole.PlaceholderText)
        )
        status = (
            stored.presence.label
            if stored.presence is not PresenceState.UNKNOWN
            else (contact.company or " ")
        )
        painter.drawText(name_rect.translated(0, 18), Qt.AlignmentFlag.AlignCenter, status)

        call, text = button_rects(rect)
        for button, label, enabled in (
            (call, "Call", preferred_call_number(contact) is not None),
            (text, "Text", preferred_text_number(contact) is not None),
        ):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(
                palette.color(QPalette.ColorRole.Button if enabled else QPalette.ColorRole.Window)
            )
            painter.drawRoundedRect(button, 6, 6)
            painter.setPen(
                palette.color(
                    QPalette.ColorRole.ButtonText if enabled else QPalette.ColorRole.PlaceholderText
                )
            )
            painter.drawText(button, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def editorEvent(self, event: QEvent, model: object, option: QStyleOptionViewItem, index: _Index) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            stored = index.data(ContactRole)
            if isinstance(stored, StoredContact):
                call, text = button_rects(option.rect.adjusted(6, 6, -6, -6))
                point = event.position().toPoint()
                if call.contains(point):
                    self.call_clicked.emit(stored)
                    return True
                if text.contains(point):
                    self.text_clicked.emit(stored)
                    return True
        return super().editorEvent(event, model, option, index)  # type: ignore[arg-type]
