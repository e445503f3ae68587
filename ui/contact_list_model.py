"""A lazy list model of the contact book: it asks the store only for the rows on screen.

Browsing, the model knows the book's size and loads blocks of rows as the view reaches
them. Searching, it never asks for the number of matches: it holds the first screen of
results and fetches more (``canFetchMore``/``fetchMore``) as the user scrolls.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Coroutine, Iterable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from app.services.tasks import TaskGroup
from app.store.contacts import StoredContact

log = logging.getLogger(__name__)

BLOCK_SIZE = 100
MAX_CACHED_BLOCKS = 40
MAX_WANTED_BLOCKS = 4

ContactRole = Qt.ItemDataRole.UserRole + 1
SectionRole = Qt.ItemDataRole.UserRole + 2  # the row's letter when it starts a new letter, else ""

_Index = QModelIndex | QPersistentModelIndex


class ContactPages(Protocol):
    async def count(self) -> int: ...

    async def page(self, offset: int, limit: int) -> list[StoredContact]: ...

    async def search(self, query: str, offset: int, limit: int) -> list[StoredContact]: ...


def section_letter(stored: StoredContact) -> str:
    name = stored.contact.display_name.lstrip()
    first = name[:1].upper()
    return first if first.isalpha() else "#"


class ContactListModel(QAbstractListModel):
    """Rows are fetched block by block when a view first asks for them.

    ``data()`` for a row not yet loaded returns None and schedules its block; when the block
    arrives the rows are announced with ``dataChanged``. At most ``MAX_CACHED_BLOCKS`` blocks
    are kept, least recently used dropped first.
    """

    loaded = Signal()  # after each reload, once the first block is in

    def __init__(self, pages: ContactPages, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pages = pages
        self._query = ""
        self._count = 0
        self._more = False  # searching: more results may follow the loaded ones
        self._fetching_more = False
        self._blocks: OrderedDict[int, list[StoredContact]] = OrderedDict()
        self._wanted: OrderedDict[int, None] = OrderedDict()  # blocks asked for, newest last
        self._loading: int | None = None
        self._loader_running = False
        self._generation = 0
        self._tasks = TaskGroup("contact-list-model")

    # -- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self._count:
            return None
        stored = self._row(index.row())
        if stored is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return stored.contact.display_name
        if role == ContactRole:
            return stored
        if role == SectionRole:
            return self._section(index.row(), stored)
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._more and not self._fetching_more

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._fetching_more = True
            self._tasks.start(self._fetch_more(self._generation), name="contact-search-more")

    # -- loading ------------------------------------------------------------------------
    @property
    def query(self) -> str:
        return self._query

    async def set_query(self, query: str) -> None:
        """Show the matches of ``query`` (the whole book when empty), first screen first."""
        self._query = query.strip()
        await self.reload()

    async def reload(self) -> None:
        """Re-read the first block (and, browsing, the count), then reset the view at once."""
        self._generation += 1
        generation = self._generation
        query = self._query
        if query:
            first = await self._pages.search(query, 0, BLOCK_SIZE)
            count, more = len(first), len(first) == BLOCK_SIZE
        else:
            count = await self._pages.count()
            first = await self._pages.page(0, BLOCK_SIZE) if count else []
            more = False
        if generation != self._generation:
            return  # a newer reload (the next keystroke) won
        self.beginResetModel()
        self._count, self._more, self._fetching_more = count, more, False
        self._blocks.clear()
        self._wanted.clear()
        if first:
            self._blocks[0] = first
        self.endResetModel()
        self.loaded.emit()

    def refresh_rows(self) -> None:
        """Forget the cached rows (their data changed, e.g. presence) and repaint."""
        self._blocks.clear()
        self._wanted.clear()
        if self._count:
            self.dataChanged.emit(self.index(0), self.index(self._count - 1))

    def stored_contact(self, row: int) -> StoredContact | None:
        return self._row(row) if 0 <= row < self._count else None

    async def stored_contacts(self, rows: Iterable[int]) -> list[StoredContact]:
        """The contacts at ``rows`` (in row order), loading from the store the blocks that
        are not in memory (a selection may span rows never shown)."""
        wanted = sorted({row for row in rows if 0 <= row < self._count})
        generation = self._generation
        fetched: dict[int, list[StoredContact]] = {}
        found: list[StoredContact] = []
        for row in wanted:
            block_index, offset = divmod(row, BLOCK_SIZE)
            block = self._blocks.get(block_index) or fetched.get(block_index)
            if block is None:
                block = fetched[block_index] = await self._fetch(block_index * BLOCK_SIZE)
                if generation != self._generation:
                    return []  # the list changed under the selection
            if offset < len(block):
                found.append(block[offset])
        return found

    def is_loaded(self, row: int) -> bool:
        return row // BLOCK_SIZE in self._blocks

    async def close(self) -> None:
        await self._tasks.cancel_all()

    def _fetch(self, offset: int) -> Coroutine[Any, Any, list[StoredContact]]:
        if self._query:
            return self._pages.search(self._query, offset, BLOCK_SIZE)
        return self._pages.page(offset, BLOCK_SIZE)

    def _row(self, row: int) -> StoredContact | None:
        block_index, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_index)
        if block is None:
            self._request_block(block_index)
            return None
        self._blocks.move_to_end(block_index)
        return block[offset] if offset < len(block) else None

    def _section(self, row: int, stored: StoredContact) -> str:
        if self._query:
            return ""  # results are ranked, not alphabetical
        letter = section_letter(stored)
        if row == 0:
            return letter
        previous = self._blocks.get((row - 1) // BLOCK_SIZE)
        if previous is None:
            return ""
        before = previous[(row - 1) % BLOCK_SIZE] if (row - 1) % BLOCK_SIZE < len(previous) else None
        return letter if before is None or section_letter(before) != letter else ""

    def _request_block(self, block_index: int) -> None:
        """Queue a block; the newest requests are served first and only the last few are
        kept, so a fast flick through 100,000 rows does not pile up work for rows long gone
        (rows still on screen are asked for again at the next paint)."""
        if block_index == self._loading:
            return
        self._wanted[block_index] = None
        self._wanted.move_to_end(block_index)
        while len(self._wanted) > MAX_WANTED_BLOCKS:
            self._wanted.popitem(last=False)
        if not self._loader_running:
            self._loader_running = True
            self._tasks.start(self._load_wanted_blocks(), name="contact-blocks")

    async def _load_wanted_blocks(self) -> None:
        try:
            while self._wanted:
                generation = self._generation
                block_index, _ = self._wanted.popitem(last=True)
                self._loading = block_index
                try:
                    rows = await self._fetch(block_index * BLOCK_SIZE)
                finally:
                    self._loading = None
                if generation == self._generation:
                    self._show_block(block_index, rows)
        finally:
            self._loader_running = False

    def _show_block(self, block_index: int, rows: list[StoredContact]) -> None:
        self._remember(block_index, rows)
        first = block_index * BLOCK_SIZE
        last = min(first + len(rows), self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first), self.index(last))

    async def _fetch_more(self, generation: int) -> None:
        try:
            rows = await self._fetch(self._count)
        finally:
            if generation == self._generation:
                self._fetching_more = False
        if generation != self._generation or not rows:
            self._more = False if generation == self._generation else self._more
            return
        start = self._count
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._remember(start // BLOCK_SIZE, rows)
        self._count += len(rows)
        self._more = len(rows) == BLOCK_SIZE
        self.endInsertRows()

    def _remember(self, block_index: int, rows: list[StoredContact]) -> None:
        self._blocks[block_index] = rows
        while len(self._blocks) > MAX_CACHED_BLOCKS:
            self._blocks.popitem(last=False)
