"""Turns newly arrived inbound messages into notifications that name the sender.

It listens to :class:`InboundMessagesArrived`, which the messaging service publishes only
for messages the store did not have before (live or fetched by a catch-up), so a message
seen twice on the wire is notified once. Each message gets its own
:class:`NotificationRequested` (sender, text, conversation): the UI knows which thread is
in front and groups bursts (``ui.message_notifications``).
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
            self._tasks.start(self._notify(inbound, dict(event.titles)), name="notify-inbound")

    async def _notify(self, messages: list[Message], titles: dict[str, str]) -> None:
        senders: dict[str, str] = {}
        for message in messages:
            sender = senders.get(message.from_number)
            if sender is None:
                sender = senders[message.from_number] = await self._sender(message, titles)
            self._bus.publish(NotificationRequested(sender, _preview(message), message.conversation_id))

    async def _sender(self, message: Message, titles: dict[str, str]) -> str:
        """The contact book's name for the number, else the conversation's title (the
        texting contact's name or the formatted number)."""
        contact = await self._contacts.contact_for_number(message.from_number)
        if contact is not None:
            return contact.display_name
        title = titles.get(message.conversation_id)
        if title:
            return title
        return format_for_display(message.from_number) if message.from_number else "Unknown"


def _preview(message: Message) -> str:
    text = message.text if len(message.text) <= PREVIEW_CHARS else message.text[:PREVIEW_CHARS] + "…"
    if not text and message.attachments:
        count = len(message.attachments)
        text = f"{count} attachment{'s' if count != 1 else ''}"
    return text
