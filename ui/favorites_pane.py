"""The Favorites pane: starred contacts as tiles with live presence, one click to call or
text, reordered by drag and drop, or sorted by availability."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.favorites import Favorites
from app.services.tasks import TaskGroup
from app.store.contacts import StoredContact
from app.store.favorites import FavoritesOrder
from ui.favorites_delegate import FavoriteDelegate
from ui.favorites_model import FavoritesModel

EMPTY = "No favorites yet.\nStar someone (☆ in their details) and they will wait for you here."


class FavoritesPane(QWidget):
    call_requested = Signal(object)  # StoredContact
    text_requested = Signal(object)
    reloaded = Signal()

    def __init__(self, favorites: Favorites, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.favorites = favorites
        self.model = FavoritesModel(self)
        self._tasks = TaskGroup("favorites-pane")

        self.summary = QLabel("Favorites")
        self.summary.setObjectName("paneTitle")
        self.order = QComboBox()
        self.order.setAccessibleName("Order favorites")
        self.order.addItem("Your order", FavoritesOrder.MANUAL)
        self.order.addItem("By availability", FavoritesOrder.AVAILABILITY)
        self.order.currentIndexChanged.connect(lambda _i: self.request_reload())
        self.hint = QLabel("Drag tiles to reorder")
        self.hint.setObjectName("paneHint")

        self.delegate = FavoriteDelegate(self)
        self.delegate.call_clicked.connect(self.call_requested)
        self.delegate.text_clicked.connect(self.text_requested)
        self.grid = QListView()
        self.grid.setAccessibleName("Favorites")
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(self.delegate)
        self.grid.setFlow(QListView.Flow.LeftToRight)
        self.grid.setWrapping(True)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setUniformItemSizes(True)
        self.grid.setSpacing(4)
        self.grid.setDragEnabled(True)
        self.grid.setAcceptDrops(True)
        self.grid.setDropIndicatorShown(True)
        self.grid.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.grid.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._on_grid_context_menu_requested)
        self.grid.doubleClicked.connect(self._on_grid_double_clicked)
        self.model.move_requested.connect(self._on_model_move_requested)

        self.empty = QLabel(EMPTY)
        self.empty.setObjectName("emptyList")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.grid)

        header = QHBoxLayout()
        header.setContentsMargins(12, 10, 12, 6)
        header.addWidget(self.summary)
        header.addStretch(1)
        header.addWidget(self.hint)
        header.addWidget(self.order)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)

    @property
    def current_order(self) -> FavoritesOrder:
        return FavoritesOrder(self.order.currentData())

    def request_reload(self) -> None:
        self._tasks.start(self.reload(), name="favorites-reload")

    async def reload(self) -> None:
        order = self.current_order
        rows = await self.favorites.list(order)
        self.model.reorderable = order is FavoritesOrder.MANUAL
        self.hint.setVisible(self.model.reorderable and len(rows) > 1)
        self.model.set_rows(rows)
        self.summary.setText(f"Favorites  ·  {len(rows)}" if rows else "Favorites")
        self.stack.setCurrentWidget(self.grid if rows else self.empty)
        self.reloaded.emit()

    async def cancel_tasks(self) -> None:
        await self._tasks.cancel_all()

    def _on_model_move_requested(self, stored: StoredContact, index: int) -> None:
        async def move() -> None:
            await self.favorites.move(stored.contact.source, stored.contact.source_id, index)
            await self.reload()

        self._tasks.start(move(), name="favorites-move")

    def _on_grid_double_clicked(self, index: QModelIndex) -> None:
        stored = self.model.stored_contact(index.row())
        if stored is not None:
            self.call_requested.emit(stored)

    def _on_grid_context_menu_requested(self, point: QPoint) -> None:
        stored = self.model.stored_contact(self.grid.indexAt(point).row())
        if stored is None:
            return
        menu = QMenu(self)
        menu.addAction("Call", lambda: self.call_requested.emit(stored))
        menu.addAction("Send SMS", lambda: self.text_requested.emit(stored))
        menu.addSeparator()
        menu.addAction("Remove from favorites", lambda: self._unstar(stored))
        menu.popup(self.grid.viewport().mapToGlobal(point))

    def _unstar(self, stored: StoredContact) -> None:
        self._tasks.start(self.favorites.set_starred(stored.contact, False), name="favorites-unstar")
