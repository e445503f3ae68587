"""The voicemail list as a Qt model: pages from the server, loaded as the view scrolls.

``reload(where)`` shows the first page of a filter; the view's ``fetchMore`` brings the
next page while the server says one follows (``X-Pagination-*``). A page that arrives for
a filter the user has already left is dropped.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from app.domain.voicemail import VoicemailFilter
from app.providers.errors import ProviderError
from app.services.tasks import TaskGroup

if TYPE_CHECKING:  # the service (and phonenumbers with it) loads when a session starts
    from app.services.voicemail import VoicemailItem, VoicemailPage

log = logging.getLogger(__name__)

ItemRole = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


class VoicemailPages(Protocol):
    async def page(self, where: VoicemailFilter, page: int = 1) -> VoicemailPage: ...


class VoicemailListModel(QAbstractListModel):
    loading_changed = Signal(bool)
    failed = Signal(str)  # what went wrong, in words
    loaded = Signal()  # a page came in (the first, or one more)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pages: VoicemailPages | None = None
        self._items: list[VoicemailItem] = []
        self._where = VoicemailFilter()
        self._next_page = 1
        self._more = False
        self._loading = False
        self._generation = 0
        self.total: int | None = None
        self._tasks = TaskGroup("voicemail-model")

    # -- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ItemRole:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            new = "New voicemail" if item.is_new else "Voicemail"
            return f"{new} from {item.caller.name}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.caller.detail or item.caller.name
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._more and not self._loading and self._pages is not None

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._set_loading(True)
            self._tasks.start(self._load(self._generation, self._next_page), name="voicemail-more")

    # -- loading ------------------------------------------------------------------------

    @property
    def where(self) -> VoicemailFilter:
        return self._where

    @property
    def loading(self) -> bool:
        return self._loading

    def attach(self, pages: VoicemailPages) -> None:
        self._pages = pages

    def request_reload(self, where: VoicemailFilter | None = None) -> None:
        """Show the first page of ``where`` (of the current filter when None)."""
        self._generation += 1
        self._more = False
        if where is not None and where != self._where:
            self._where = where
            self._clear()  # rows of another filter must not stand for this one's
        if self._pages is None:
            return
        self._set_loading(True)
        self._tasks.start(self._load(self._generation, 1), name="voicemail-reload")

    async def _load(self, generation: int, page: int) -> None:
        assert self._pages is not None
        try:
            result = await self._pages.page(self._where, page)
        except ProviderError as exc:
            self._fail(generation, page, f"Could not load voicemails: {exc}")
            return
        except Exception:
            log.exception("loading voicemails failed")
            self._fail(generation, page, "Could not load voicemails (see the log for details).")
            return
        if generation != self._generation:
            return  # the user moved on to another filter meanwhile
        self.total = result.total
        if page == 1:
            self.beginResetModel()
            self._items = list(result.items)
            self.endResetModel()
        else:
            known = {item.id for item in self._items}
            fresh = [item for item in result.items if item.id not in known]
            if fresh:
                self.beginInsertRows(QModelIndex(), len(self._items), len(self._items) + len(fresh) - 1)
                self._items.extend(fresh)
                self.endInsertRows()
        self._next_page = page + 1
        self._more = result.has_next and bool(result.items)
        self._set_loading(False)
        self.loaded.emit()

    def _fail(self, generation: int, page: int, problem: str) -> None:
        if generation != self._generation:
            return
        if page == 1:
            self._clear()
        self._set_loading(False)
        self.failed.emit(problem)  # a later page: scrolling down again retries it

    def _clear(self) -> None:
        self.beginResetModel()
        self._items = []
        self.total = None
        self.endResetModel()

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    async def close(self) -> None:
        await self._tasks.cancel_all()

    # -- changes --------------------------------------------------------------------------

    def item(self, row: int) -> VoicemailItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, voicemail_id: str) -> int:
        for row, item in enumerate(self._items):
            if item.id == voicemail_id:
                return row
        return -1

    def set_new(self, voicemail_id: str, is_new: bool) -> None:
        row = self.row_of(voicemail_id)
        if row < 0 or self._items[row].is_new == is_new:
            return
        self._items[row] = dataclasses.replace(self._items[row], is_new=is_new)
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def prepend(self, items: list[VoicemailItem]) -> int:
        """Put newly arrived voicemails on top (those not shown yet); returns how many."""
        known = {item.id for item in self._items}
        fresh = [item for item in items if item.id not in known]
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self._items[:0] = fresh
            self.endInsertRows()
            if self.total is not None:
                self.total += len(fresh)
        return len(fresh)
