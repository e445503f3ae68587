"""Search results across all conversations: each row names the conversation and shows the
matching message (the match picked out in colour, drawn as plain text)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QTextCharFormat, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.texting import ConversationSummary, Message
from ui.message_format import list_time, one_line
from ui.message_style import ACCENT, SELECTED, colours, scaled

ResultRole = Qt.ItemDataRole.UserRole + 1
ROW_HEIGHT = 58
PADDING = 12
LEAD_CHARS = 28

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class SearchResult:
    summary: ConversationSummary
    message: Message | None

    @property
    def text(self) -> str:
        return self.message.text if self.message is not None else self.summary.preview


def snippet(text: str, query: str) -> tuple[str, list[tuple[int, int]]]:
    """One line of ``text`` around the first match of ``query``, and where the matches are."""
    flat = " ".join(text.split())
    needle = query.strip().lower()
    start = flat.lower().find(needle) if needle else -1
    prefix = ""
    if start > LEAD_CHARS:
        cut = flat.rfind(" ", 0, start - LEAD_CHARS // 2)
        cut = cut + 1 if cut > 0 else start - LEAD_CHARS // 2
        flat, prefix = flat[cut:], "…"
    line = prefix + one_line(flat, 200)
    matches: list[tuple[int, int]] = []
    if needle:
        lower = line.lower()
        position = lower.find(needle)
        while position >= 0:
            matches.append((position, len(needle)))
            position = lower.find(needle, position + len(needle))
    return line, matches


class SearchResultsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.query = ""
        self._results: list[SearchResult] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._results)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._results):
            return None
        result = self._results[index.row()]
        if role == ResultRole:
            return result
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{result.summary.title}: {one_line(result.text)}"
        return None

    def set_results(self, query: str, results: list[tuple[ConversationSummary, Message | None]]) -> None:
        self.beginResetModel()
        self.query = query
        self._results = [SearchResult(summary, message) for summary, message in results]
        self.endResetModel()

    def result(self, row: int) -> SearchResult | None:
        return self._results[row] if 0 <= row < len(self._results) else None


class SearchResultDelegate(QStyledItemDelegate):
    def __init__(self, model: SearchResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        result = self._model.result(index.row())
        if result is None:
            return
        painter.save()
        rect: QRect = option.rect
        palette: QPalette = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, SELECTED)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        inner = rect.adjusted(PADDING, 8, -PADDING, -8)
        font: QFont = option.font
        moment = result.message.created_at if result.message is not None else result.summary.last_message_at
        painter.setFont(scaled(font, 0.88))
        when = list_time(moment)
        when_width = painter.fontMetrics().horizontalAdvance(when) + 4
        painter.setPen(colours(palette).muted)
        top = QRect(inner.left(), inner.top(), inner.width(), 20)
        painter.drawText(top, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        painter.setFont(scaled(font, 1.0, bold=True))
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        title_rect = top.adjusted(0, 0, -when_width, 0)
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                result.summary.title, Qt.TextElideMode.ElideRight, title_rect.width()
            ),
        )
        line, matches = snippet(result.text, self._model.query)
        painter.setPen(colours(palette).muted)
        self._paint_snippet(
            painter, QRect(inner.left(), inner.top() + 22, inner.width(), 20), font, line, matches
        )
        painter.restore()

    @staticmethod
    def _paint_snippet(
        painter: QPainter, rect: QRect, font: QFont, line: str, matches: list[tuple[int, int]]
    ) -> None:
        base = scaled(font, 0.95, bold=False)
        elided = (
            QFontMetrics(base).elidedText(line, Qt.TextElideMode.ElideRight, rect.width()) if line else ""
        )
        layout = QTextLayout(elided, base)
        highlight = QTextCharFormat()
        highlight.setForeground(ACCENT)
        highlight.setFontWeight(QFont.Weight.Bold)
        ranges = []
        for start, length in matches:
            if start < len(elided):
                piece = QTextLayout.FormatRange()
                piece.start, piece.length, piece.format = start, min(length, len(elided) - start), highlight
                ranges.append(piece)
        layout.setFormats(ranges)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        text_line = layout.createLine()
        if text_line.isValid():
            text_line.setLineWidth(rect.width())
        layout.endLayout()
        layout.draw(painter, QPointF(rect.left(), rect.top() + 1))
