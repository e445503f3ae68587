"""The conversation list as a Qt model: one row per conversation summary, newest first.

The pane hands it the service's fresh summaries after every change; the model works out
what was removed, added, moved and changed, and tells the view exactly that (so the
selection and the scroll position survive a new message that moves a row to the top).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.domain.texting import ConversationSummary, Direction
from ui.message_format import list_time, one_line

SummaryRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def row_description(summary: ConversationSummary) -> str:
    """What a screen reader says for a row (all of it plain text)."""
    parts = [summary.title]
    if summary.unread_count:
        parts.append(f"{summary.unread_count} unread")
    if summary.preview:
        mine = "You: " if summary.last_direction is Direction.OUTBOUND else ""
        parts.append(mine + one_line(summary.preview))
    if summary.last_message_at is not None:
        parts.append(list_time(summary.last_message_at))
    return ", ".join(parts)


class ConversationListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ConversationSummary] = []
        self._row_of: dict[str, int] = {}

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return summary.title
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return row_description(summary)
        if role == SummaryRole:
            return summary
        return None

    # -- content ------------------------------------------------------------------------
    def summary(self, row: int) -> ConversationSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, conversation_id: str) -> int:
        return self._row_of.get(conversation_id, -1)

    def summaries(self) -> list[ConversationSummary]:
        return list(self._rows)

    def set_summaries(self, summaries: list[ConversationSummary]) -> None:
        """Show ``summaries`` (in their order) as removals, insertions, a move and changes."""
        wanted: dict[str, ConversationSummary] = {}
        for summary in summaries:
            wanted.setdefault(summary.conversation_id, summary)  # a duplicate: the first wins
        summaries = list(wanted.values())
        # 1. rows that are gone, bottom up so the row numbers stay right
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].conversation_id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        # 2. new rows, appended for now
        have = {s.conversation_id for s in self._rows}
        new = [s for s in summaries if s.conversation_id not in have]
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
        old = self._rows
        # 3. the order
        if [s.conversation_id for s in old] != [s.conversation_id for s in summaries]:
            self.layoutAboutToBeChanged.emit()
            new_row = {s.conversation_id: row for row, s in enumerate(summaries)}
            moved_from = self.persistentIndexList()
            moved_to = [
                self.index(new_row[old[index.row()].conversation_id]) if index.isValid() else QModelIndex()
                for index in moved_from
            ]
            self._rows = list(summaries)
            self._reindex()
            self.changePersistentIndexList(moved_from, moved_to)
            self.layoutChanged.emit()
        else:
            self._rows = list(summaries)
            self._reindex()
        # 4. rows whose content changed
        before = {s.conversation_id: s for s in old}
        for row, summary in enumerate(self._rows):
            if before.get(summary.conversation_id) != summary:
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def _reindex(self) -> None:
        self._row_of = {s.conversation_id: row for row, s in enumerate(self._rows)}
