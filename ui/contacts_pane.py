"""The Contacts pane: the whole book as a lazy list, with the selected contact's details."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import SyncProgress
from app.services.tasks import TaskGroup
from ui.contact_delegate import ContactDelegate
from ui.contact_details import ContactDetails
from ui.contact_list_model import ContactListModel

EMPTY_BOOK = "No contacts yet.\nThey appear here as soon as the first sync brings them in."


class ContactsPane(QWidget):
    contacts_painted = Signal(int)  # emitted once: the first paint that shows contacts
    sync_cancel_requested = Signal()
    export_selection_requested = Signal(list)  # list[StoredContact], in list order

    def __init__(self, model: ContactListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._painted_once = False

        self.summary = QLabel("Contacts")
        self.summary.setObjectName("paneTitle")
        self.sync_bar = QProgressBar()
        self.sync_bar.setMaximumHeight(6)
        self.sync_bar.setTextVisible(False)
        self.sync_bar.setRange(0, 0)
        self.sync_bar.hide()
        self.sync_label = QLabel()
        self.sync_label.setObjectName("paneHint")
        self.sync_cancel = QPushButton("Cancel")
        self.sync_cancel.setFlat(True)
        self.sync_cancel.hide()
        self.sync_cancel.clicked.connect(self.sync_cancel_requested)
        self.filter = QLineEdit()
        self.filter.setObjectName("paneFilter")
        self.filter.setAccessibleName("Filter contacts")
        self.filter.setPlaceholderText("Filter: name, company, e-mail, digits, or dial pad (5646 = john)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.returnPressed.connect(self.focus_results)
        self._tasks = TaskGroup("contacts-pane")

        # A header-less QTreeView, not a QListView: with 100,000 rows QListView re-lays out
        # every row (millions of rowCount() calls, 0.5 s stalls) whenever a block of rows
        # arrives; a tree view with uniform row heights only touches the rows on screen.
        self.list = QTreeView()
        self.list.setAccessibleName("Contact list")
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setModel(model)
        self.list.setItemDelegate(ContactDelegate(self.list))
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMouseTracking(True)
        self.list.setVerticalScrollMode(QTreeView.ScrollMode.ScrollPerPixel)
        # Ctrl/Shift-click select several contacts, e.g. to export just those.
        self.list.setSelectionMode(QTreeView.SelectionMode.ExtendedSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.export_selection = QAction("Export selected contacts…", self.list)
        self.export_selection.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_selection.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.export_selection.triggered.connect(self._on_export_selection_triggered)
        self.list.addAction(self.export_selection)
        self.list.selectionModel().selectionChanged.connect(self._on_list_selection_changed)
        self.list.viewport().installEventFilter(self)

        self.details = ContactDetails()
        self.empty_hint = QLabel(EMPTY_BOOK)
        self.empty_hint.setObjectName("emptyList")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.empty_hint)
        self.list_stack.addWidget(self.list)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.setContentsMargins(12, 10, 12, 4)
        header.addWidget(self.summary)
        header.addStretch(1)
        header.addWidget(self.sync_label)
        header.addWidget(self.sync_cancel)
        left_layout.addLayout(header)
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(12, 0, 12, 6)
        filter_row.addWidget(self.filter)
        left_layout.addLayout(filter_row)
        left_layout.addWidget(self.sync_bar)
        left_layout.addWidget(self.list_stack)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        model.modelReset.connect(self._on_model_reset)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self._painted_once
            and event.type() == QEvent.Type.Paint
            and watched is self.list.viewport()
            and self.model.rowCount() > 0
            and self.model.is_loaded(0)
        ):
            self._painted_once = True
            self.contacts_painted.emit(self.model.rowCount())
        return False

    def show_sync_progress(self, progress: SyncProgress) -> None:
        self.sync_bar.show()
        self.sync_cancel.show()
        if progress.total:
            self.sync_bar.setRange(0, progress.total)
            self.sync_bar.setValue(progress.done)
        self.sync_label.setText(f"Syncing… {progress.done:,} contacts")

    def sync_finished(self) -> None:
        self.sync_bar.hide()
        self.sync_cancel.hide()
        self.sync_bar.setRange(0, 0)
        self.sync_label.setText("")

    def focus_results(self) -> None:
        """Move the keyboard into the results, on the first one (Enter or Down in a search)."""
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.list.currentIndex().isValid() and self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))

    def set_query(self, text: str) -> None:
        """Search from elsewhere (the Ctrl+K field): shown in, and driven by, the pane's filter."""
        if self.filter.text() != text:
            self.filter.setText(text)

    def _on_filter_text_changed(self, text: str) -> None:
        self._tasks.start(self.model.set_query(text), name="contact-search")

    def _on_model_reset(self) -> None:
        count = self.model.rowCount()
        if self.model.query:
            more = "+" if self.model.canFetchMore(QModelIndex()) else ""
            self.summary.setText(f"Contacts  ·  {count:,}{more} found")
            self.empty_hint.setText(f"Nobody matches “{self.model.query}”.")
        else:
            self.summary.setText(f"Contacts  ·  {count:,}" if count else "Contacts")
            self.empty_hint.setText(EMPTY_BOOK)
        self.list_stack.setCurrentWidget(self.list if count else self.empty_hint)
        self.details.show_contact(None)

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.list.selectionModel().selectedRows())

    def _on_list_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        current = self.list.currentIndex()
        rows = self.selected_rows()
        shown = current.row() if current.isValid() and current.row() in rows else (rows[0] if rows else -1)
        self.details.show_contact(self.model.stored_contact(shown) if shown >= 0 else None)
        count = len(rows)
        self.export_selection.setText(
            f"Export {count:,} selected contacts…" if count > 1 else "Export selected contact…"
        )
        self.export_selection.setEnabled(count > 0)

    def _on_export_selection_triggered(self) -> None:
        rows = self.selected_rows()
        if rows:
            self._tasks.start(self._export_rows(rows), name="export-selection")

    async def _export_rows(self, rows: list[int]) -> None:
        contacts = await self.model.stored_contacts(rows)
        if contacts:
            self.export_selection_requested.emit(contacts)
