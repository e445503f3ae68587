"""The main window shell: navigation, Ctrl+K, connection status, error banner."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.domain.events import ConnectionChanged, ConnectionState
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.store.database import Store
from ui.contact_list_model import ContactListModel
from ui.contacts_pane import ContactsPane
from ui.empty_pane import EmptyPane
from ui.main_window import PANES, MainWindow


def make_window(qtbot: QtBot, tmp_path: Path) -> tuple[MainWindow, Store]:
    store = Store(tmp_path / "cache.sqlite3")
    window = MainWindow(ContactsPane(ContactListModel(ContactBook(store, EventBus()))))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window, store


def test_ctrl_k_focuses_the_search_field(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    window.navigation.setFocus()
    qtbot.keyClick(window.navigation, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search.hasFocus, timeout=2000)
    store.close()


def test_navigation_switches_panes(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    assert [window.navigation.item(i).text() for i in range(window.navigation.count())] == list(PANES)
    for row in range(len(PANES)):
        window.navigation.setCurrentRow(row)
        assert window.stack.currentIndex() == row
    qtbot.keyClick(window.navigation, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.contacts_pane
    store.close()


def test_status_bar_tells_the_connection_state(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    status = window.connection_status
    assert "Connecting" in status.text()
    status.show_state(ConnectionChanged(ConnectionState.ONLINE))
    assert "Online" in status.text()
    status.show_state(ConnectionChanged(ConnectionState.OFFLINE, retry_in=8))
    assert "retrying in 8 s" in status.text()
    status.show_state(ConnectionChanged(ConnectionState.UNAUTHORIZED, detail="sign in again"))
    assert "sign in again" in status.text()
    store.close()


def test_errors_are_shown_as_plain_text(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    window.show_error("<b>bad</b> key")
    assert window.error_banner.isVisible()
    assert window.error_text.textFormat() == Qt.TextFormat.PlainText
    store.close()


def test_a_notice_shows_in_the_status_bar_when_there_is_no_tray(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    window.show_notice("Ann Lee", "Call me back")
    assert window.statusBar().currentMessage() == "Ann Lee: Call me back"
    assert "Connecting" in window.connection_status.text()  # the state stays visible beside it
    store.close()


async def test_typing_in_the_global_search_filters_the_contacts_pane(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    window.show_pane("Fax")
    qtbot.keyClicks(window.search, "jo")
    assert window.stack.currentWidget() is window.contacts_pane
    assert window.contacts_pane.filter.text() == "jo"
    window.contacts_pane.filter.setText("ann")
    assert window.search.text() == "ann"
    await window.contacts_pane.model.set_query("ann")
    assert window.contacts_pane.model.query == "ann"
    store.close()


def test_file_menu_offers_new_import_export_and_quit_with_shortcuts(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    (file_menu,) = [a.menu() for a in window.menuBar().actions()]
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString() for a in file_menu.actions() if a.text()}
    assert shortcuts == {
        "New contact…": "Ctrl+N",
        "Import contacts…": "Ctrl+I",
        "Export contacts…": "Ctrl+E",
        "Quit": "Ctrl+Q",
    }
    asked: list[bool] = []
    window.new_contact_requested.connect(lambda: asked.append(True))
    file_menu.actions()[0].trigger()
    assert asked == [True]
    store.close()


def test_only_personal_contacts_offer_edit_and_delete(qtbot: QtBot, tmp_path: Path) -> None:
    from app.domain.contacts import Contact
    from app.store.contacts import StoredContact

    window, store = make_window(qtbot, tmp_path)
    details = window.contacts_pane.details
    details.show_contact(StoredContact(1, Contact("local", "x", "Ann", "Lee")))
    assert details.edit_button.isVisibleTo(window) and details.delete_button.isVisibleTo(window)
    details.show_contact(StoredContact(2, Contact("ringplan", "y", "Ben", "Ode")))
    assert not details.edit_button.isVisibleTo(window)
    store.close()


def test_a_feature_pane_replaces_its_placeholder(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    pane = QLabel("fax pane")
    window.set_pane("Fax", pane)
    window.show_pane("Fax")
    assert window.stack.currentWidget() is pane
    assert window.panes["Fax"] is pane
    assert window.stack.count() == len(PANES)
    store.close()


def test_a_pane_with_a_builder_is_built_when_first_shown_and_only_once(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    built: list[QLabel] = []

    def build() -> QLabel:
        built.append(QLabel("voicemail pane"))
        return built[-1]

    shown: list[QWidget] = []
    window.stack.currentChanged.connect(lambda _i: shown.append(window.stack.currentWidget()))
    window.set_pane_builder("Voicemail", build)
    assert built == [] and isinstance(window.panes["Voicemail"], EmptyPane)  # not before it is shown
    window.show_pane("Voicemail")
    assert built and window.stack.currentWidget() is built[0] is window.panes["Voicemail"]
    assert shown == [built[0]]  # never the placeholder: a saved layout applies to the real pane
    window.show_pane("Contacts")
    window.show_pane("Voicemail")
    window.build_all_panes()
    assert len(built) == 1 and window.stack.count() == len(PANES)
    store.close()


def test_a_builder_for_the_pane_in_front_builds_it_at_once(qtbot: QtBot, tmp_path: Path) -> None:
    window, store = make_window(qtbot, tmp_path)
    window.show_pane("Fax")
    pane = QLabel("fax pane")
    window.set_pane_builder("Fax", lambda: pane)
    assert window.stack.currentWidget() is pane
    store.close()
