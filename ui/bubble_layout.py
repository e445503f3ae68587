"""Where everything of one message row goes: the bubble, its text, attachments, time and
delivery state, and the Retry/Delete buttons of a failed message.

Text is laid out with ``QTextLayout`` on the message's characters as they are: it has no
notion of markup, so ``<b>`` or ``<img src=...>`` are shown literally, never interpreted.
A row's layout depends only on the message and the view's width, so it is computed once and
cached (the rows keep their heights, this keeps full layouts of the rows recently painted).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPixmap, QTextLayout, QTextOption

from app.domain.texting import Attachment, DeliveryState, Direction, Message
from ui.message_format import clock_time
from ui.message_style import scaled

SIDE_MARGIN = 16
PAD_X = 12
PAD_Y = 8
GAP = 8  # between two rows of different senders
GAP_CONTINUED = 2  # between two rows of one sender close in time
BUBBLE_SHARE = 0.72  # of the view's width, at most
MAX_BUBBLE = 560
MIN_TEXT = 80
PREVIEW_BOX = QSize(240, 240)
CHIP_HEIGHT = 40
CHIP_WIDTH = 240
ITEM_GAP = 6
FAILED_LINE = 28
SEPARATOR_HEIGHT = 40
MAX_PREVIEW_BYTES = 1024 * 1024
RADIUS = 16.0


def meta_text(message: Message) -> str:
    when = clock_time(message.created_at)
    if message.direction is Direction.INBOUND:
        return when
    if message.delivery is DeliveryState.PENDING:
        return f"{when}  ·  Sending…"
    if message.delivery is DeliveryState.FAILED:
        return f"{when}  ·  Not sent"
    return f"{when}  ✓"


@dataclass(slots=True)
class AttachmentBox:
    rect: QRect
    attachment: Attachment
    pixmap: QPixmap | None  # the preview, scaled to fit; None: a named chip


@dataclass(slots=True)
class BubbleLayout:
    height: int
    bubble: QRect = field(default_factory=QRect)
    text: QTextLayout | None = None
    text_origin: QPointF = field(default_factory=QPointF)
    attachments: list[AttachmentBox] = field(default_factory=list)
    meta: QRect = field(default_factory=QRect)
    meta_text: str = ""
    failure: QRect = field(default_factory=QRect)
    retry: QRect = field(default_factory=QRect)
    delete: QRect = field(default_factory=QRect)


class PreviewCache:
    """Decoded, scaled previews by attachment id (a bad or huge preview decodes to None)."""

    def __init__(self, size: int = 200) -> None:
        self._size = size
        self._pixmaps: OrderedDict[str, QPixmap | None] = OrderedDict()

    def get(self, attachment: Attachment) -> QPixmap | None:
        key = attachment.id or attachment.name
        if key in self._pixmaps:
            self._pixmaps.move_to_end(key)
            return self._pixmaps[key]
        pixmap = self._decode(attachment)
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > self._size:
            self._pixmaps.popitem(last=False)
        return pixmap

    @staticmethod
    def _decode(attachment: Attachment) -> QPixmap | None:
        data = attachment.preview  # the server's preview image, decoded from base64 at the edge
        if not data or len(data) > MAX_PREVIEW_BYTES:
            return None
        image = QImage.fromData(data)
        if image.isNull() or image.width() <= 0 or image.height() <= 0:
            return None
        scaled_image = image.scaled(
            PREVIEW_BOX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        return QPixmap.fromImage(scaled_image)


class BubbleLayouts:
    """Computes and caches row layouts for one view's font."""

    def __init__(self, font: QFont, previews: PreviewCache | None = None) -> None:
        self.previews = previews or PreviewCache()
        self._layouts: OrderedDict[tuple[object, ...], BubbleLayout] = OrderedDict()
        self.set_font(font)

    def set_font(self, font: QFont) -> None:
        self.font = QFont(font)
        self.small = scaled(font, 0.82)
        self.chip_font = scaled(font, 0.92)
        self._line = QFontMetrics(self.font).lineSpacing()
        self._small_line = QFontMetrics(self.small).lineSpacing()
        self._layouts.clear()

    def clear(self) -> None:
        self._layouts.clear()

    @staticmethod
    def _key(message: Message, width: int, continued: bool) -> tuple[object, ...]:
        return (message.id or message.stamp_id, message.delivery, width, continued, len(message.text))

    def layout(self, message: Message, width: int, continued: bool) -> BubbleLayout:
        key = self._key(message, width, continued)
        cached = self._layouts.get(key)
        if cached is not None:
            self._layouts.move_to_end(key)
            return cached
        layout = self._compute(message, width, continued)
        self._layouts[key] = layout
        while len(self._layouts) > 400:
            self._layouts.popitem(last=False)
        return layout

    def _compute(self, message: Message, width: int, continued: bool) -> BubbleLayout:
        top = GAP_CONTINUED if continued else GAP
        max_bubble = max(MIN_TEXT + 2 * PAD_X, min(MAX_BUBBLE, int((width - 2 * SIDE_MARGIN) * BUBBLE_SHARE)))
        max_content = max_bubble - 2 * PAD_X

        content_width = 0
        y = PAD_Y
        boxes: list[AttachmentBox] = []
        for attachment in message.attachments:
            pixmap = self.previews.get(attachment) if attachment.mimetype.startswith("image/") else None
            if pixmap is not None:
                size = pixmap.deviceIndependentSize().toSize()
                if size.width() > max_content:
                    size = size.scaled(max_content, 10_000, Qt.AspectRatioMode.KeepAspectRatio)
                boxes.append(AttachmentBox(QRect(PAD_X, y, size.width(), size.height()), attachment, pixmap))
                y += size.height() + ITEM_GAP
                content_width = max(content_width, size.width())
            else:
                chip_width = min(CHIP_WIDTH, max_content)
                boxes.append(AttachmentBox(QRect(PAD_X, y, chip_width, CHIP_HEIGHT), attachment, None))
                y += CHIP_HEIGHT + ITEM_GAP
                content_width = max(content_width, chip_width)

        text_layout: QTextLayout | None = None
        text_origin = QPointF(PAD_X, y)
        if message.text:
            text_layout = QTextLayout(message.text.replace("\r\n", "\n").replace("\n", "\u2028"), self.font)
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            text_layout.setTextOption(option)
            text_layout.setCacheEnabled(True)
            text_layout.beginLayout()
            text_height = 0.0
            natural = 0.0
            while True:
                line = text_layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max_content)
                line.setPosition(QPointF(0, text_height))
                text_height += line.height()
                natural = max(natural, line.naturalTextWidth())
            text_layout.endLayout()
            content_width = max(content_width, int(natural + 0.999))
            y += int(text_height + 0.999)
        elif boxes:
            y -= ITEM_GAP

        meta = meta_text(message)
        meta_width = QFontMetrics(self.small).horizontalAdvance(meta) + 2
        y += 2
        meta_rect = QRect(PAD_X, y, meta_width, self._small_line)
        y += self._small_line + PAD_Y
        content_width = min(max_content, max(content_width, meta_width))
        bubble_width = content_width + 2 * PAD_X
        bubble_height = y

        outbound = message.direction is Direction.OUTBOUND
        left = width - SIDE_MARGIN - bubble_width if outbound else SIDE_MARGIN
        bubble = QRect(left, top, bubble_width, bubble_height)
        # move the inner rects from bubble coordinates to row coordinates
        for box in boxes:
            box.rect.translate(left, top)
        text_origin += QPointF(left, top)
        meta_rect.moveTo(bubble.right() - PAD_X - meta_width + 1, top + meta_rect.top())
        height = top + bubble_height
        layout = BubbleLayout(height, bubble, text_layout, text_origin, boxes, meta_rect, meta)
        if message.delivery is DeliveryState.FAILED:
            metrics = QFontMetrics(self.small)
            button_height = self._small_line + 8
            delete_width = metrics.horizontalAdvance("Delete") + 20
            retry_width = metrics.horizontalAdvance("Retry") + 20
            line_top = height + 4
            right = bubble.right() if outbound else bubble.left() + max(bubble_width, 260)
            layout.delete = QRect(right - delete_width + 1, line_top, delete_width, button_height)
            layout.retry = QRect(layout.delete.left() - 6 - retry_width, line_top, retry_width, button_height)
            failure_left = SIDE_MARGIN if outbound else bubble.left()
            layout.failure = QRect(
                max(failure_left, layout.retry.left() - 360),
                line_top,
                layout.retry.left() - 8 - max(failure_left, layout.retry.left() - 360),
                button_height,
            )
            layout.height = height + FAILED_LINE
        layout.height += 2
        return layout
