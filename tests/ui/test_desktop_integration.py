"""What RingDesk adds to the desktop, offscreen: menus where every action has a shortcut and
the shortcuts window lists them, tray badge and settings, start at login, close to tray,
window state across restarts, links from other programs, light and dark palettes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMessageBox, QSplitter
from pytestqt.qtbot import QtBot

from app.domain.events import NotificationRequested
from app.profile import Profile
from app.services.accounts import Account, AccountList
from ui.appearance import ColorSchemeFollower, is_dark
from ui.application import RingDesk
from ui.cli import build_parser
from ui.desktop_integration import DesktopIntegration, launch_command
from ui.shortcuts_window import ShortcutsWindow, menu_actions
from ui.tray import Tray, badged_icon

pytestmark = pytest.mark.usefixtures("app_stays_up", "no_windows_left", "app_executor")


@pytest.fixture
def no_windows_left(qapp: QApplication) -> Iterator[None]:
    """Close and delete every top-level window a test opened (windows, dialogs, message
    boxes), so that none is left over the next tests' widgets."""
    before = set(qapp.topLevelWidgets())
    yield
    for widget in set(qapp.topLevelWidgets()) - before:
        widget.close()
        widget.deleteLater()
    qapp.processEvents()

ACCOUNTS = AccountList(
    (Account("a1", "http://127.0.0.1:1", "u1", "ann@example.com", "Ann"), Account("b2", "https://x.example")),
    "a1",
)


class Opened:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    return Profile.at(tmp_path / "profile").create()


Desk = tuple[RingDesk, DesktopIntegration]


class Builder:
    """Builds RingDesk + its desktop integration, and stops them the way the app does."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.running: list[Desk] = []

    def __call__(self, opened: Opened | None = None) -> Desk:
        ringdesk = RingDesk(build_parser().parse_args([]), self.profile, 0.0)
        if opened is not None:
            ringdesk.actions._open_url = opened
        integration = DesktopIntegration(
            ringdesk, self.profile.config_dir, ACCOUNTS, ACCOUNTS.active, ["ringdesk"]
        )
        self.running.append((ringdesk, integration))
        return ringdesk, integration

    async def stop(self, desk: Desk) -> None:
        ringdesk, integration = desk
        await integration.close()
        await ringdesk.shutdown()
        ringdesk.window.deleteLater()
        self.running.remove(desk)


@pytest.fixture
async def build(profile: Profile) -> AsyncIterator[Builder]:
    builder = Builder(profile)
    yield builder
    for desk in list(builder.running):
        await builder.stop(desk)


@pytest.fixture
async def desk(build: Builder) -> Desk:
    return build()


async def test_every_menu_action_has_a_unique_shortcut_listed_in_the_shortcuts_window(
    desk: Desk,
) -> None:
    ringdesk, integration = desk
    window = ringdesk.window
    actions = menu_actions(window)
    titles = {menu for menu, _ in actions}
    assert {"File", "Account", "Settings", "Help"} <= titles
    missing = [action.text() for _, action in actions if action.shortcut().isEmpty()]
    assert missing == []
    shortcuts = window.findChildren(QShortcut)
    assert shortcuts and all(s.whatsThis() for s in shortcuts)
    keys = [a.shortcut().toString() for _, a in actions] + [s.key().toString() for s in shortcuts]
    assert len(keys) == len(set(keys)), sorted(keys)

    shown = integration.show_shortcuts()
    assert isinstance(shown, ShortcutsWindow)
    table = shown.table
    listed = {(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())}
    native = QKeySequence.SequenceFormat.NativeText
    for _, action in actions:
        text = action.text().replace("&", "").rstrip("…")
        assert (text, action.shortcut().toString(native)) in listed
    assert ("Search", "Ctrl+K") in listed and ("Show Voicemail", "Ctrl+5") in listed
    # A new action shows up without anyone editing a list.
    window.menuBar().actions()[0].menu().addAction("Brand new", QKeySequence("Ctrl+Alt+B"), lambda: None)
    assert any(e.description == "Brand new" for e in ShortcutsWindow(window).entries)
    shown.filter.setText("voicemail")
    visible = [r for r in range(shown.table.rowCount()) if not shown.table.isRowHidden(r)]
    found = [(shown.table.item(r, 0).text(), shown.table.item(r, 2).text()) for r in visible]
    assert ("Show Voicemail", "Window") in found
    assert all("voicemail" in f"{text} {where}".lower() for text, where in found)
    # A pane's own shortcuts are listed under the pane's name.
    assert any(where == "Voicemail" for _text, where in found)
    assert len(visible) < shown.table.rowCount()


async def test_account_menu_lists_accounts_with_the_active_one_checked(
    desk: Desk,
) -> None:
    _ringdesk, integration = desk
    assert [a.text() for a in integration.account_actions] == ["Ann", "primary on x.example"]
    assert integration.account_actions[0].isChecked() and not integration.account_actions[1].isChecked()
    wanted: list[str] = []
    integration.account_switch_requested.connect(wanted.append)
    integration.account_actions[1].trigger()
    assert wanted == ["b2"]
    assert integration.account_actions[0].isChecked()  # until the switch is done


def test_the_tray_badge_draws_the_unread_count(qtbot: QtBot) -> None:
    tray = Tray()
    assert badged_icon(tray.icon.icon(), 0).pixmap(64, 64).toImage().pixelColor(60, 8) != QColor("#d1242f")
    tray.set_unread(3)
    image = tray.icon.icon().pixmap(64, 64).toImage()
    assert image.pixelColor(60, 18).name() == "#d1242f"  # the red disc at the top right
    assert tray.icon.toolTip() == "RingDesk — 3 unread"
    tray.set_unread(250)
    assert tray.icon.toolTip() == "RingDesk — 250 unread"
    tray.set_unread(0)
    assert tray.icon.toolTip() == "RingDesk"


def test_do_not_disturb_silences_notifications(qtbot: QtBot) -> None:
    tray = Tray()
    note = NotificationRequested("Ann", "hi")
    assert tray.notify(note) is False  # offscreen: no tray, the window shows it instead
    tray.do_not_disturb_action.trigger()
    assert tray.do_not_disturb and tray.notify(note) is True  # silenced: shown nowhere


async def test_tray_settings_persist_and_start_at_login_writes_the_autostart_entry(
    build: Builder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    first = build()
    ringdesk, _integration = first
    entry = tmp_path / "xdg" / "autostart" / "ringdesk.desktop"
    ringdesk.tray.do_not_disturb_action.trigger()
    ringdesk.tray.start_at_login_action.trigger()
    for _ in range(100):
        if entry.exists():
            break
        await asyncio.sleep(0.02)
    assert "Exec=ringdesk" in entry.read_text()
    await build.stop(first)

    again, _ = build()
    await asyncio.sleep(0.2)
    assert again.tray.do_not_disturb and again.tray.start_at_login_action.isChecked()
    again.tray.start_at_login_action.trigger()
    for _ in range(100):
        if not entry.exists():
            break
        await asyncio.sleep(0.02)
    assert not entry.exists()


def test_launch_command_for_autostart(tmp_path: Path) -> None:
    command = launch_command(tmp_path / "p", demo=True)
    assert command[-4:] == ["--profile", str((tmp_path / "p").resolve()), "--demo", "--hidden"]
    server = launch_command(None, server="https://x.example")
    assert server[-3:] == ["--server", "https://x.example", "--hidden"]


async def test_window_geometry_pane_and_splitters_survive_a_restart(build: Builder, profile: Profile) -> None:
    first = build()
    ringdesk, _integration = first
    window = ringdesk.window
    window.show()
    window.resize(window.minimumSizeHint().width(), 650)  # the offscreen screen is 800 x 800
    size = window.size()
    splitter = window.panes["Contacts"].findChildren(QSplitter)[0]
    splitter.setSizes([500, 300])
    sizes = splitter.sizes()
    window.show_pane("Favorites")
    await build.stop(first)

    again, _ = build()
    again.window.show()
    assert again.window.size() == size
    assert again.window.stack.currentWidget() is again.window.panes["Favorites"]
    again.window.show_pane("Contacts")
    assert again.window.panes["Contacts"].findChildren(QSplitter)[0].sizes() == sizes
    text = (profile.config_dir / "ringdesk.ini").read_text()
    assert "pane=Favorites" in text


async def test_closing_keeps_running_in_the_tray_with_a_one_time_hint(
    desk: Desk,
) -> None:
    ringdesk, integration = desk
    quits: list[bool] = []
    ringdesk.window.close_requested.connect(lambda: quits.append(True))
    ringdesk.window.show()
    ringdesk.tray.available = True  # offscreen has no tray host; the e2e tests have a real one
    ringdesk.window.close()
    assert not ringdesk.window.isVisible() and quits == []
    assert integration.settings.tray_hint_shown
    integration.close_to_tray_action.trigger()  # off: closing quits
    ringdesk.window.show()
    ringdesk.window.close()
    assert quits == [True]


async def test_without_a_tray_closing_quits_and_the_app_says_so_once(
    desk: Desk,
) -> None:
    ringdesk, _integration = desk
    DesktopIntegration._said_no_tray = False
    quits: list[bool] = []
    ringdesk.window.close_requested.connect(lambda: quits.append(True))
    ringdesk.window.show()
    ringdesk.window.close()
    assert quits == [True]


async def test_call_links_are_confirmed_then_dialled_and_an_echo_is_explained(build: Builder) -> None:
    opened = Opened()
    ringdesk, integration = build(opened)
    integration.open_link("tel:+1-555-123-4567")
    box = integration.links.confirm
    assert isinstance(box, QMessageBox) and box.text() == "Call +1 555-123-4567?"
    next(b for b in box.buttons() if b.text() == "Call").click()
    assert opened.urls == ["tel:+15551234567"]
    # RingDesk is the system's tel: handler and the link came back: said, not asked again.
    integration.open_link("tel:+15551234567")
    assert integration.links.confirm is None
    assert "No other program on this computer places calls" in ringdesk.window.error_text.text()

    integration.open_link("sip:1001@pbx.example.com")
    box = integration.links.confirm
    assert box is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert opened.urls == ["tel:+15551234567"]

    integration.open_link("tel:call-me-maybe")
    assert "cannot open this link" in ringdesk.window.error_text.text()


async def test_sms_links_open_the_messages_pane_with_a_prefilled_text(
    desk: Desk,
) -> None:
    ringdesk, integration = desk
    window = ringdesk.window
    integration.open_link("sms:+15551234567?body=see%20you")
    assert window.stack.currentWidget() is window.panes["Messages"]
    # not signed in: said in words, never handed back to the system (RingDesk may be its sms: handler)
    assert "Sign in to send texts" in window.error_text.text()
    texts: list[tuple[str, str]] = []
    window.sms_link_opened.connect(lambda number, body: texts.append((number, body)))
    integration.open_link("sms:+15551234567?body=see%20you")
    assert texts == [("+15551234567", "see you")]


async def test_the_style_follows_a_dark_palette(
    qtbot: QtBot, desk: Desk
) -> None:
    from PySide6.QtCore import Qt

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ringdesk, _ = desk
    window = ringdesk.window
    follower = ColorSchemeFollower(app)
    app.styleHints().colorSchemeChanged.disconnect(follower.apply)
    try:
        follower.apply(Qt.ColorScheme.Dark)
        assert is_dark(app.palette())
        window.setStyleSheet(window.styleSheet())
        window.show_error("Something went wrong")
        # Not shown: grab() renders it all the same.
        window.resize(900, 600)
        await asyncio.sleep(0.05)
        shot = window.grab().toImage()
        corner = window.error_banner.mapTo(window, window.error_banner.rect().topRight())
        background = shot.pixelColor(corner.x() - 4, corner.y() + window.error_banner.height() // 2)
        assert background.lightness() < 110, background.name()
        assert window.error_text.palette().color(window.error_text.foregroundRole()).lightness() > 150
    finally:
        follower.apply(Qt.ColorScheme.Light)
    assert not is_dark(app.palette())


def test_the_style_sheet_has_no_colour_that_only_reads_on_a_light_palette() -> None:
    import re

    from PySide6.QtGui import QColor

    from ui.appearance import dark_palette
    from ui.style import STYLE_SHEET

    dark_window = dark_palette().window().color()

    def contrast(a: QColor, b: QColor) -> float:
        def luminance(c: QColor) -> float:
            def channel(v: float) -> float:
                return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for colour in re.findall(r"(?<![\w-])color:\s*(#[0-9a-fA-F]{6})", STYLE_SHEET):
        for background in (QColor("white"), dark_window):
            assert contrast(QColor(colour), background) >= 3.5, (colour, background.name())

    root = Path(__file__).resolve().parents[2]
    # nor does any pane's or dialog's own style: text colours read on both, no light backdrops
    for module in sorted((root / "ui").glob("*.py")):
        source = module.read_text()
        for colour in re.findall(r"(?<![\w-])color:\s*(#[0-9a-fA-F]{6})", source):
            for background in (QColor("white"), dark_window):
                assert contrast(QColor(colour), background) >= 3.5, (module.name, colour, background.name())
        for colour in re.findall(r"(?<![\w-])background:\s*(#[0-9a-fA-F]{6})", source):
            assert QColor(colour).lightness() <= 200, (module.name, colour)


async def test_every_input_list_and_button_has_an_accessible_name(desk: Desk) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QMenuBar,
        QSlider,
        QWidget,
    )

    def qt_internal(widget: QWidget) -> bool:
        parent = widget.parent()
        return (
            isinstance(widget, QHeaderView)
            or isinstance(parent, QLineEdit | QMenuBar)  # clear buttons, the menu bar's overflow
            or (isinstance(widget, QAbstractItemView) and type(parent).__name__ == "QFrame"
                and not parent.objectName())  # a combo box's popup list
            or (isinstance(widget, QLineEdit) and isinstance(parent, QComboBox | QAbstractSpinBox))
        )

    ringdesk, _ = desk
    unnamed = []
    for widget in ringdesk.window.findChildren(QWidget):
        if qt_internal(widget):
            continue
        if isinstance(widget, QLineEdit | QComboBox | QAbstractItemView | QAbstractSpinBox | QSlider):
            named = bool(widget.accessibleName())
        elif isinstance(widget, QAbstractButton):
            named = bool(widget.accessibleName() or widget.text().replace("&", "").strip())
        else:
            continue
        if not named:
            unnamed.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    assert unnamed == []
