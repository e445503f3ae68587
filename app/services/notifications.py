"""Turns inbound messages into notifications that name the sender."""

from __future__ import annotations

import logging

from app.domain.events import MessageReceived, NotificationRequested
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
        self._unsubscribe = bus.subscribe(MessageReceived, self._on_message_received)

    def close(self) -> None:
        self._unsubscribe()

    def _on_message_received(self, event: MessageReceived) -> None:
        if event.message.direction is Direction.INBOUND:
            self._tasks.start(self._notify(event.message), name="notify-inbound")

    async def _notify(self, message: Message) -> None:
        sender = format_for_display(message.from_number) if message.from_number else "Unknown"
        contact = await self._contacts.contact_for_number(message.from_number)
        if contact is not None:
            sender = contact.display_name
        text = message.text if len(message.text) <= PREVIEW_CHARS else message.text[:PREVIEW_CHARS] + "…"
        if not text and message.attachments:
            text = f"{len(message.attachments)} attachment(s)"
        self._bus.publish(NotificationRequested(sender, text, message.conversation_id))
