"""Which message notifications reach the desktop: none for the thread the user is reading,
and a burst (e.g. a catch-up after a reconnect) as one notification, not fifty.

The core (``app.services.notifications``) announces every inbound message; whether its
thread is in front is UI state, so the filtering and grouping happen here, just before the
tray shows anything.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.domain.events import NotificationRequested

GROUP_MS = 600
SHOWN_NAMES = 3


def group(notes: list[NotificationRequested]) -> NotificationRequested:
    """One notification for several: who wrote and the latest text; it opens the latest thread."""
    if len(notes) == 1:
        return notes[0]
    latest = notes[-1]
    conversations = list(dict.fromkeys(note.conversation_id for note in notes))
    if len(conversations) == 1:
        return NotificationRequested(
            latest.title, f"{len(notes)} new messages\n{latest.body}", latest.conversation_id
        )
    names = list(dict.fromkeys(note.title for note in reversed(notes)))
    shown = ", ".join(names[:SHOWN_NAMES])
    if len(names) > SHOWN_NAMES:
        shown += f" and {len(names) - SHOWN_NAMES} more"
    people = len(conversations)
    return NotificationRequested(
        f"{len(notes)} new messages from {people} people",
        f"{shown}\n{latest.title}: {latest.body}",
        latest.conversation_id,
    )


class MessageNotifications(QObject):
    ready = Signal(object)  # NotificationRequested, to show now

    def __init__(
        self, in_front: Callable[[str], bool], window_ms: int = GROUP_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._in_front = in_front
        self._pending: list[NotificationRequested] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(window_ms)
        self._timer.timeout.connect(self.flush)

    def add(self, note: NotificationRequested) -> None:
        if not note.conversation_id:
            self.ready.emit(note)  # not about a message: shown as it is
            return
        if self._in_front(note.conversation_id):
            return
        self._pending.append(note)
        if not self._timer.isActive():
            self._timer.start()  # not restarted by later ones: a burst waits at most one window

    def flush(self) -> None:
        self._timer.stop()
        notes = [note for note in self._pending if not self._in_front(note.conversation_id)]
        self._pending.clear()
        if notes:
            self.ready.emit(group(notes))
