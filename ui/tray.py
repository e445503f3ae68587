"""The tray icon (with an unread badge), its menu, and desktop notifications through it.

On a desktop with a StatusNotifier host, ``showMessage`` becomes an
``org.freedesktop.Notifications.Notify`` call on the session bus. Without a tray host, or
without a notification service, :meth:`Tray.notify` returns False and the caller shows the
note in the window instead.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QRectF, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPen
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.domain.events import NotificationRequested
from ui.assets import app_icon

log = logging.getLogger(__name__)

NOTIFICATION_MS = 8000
ICON_SIZE = 64
BADGE_COLOUR = "#d1242f"
NOTIFICATIONS_SERVICE = "org.freedesktop.Notifications"


def badge_text(unread: int) -> str:
    return "99+" if unread > 99 else str(unread)


def badged_icon(base: QIcon, unread: int, size: int = ICON_SIZE) -> QIcon:
    """``base`` with the unread count drawn in a red disc at its top right (none for 0)."""
    pixmap = base.pixmap(size, size)
    if unread <= 0:
        return QIcon(pixmap)
    text = badge_text(unread)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    height = size * 0.56
    width = max(height, height * (0.42 + 0.3 * len(text)))
    rect = QRectF(size - width, 0, width, height)
    ring = max(1.0, size / 32)
    rect = rect.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
    painter.setPen(QPen(QColor("white"), ring))  # keeps the badge apart from the icon
    painter.setBrush(QColor(BADGE_COLOUR))
    painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(height * (0.72 if len(text) == 1 else 0.6)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


def notification_service_running() -> bool:
    """Whether the session bus has (or can start) a desktop notification service."""
    from PySide6.QtDBus import QDBusConnection

    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    interface = bus.interface()
    if interface.isServiceRegistered(NOTIFICATIONS_SERVICE).value():
        return True
    reply = interface.call("ListActivatableNames")
    arguments = reply.arguments()
    return bool(arguments) and NOTIFICATIONS_SERVICE in (arguments[0] or [])


class Tray(QObject):
    """Works without a tray host too: then it stays hidden and ``available`` is False."""

    open_requested = Signal()
    quit_requested = Signal()
    do_not_disturb_toggled = Signal(bool)
    start_at_login_toggled = Signal(bool)
    conversation_requested = Signal(str)  # a message notification was clicked: open its thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._base_icon = app_icon()
        self.unread = 0
        self.icon = QSystemTrayIcon(self._base_icon, self)
        self.icon.setToolTip("RingDesk")
        self.menu = QMenu()
        self.menu.setAccessibleName("RingDesk tray menu")
        self.open_action = self.menu.addAction("Open RingDesk", self.open_requested.emit)
        self.menu.addSeparator()
        self.do_not_disturb_action = self._checkable("Do Not Disturb", self.do_not_disturb_toggled)
        self.start_at_login_action = self._checkable("Start at Login", self.start_at_login_toggled)
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction("Quit", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.icon.messageClicked.connect(self._on_icon_message_clicked)
        self.last_conversation_id = ""  # of the notification on screen (one at a time)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.notifications_available = self.available and notification_service_running()
        if self.available:
            self.icon.show()
        log.info(
            "tray: %s; desktop notifications: %s",
            "shown" if self.available else "no tray host",
            "yes" if self.notifications_available else "no",
        )

    def _checkable(self, text: str, signal: SignalInstance) -> QAction:
        action = self.menu.addAction(text)
        action.setCheckable(True)
        action.toggled.connect(signal.emit)
        return action

    @property
    def do_not_disturb(self) -> bool:
        return self.do_not_disturb_action.isChecked()

    def set_do_not_disturb(self, on: bool) -> None:
        self.do_not_disturb_action.setChecked(on)

    def set_start_at_login(self, on: bool) -> None:
        with_signals_blocked = self.start_at_login_action.blockSignals(True)
        self.start_at_login_action.setChecked(on)
        self.start_at_login_action.blockSignals(with_signals_blocked)

    def set_unread(self, count: int) -> None:
        """Show ``count`` unread items as a badge on the icon (0 removes it)."""
        count = max(0, int(count))
        if count == self.unread:
            return
        self.unread = count
        self.icon.setIcon(badged_icon(self._base_icon, count) if count else self._base_icon)
        self.icon.setToolTip(f"RingDesk — {count} unread" if count else "RingDesk")

    def notify(self, note: NotificationRequested, *, even_when_silenced: bool = False) -> bool:
        """Show a desktop notification; False when it could not be shown that way.

        With Do Not Disturb on it is dropped (and counts as handled), unless
        ``even_when_silenced`` (for a direct answer to something the user just did).
        """
        if self.do_not_disturb and not even_when_silenced:
            log.debug("do not disturb: notification silenced")
            return True
        if not self.notifications_available:
            return False
        self.last_conversation_id = note.conversation_id
        self.icon.showMessage(note.title, note.body, self._base_icon, NOTIFICATION_MS)
        return True

    def _on_icon_message_clicked(self) -> None:
        self.open_requested.emit()
        if self.last_conversation_id:
            self.conversation_requested.emit(self.last_conversation_id)

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def hide(self) -> None:
        self.icon.hide()
