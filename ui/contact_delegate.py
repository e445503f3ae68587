"""Paints one contact row: avatar with initials and presence dot, name, e-mail and numbers."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.presence import PresenceState
from app.store.contacts import StoredContact
from ui.contact_list_model import ContactRole
from ui.presence_style import PRESENCE_COLOURS, avatar_colour

ROW_HEIGHT = 58
AVATAR = 38
PADDING = 10


class ContactDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(AVATAR + 2 * PADDING, ROW_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        stored = index.data(ContactRole)
        if isinstance(stored, StoredContact):
            self._paint_contact(painter, rect, palette, stored, selected)
        else:
            self._paint_placeholder(painter, rect, palette)
        painter.restore()

    def _paint_contact(
        self,
        painter: QPainter,
        rect: QRect,
        palette: QPalette,
        stored: StoredContact,
        selected: bool,
    ) -> None:
        contact = stored.contact
        avatar = QRect(rect.left() + PADDING, rect.top() + (rect.height() - AVATAR) // 2, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(contact.display_name))
        painter.drawEllipse(avatar)
        initials_font = QFont(painter.font())
        initials_font.setBold(True)
        painter.setFont(initials_font)
        painter.setPen(QColor("white"))
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, contact.initials)
        if stored.presence is not PresenceState.UNKNOWN:
            dot = QRect(avatar.right() - 11, avatar.bottom() - 11, 13, 13)
            painter.setBrush(PRESENCE_COLOURS[stored.presence])
            painter.setPen(palette.color(QPalette.ColorRole.Base))
            painter.drawEllipse(dot)

        text_left = avatar.right() + PADDING + 2
        text_rect = QRect(text_left, rect.top() + 8, rect.right() - text_left - PADDING, 20)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        name_font = QFont(painter.font())
        name_font.setBold(True)
        painter.setFont(name_font)
        painter.setPen(palette.color(role))
        name = contact.display_name
        if contact.extension:
            name += f"  ·  ext. {contact.extension}"
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        detail_font = QFont(painter.font())
        detail_font.setBold(False)
        painter.setFont(detail_font)
        if not selected:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        details = [
            *contact.emails[:1],
            *(p.label for p in contact.phones if p.kind.value != "extension"),
        ]
        detail_rect = text_rect.translated(0, 20)
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                "   ".join(details), Qt.TextElideMode.ElideRight, detail_rect.width()
            ),
        )

    def _paint_placeholder(self, painter: QPainter, rect: QRect, palette: QPalette) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Midlight))
        painter.drawEllipse(
            QRect(rect.left() + PADDING, rect.top() + (rect.height() - AVATAR) // 2, AVATAR, AVATAR)
        )
        painter.drawRoundedRect(QRect(rect.left() + AVATAR + 2 * PADDING, rect.top() + 14, 160, 10), 4, 4)
        painter.drawRoundedRect(QRect(rect.left() + AVATAR + 2 * PADDING, rect.top() + 34, 240, 8), 4, 4)
