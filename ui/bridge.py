"""The one place where domain events from the core become Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.domain.events import (
    ConnectionChanged,
    ContactsChanged,
    ErrorRaised,
    NotificationRequested,
    PresenceChanged,
    SyncProgress,
)
from app.services.event_bus import EventBus


class EventBridge(QObject):
    """Re-emits the core's events as signals; events arrive on the Qt thread (qasync)."""

    connection_changed = Signal(object)  # ConnectionChanged
    contacts_changed = Signal(int)
    sync_progressed = Signal(object)  # SyncProgress
    presence_changed = Signal(object)  # PresenceChanged
    notification_requested = Signal(object)  # NotificationRequested
    error_raised = Signal(str)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribers = [
            bus.subscribe(ConnectionChanged, self.connection_changed.emit),
            bus.subscribe(ContactsChanged, lambda e: self.contacts_changed.emit(e.total)),
            bus.subscribe(SyncProgress, self.sync_progressed.emit),
            bus.subscribe(PresenceChanged, self.presence_changed.emit),
            bus.subscribe(NotificationRequested, self.notification_requested.emit),
            bus.subscribe(ErrorRaised, lambda e: self.error_raised.emit(e.message)),
        ]

    def close(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
