"""The one place where domain events from the core become Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.domain.events import (
    ConnectionChanged,
    ContactsChanged,
    ConversationsChanged,
    ErrorRaised,
    FavoritesChanged,
    FaxesChanged,
    NotificationRequested,
    PresenceChanged,
    PresenceUpdated,
    SyncProgress,
    ThreadMessagesChanged,
    ThreadMessagesRemoved,
    VoicemailsArrived,
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
    favorites_changed = Signal()
    presence_updated = Signal(object)  # tuple of user ids
    faxes_changed = Signal(str)  # FaxBox value
    voicemails_arrived = Signal(object)  # tuple of Voicemail, newest first
    conversations_changed = Signal(object)  # tuple of conversation ids
    thread_messages_changed = Signal(object)  # ThreadMessagesChanged
    thread_messages_removed = Signal(object)  # ThreadMessagesRemoved

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribers = [
            bus.subscribe(ConnectionChanged, self.connection_changed.emit),
            bus.subscribe(ContactsChanged, lambda e: self.contacts_changed.emit(e.total)),
            bus.subscribe(SyncProgress, self.sync_progressed.emit),
            bus.subscribe(PresenceChanged, self.presence_changed.emit),
            bus.subscribe(NotificationRequested, self.notification_requested.emit),
            bus.subscribe(ErrorRaised, lambda e: self.error_raised.emit(e.message)),
            bus.subscribe(FavoritesChanged, lambda _e: self.favorites_changed.emit()),
            bus.subscribe(PresenceUpdated, lambda e: self.presence_updated.emit(e.user_ids)),
            bus.subscribe(FaxesChanged, lambda e: self.faxes_changed.emit(e.box.value)),
            bus.subscribe(VoicemailsArrived, lambda e: self.voicemails_arrived.emit(e.voicemails)),
            bus.subscribe(
                ConversationsChanged, lambda e: self.conversations_changed.emit(e.conversation_ids)
            ),
            bus.subscribe(ThreadMessagesChanged, self.thread_messages_changed.emit),
            bus.subscribe(ThreadMessagesRemoved, self.thread_messages_removed.emit),
        ]

    def close(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
