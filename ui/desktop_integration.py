"""How a running RingDesk fits the desktop: tray menu and settings, close-to-tray, menus for
accounts, settings and help, window state, links from other programs.

Built once per :class:`ui.application.RingDesk` (that is, per active account) by the
launcher; it only adds to the window and tray the RingDesk object made.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from app.domain.events import NotificationRequested
from app.services import autostart
from app.services.accounts import Account, AccountList
from ui.link_handler import LinkHandler
from ui.shortcuts_window import ShortcutsWindow
from ui.single_instance import InstanceRequest
from ui.window_state import DesktopSettings, WindowState, open_settings

if TYPE_CHECKING:
    from ui.application import RingDesk

log = logging.getLogger(__name__)

MAX_ACCOUNT_SHORTCUTS = 9
TRAY_HINT = NotificationRequested(
    "RingDesk is still running",
    "It keeps running in the tray and tells you about new messages. Quit from the tray menu or with Ctrl+Q.",
)


def launch_command(profile_dir: Path | None, *, demo: bool = False, server: str | None = None) -> list[str]:
    """How to start this RingDesk again (for the autostart entry), hidden in the tray."""
    if getattr(sys, "frozen", False):
        command = [sys.executable]
    else:
        script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
        if script is not None and script.name == "ringdesk" and script.is_file():
            command = [str(script)]
        else:
            command = [sys.executable, "-m", "ui.main"]
    if profile_dir is not None:
        command += ["--profile", str(profile_dir.expanduser().resolve())]
    if demo:
        command.append("--demo")
    elif server:
        command += ["--server", server]
    return [*command, "--hidden"]


class DesktopIntegration(QObject):
    account_switch_requested = Signal(str)  # account id
    add_account_requested = Signal()
    sign_out_requested = Signal()

    # Said once per process, not once per account switch.
    _said_no_tray = False

    def __init__(
        self,
        ringdesk: RingDesk,
        config_dir: Path,
        accounts: AccountList,
        active: Account | None,
        command: Sequence[str],
    ) -> None:
        super().__init__()
        self.ringdesk = ringdesk
        self.window = ringdesk.window
        self.tray = ringdesk.tray
        self._command = list(command)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.qsettings = open_settings(config_dir)
        self.settings = DesktopSettings(self.qsettings)
        self.window_state = WindowState(self.window, self.qsettings)
        self.links = LinkHandler(self.window, ringdesk.actions, parent=self)
        self.active = active
        self.shortcuts_window: ShortcutsWindow | None = None

        self.tray.set_do_not_disturb(self.settings.do_not_disturb)
        self.tray.do_not_disturb_toggled.connect(self._on_tray_do_not_disturb_toggled)
        self.tray.start_at_login_toggled.connect(self._on_tray_start_at_login_toggled)
        self._run(self._load_start_at_login())
        self.close_to_tray_action = QAction("Keep Running in the Tray When Closed", self.window)
        self.close_to_tray_action.setCheckable(True)
        self.close_to_tray_action.setChecked(self.settings.close_to_tray)
        self.close_to_tray_action.toggled.connect(self._on_close_to_tray_toggled)
        self._build_menus(accounts, active)
        self.window.installEventFilter(self)
        self.window_state.restore()
        self._say_once_what_is_missing()

    # -- menus ---------------------------------------------------------------------------

    def _build_menus(self, accounts: AccountList, active: Account | None) -> None:
        bar = self.window.menuBar()
        account_menu = bar.addMenu("&Account")
        account_menu.setAccessibleName("Account menu")
        group = QActionGroup(account_menu)
        group.setExclusive(True)
        self.account_actions: list[QAction] = []
        for number, account in enumerate(accounts.accounts, start=1):
            action = account_menu.addAction(account.title)
            action.setCheckable(True)
            action.setChecked(active is not None and account.id == active.id)
            action.setData(account.id)
            if number <= MAX_ACCOUNT_SHORTCUTS:
                action.setShortcut(QKeySequence(f"Ctrl+Alt+{number}"))
            action.triggered.connect(lambda _=False, chosen=account.id: self._on_account_chosen(chosen))
            group.addAction(action)
            self.account_actions.append(action)
        if accounts.accounts:
            account_menu.addSeparator()
        self.add_account_action = account_menu.addAction(
            "&Add Account…", QKeySequence("Ctrl+Shift+N"), self.add_account_requested.emit
        )
        self.sign_out_action = account_menu.addAction(
            "&Sign Out…", QKeySequence("Ctrl+Shift+O"), self._on_sign_out_triggered
        )
        self.sign_out_action.setEnabled(active is not None)

        settings_menu = bar.addMenu("&Settings")
        self.tray.do_not_disturb_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.tray.start_at_login_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.close_to_tray_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        settings_menu.addAction(self.tray.do_not_disturb_action)
        settings_menu.addAction(self.tray.start_at_login_action)
        settings_menu.addAction(self.close_to_tray_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction("&Keyboard Shortcuts", QKeySequence("F1"), self.show_shortcuts)
        help_menu.addAction("&About RingDesk", QKeySequence("Ctrl+Shift+F1"), self._show_about)

    def show_shortcuts(self) -> ShortcutsWindow:
        if self.shortcuts_window is None:
            self.window.build_all_panes()  # the list includes every pane's own shortcuts
            self.shortcuts_window = ShortcutsWindow(self.window)
        self.shortcuts_window.show()
        self.shortcuts_window.raise_()
        return self.shortcuts_window

    def _show_about(self) -> None:
        from ui.cli import app_version

        QMessageBox.about(
            self.window,
            "About RingDesk",
            f"RingDesk {app_version()}\nContacts, presence, SMS, fax and voicemail for cloud phone systems.",
        )

    def _on_account_chosen(self, account_id: str) -> None:
        if self.active is not None and account_id == self.active.id:
            return
        for action in self.account_actions:  # stays on the current one until the switch is done
            action.setChecked(self.active is not None and action.data() == self.active.id)
        self.account_switch_requested.emit(account_id)

    def _on_sign_out_triggered(self) -> None:
        if self.active is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Sign out",
            f"Sign out of {self.active.title}?",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            "The API key is removed from the system keyring, and this account's cached contacts "
            "and messages are deleted from this computer."
        )
        sign_out = box.addButton("Sign Out", QMessageBox.ButtonRole.DestructiveRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def on_finished(_result: int) -> None:
            if box.clickedButton() is sign_out:
                self.sign_out_requested.emit()

        box.finished.connect(on_finished)
        box.open()

    # -- tray and settings -------------------------------------------------------------

    def _run(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _load_start_at_login(self) -> None:
        enabled = await asyncio.get_running_loop().run_in_executor(None, autostart.is_enabled)
        self.tray.set_start_at_login(enabled)

    def _on_tray_do_not_disturb_toggled(self, on: bool) -> None:
        self.settings.do_not_disturb = on
        self.window.statusBar().showMessage(
            "Do Not Disturb: notifications are silenced" if on else "Notifications are on", 4000
        )

    def _on_tray_start_at_login_toggled(self, on: bool) -> None:
        self._run(self._set_start_at_login(on))

    async def _set_start_at_login(self, on: bool) -> None:
        loop = asyncio.get_running_loop()
        try:
            if on:
                path = await loop.run_in_executor(None, autostart.enable, self._command)
                self.window.statusBar().showMessage(f"RingDesk will start at login ({path})", 6000)
            else:
                await loop.run_in_executor(None, autostart.disable)
                self.window.statusBar().showMessage("RingDesk will not start at login", 4000)
        except OSError as exc:
            self.window.show_error(f"Could not change starting at login: {exc.strerror or exc}")
            self.tray.set_start_at_login(not on)

    def _on_close_to_tray_toggled(self, on: bool) -> None:
        self.settings.close_to_tray = on

    def _say_once_what_is_missing(self) -> None:
        if DesktopIntegration._said_no_tray:
            return
        if not self.tray.available:
            text = (
                "No system tray here: closing the window quits RingDesk; notifications show in "
                "this window."
            )
        elif not self.tray.notifications_available:
            text = "No desktop notification service here: notifications show in this window."
        else:
            return
        DesktopIntegration._said_no_tray = True
        log.info("%s", text)
        self.window.statusBar().showMessage(text, 15_000)

    # -- close to tray -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close and self._keeps_running():
            event.ignore()
            self.window_state.save()
            self.window.hide()
            if not self.settings.tray_hint_shown:
                self.settings.tray_hint_shown = True
                self.settings.sync()
                if not self.tray.notify(TRAY_HINT, even_when_silenced=True):
                    log.info("closed to the tray (no notification service for the hint)")
            return True
        return False

    def _keeps_running(self) -> bool:
        return self.tray.available and self.settings.close_to_tray

    # -- requests from later starts --------------------------------------------------

    def handle_request(self, request: InstanceRequest) -> None:
        self.window.bring_to_front()
        if request.link:
            self.links.handle(request.link)

    def open_link(self, link: str) -> None:
        self.links.handle(link)

    async def close(self) -> None:
        """Save the window's state and finish this object's work; called once the app stops
        using this window."""
        self.window_state.save()
        self.settings.sync()
        self.window.removeEventFilter(self)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
