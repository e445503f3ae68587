"""Keeps each user's live status in the cache so every view can show it."""

from __future__ import annotations

from app.domain.events import PresenceChanged
from app.services.event_bus import EventBus
from app.services.tasks import TaskGroup
from app.store import contacts as contact_rows
from app.store.database import Store


class PresenceTracker:
    def __init__(self, bus: EventBus, store: Store, tasks: TaskGroup) -> None:
        self._store = store
        self._tasks = tasks
        self._unsubscribe = bus.subscribe(PresenceChanged, self._on_presence_changed)

    def close(self) -> None:
        self._unsubscribe()

    def _on_presence_changed(self, event: PresenceChanged) -> None:
        p = event.presence
        self._tasks.start(
            self._store.call(contact_rows.set_presence, p.user_id, p.state, p.changed_at),
            name="store-presence",
        )
