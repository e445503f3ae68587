"""SMS/MMS conversations and messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class DeliveryState(StrEnum):
    """Where a message stands: outbound ones go PENDING -> SENT, or FAILED (with an error
    in words) after the outbox gave up. Inbound messages are SENT."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file of an MMS. ``preview`` is the File object's preview image (decoded bytes of
    ``preview.base64``, at most a few MB; empty when the server sent none or it was broken),
    ``preview_mimetype`` its type."""

    id: str
    name: str
    mimetype: str
    size: int = 0
    preview: bytes = b""
    preview_mimetype: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    conversation_id: str
    direction: Direction
    from_number: str
    to_number: str
    text: str
    created_at: datetime
    is_read: bool = False
    stamp_id: str = ""
    attachments: tuple[Attachment, ...] = ()
    delivery: DeliveryState = DeliveryState.SENT
    error: str = ""

    @property
    def key(self) -> str:
        """What identifies this message in a thread, stable from pending to sent: its client
        ``stamp_id`` when it has one (an outbox message has no server ``id`` until the
        server confirms it), else its server ``id``."""
        return self.stamp_id or self.id


@dataclass(frozen=True, slots=True)
class TextingContact:
    id: str
    number: str
    first_name: str = ""
    last_name: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.number


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    from_number: str
    contact: TextingContact | None
    unread_count: int = 0
    last_message_at: datetime | None = None
    last_message: Message | None = None


@dataclass(frozen=True, slots=True)
class TextingNumber:
    id: str
    number: str
    ownership: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One row of the conversation list.

    ``title`` is the other party's name: the texting contact's, else the contact book's
    for the number, else the formatted number. ``preview`` is the last message's text, or
    "📎 N attachment(s)". ``last_message_at`` orders the list (newest first).
    """

    conversation_id: str
    title: str
    number: str
    our_number: str
    unread_count: int
    last_message_at: datetime | None
    preview: str
    last_direction: Direction | None
