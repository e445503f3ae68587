"""Paints one conversation row: avatar, name, time, last message and the unread badge.

Everything from the network is drawn with ``QPainter.drawText`` (plain text, never HTML).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.texting import ConversationSummary, Direction
from ui.conversation_list_model import SummaryRole
from ui.message_format import initials, list_time, one_line
from ui.message_style import ACCENT, SELECTED, colours, scaled
from ui.presence_style import avatar_colour

ROW_HEIGHT = 68
AVATAR = 42
PADDING = 12

_Index = QModelIndex | QPersistentModelIndex


class ConversationDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(AVATAR + 3 * PADDING, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        summary = index.data(SummaryRole)
        if not isinstance(summary, ConversationSummary):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette: QPalette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, SELECTED)
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), ACCENT)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))

        avatar = QRect(rect.left() + PADDING, rect.top() + (rect.height() - AVATAR) // 2, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(summary.title))
        painter.drawEllipse(avatar)
        base_font = option.font
        painter.setFont(scaled(base_font, 1.05, bold=True))
        painter.setPen(QColor("white"))
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, initials(summary.title))

        unread = summary.unread_count > 0
        left = avatar.right() + PADDING
        right = rect.right() - PADDING
        top_line = QRect(left, rect.top() + 13, right - left, 20)
        bottom_line = QRect(left, rect.top() + 36, right - left, 20)

        small = scaled(base_font, 0.88)
        painter.setFont(small)
        when = list_time(summary.last_message_at)
        when_width = painter.fontMetrics().horizontalAdvance(when) + 2
        painter.setPen(ACCENT if unread else colours(palette).muted)
        painter.drawText(top_line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)

        title_font = scaled(base_font, 1.0, bold=True)
        title_font.setWeight(title_font.Weight.Bold if unread else title_font.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        title_rect = top_line.adjusted(0, 0, -(when_width + 8), 0)
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(summary.title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )

        badge_width = 0
        if unread:
            badge_font = scaled(base_font, 0.82, bold=True)
            painter.setFont(badge_font)
            count = str(summary.unread_count) if summary.unread_count < 100 else "99+"
            badge_width = max(20, painter.fontMetrics().horizontalAdvance(count) + 12)
            badge = QRect(bottom_line.right() - badge_width + 1, bottom_line.top() + 1, badge_width, 19)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ACCENT)
            painter.drawRoundedRect(badge, 9.5, 9.5)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, count)

        preview = one_line(summary.preview)
        if summary.last_direction is Direction.OUTBOUND and preview:
            preview = "You: " + preview
        painter.setFont(scaled(base_font, 0.95, bold=False))
        painter.setPen(palette.color(QPalette.ColorRole.Text) if unread else colours(palette).muted)
        preview_rect = bottom_line.adjusted(0, 0, -(badge_width + 8 if badge_width else 0), 0)
        painter.drawText(
            preview_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(preview, Qt.TextElideMode.ElideRight, preview_rect.width()),
        )
        painter.restore()
