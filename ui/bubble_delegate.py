"""Paints a thread's rows: day separators and message bubbles (inbound left, outbound right)
with their attachments, time and delivery state; a failed message gets Retry and Delete."""

from __future__ import annotations

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QEvent,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem, QToolTip

from app.domain.texting import Attachment, DeliveryState, Direction, Message
from ui.bubble_layout import RADIUS, SEPARATOR_HEIGHT, AttachmentBox, BubbleLayout, BubbleLayouts
from ui.message_format import day_label, file_size, local
from ui.message_style import (
    CHIP,
    FAILED,
    HIGHLIGHT,
    OUTBOUND_BUBBLE,
    OUTBOUND_META,
    OUTBOUND_TEXT,
    Colours,
    colours,
    scaled,
)
from ui.thread_model import ThreadModel, ThreadRow

_Index = QModelIndex | QPersistentModelIndex


class BubbleDelegate(QStyledItemDelegate):
    retry_clicked = Signal(object)  # Message
    delete_clicked = Signal(object)  # Message

    def __init__(self, view: QAbstractItemView, model: ThreadModel) -> None:
        super().__init__(view)
        self._view = view
        self._model = model
        self.layouts = BubbleLayouts(view.font())

    def width(self) -> int:
        return max(200, self._view.viewport().width())

    def row_layout(self, index: _Index) -> BubbleLayout | None:
        row = self._model.row(index.row())
        if row is None or row.message is None:
            return None
        return self.layouts.layout(row.message, self.width(), row.continued)

    # -- size and paint -----------------------------------------------------------------
    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Called for every loaded row at each relayout: a cached height, no text measured."""
        row = self._model.row(index.row())
        if row is None:
            return QSize(0, 0)
        width = self.width()
        if row.size_width != width:
            row.size_height = (
                SEPARATOR_HEIGHT
                if row.message is None
                else self.layouts.layout(row.message, width, row.continued).height
            )
            row.size_width = width
        return QSize(width, row.size_height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        row = self._model.row(index.row())
        if row is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect: QRect = option.rect
        scheme = colours(option.palette)
        if row.message is None:
            self._paint_separator(painter, rect, day_label(row.day), scheme)
        else:
            layout = self.layouts.layout(row.message, self.width(), row.continued)
            painter.translate(rect.topLeft())
            self._paint_message(painter, option.palette, scheme, row, row.message, layout)
        painter.restore()

    def _paint_separator(self, painter: QPainter, rect: QRect, label: str, scheme: Colours) -> None:
        font = scaled(self.layouts.font, 0.82, bold=True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        width = metrics.horizontalAdvance(label) + 24
        pill = QRect(rect.center().x() - width // 2, rect.top() + 10, width, metrics.height() + 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(scheme.separator_pill)
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(scheme.separator_text)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_message(
        self,
        painter: QPainter,
        palette: QPalette,
        scheme: Colours,
        row: ThreadRow,
        message: Message,
        layout: BubbleLayout,
    ) -> None:
        outbound = message.direction is Direction.OUTBOUND
        failed = message.delivery is DeliveryState.FAILED
        pending = message.delivery is DeliveryState.PENDING
        if outbound:
            fill, ink, meta_ink = OUTBOUND_BUBBLE, OUTBOUND_TEXT, OUTBOUND_META
            if failed:
                fill, ink, meta_ink = scheme.failed_bubble, scheme.failed_text, FAILED
        else:
            fill, ink, meta_ink = scheme.inbound_bubble, scheme.inbound_text, scheme.inbound_meta
        if pending:
            painter.setOpacity(0.7)
        if row.highlighted:
            painter.setPen(QPen(HIGHLIGHT, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(layout.bubble.adjusted(-4, -4, 4, 4), RADIUS + 4, RADIUS + 4)
        painter.setPen(QPen(FAILED, 1) if failed else Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(layout.bubble, RADIUS, RADIUS)

        for box in layout.attachments:
            self._paint_attachment(painter, box, outbound and not failed, ink, scheme)

        if layout.text is not None:
            painter.setPen(ink)
            layout.text.draw(painter, layout.text_origin)

        painter.setFont(self.layouts.small)
        painter.setPen(meta_ink)
        painter.drawText(
            layout.meta, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, layout.meta_text
        )
        painter.setOpacity(1.0)

        if failed:
            self._paint_failure(painter, palette, message, layout)

    def _paint_attachment(
        self, painter: QPainter, box: AttachmentBox, on_accent: bool, ink: QColor, scheme: Colours
    ) -> None:
        if box.pixmap is not None:
            painter.save()
            rounded = QPainterPath()
            rounded.addRoundedRect(QRectF(box.rect), 10, 10)
            painter.setClipPath(rounded)
            painter.drawPixmap(box.rect, box.pixmap)
            painter.restore()
            return
        attachment: Attachment = box.attachment
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(CHIP if on_accent else scheme.chip)
        painter.drawRoundedRect(box.rect, 8, 8)
        icon = QRect(box.rect.left() + 8, box.rect.top() + 8, 24, box.rect.height() - 16)
        painter.setBrush(QColor(255, 255, 255, 90) if on_accent else scheme.chip_icon)
        painter.drawRoundedRect(icon, 4, 4)
        painter.setFont(scaled(self.layouts.small, 0.85, bold=True))
        painter.setPen(ink)
        extension = attachment.name.rsplit(".", 1)[-1][:4].upper() if "." in attachment.name else "FILE"
        painter.drawText(icon, Qt.AlignmentFlag.AlignCenter, extension)
        text_left = icon.right() + 8
        name_rect = QRect(text_left, box.rect.top() + 4, box.rect.right() - text_left - 6, 18)
        painter.setFont(self.layouts.chip_font)
        metrics = painter.fontMetrics()
        name = attachment.name or "Attachment"
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, name_rect.width()),
        )
        painter.setFont(self.layouts.small)
        details = " · ".join(part for part in (attachment.mimetype, file_size(attachment.size)) if part)
        painter.drawText(
            name_rect.translated(0, 16),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(details, Qt.TextElideMode.ElideRight, name_rect.width()),
        )

    def _paint_failure(
        self, painter: QPainter, palette: QPalette, message: Message, layout: BubbleLayout
    ) -> None:
        painter.setFont(self.layouts.small)
        painter.setPen(FAILED)
        reason = message.error or "The message could not be sent."
        painter.drawText(
            layout.failure,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(reason, Qt.TextElideMode.ElideRight, layout.failure.width()),
        )
        for rect, label, filled in ((layout.retry, "Retry", True), (layout.delete, "Delete", False)):
            painter.setPen(QPen(FAILED, 1))
            painter.setBrush(FAILED if filled else palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(QColor("white") if filled else FAILED)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)

    # -- clicks -------------------------------------------------------------------------
    def editorEvent(self, event: QEvent, model: object, option: QStyleOptionViewItem, index: _Index) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            row = self._model.row(index.row())
            layout = self.row_layout(index)
            if row is not None and row.message is not None and layout is not None:
                point: QPoint = event.position().toPoint() - option.rect.topLeft()
                if row.message.delivery is DeliveryState.FAILED:
                    if layout.retry.contains(point):
                        self.retry_clicked.emit(row.message)
                        return True
                    if layout.delete.contains(point):
                        self.delete_clicked.emit(row.message)
                        return True
        return super().editorEvent(event, model, option, index)  # type: ignore[arg-type]

    def helpEvent(
        self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: _Index
    ) -> bool:
        """The full date and time (and why a message failed) when the mouse rests on it."""
        row = self._model.row(index.row())
        if event.type() != QEvent.Type.ToolTip or row is None or row.message is None:
            return super().helpEvent(event, view, option, index)
        message = row.message
        stamp = local(message.created_at)
        moment = QDateTime(QDate(stamp.year, stamp.month, stamp.day), QTime(stamp.hour, stamp.minute))
        text = QLocale().toString(moment, QLocale.FormatType.LongFormat)
        if message.delivery is DeliveryState.FAILED and message.error:
            text += f"\nNot sent: {message.error}"
        QToolTip.showText(event.globalPos(), text, view)
        return True
