"""SMS conversations for the UI: the store is the truth the views read; the server is
caught up with, listened to, and written to through the persistent outbox.

Contract for the Messages pane (all coroutines run on the app's loop, never block it):

- Construct once with ``(store, bus, contacts)``; every query works before ``attach``
  (it serves what the store holds). ``attach(client, listener)`` catches up, resumes the
  outbox and follows the live stream; ``detach()`` stops it all.
- Reads: ``conversations(filter_text)``, ``messages_before(conversation_id, before,
  limit)``, ``search(text)``, ``sending_numbers()``, ``unread_total()``.
- Writes: ``send(...)`` returns the PENDING message at once; ``retry`` / ``discard`` for
  FAILED ones; ``mark_read``, ``delete_messages``, ``delete_conversation``.
- Events on the bus, always after the store holds the change: ``ConversationsChanged``,
  ``ThreadMessagesChanged`` (bubbles keyed by ``Message.key``), ``ThreadMessagesRemoved``,
  ``InboundMessagesArrived`` (new inbound messages, for notifications).

Catch-up: after ``attach`` and after every reconnect, the conversation list is read and
each conversation whose last message is newer than what is known to be stored is read
back page by page until the stored history is reached. Until a catch-up has finished on
the current connection, live messages are stored (de-duplicated by id) but do not count
as proof that nothing before them is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.domain.events import (
    ConnectionChanged,
    ConnectionState,
    ConversationCreated,
    ConversationDeleted,
    ConversationsChanged,
    InboundMessagesArrived,
    MessageDeleted,
    MessageReceived,
    MessagesRead,
    ThreadMessagesChanged,
    ThreadMessagesRemoved,
)
from app.domain.texting import (
    Conversation,
    ConversationSummary,
    DeliveryState,
    Direction,
    Message,
    TextingNumber,
)
from app.providers.errors import NetworkError, NotFound, ProviderError
from app.providers.ringplan.backoff import Backoff
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.outbox import Outbox, OutboxPolicy
from app.services.tasks import TaskGroup
from app.store import texting as rows
from app.store.database import Store
from app.store.texting import ConversationInfo, StoredChanges, to_micros

if TYPE_CHECKING:
    from app.providers.ringplan.paging import Page
    from app.providers.ringplan.realtime import RingPlanListener
    from app.providers.ringplan.rest import RingPlanClient

log = logging.getLogger(__name__)

CONVERSATIONS_PER_PAGE = 100
MESSAGES_PER_PAGE = 100
# A catch-up reads at most this many pages of one conversation per run.
MAX_CATCH_UP_PAGES = 100
# Older history is fetched at most this many pages per ``messages_before`` call.
MAX_HISTORY_PAGES = 5
SEARCH_HISTORY_PAGES = 5
MAX_TEXT_LENGTH = 1600
FIRST_SYNC_DONE = "first_sync_done"


def _newest_deleted_there(conversation: Conversation, stored_newest: int | None) -> bool:
    """Whether our newest stored message is newer than the server's last one in the listing,
    so it was deleted there. The listed last message is compared when the server sends it:
    its time has the precision of the stored messages, which the conversation's own
    ``last_message_created_at`` need not have (a coarser one would re-read every time)."""
    if stored_newest is None:
        return False
    last = conversation.last_message
    listed = last.created_at if last is not None else conversation.last_message_at
    return listed is not None and stored_newest > to_micros(listed)


class NotConnected(NetworkError):
    """The operation needs the server and no session is attached."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Not connected to the server: {what}")


class Messaging:
    """See the module docstring."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        contacts: ContactBook,
        *,
        outbox_policy: OutboxPolicy | None = None,
        catch_up_backoff: Backoff | None = None,
    ) -> None:
        self._store = store
        self._bus = bus
        self._contacts = contacts
        self._client: RingPlanClient | None = None
        self._listener: RingPlanListener | None = None
        self._tasks = TaskGroup("messaging")
        self._outbox = Outbox(store, self._on_outbox_changed, outbox_policy)
        self._catch_up_backoff = catch_up_backoff or Backoff(base=2.0, cap=120.0)
        self._unsubscribers: list[Callable[[], None]] = []
        self._live: asyncio.Queue[object] = asyncio.Queue()
        self._trusted = False  # a catch-up finished on the current live connection
        self._read_marks: dict[str, int] = {}  # conversation id -> times the user marked it read
        self._connection = 0  # counts ONLINE transitions
        self._catch_up_wanted = asyncio.Event()
        self._caught_up = asyncio.Event()
        self._numbers: list[TextingNumber] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def attached(self) -> bool:
        return self._client is not None

    async def attach(self, client: RingPlanClient, listener: RingPlanListener) -> None:
        """Follow the live stream, catch up, resume the outbox."""
        if self._client is not None:
            await self.detach()
        self._client = client
        self._listener = listener
        subscribe = self._bus.subscribe
        self._unsubscribers = [
            subscribe(MessageReceived, self._live.put_nowait),
            subscribe(MessageDeleted, self._live.put_nowait),
            subscribe(MessagesRead, self._live.put_nowait),
            subscribe(ConversationCreated, self._live.put_nowait),
            subscribe(ConversationDeleted, self._live.put_nowait),
            subscribe(ConnectionChanged, self._on_connection_changed),
        ]
        self._trusted = False
        if listener.state is ConnectionState.ONLINE:
            self._connection += 1
        self._tasks.start(self._ingest_live(), name="sms-live")
        self._tasks.start(self._catch_up_loop(), name="sms-catch-up")
        self._catch_up_wanted.set()
        self._outbox.start(client)

    async def detach(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers = []
        self._client = None
        self._listener = None
        await self._outbox.stop()
        await self._tasks.cancel_all()
        self._trusted = False
        self._live = asyncio.Queue()

    async def wait_caught_up(self) -> None:
        """Until a catch-up has finished (for tests and tools)."""
        await self._caught_up.wait()

    @property
    def outbox(self) -> Outbox:
        return self._outbox

    def _on_connection_changed(self, event: ConnectionChanged) -> None:
        if event.state is ConnectionState.ONLINE:
            self._connection += 1
            self._catch_up_wanted.set()
        else:
            self._trusted = False

    # -- reads -------------------------------------------------------------------------

    async def conversations(self, filter_text: str = "") -> list[ConversationSummary]:
        """Every conversation, newest last message first; ``filter_text`` keeps those whose
        name, number or last message contains it (case-insensitive; digits match numbers)."""
        summaries = await self._store.call(rows.conversation_summaries, _display_number)
        needle = filter_text.strip().casefold()
        if not needle:
            return summaries
        digits = "".join(ch for ch in needle if ch.isdigit())
        return [
            s
            for s in summaries
            if needle in s.title.casefold()
            or needle in s.preview.casefold()
            or (digits and digits in "".join(ch for ch in s.number if ch.isdigit()))
        ]

    async def summaries(self, conversation_ids: Sequence[str]) -> list[ConversationSummary]:
        """The current summaries of these conversations (deleted ones are absent)."""
        return await self._store.call(rows.conversation_summaries, _display_number, list(conversation_ids))

    async def messages_before(
        self, conversation_id: str, before: Message | None, limit: int = 50
    ) -> list[Message]:
        """Up to ``limit`` messages just older than ``before`` (the newest page when None),
        oldest first. When the store has fewer, older history is fetched from the server
        page by page (when attached) and stored first."""
        if limit < 1:
            return []
        key = before.key if before is not None else None
        page = await self._store.call(rows.thread_page, conversation_id, key, limit)
        if page is None:
            return []
        if len(page) >= limit or self._client is None:
            return page
        for _ in range(MAX_HISTORY_PAGES):
            try:
                more = await self._fetch_older_history(conversation_id)
            except ProviderError as exc:
                log.info("older messages of %s not fetched: %s", conversation_id, exc)
                break
            if not more:
                break
            page = await self._store.call(rows.thread_page, conversation_id, key, limit) or []
            if len(page) >= limit:
                break
        return page

    async def unread_total(self) -> int:
        return await self._store.call(rows.unread_total)

    async def sending_numbers(self) -> list[TextingNumber]:
        """The numbers the user may text from (``/texting/numbers``; cached)."""
        if self._numbers is None:
            await self._refresh_numbers()
        if self._numbers is not None:
            return list(self._numbers)
        return await self._store.call(rows.texting_numbers)

    async def _refresh_numbers(self) -> None:
        if self._client is None:
            return
        try:
            numbers = await self._client.list_texting_numbers()
        except ProviderError as exc:
            log.info("texting numbers not refreshed: %s", exc)
        else:
            await self._store.call(rows.save_texting_numbers, numbers)
            self._numbers = numbers

    async def search(self, text: str) -> list[tuple[ConversationSummary, Message | None]]:
        """Conversations matching ``text`` (server search when attached, else the store),
        each with the newest message containing the text, to open the thread at.

        The document's search answers conversations only, so the message is located in
        the store, fetching older history of that conversation when it is not there yet.
        """
        needle = text.strip()
        if not needle:
            return []
        ids: list[str]
        found: dict[str, Conversation] = {}
        if self._client is not None:
            listed = await self._client.search_conversations(needle)
            await self._store_conversations(listed)
            found = {c.id: c for c in listed}
            ids = list(found)
        else:
            ids = await self._store.call(rows.conversations_matching, needle)
        located = [await self._locate(cid, needle, found.get(cid)) for cid in ids]
        summaries = {s.conversation_id: s for s in await self.summaries(ids)}
        pairs = zip(ids, located, strict=True)
        return [(summaries[cid], message) for cid, message in pairs if cid in summaries]

    async def _locate(
        self, conversation_id: str, text: str, conversation: Conversation | None
    ) -> Message | None:
        """The newest message containing ``text``: from the store, else after reading the
        conversation's newest messages, else from older history (a few pages)."""
        message = await self._store.call(rows.find_message_with_text, conversation_id, text)
        client = self._client
        if message is None and client is not None and conversation is not None:
            try:
                await self._catch_up_conversation(client, conversation)
            except ProviderError as exc:
                log.info("search: conversation %s not read: %s", conversation_id, exc)
            message = await self._store.call(rows.find_message_with_text, conversation_id, text)
        pages = 0
        while message is None and self._client is not None and pages < SEARCH_HISTORY_PAGES:
            pages += 1
            try:
                if not await self._fetch_older_history(conversation_id):
                    break
            except ProviderError:
                break
            message = await self._store.call(rows.find_message_with_text, conversation_id, text)
        return message

    # -- writes ------------------------------------------------------------------------

    async def send(
        self,
        text: str,
        *,
        conversation_id: str | None = None,
        to_number: str | None = None,
        from_number: str | None = None,
    ) -> Message:
        """Queue a message; returns it PENDING at once (published in the background).

        Give ``conversation_id``, or ``to_number`` (any format; the stored conversation
        with that number is used, else the texting contact and conversation are created
        on the server, which needs a connection). ``from_number`` picks the sending number
        for a new conversation (default: the first of ``sending_numbers()``).
        Raises ValueError for an empty or too long text or an invalid number, and
        ProviderError when a new conversation cannot be created.
        """
        body = text.strip()
        if not body:
            raise ValueError("The message is empty.")
        if len(body) > MAX_TEXT_LENGTH:
            raise ValueError(f"The message is too long ({len(body)} characters; at most {MAX_TEXT_LENGTH}).")
        if conversation_id is None:
            if not to_number:
                raise ValueError("Give a conversation or a number to send to.")
            conversation_id = await self._conversation_for(to_number, from_number)
        numbers = await self._store.call(rows.conversation_numbers, conversation_id)
        theirs, ours = numbers if numbers is not None else ("", "")
        message = Message(
            id="",
            conversation_id=conversation_id,
            direction=Direction.OUTBOUND,
            from_number=ours,
            to_number=theirs,
            text=body,
            created_at=datetime.now(UTC),
            is_read=True,
            stamp_id=str(uuid.uuid4()),
            delivery=DeliveryState.PENDING,
        )
        stored = await self._store.call(rows.add_to_outbox, message)
        self._publish_thread(conversation_id, [stored])
        self._outbox.wake()
        return stored

    async def retry(self, stamp_id: str) -> Message | None:
        """Put a FAILED message back into the outbox (PENDING); None if it is not failed."""
        message = await self._store.call(rows.retry_failed, stamp_id)
        if message is not None:
            self._publish_thread(message.conversation_id, [message])
            self._outbox.wake()
        return message

    async def discard(self, stamp_id: str) -> bool:
        """Drop a FAILED message; False if it is not failed."""
        conversation_id = await self._store.call(rows.discard_failed, stamp_id)
        if conversation_id is None:
            return False
        self._bus.publish(ThreadMessagesRemoved(conversation_id, (stamp_id,)))
        self._bus.publish(ConversationsChanged((conversation_id,)))
        return True

    async def mark_read(self, conversation_id: str) -> int:
        """Mark the conversation's inbound messages read here, then on the server (REST,
        and the ``texting.message.markAsRead`` client event for the user's other
        clients). Returns how many were marked."""
        self._read_marks[conversation_id] = self._read_marks.get(conversation_id, 0) + 1
        await self._fetch_hidden_unread(conversation_id)
        ids = await self._store.call(rows.unread_inbound_ids, conversation_id)
        changed = await self._store.call(rows.apply_read, conversation_id, ids, pending=True)
        await self._store.call(rows.clear_hidden_unread, conversation_id)
        if changed:
            self._publish_thread(conversation_id, changed)
        else:
            self._bus.publish(ConversationsChanged((conversation_id,)))
        if ids and self._client is not None:
            self._tasks.start(self._mark_read_on_server(conversation_id, ids), name="sms-mark-read")
        return len(changed)

    async def _fetch_hidden_unread(self, conversation_id: str) -> None:
        """Unread messages the server counts that are older than what is stored: fetched
        (a few pages at most) so that their read marks can be sent too."""
        for _ in range(MAX_HISTORY_PAGES * 2):
            if self._client is None:
                return
            if not await self._store.call(rows.recount_hidden_unread, conversation_id):
                return
            try:
                if not await self._fetch_older_history(conversation_id):
                    return
            except ProviderError as exc:
                log.info("older unread messages of %s not fetched: %s", conversation_id, exc)
                return

    async def _mark_read_on_server(self, conversation_id: str, ids: list[str]) -> None:
        """Tell the user's other clients at once (the client event, no answer), and the
        server for good (REST, per message). Marks the server did not take stay pending in
        the store and are sent again after the next catch-up."""
        listener, client = self._listener, self._client
        if listener is not None and listener.state is ConnectionState.ONLINE:
            try:
                await listener.mark_as_read(conversation_id, ids)
            except NetworkError as exc:
                log.info("markAsRead event not sent: %s", exc)
        if client is None:
            return
        delivered: list[str] = []
        try:
            for message_id in ids:
                with contextlib.suppress(NotFound):  # deleted meanwhile: nothing to mark
                    await client.mark_message_read(conversation_id, message_id)
                delivered.append(message_id)
        except ProviderError as exc:
            log.info("read marks of %s not all sent (%s); trying again later", conversation_id, exc)
        finally:
            if delivered:
                await self._store.call(rows.read_mark_delivered, delivered)
                # Server counts listed before this moment predate these marks (see
                # _catch_up_conversation): no longer pending here, they would pass for unread.
                self._read_marks[conversation_id] = self._read_marks.get(conversation_id, 0) + 1

    async def delete_messages(self, conversation_id: str, message_ids: list[str]) -> None:
        """Delete messages (server ids; stamp ids of unsent ones are dropped locally) on the
        server, then here. Raises ProviderError (nothing deleted) when the server refuses."""
        keys = list(dict.fromkeys(message_ids))
        on_server = [k for k in keys if await self._is_server_id(k)]
        if on_server:
            if self._client is None:
                raise NotConnected("messages can be deleted only while connected")
            await self._client.delete_messages(conversation_id, on_server)
        removed = await self._store.call(rows.delete_messages, conversation_id, keys)
        self._publish_removed(conversation_id, removed)

    async def _is_server_id(self, key: str) -> bool:
        message = await self._store.call(rows.get_message, key)
        return message is not None and bool(message.id) and message.id == key

    async def delete_conversation(self, conversation_id: str) -> None:
        """Delete a conversation with all its messages, on the server then here."""
        if self._client is None:
            raise NotConnected("conversations can be deleted only while connected")
        with contextlib.suppress(NotFound):  # already gone there: drop it here too
            await self._client.delete_conversation(conversation_id)
        if await self._store.call(rows.delete_conversation, conversation_id):
            self._bus.publish(ConversationsChanged((conversation_id,)))

    # -- new conversations -------------------------------------------------------------

    async def _conversation_for(self, to_number: str, from_number: str | None) -> str:
        from app.domain.phone import to_e164

        theirs = to_e164(to_number)
        if theirs is None:
            raise ValueError(f"{to_number!r} is not a phone number.")
        sending = await self._sending_number(from_number)
        ours = to_e164(sending.number) if sending is not None else None
        existing = await self._store.call(rows.find_conversation, theirs, ours)
        if existing is not None:
            return existing
        if self._client is None:
            raise NotConnected("a new conversation can be started only while connected")
        if sending is None:
            raise ValueError("This user has no number to send texts from.")
        contact = await self._client.create_texting_contact(theirs)
        conversation = await self._client.create_conversation(contact.id, sending.number)
        if conversation.contact is None or not conversation.contact.number:
            conversation = dataclasses.replace(conversation, contact=contact)
        await self._store_conversations([conversation])
        return conversation.id

    async def _sending_number(self, wanted: str | None) -> TextingNumber | None:
        numbers = await self.sending_numbers()
        if wanted:
            from app.domain.phone import to_e164

            target = to_e164(wanted) or wanted
            for number in numbers:
                if (to_e164(number.number) or number.number) == target:
                    return number
            raise ValueError(f"{wanted} is not one of this user's texting numbers.")
        return numbers[0] if numbers else None

    async def _store_conversations(self, conversations: Sequence[Conversation]) -> list[str]:
        infos = [_conversation_info(c) for c in conversations]
        changed = await self._store.call(rows.upsert_conversations, infos)
        if changed:
            self._bus.publish(ConversationsChanged(tuple(changed)))
        return changed

    # -- live stream -------------------------------------------------------------------

    async def _ingest_live(self) -> None:
        """Apply live events in arrival order; runs of new messages go in one write."""
        while True:
            event = await self._live.get()
            batch = [event]
            while not self._live.empty():
                batch.append(self._live.get_nowait())
            messages: list[Message] = []
            for item in batch:
                if isinstance(item, MessageReceived):
                    messages.append(item.message)
                    continue
                if messages:
                    await self._apply_live_messages(messages)
                    messages = []
                try:
                    await self._apply_live_event(item)
                except Exception:
                    log.exception("could not apply live %s", type(item).__name__)
            if messages:
                await self._apply_live_messages(messages)

    async def _apply_live_messages(self, messages: list[Message]) -> None:
        try:
            changes = await self._store.call(rows.store_messages, messages, advance_sync=self._trusted)
        except Exception:
            # Not stored: the next catch-up fetches them again. Ask for one now.
            log.exception("could not store %d live message(s)", len(messages))
            self._trusted = False
            self._catch_up_wanted.set()
            return
        self._publish_changes(changes, notify=True)
        if changes.new_conversations:
            self._catch_up_wanted.set()  # names and numbers of conversations first seen here

    async def _apply_live_event(self, event: object) -> None:
        if isinstance(event, MessagesRead):
            changed = await self._store.call(rows.apply_read, event.conversation_id, list(event.message_ids))
            if changed:
                self._publish_thread(event.conversation_id, changed)
        elif isinstance(event, MessageDeleted):
            removed = await self._store.call(rows.delete_messages, event.conversation_id, [event.message_id])
            self._publish_removed(event.conversation_id, removed)
        elif isinstance(event, ConversationCreated):
            await self._store_conversations([event.conversation])
        elif isinstance(event, ConversationDeleted) and await self._store.call(
            rows.delete_conversation, event.conversation_id
        ):
            self._bus.publish(ConversationsChanged((event.conversation_id,)))

    # -- catch-up ----------------------------------------------------------------------

    async def _catch_up_loop(self) -> None:
        failures = 0
        retry_in: float | None = None
        while True:
            if retry_in is None:
                await self._catch_up_wanted.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._catch_up_wanted.wait(), retry_in)
            self._catch_up_wanted.clear()
            connection = self._connection
            try:
                await self._catch_up()
            except ProviderError as exc:
                retry_in = self._catch_up_backoff.delay(failures)
                failures += 1
                log.warning("SMS catch-up failed (%s); trying again in %.0f s", exc, retry_in)
                continue
            except Exception:
                if self._client is None:  # detached meanwhile
                    return
                retry_in = self._catch_up_backoff.delay(failures)
                failures += 1
                log.exception("SMS catch-up failed; trying again in %.0f s", retry_in)
                continue
            failures = 0
            retry_in = None
            listener = self._listener
            if (
                connection == self._connection
                and listener is not None
                and listener.state is ConnectionState.ONLINE
            ):
                self._trusted = True
            self._caught_up.set()

    async def _catch_up(self) -> None:
        client = self._client
        if client is None:
            return
        first_sync = await self._store.call(rows.get_state, FIRST_SYNC_DONE) is None
        await self._refresh_numbers()
        known_before = set(await self._store.call(rows.conversation_ids))
        marks_before = dict(self._read_marks)
        listing: list[Conversation] = []
        async for page in client.iter_conversations(per_page=CONVERSATIONS_PER_PAGE):
            listing.extend(page)
        await self._store_conversations(listing)
        listed = {c.id for c in listing}
        gone = [cid for cid in known_before if cid not in listed]
        for cid in gone:
            await self._store.call(rows.delete_conversation, cid)
        if gone:
            self._bus.publish(ConversationsChanged(tuple(gone)))
        arrived: list[Message] = []
        for conversation in listing:
            arrived.extend(
                await self._catch_up_conversation(client, conversation, marks_before.get(conversation.id, 0))
            )
        for cid, ids in (await self._store.call(rows.read_marks_pending)).items():
            if cid in listed:
                self._tasks.start(self._mark_read_on_server(cid, ids), name="sms-mark-read-again")
        if not first_sync and arrived:
            arrived.sort(key=lambda m: (m.created_at, m.id))
            await self._announce(arrived)
        if first_sync:
            await self._store.call(rows.set_state, FIRST_SYNC_DONE, datetime.now(UTC).isoformat())

    async def _catch_up_conversation(
        self, client: RingPlanClient, conversation: Conversation, read_marks_seen: int | None = None
    ) -> list[Message]:
        """Read the conversation's newest messages back to what is stored; returns the new
        unread inbound ones.

        ``read_marks_seen``: how many read marks of it had been made or confirmed by the
        server when ``conversation`` was listed; if more have been since, its server unread
        count is older than those marks and is not taken as unread messages missing here.
        """
        cid = conversation.id
        if read_marks_seen is None:
            read_marks_seen = self._read_marks.get(cid, 0)
        stored = await self._store.call(rows.stored_conversation, cid)
        synced = stored.synced_through if stored is not None else None
        server_last = conversation.last_message_at
        server_unread = conversation.unread_count
        counted = await self._store.call(rows.unread_as_server_counts, cid)
        stored_newest = stored.newest_message_at if stored is not None else None
        newest_deleted = _newest_deleted_there(conversation, stored_newest)
        if (
            synced is not None
            and (server_last is None or to_micros(server_last) <= synced)
            and counted == server_unread
            and not newest_deleted
        ):
            return []
        # Fewer unread on the server than here: read elsewhere while we were away. Their
        # new marks come with the pages back to our oldest unread message.
        oldest_unread = None
        if counted > server_unread:
            oldest_unread = await self._store.call(rows.oldest_unread_at, cid)
        arrived: list[Message] = []
        newest: int | None = None
        reached = synced is None  # first time: the newest page is enough
        for page_number in range(1, MAX_CATCH_UP_PAGES + 1):
            page = await client.list_messages(cid, page_number, MESSAGES_PER_PAGE)
            if page.items and page_number == 1:
                newest = max(to_micros(m.created_at) for m in page.items)
            changes = await self._store.call(rows.store_messages, page.items)
            self._publish_changes(changes, notify=False)
            arrived.extend(m for m in changes.added if m.direction is Direction.INBOUND and not m.is_read)
            oldest_here = min((to_micros(m.created_at) for m in page.items), default=None)
            await self._forget_deleted_within(cid, page, page_number, stored_newest)
            if synced is not None and oldest_here is not None and oldest_here < synced:
                reached = True
            if not page.has_next or not page.items:
                await self._store.call(rows.set_history_complete, cid)
                reached = True
                break
            if not reached:
                continue
            counted = await self._store.call(rows.unread_as_server_counts, cid)
            if counted < server_unread:
                continue  # older unread messages to find
            if (
                counted > server_unread
                and oldest_unread is not None
                and oldest_here is not None
                and oldest_here > oldest_unread
            ):
                continue  # read marks made elsewhere may be on older pages
            break
        if reached and newest is not None:
            await self._store.call(rows.set_synced_through, cid, newest)
        stale = self._read_marks.get(cid, 0) != read_marks_seen
        if not stale and await self._store.call(rows.set_hidden_unread, cid, server_unread):
            self._bus.publish(ConversationsChanged((cid,)))
        return arrived

    async def _forget_deleted_within(
        self, conversation_id: str, page: Page[Message], page_number: int, stored_newest: int | None
    ) -> None:
        """Drop the stored messages inside the span one page of the server's listing covers
        that are not on it: they were deleted on the server while we were not listening.

        One page is one consistent answer, so only the span strictly between its oldest
        and newest messages is judged, never the gaps between pages (offsets drift when
        messages come and go between requests). The first page also covers everything
        up to our newest stored message before it was fetched (the server lists newest
        first), and the last page everything older. Messages created after the request
        are newer than anything it covered, so they are never judged missing. A page with
        messages that could not be read judges nothing."""
        if stored_newest is None or page.raw_count != len(page.items):
            return  # nothing to judge, or the page had messages too malformed to read
        # The last page by the server's own page count; without it, only what is listed.
        last = not page.has_next and page.page_count is not None
        if not page.items and (not last or page_number > 1):
            return  # an empty later page says nothing about which messages went
        times = [to_micros(m.created_at) for m in page.items]
        below = max([*times, stored_newest]) + 1 if page_number == 1 else max(times, default=0)
        above = None if last else min(times)
        removed = await self._store.call(
            rows.delete_missing_messages, conversation_id, {m.id for m in page.items}, above, below
        )
        self._publish_removed(conversation_id, removed)

    async def _fetch_older_history(self, conversation_id: str) -> int:
        """Store the server's next page of messages older than the stored ones; returns how
        many were new (0: nothing older, or not attached)."""
        client = self._client
        if client is None:
            return 0
        stored = await self._store.call(rows.stored_conversation, conversation_id)
        if stored is None or stored.history_complete:
            return 0
        held = await self._store.call(rows.server_message_count, conversation_id)
        # The server lists newest first by offset: the page holding our oldest message, so
        # that the fetched page overlaps what is stored (no gap even if offsets drifted).
        page_number = max(held - 1, 0) // MESSAGES_PER_PAGE + 1
        added = 0
        while True:
            page = await client.list_messages(conversation_id, page_number, MESSAGES_PER_PAGE)
            changes = await self._store.call(rows.store_messages, page.items)
            self._publish_changes(changes, notify=False)
            added += len(changes.added)
            if not page.has_next or not page.items:
                await self._store.call(rows.set_history_complete, conversation_id)
                return added
            if added:
                return added
            page_number += 1  # everything on it was known: offsets drifted forward

    # -- publishing --------------------------------------------------------------------

    def _on_outbox_changed(self, message: Message) -> None:
        self._publish_thread(message.conversation_id, [message])

    def _publish_thread(self, conversation_id: str, messages: Sequence[Message]) -> None:
        self._bus.publish(ThreadMessagesChanged(conversation_id, tuple(messages)))
        self._bus.publish(ConversationsChanged((conversation_id,)))

    def _publish_removed(self, conversation_id: str, removed: Sequence[str]) -> None:
        if removed:
            self._bus.publish(ThreadMessagesRemoved(conversation_id, tuple(removed)))
            self._bus.publish(ConversationsChanged((conversation_id,)))

    def _publish_changes(self, changes: StoredChanges, *, notify: bool) -> None:
        grouped = changes.by_conversation()
        for cid, messages in grouped.items():
            self._bus.publish(ThreadMessagesChanged(cid, tuple(messages)))
        if grouped:
            self._bus.publish(ConversationsChanged(tuple(grouped)))
        if notify:
            arrived = [m for m in changes.added if m.direction is Direction.INBOUND and not m.is_read]
            if arrived:
                self._tasks.start(self._announce(arrived), name="sms-announce")

    async def _announce(self, arrived: list[Message]) -> None:
        """Publish InboundMessagesArrived with the conversations' titles."""
        ids = list(dict.fromkeys(m.conversation_id for m in arrived))
        titles = tuple((s.conversation_id, s.title) for s in await self.summaries(ids))
        self._bus.publish(InboundMessagesArrived(tuple(arrived), titles))


@functools.lru_cache(maxsize=4096)
def _display_number(number: str) -> str:
    from app.domain.phone import format_for_display

    return format_for_display(number)


def _conversation_info(conversation: Conversation) -> ConversationInfo:
    from app.domain.phone import to_e164

    contact = conversation.contact
    number = contact.number if contact is not None else ""
    name = ""
    if contact is not None:
        name = f"{contact.first_name} {contact.last_name}".strip()
    return ConversationInfo(
        id=conversation.id,
        contact_id=contact.id if contact is not None else "",
        contact_name=name,
        number=(to_e164(number) or number) if number else "",
        our_number=(to_e164(conversation.from_number) or conversation.from_number)
        if conversation.from_number
        else "",
        last_message_at=conversation.last_message_at,
        server_unread=conversation.unread_count,
    )
