"""SMS/MMS conversations and messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    name: str
    mimetype: str
    size: int = 0


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
