"""Turns newly arrived inbound messages into notifications that name the sender.

It listens to :class:`InboundMessagesArrived`, which the messaging service publishes only
for messages the store did not have before (live or fetched by a catch-up), so a message
seen twice on the wire is notified once. Several at once are grouped: one notification
per conversation, or a single summary when many conversations got messages together.
"""

from __future__ import annotations

import logging

from app.domain.events import InboundMessagesArrived, NotificationRequested
from app.domain.phone import format_for_display
from app.domain.texting import Direction, Message
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.tasks import TaskGroup

log = logging.getLogger(__name__)

PREVIEW_CHARS = 200
# More conversations than this in one batch become one summary notification.
MAX_SEPARATE = 3


class InboundMessageNotifier:
    def __init__(self, bus: EventBus, contacts: ContactBook, tasks: TaskGroup) -> None:
        self._bus = bus
        self._contacts = contacts
        self._tasks = tasks
        self._unsubscribe = bus.subscribe(InboundMessagesArrived, self._on_messages_arrived)

    def close(self) -> None:
        self._unsubscribe()

    def _on_messages_arrived(self, event: InboundMessagesArrived) -> None:
        inbound = [m for m in event.messages if m.direction is Direction.INBOUND]
        if inbound:
            self._tasks.start(self._notify(inbound), name="notify-inbound")

    async def _notify(self, messages: list[Message]) -> None:
        by_conversation: dict[str, list[Message]] = {}
        for message in messages:
            by_conversation.setdefault(message.conversation_id, []).append(message)
        if len(by_conversation) > MAX_SEPARATE:
            senders = [await self._sender(group[-1]) for group in by_conversation.values()]
            shown = ", ".join(senders[:MAX_SEPARATE])
            rest = len(senders) - MAX_SEPARATE
            self._bus.publish(
                NotificationRequested(f"{len(messages)} new messages", f"From {shown} and {rest} more")
            )
            return
        for conversation_id, group in by_conversation.items():
            last = group[-1]
            title = await self._sender(last)
            if len(group) > 1:
                title = f"{title} ({len(group)} new messages)"
            self._bus.publish(NotificationRequested(title, _preview(last), conversation_id))

    async def _sender(self, message: Message) -> str:
        contact = await self._contacts.contact_for_number(message.from_number)
        if contact is not None:
            return contact.display_name
        return format_for_display(message.from_number) if message.from_number else "Unknown"


def _preview(message: Message) -> str:
    text = message.text if len(message.text) <= PREVIEW_CHARS else message.text[:PREVIEW_CHARS] + "…"
    if not text and message.attachments:
        count = len(message.attachments)
        text = f"{count} attachment{'s' if count != 1 else ''}"
    return text
