"""The Contacts pane: the whole book as a lazy list, with the selected contact's details."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import SyncProgress
from ui.contact_delegate import ContactDelegate
from ui.contact_details import ContactDetails
from ui.contact_list_model import ContactListModel


class ContactsPane(QWidget):
    contacts_painted = Signal(int)  # emitted once: the first paint that shows contacts

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

        self.list = QListView()
        self.list.setAccessibleName("Contact list")
        self.list.setModel(model)
        self.list.setItemDelegate(ContactDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setMouseTracking(True)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.selectionModel().selectionChanged.connect(self._on_list_selection_changed)
        self.list.viewport().installEventFilter(self)

        self.details = ContactDetails()
        self.empty_hint = QLabel(
            "No contacts yet.\nThey appear here as soon as the first sync brings them in."
        )
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
        left_layout.addLayout(header)
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
        self.sync_label.setText(f"Syncing… {progress.done:,} contacts")

    def sync_finished(self) -> None:
        self.sync_bar.hide()
        self.sync_label.setText("")

    def _on_model_reset(self) -> None:
        count = self.model.rowCount()
        self.summary.setText(f"Contacts  ·  {count:,}" if count else "Contacts")
        self.list_stack.setCurrentWidget(self.list if count else self.empty_hint)
        self.details.show_contact(None)

    def _on_list_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        self.details.show_contact(self.model.stored_contact(indexes[0].row()) if indexes else None)
