"""A lazy list model of the contact book: it asks the store only for the rows on screen."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.services.tasks import TaskGroup
from app.store.contacts import StoredContact

log = logging.getLogger(__name__)

BLOCK_SIZE = 100
MAX_CACHED_BLOCKS = 40

ContactRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class ContactPages(Protocol):
    async def count(self) -> int: ...

    async def page(self, offset: int, limit: int) -> list[StoredContact]: ...


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
        self._count = 0
        self._blocks: OrderedDict[int, list[StoredContact]] = OrderedDict()
        self._pending: set[int] = set()
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
        if role == Qt.ItemDataRole.DisplayRole:
            return stored.contact.display_name
        if role == ContactRole:
            return stored
        if role == Qt.ItemDataRole.ToolTipRole:
            return stored.contact.display_name
        return None

    # -- loading ------------------------------------------------------------------------
    async def reload(self) -> None:
        """Re-read the count and the first block, then reset the view in one step."""
        self._generation += 1
        generation = self._generation
        count = await self._pages.count()
        first = await self._pages.page(0, BLOCK_SIZE) if count else []
        if generation != self._generation:
            return
        self.beginResetModel()
        self._count = count
        self._blocks.clear()
        self._pending.clear()
        if first:
            self._blocks[0] = first
        self.endResetModel()
        self.loaded.emit()

    def stored_contact(self, row: int) -> StoredContact | None:
        return self._row(row)

    def is_loaded(self, row: int) -> bool:
        return row // BLOCK_SIZE in self._blocks

    async def close(self) -> None:
        await self._tasks.cancel_all()

    def _row(self, row: int) -> StoredContact | None:
        block_index, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_index)
        if block is None:
            self._request_block(block_index)
            return None
        self._blocks.move_to_end(block_index)
        return block[offset] if offset < len(block) else None

    def _request_block(self, block_index: int) -> None:
        if block_index in self._pending:
            return
        self._pending.add(block_index)
        self._tasks.start(self._load_block(block_index, self._generation), name="contact-block")

    async def _load_block(self, block_index: int, generation: int) -> None:
        try:
            rows = await self._pages.page(block_index * BLOCK_SIZE, BLOCK_SIZE)
        finally:
            if generation == self._generation:
                self._pending.discard(block_index)
        if generation != self._generation:
            return
        self._blocks[block_index] = rows
        while len(self._blocks) > MAX_CACHED_BLOCKS:
            self._blocks.popitem(last=False)
        first = block_index * BLOCK_SIZE
        last = min(first + len(rows), self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first), self.index(last))
