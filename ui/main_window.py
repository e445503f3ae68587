"""The main window: navigation between panes, global search (Ctrl+K), connection status."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.assets import app_icon
from ui.connection_status import ConnectionStatus
from ui.contacts_pane import ContactsPane
from ui.empty_pane import EmptyPane
from ui.style import STYLE_SHEET

NOTICE_MS = 10_000

PANES = ("Contacts", "Favorites", "Messages", "Fax", "Voicemail")

_EMPTY_MESSAGES = {
    "Favorites": "Star the people you call most and they will wait here, with their presence.",
    "Messages": "Your SMS conversations will appear here. New texts arrive as notifications.",
    "Fax": "Inbound, outbound and scheduled faxes will appear here.",
    "Voicemail": "Your voicemails will appear here, ready to play.",
}


class MainWindow(QMainWindow):
    close_requested = Signal()
    sms_link_opened = Signal(str, str)  # number, body: an sms: link asks for a prefilled text
    new_contact_requested = Signal()
    import_requested = Signal()
    export_requested = Signal()

    def __init__(
        self,
        contacts_pane: ContactsPane,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("RingDesk")
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1100, 720)
        self.contacts_pane = contacts_pane

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Navigation")
        self.navigation.setFixedWidth(180)
        self.navigation.setIconSize(QSize(18, 18))
        self.navigation.addItems(PANES)
        self.stack = QStackedWidget()
        self.stack.addWidget(contacts_pane)
        for name in PANES[1:]:  # placeholders until set_pane / set_pane_builder
            self.stack.addWidget(EmptyPane(name, _EMPTY_MESSAGES[name]))
        self.panes: dict[str, QWidget] = {}
        for index, name in enumerate(PANES):
            placeholder = self.stack.widget(index)
            assert placeholder is not None
            self.panes[name] = placeholder
        self._pane_builders: dict[str, Callable[[], QWidget]] = {}
        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)
        self.navigation.setCurrentRow(0)

        self.search = QLineEdit()
        self.search.setObjectName("globalSearch")
        self.search.setAccessibleName("Search")
        self.search.setPlaceholderText("Search people, numbers, e-mail   (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(self._on_search_text_edited)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        contacts_pane.filter.textChanged.connect(self._on_contacts_filter_changed)
        QShortcut(QKeySequence("Ctrl+K"), self, self.focus_search).setWhatsThis("Search")
        for number, name in enumerate(PANES, start=1):
            QShortcut(
                QKeySequence(f"Ctrl+{number}"),
                self,
                lambda row=number - 1: self.navigation.setCurrentRow(row),
            ).setWhatsThis(f"Show {name}")

        self.error_banner = QFrame()
        self.error_banner.setObjectName("errorBanner")
        self.error_text = QLabel()
        self.error_text.setTextFormat(Qt.TextFormat.PlainText)
        self.error_text.setWordWrap(True)
        dismiss = QPushButton("Dismiss")
        dismiss.setFlat(True)
        dismiss.clicked.connect(self.error_banner.hide)
        banner_layout = QHBoxLayout(self.error_banner)
        banner_layout.setContentsMargins(12, 6, 12, 6)
        banner_layout.addWidget(self.error_text, 1)
        banner_layout.addWidget(dismiss)
        self.error_banner.hide()

        top = QHBoxLayout()
        top.setContentsMargins(8, 8, 12, 8)
        brand = QLabel("RingDesk")
        brand.setObjectName("brand")
        brand.setFixedWidth(172)
        top.addWidget(brand)
        top.addWidget(self.search, 1)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.navigation)
        body.addWidget(self.stack, 1)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(top)
        outer.addWidget(self.error_banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("&New contact…", QKeySequence("Ctrl+N"), self.new_contact_requested.emit)
        file_menu.addAction("&Import contacts…", QKeySequence("Ctrl+I"), self.import_requested.emit)
        file_menu.addAction("&Export contacts…", QKeySequence("Ctrl+E"), self.export_requested.emit)
        file_menu.addSeparator()
        file_menu.addAction("&Quit", QKeySequence("Ctrl+Q"), self.close_requested.emit)

        self.connection_status = ConnectionStatus()
        self.statusBar().addPermanentWidget(self.connection_status)

    def show_notice(self, title: str, body: str) -> None:
        """A notification shown in the window, for desktops without a tray."""
        self.statusBar().showMessage(f"{title}: {body}", NOTICE_MS)

    def show_pane(self, name: str) -> None:
        self.navigation.setCurrentRow(PANES.index(name))

    def set_badge(self, name: str, count: int) -> None:
        """Show a count (e.g. unread messages) next to a pane's name in the navigation."""
        item = self.navigation.item(PANES.index(name))
        item.setText(f"{name}   {count}" if count else name)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}, {count} unread" if count else name)

    def set_pane_builder(self, name: str, build: Callable[[], QWidget]) -> None:
        """Build ``name``'s pane the first time it is shown (at once if it is in front), not
        before: memory and start-up time."""
        self._pane_builders[name] = build
        if self.navigation.currentRow() == PANES.index(name):
            self.build_pane(name)

    def build_pane(self, name: str) -> QWidget:
        """``name``'s pane, built now if it was waiting to be shown."""
        build = self._pane_builders.pop(name, None)
        if build is not None:
            self.set_pane(name, build())
        return self.panes[name]

    def build_all_panes(self) -> None:
        for name in list(self._pane_builders):
            self.build_pane(name)

    def _on_navigation_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(PANES):
            self.build_pane(PANES[row])  # before it is current: its saved layout applies to it
        self.stack.setCurrentIndex(row)

    def set_pane(self, name: str, pane: QWidget) -> None:
        """Put a feature's pane in place of its placeholder (or of an earlier pane)."""
        index = PANES.index(name)
        old = self.panes[name]
        self.stack.insertWidget(index, pane)
        self.stack.removeWidget(old)
        old.deleteLater()
        self.panes[name] = pane
        self.stack.setCurrentIndex(self.navigation.currentRow())

    def _on_search_text_edited(self, text: str) -> None:
        self.show_pane("Contacts")
        self.contacts_pane.set_query(text)

    def _on_search_return_pressed(self) -> None:
        self.show_pane("Contacts")
        self.contacts_pane.focus_results()

    def _on_contacts_filter_changed(self, text: str) -> None:
        if self.search.text() != text:
            self.search.setText(text)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def show_error(self, message: str) -> None:
        self.error_text.setText(message)
        self.error_banner.show()

    def bring_to_front(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_requested.emit()
        super().closeEvent(event)
