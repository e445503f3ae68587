"""A lazily paged table of one fax box: the first page on reload, the next ones as the view
scrolls to the end (``canFetchMore``/``fetchMore``), served by the ``X-Pagination-*`` totals."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from app.domain.fax import FaxBox, FaxMessage
from app.domain.phone import format_for_display
from app.providers.ringplan.paging import Page
from app.services.fax import FaxError
from app.services.tasks import TaskGroup

log = logging.getLogger(__name__)

PER_PAGE = 50
FaxRole = Qt.ItemDataRole.UserRole + 1

FetchPage = Callable[[int, int], Awaitable[Page[FaxMessage]]]
_Index = QModelIndex | QPersistentModelIndex


def when_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone()
    today = datetime.now().astimezone().date()
    if local.date() == today:
        return local.strftime("Today %H:%M")
    if local.year == today.year:
        return local.strftime("%b %d, %H:%M")
    return local.strftime("%b %d %Y, %H:%M")


def party_text(fax: FaxMessage) -> str:
    number = format_for_display(fax.party_number) if fax.party_number else ""
    name = fax.party_name
    if fax.box is FaxBox.INBOUND and not number:
        return name or "Anonymous sender"
    if name and number:
        return f"{name}  ·  {number}"
    return name or number or "—"


class FaxListModel(QAbstractTableModel):
    """Rows of one box. ``reload()`` after a filter change; ``failed(text)`` on errors."""

    loaded = Signal()
    failed = Signal(str)

    COLUMNS = ("When", "From", "Subject", "Pages", "Status")

    def __init__(self, box: FaxBox, fetch: FetchPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.box = box
        self._fetch = fetch
        self._rows: list[FaxMessage] = []
        self._ids: set[str] = set()
        self._next_page: int | None = None
        self._fetching = False
        self._generation = 0
        self.total: int | None = None
        self._tasks = TaskGroup(f"fax-{box.value}-model")

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == 1:
                return "From" if self.box is FaxBox.INBOUND else "To"
            if section == 0 and self.box is FaxBox.SCHEDULED:
                return "Send at"
            return self.COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        fax = self._rows[index.row()]
        column = index.column()
        if role == FaxRole:
            return fax
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return when_text(fax.send_at if self.box is FaxBox.SCHEDULED else fax.created_at)
            if column == 1:
                return party_text(fax)
            if column == 2:
                return fax.subject or "(no subject)"
            if column == 3:
                return str(fax.pages) if fax.pages else ""
            if column == 4:
                if role == Qt.ItemDataRole.ToolTipRole:
                    return fax.status_detail or (fax.status.value if fax.status else "")
                return fax.status.value if fax.status else ""
        if role == Qt.ItemDataRole.FontRole and self.box is FaxBox.INBOUND and not fax.is_read:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._next_page is not None and not self._fetching

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent) and self._next_page is not None:
            self._fetching = True
            self._tasks.start(self._append(self._next_page, self._generation), name=f"fax-{self.box}-more")

    # -- loading -------------------------------------------------------------------------

    async def reload(self) -> None:
        """The first page again (filters changed, or the box did)."""
        self._generation += 1
        generation = self._generation
        try:
            page = await self._fetch(1, PER_PAGE)
        except FaxError as exc:
            if generation == self._generation:
                self.failed.emit(str(exc))
            return
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = []
        self._ids = set()
        self._add(page.items)
        self.total = page.total_count
        self._next_page = 2 if page.has_next else None
        self._fetching = False
        self.endResetModel()
        self.loaded.emit()

    async def _append(self, number: int, generation: int) -> None:
        try:
            page = await self._fetch(number, PER_PAGE)
        except FaxError as exc:
            if generation == self._generation:
                self._fetching = False
                self.failed.emit(str(exc))
            return
        if generation != self._generation:
            return
        fresh = [fax for fax in page.items if fax.id not in self._ids]  # pages shift as faxes arrive
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._add(fresh)
            self.endInsertRows()
        self.total = page.total_count if page.total_count is not None else self.total
        self._next_page = number + 1 if page.has_next and page.raw_count else None
        self._fetching = False

    def _add(self, faxes: list[FaxMessage]) -> None:
        for fax in faxes:
            if fax.id not in self._ids:
                self._ids.add(fax.id)
                self._rows.append(fax)

    # -- rows ----------------------------------------------------------------------------

    def fax_at(self, row: int) -> FaxMessage | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, fax_id: str) -> int:
        for row, fax in enumerate(self._rows):
            if fax.id == fax_id:
                return row
        return -1

    def replace(self, fax: FaxMessage) -> None:
        row = self.row_of(fax.id)
        if row >= 0:
            self._rows[row] = fax
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def remove(self, fax_id: str) -> None:
        row = self.row_of(fax_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self._ids.discard(fax_id)
            if self.total:
                self.total -= 1
            self.endRemoveRows()

    @property
    def idle(self) -> bool:
        return len(self._tasks) == 0

    async def close(self) -> None:
        await self._tasks.cancel_all()
