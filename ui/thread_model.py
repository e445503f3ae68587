"""One conversation's loaded messages as a Qt model, oldest first, with day separators.

The model never holds a whole history: the thread view loads the newest page when it opens
and older pages as the user scrolls up (``prepend_older``); live changes arrive as
``upsert``/``remove``. Pending and failed outbox messages are found by their ``stamp_id``
(their server ``id`` is still empty), sent and received ones by their ``id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from app.domain.texting import DeliveryState, Direction, Message
from ui.message_format import clock_time, day_label, local

RowRole = Qt.ItemDataRole.UserRole + 1
CONTINUED_WITHIN = timedelta(minutes=3)

_Index = QModelIndex | QPersistentModelIndex


@dataclass(eq=False, slots=True)
class ThreadRow:
    """A message, or (``message`` None) the separator that starts ``day``."""

    day: date
    message: Message | None = None
    highlighted: bool = False
    continued: bool = False  # the row above is from the same side, shortly before
    # the delegate's cached height at one width (a row's height depends on nothing else)
    size_width: int = -1
    size_height: int = 0

    @property
    def is_separator(self) -> bool:
        return self.message is None


def message_day(message: Message) -> date:
    return local(message.created_at).date()


def message_keys(message: Message) -> tuple[str, ...]:
    """The names a message is known by: its server id and/or its client stamp."""
    return tuple(key for key in (message.id, message.stamp_id) if key)


def continues(above: Message | None, message: Message | None) -> bool:
    """True when ``message`` follows ``above`` from the same side within a few minutes."""
    if above is None or message is None or above.direction is not message.direction:
        return False
    return abs(message.created_at - above.created_at) <= CONTINUED_WITHIN


def describe(message: Message) -> str:
    """The row as a screen reader says it (plain text)."""
    who = "You" if message.direction is Direction.OUTBOUND else "They"
    state = {DeliveryState.PENDING: ", sending", DeliveryState.FAILED: ", not sent"}.get(message.delivery, "")
    files = f", {len(message.attachments)} attachment(s)" if message.attachments else ""
    return f"{who}, {clock_time(message.created_at)}{state}{files}: {message.text}"


class ThreadModel(QAbstractListModel):
    sizes_changed = Signal()  # a row's content changed in a way that can change its height

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conversation_id = ""
        self.has_older = False
        self._rows: list[ThreadRow] = []
        self._by_key: dict[str, ThreadRow] = {}

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == RowRole:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return day_label(row.day) if row.message is None else describe(row.message)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled

    # -- reading ------------------------------------------------------------------------
    def row(self, row: int) -> ThreadRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def message_count(self) -> int:
        return sum(1 for row in self._rows if row.message is not None)

    def oldest_message(self) -> Message | None:
        for row in self._rows:
            if row.message is not None:
                return row.message
        return None

    def newest_message(self) -> Message | None:
        for row in reversed(self._rows):
            if row.message is not None:
                return row.message
        return None

    def find(self, key: str) -> int:
        """The row of the message with this id or stamp, or -1 (searched from the newest)."""
        target = self._by_key.get(key)
        return -1 if target is None else self.index_of(target)

    def index_of(self, row: ThreadRow) -> int:
        """Where this row is now (rows move as older pages are put above), or -1."""
        for position in range(len(self._rows) - 1, -1, -1):
            if self._rows[position] is row:
                return position
        return -1

    def messages(self) -> list[Message]:
        return [row.message for row in self._rows if row.message is not None]

    # -- changing -----------------------------------------------------------------------
    def reset(self, conversation_id: str, messages: Sequence[Message], *, has_older: bool) -> None:
        """Show a (newly opened) conversation's newest page."""
        self.beginResetModel()
        self.conversation_id = conversation_id
        self.has_older = has_older
        self._by_key = {}
        self._rows = self._rows_for(self._fresh(messages))
        self.endResetModel()

    def prepend_older(self, messages: Sequence[Message], *, has_older: bool) -> int:
        """Put an older page above the loaded rows; returns how many rows were added."""
        self.has_older = has_older
        oldest = self.oldest_message()
        page = [m for m in self._fresh(messages) if oldest is None or m.created_at <= oldest.created_at]
        if not page:
            return 0
        rows = self._rows_for(page)
        removed = 0
        if self._rows and self._rows[0].is_separator and self._rows[0].day == rows[-1].day:
            # the page ends on the day the loaded rows start with: one separator for that day
            self.beginRemoveRows(QModelIndex(), 0, 0)
            del self._rows[0]
            self.endRemoveRows()
            removed = 1
        self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
        self._rows[0:0] = rows
        self.endInsertRows()
        self._refresh_continued(len(rows))
        return len(rows) - removed

    def upsert(self, messages: Iterable[Message]) -> None:
        """New messages go in time order; known ones (by id or stamp) are replaced."""
        relayout = False
        for message in messages:
            if message.conversation_id and message.conversation_id != self.conversation_id:
                continue
            known = next((self._by_key[k] for k in message_keys(message) if k in self._by_key), None)
            if known is not None:
                relayout |= self._replace(known, message)
            else:
                self._insert(message)
        if relayout:
            self.sizes_changed.emit()

    def remove(self, keys: Iterable[str]) -> None:
        for key in keys:
            position = self.find(key)
            if position < 0:
                continue
            row = self._rows[position]
            assert row.message is not None
            for known in message_keys(row.message):
                self._by_key.pop(known, None)
            first = position
            before = self._rows[position - 1] if position > 0 else None
            after = self._rows[position + 1] if position + 1 < len(self._rows) else None
            if before is not None and before.is_separator and (after is None or after.is_separator):
                first = position - 1  # the day has no other message: its separator goes too
            self.beginRemoveRows(QModelIndex(), first, position)
            del self._rows[first : position + 1]
            self.endRemoveRows()
            self._refresh_continued(first)

    def trim_oldest(self, keep: int) -> int:
        """Forget all but the newest ``keep`` rows (they load again on scroll-up); returns
        how many rows went. A thread that keeps receiving stays cheap to lay out."""
        cut = len(self._rows) - keep
        if cut <= 0:
            return 0
        for row in self._rows[:cut]:
            if row.message is not None:
                for key in message_keys(row.message):
                    self._by_key.pop(key, None)
        self.beginRemoveRows(QModelIndex(), 0, cut - 1)
        del self._rows[:cut]
        self.endRemoveRows()
        self.has_older = True
        first = self._rows[0] if self._rows else None
        if first is not None and first.message is not None:  # its day keeps its separator
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._rows.insert(0, ThreadRow(first.day))
            self.endInsertRows()
            if first.continued:
                first.continued = False
                first.size_width = -1
                self.sizes_changed.emit()
        return cut

    def set_highlighted(self, key: str) -> int:
        """Highlight one message (e.g. a search hit), un-highlight the rest; its row or -1."""
        found = -1
        for position, row in enumerate(self._rows):
            on = row.message is not None and key != "" and key in message_keys(row.message)
            if on:
                found = position
            if row.highlighted != on:
                row.highlighted = on
                index = self.index(position)
                self.dataChanged.emit(index, index)
        return found

    # -- internals ----------------------------------------------------------------------
    def _fresh(self, messages: Iterable[Message]) -> list[Message]:
        """Messages of this conversation not shown yet, oldest first, each once."""
        fresh: dict[str, Message] = {}
        for message in messages:
            keys = message_keys(message)
            if not keys or any(k in self._by_key for k in keys):
                continue
            if message.conversation_id and message.conversation_id != self.conversation_id:
                continue
            if not any(k in fresh for k in keys):
                fresh[keys[0]] = message
        return sorted(fresh.values(), key=lambda m: m.created_at)

    def _rows_for(self, messages: list[Message]) -> list[ThreadRow]:
        """Rows for time-ordered messages, a separator before each new day; indexes them."""
        rows: list[ThreadRow] = []
        day: date | None = None
        above: Message | None = None
        for message in messages:
            today = message_day(message)
            if today != day:
                rows.append(ThreadRow(today))
                day, above = today, None
            row = ThreadRow(today, message, continued=continues(above, message))
            rows.append(row)
            above = message
            for key in message_keys(message):
                self._by_key[key] = row
        return rows

    def _refresh_continued(self, position: int) -> None:
        """Re-decide whether the row at ``position`` continues the one above it."""
        row = self.row(position)
        if row is None or row.message is None:
            return
        above = self.row(position - 1)
        continued = continues(above.message if above is not None else None, row.message)
        if continued != row.continued:
            row.continued = continued
            row.size_width = -1
            index = self.index(position)
            self.dataChanged.emit(index, index)
            self.sizes_changed.emit()

    def _replace(self, row: ThreadRow, message: Message) -> bool:
        old = row.message
        assert old is not None
        row.message = message
        for key in message_keys(message):
            self._by_key[key] = row
        relayout = (
            old.text != message.text
            or old.attachments != message.attachments
            or old.delivery is not message.delivery
        )
        if relayout:
            row.size_width = -1
        position = self.find(message_keys(message)[0])
        index = self.index(position)
        self.dataChanged.emit(index, index)
        return relayout

    def _insert(self, message: Message) -> None:
        keys = message_keys(message)
        if not keys:
            return
        oldest = self.oldest_message()
        if self.has_older and oldest is not None and message.created_at < oldest.created_at:
            return  # older than what is loaded: it comes with the older pages
        day = message_day(message)
        # after the last message that is not newer than this one
        position = len(self._rows)
        while position > 0:
            candidate = self._rows[position - 1].message
            if candidate is not None and candidate.created_at <= message.created_at:
                break
            position -= 1
        previous = self._rows[position - 1] if position > 0 else None
        row = ThreadRow(day, message)
        if previous is not None and previous.day == day:
            row.continued = continues(previous.message, message)
            new_rows = [row]
        elif (below := self.row(position)) is not None and below.is_separator and below.day == day:
            position += 1  # this day's separator is already there, right below
            new_rows = [row]
        else:
            new_rows = [ThreadRow(day), row]
        self.beginInsertRows(QModelIndex(), position, position + len(new_rows) - 1)
        self._rows[position:position] = new_rows
        for key in keys:
            self._by_key[key] = row
        self.endInsertRows()
        self._refresh_continued(position + len(new_rows))
