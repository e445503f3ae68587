"""Paints one voicemail row: a dot while it is new, the caller's avatar and name (bold while
new), when it came, how the caller reached us and how long the message is."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.voicemail import format_duration
from ui.presence_style import avatar_colour
from ui.voicemail_model import ItemRole

if TYPE_CHECKING:
    from app.services.voicemail import VoicemailItem

ROW_HEIGHT = 60
AVATAR = 36
PADDING = 10
DOT_GUTTER = 18
NEW_COLOUR = QColor("#0969da")


def short_time(moment: datetime, now: datetime | None = None) -> str:
    """``10:42`` today, ``Yesterday``, ``Mon`` this week, ``Jun 3`` this year, else ``Jun 3, 2024``."""
    local = moment.astimezone()
    today = (now or datetime.now().astimezone()).date()
    day = local.date()
    if day == today:
        return local.strftime("%H:%M")
    if day == today - timedelta(days=1):
        return "Yesterday"
    if today - timedelta(days=6) <= day < today:
        return local.strftime("%a")
    if day.year == today.year:
        return f"{local.strftime('%b')} {day.day}"
    return f"{local.strftime('%b')} {day.day}, {day.year}"


def long_time(moment: datetime) -> str:
    """``Tuesday, June 3, 2026 at 10:42``."""
    local = moment.astimezone()
    return f"{local.strftime('%A, %B')} {local.day}, {local.year} at {local.strftime('%H:%M')}"


def route_text(item: VoicemailItem) -> str:
    """``ext. 1027  →  ext. 1001``: how the caller reached which mailbox."""
    source = item.caller.detail
    destination = f"ext. {item.voicemail.destination}" if item.voicemail.destination else ""
    if source and destination:
        return f"{source}  →  {destination}"
    return f"to {destination}" if destination else source


def initials(name: str) -> str:
    letters = [part[0] for part in name.split() if part[:1].isalpha()][:2]
    return "".join(letters).upper() or "#"


class VoicemailDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(DOT_GUTTER + AVATAR + 3 * PADDING + 200, ROW_HEIGHT)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        item = index.data(ItemRole)
        if item is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette: QPalette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(palette.color(QPalette.ColorRole.Midlight))
        painter.drawLine(rect.left() + DOT_GUTTER + PADDING, rect.bottom(), rect.right(), rect.bottom())
        self._paint_item(painter, rect, palette, item, selected)
        painter.restore()

    def _paint_item(
        self, painter: QPainter, rect: QRect, palette: QPalette, item: VoicemailItem, selected: bool
    ) -> None:
        if item.is_new:
            dot = QRect(rect.left() + (DOT_GUTTER - 8) // 2 + 2, rect.center().y() - 4, 8, 8)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.HighlightedText) if selected else NEW_COLOUR)
            painter.drawEllipse(dot)

        name = item.caller.name
        avatar = QRect(rect.left() + DOT_GUTTER, rect.top() + (rect.height() - AVATAR) // 2, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(name))
        painter.drawEllipse(avatar)
        base = QFont(painter.font())
        bold = QFont(base)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("white"))
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, initials(name))

        text_left = avatar.right() + PADDING + 2
        width = rect.right() - text_left - PADDING
        top = QRect(text_left, rect.top() + 10, width, 20)
        bottom = top.translated(0, 20)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        quiet = palette.color(text_role if selected else QPalette.ColorRole.PlaceholderText)

        when = short_time(item.voicemail.received_at)
        painter.setFont(bold if item.is_new else base)
        when_width = painter.fontMetrics().horizontalAdvance(when) + 4
        painter.setPen(palette.color(text_role) if selected else (NEW_COLOUR if item.is_new else quiet))
        painter.drawText(top, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        painter.setPen(palette.color(text_role))
        name_rect = top.adjusted(0, 0, -(when_width + 8), 0)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width()),
        )

        painter.setFont(base)
        painter.setPen(quiet)
        duration = format_duration(item.voicemail.duration) if item.voicemail.audio else "no audio"
        duration_width = painter.fontMetrics().horizontalAdvance(duration) + 4
        painter.drawText(bottom, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, duration)
        route = route_text(item)
        detail_rect = bottom.adjusted(0, 0, -(duration_width + 8), 0)
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(route, Qt.TextElideMode.ElideRight, detail_rect.width()),
        )
