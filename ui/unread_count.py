"""The number of unread texts, for the tray and the navigation badge.

Kept apart from the Messages pane, which is built only when it is first opened: the count
is right from start-up whether or not the pane exists.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from app.services.tasks import TaskGroup
from ui.bridge import EventBridge


class UnreadSource(Protocol):
    async def unread_total(self) -> int: ...


class UnreadCount(QObject):
    """Counts again (from the store) whenever conversations change; says when it moved."""

    changed = Signal(int)

    def __init__(self, messaging: UnreadSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messaging = messaging
        self._tasks = TaskGroup("unread-count")
        self._task: asyncio.Task[None] | None = None
        self._stale = False
        self.total = -1  # not counted yet

    def follow(self, bridge: EventBridge) -> None:
        bridge.conversations_changed.connect(self.request_count)

    def request_count(self, *_changed: object) -> asyncio.Task[None]:
        """Count again; changes that come while counting lead to one more count."""
        self._stale = True
        if self._task is None or self._task.done():
            self._task = self._tasks.start(self._count(), name="count-unread")
        return self._task

    async def _count(self) -> None:
        while self._stale:
            self._stale = False
            total = await self._messaging.unread_total()
            if total != self.total:
                self.total = total
                self.changed.emit(total)

    async def cancel_tasks(self) -> None:
        await self._tasks.cancel_all()
