"""Domain events: what happened, published by services and providers' listeners."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.fax import FaxBox
from app.domain.presence import Presence
from app.domain.texting import Conversation, Message
from app.domain.voicemail import Voicemail


class ConnectionState(StrEnum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    UNAUTHORIZED = "unauthorized"


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    """The live connection's state. ``retry_in`` is set while waiting to reconnect."""

    state: ConnectionState
    retry_in: float | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """A message arrived on the live stream (inbound, or sent from another device)."""

    message: Message


@dataclass(frozen=True, slots=True)
class MessageDeleted:
    conversation_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class MessagesRead:
    conversation_id: str
    message_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConversationCreated:
    conversation: Conversation


@dataclass(frozen=True, slots=True)
class ConversationDeleted:
    conversation_id: str


@dataclass(frozen=True, slots=True)
class ConversationsChanged:
    """These conversations' summaries changed in the store (new message, read marks, a
    new or deleted conversation): list views reload those rows (a deleted one is gone)."""

    conversation_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThreadMessagesChanged:
    """Messages of a thread were added or updated in the store (inbound, an outbox message
    going pending -> sent/failed, read marks). An open thread inserts or replaces them by
    ``Message.key`` (stamp_id when the message has one, else id: stable from pending to
    sent) and keeps them ordered by ``created_at`` (a sent message takes the server's time)."""

    conversation_id: str
    messages: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class ThreadMessagesRemoved:
    """Messages left a thread (deleted here or on the server, or a failed one discarded);
    the tuple holds every key each one may be known by (its id and its stamp_id, when it
    has them), so a view keyed by ``Message.key`` finds it."""

    conversation_id: str
    message_ids_or_stamps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InboundMessagesArrived:
    """Inbound messages the store did not have before (live or fetched by a catch-up),
    oldest first: what the notifier tells the user about. ``titles`` pairs conversation ids
    with their list titles (the other party's name), where known."""

    messages: tuple[Message, ...]
    titles: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    presence: Presence


@dataclass(frozen=True, slots=True)
class PresenceUpdated:
    """The stored presence of these users (contact source ids) changed: views refresh the
    rows that show them. Published after the store holds the new state."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FavoritesChanged:
    """A contact was starred or unstarred, or the favorites were reordered."""


@dataclass(frozen=True, slots=True)
class ContactsChanged:
    """The contact book in the store changed (after a sync)."""

    total: int


@dataclass(frozen=True, slots=True)
class SyncProgress:
    done: int
    total: int | None


@dataclass(frozen=True, slots=True)
class NotificationRequested:
    """Something the user should be told about outside the window (tray/desktop)."""

    title: str
    body: str
    conversation_id: str = ""


@dataclass(frozen=True, slots=True)
class VoicemailsArrived:
    """The voicemail poller found new voicemails (newest first)."""

    voicemails: tuple[Voicemail, ...]


@dataclass(frozen=True, slots=True)
class FaxesChanged:
    """A fax box changed (new inbound faxes, a fax sent, retried, edited or deleted)."""

    box: FaxBox


@dataclass(frozen=True, slots=True)
class ErrorRaised:
    """An error the user can act on, in words."""

    message: str


LiveEvent = (
    MessageReceived
    | MessageDeleted
    | MessagesRead
    | ConversationCreated
    | ConversationDeleted
    | PresenceChanged
)
