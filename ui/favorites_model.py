"""The favorites as a small list model that supports drag-and-drop reordering."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.store.contacts import StoredContact
from ui.contact_list_model import ContactRole

MIME_TYPE = "application/x-ringdesk-favorite-row"

_Index = QModelIndex | QPersistentModelIndex


class FavoritesModel(QAbstractListModel):
    """Holds the (few) favorites in memory; a drop asks for a move instead of moving rows
    itself, and the list is reloaded from the store once the move is saved."""

    move_requested = Signal(object, int)  # StoredContact, new index

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StoredContact] = []
        self.reorderable = True

    def set_rows(self, rows: list[StoredContact]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def stored_contact(self, row: int) -> StoredContact | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        stored = self.stored_contact(index.row()) if index.isValid() else None
        if stored is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return stored.contact.display_name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{stored.contact.display_name}, {stored.presence.label}"
        if role == ContactRole:
            return stored
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if not self.reorderable:
            return base
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        if indexes:
            data.setData(MIME_TYPE, QByteArray(str(indexes[0].row()).encode()))
        return data

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        try:
            source_row = int(bytes(data.data(MIME_TYPE).data()).decode())
        except ValueError:
            return False
        stored = self.stored_contact(source_row)
        if stored is None:
            return False
        if parent.isValid():
            target = parent.row()  # dropped onto a tile: take its place
        else:
            target = row if row >= 0 else len(self._rows)  # dropped between tiles
            if target > source_row:
                target -= 1  # the dragged tile leaves its old place first
        target = max(0, min(target, len(self._rows) - 1))
        if target != source_row:
            self.move_requested.emit(stored, target)
        return False  # the store moves it; the view must not remove the source row itself
