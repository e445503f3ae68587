"""Paints a fax's status as a small coloured badge (sent, failed, sending, scheduled; unread
for inbound faxes)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.domain.fax import FaxBox, FaxMessage, FaxStatus
from ui.fax_list_model import FaxRole

BADGE_COLOURS: dict[str, tuple[str, str]] = {  # label -> (background, text)
    "sent": ("#dafbe1", "#116329"),
    "failed": ("#ffebe9", "#a40e26"),
    "sending": ("#fff8c5", "#7d4e00"),
    "scheduled": ("#ddf4ff", "#0550ae"),
    "unread": ("#0969da", "#ffffff"),
}


def badge_label(fax: FaxMessage) -> str:
    if fax.box is FaxBox.INBOUND:
        return "" if fax.is_read else "unread"
    if fax.status is None or fax.status is FaxStatus.RECEIVED:
        return ""
    return fax.status.value


class FaxStatusDelegate(QStyledItemDelegate):
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        fax = index.data(FaxRole)
        if not isinstance(fax, FaxMessage):
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            plain = QStyleOptionViewItem(option)
            self.initStyleOption(plain, index)
            plain.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        label = badge_label(fax)
        if not label:
            return
        background, foreground = BADGE_COLOURS.get(label, ("#eaeef2", "#24292f"))
        font = option.font
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        font.setBold(True)
        metrics = QFontMetrics(font)
        text = label.capitalize()
        width = metrics.horizontalAdvance(text) + 16
        height = metrics.height() + 4
        rect = option.rect
        badge = QRectF(rect.left() + 6, rect.center().y() - height / 2 + 1, width, height)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setPen(QColor(foreground))
        painter.setFont(font)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
