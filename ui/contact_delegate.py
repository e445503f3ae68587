"""Paints one contact row: section letter, avatar with initials and presence dot, name with
extension and source badge, then e-mail and numbers."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.contacts import PhoneKind
from app.domain.presence import PresenceState
from app.store.contacts import StoredContact
from ui.contact_list_model import ContactRole, SectionRole
from ui.presence_style import PRESENCE_COLOURS, avatar_colour
from ui.sources import source_label

ROW_HEIGHT = 58
AVATAR = 38
PADDING = 10
GUTTER = 30  # the alphabetical section letter


class ContactDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(GUTTER + AVATAR + 2 * PADDING, ROW_HEIGHT)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette: QPalette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        row_rect = rect.adjusted(GUTTER, 0, 0, 0)
        if selected:
            painter.fillRect(row_rect, palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(row_rect, palette.color(QPalette.ColorRole.AlternateBase))
        letter = index.data(SectionRole)
        if letter:
            self._paint_section(
                painter, QRect(rect.left(), rect.top(), GUTTER, rect.height()), palette, letter
            )
        stored = index.data(ContactRole)
        if isinstance(stored, StoredContact):
            self._paint_contact(painter, row_rect, palette, stored, selected)
        else:
            self._paint_placeholder(painter, row_rect, palette)
        painter.restore()

    def _paint_section(self, painter: QPainter, rect: QRect, palette: QPalette, letter: str) -> None:
        painter.save()
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Highlight))
        painter.drawText(
            rect.adjusted(0, 8, 0, 0), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, letter
        )
        painter.restore()

    def _paint_contact(
        self, painter: QPainter, rect: QRect, palette: QPalette, stored: StoredContact, selected: bool
    ) -> None:
        contact = stored.contact
        avatar = QRect(rect.left() + PADDING, rect.top() + (rect.height() - AVATAR) // 2, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(contact.display_name))
        painter.drawEllipse(avatar)
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
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
        metrics = painter.fontMetrics()

        badge = source_label(contact.source)
        badge_width = metrics.horizontalAdvance(badge) + 12
        badge_rect = QRect(text_rect.right() - badge_width, text_rect.top() + 1, badge_width, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(badge_rect, 9, 9)
        small = QFont(painter.font())
        small.setBold(False)
        small.setPointSizeF(small.pointSizeF() * 0.85)
        painter.setFont(small)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)

        painter.setFont(bold)
        painter.setPen(palette.color(role))
        name = contact.display_name
        if stored.is_favorite:
            name = "★ " + name
        if contact.extension:
            name += f"  ·  ext. {contact.extension}"
        name_rect = text_rect.adjusted(0, 0, -(badge_width + 8), 0)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width()),
        )
        regular = QFont(painter.font())
        regular.setBold(False)
        painter.setFont(regular)
        if not selected:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        details = [
            *contact.emails[:1],
            *(p.label for p in contact.phones if p.kind is not PhoneKind.EXTENSION),
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
