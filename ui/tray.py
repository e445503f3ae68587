"""The tray icon, and desktop notifications through it."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.domain.events import NotificationRequested
from ui.assets import app_icon

log = logging.getLogger(__name__)

NOTIFICATION_MS = 8000


class Tray(QObject):
    """Works without a tray host too: then it stays hidden and says so once in the log."""

    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip("RingDesk")
        self.menu = QMenu()
        self.menu.addAction("Open RingDesk", self.open_requested.emit)
        self.menu.addSeparator()
        self.menu.addAction("Quit", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.icon.messageClicked.connect(self.open_requested.emit)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        if self.available:
            self.icon.show()
        else:
            log.info("no system tray here: notifications are shown in the window's status bar")

    def notify(self, note: NotificationRequested) -> bool:
        """Show a desktop notification; False when there is no tray to show it."""
        if not self.available:
            return False
        self.icon.showMessage(note.title, note.body, app_icon(), NOTIFICATION_MS)
        return True

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def hide(self) -> None:
        self.icon.hide()
