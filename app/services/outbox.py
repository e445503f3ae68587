"""The persistent SMS outbox: publishes stored PENDING messages, never twice.

Each message waits in ``sms_outbox`` (SQLite) with its client ``stamp_id``. Messages of a
conversation go out in order, one at a time; a few conversations are served at once.

The document does not promise that the server ignores a republished ``stamp_id``, so the
outbox guarantees "never published twice" itself:

- Before each publish request the attempt is recorded as *uncertain* and committed. A
  request that gets no clear answer (timeout, dropped connection, 5xx, an unreadable 2xx,
  or the app killed mid-request) leaves it uncertain.
- An uncertain message is never simply resent: after ``settle`` seconds (time for a
  request still in flight to land) the outbox looks for its ``stamp_id`` in the newest
  messages of the conversation on the server (``GET .../messages``, the message object
  carries ``stamp_id``). Found: it is SENT. Not found: it may be published again.
- A clear refusal before processing (429) is retried after ``Retry-After``; a permanent
  refusal (400/403/404/...) fails the message at once, with the reason in words.

Retries use capped exponential backoff with full jitter. After ``max_attempts`` the
message is FAILED (Retry puts it back). The live stream and the catch-up confirm messages
too: a ``texting.message.new`` echo carrying our stamp_id marks it SENT at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.domain.texting import Message
from app.providers.errors import (
    ApiError,
    MalformedResponse,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    ServerError,
    Unauthorized,
)
from app.providers.ringplan.backoff import Backoff
from app.store import texting as rows
from app.store.database import Store
from app.store.texting import OutboxEntry

if TYPE_CHECKING:
    from app.providers.ringplan.rest import RingPlanClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    """How hard the outbox tries. ``settle``: seconds after an unanswered publish before the
    server is searched for it; ``lookback``: how far before a message's creation (clock
    skew) that search goes; ``concurrency``: conversations served at once."""

    max_attempts: int = 10
    backoff: Backoff = field(default_factory=lambda: Backoff(base=1.0, cap=60.0))
    settle: float = 12.0
    lookback: float = 600.0
    scan_page_size: int = 100
    max_scan_pages: int = 20
    concurrency: int = 4


class Outbox:
    """Publishes what the store's outbox holds while a client is attached."""

    def __init__(
        self,
        store: Store,
        changed: Callable[[Message], None],
        policy: OutboxPolicy | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._changed = changed
        self.policy = policy or OutboxPolicy()
        self._clock = clock
        self._client: RingPlanClient | None = None
        self._wake = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._busy: dict[str, asyncio.Task[None]] = {}

    def start(self, client: RingPlanClient) -> None:
        self._client = client
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="sms-outbox")
        self.wake()

    async def stop(self) -> None:
        self._client = None
        tasks = [t for t in (self._runner, *self._busy.values()) if t is not None]
        self._runner = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._busy.clear()

    def wake(self) -> None:
        """Look at the outbox now (a message was added, retried or confirmed)."""
        self._wake.set()

    @property
    def idle(self) -> bool:
        return not self._busy

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                wait = await self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:  # the store failed: try again later rather than stop sending
                log.exception("outbox: could not read the outbox")
                wait = 5.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _dispatch(self) -> float | None:
        """Start an attempt for each conversation whose oldest waiting message is due;
        returns how long until the next one is due (None: nothing waiting)."""
        entries = await self._store.call(rows.outbox_entries)
        now = self._clock()
        heads: dict[str, OutboxEntry] = {}
        for entry in entries:
            heads.setdefault(entry.conversation_id, entry)
        soonest: float | None = None
        for conversation_id, entry in heads.items():
            if conversation_id in self._busy:
                continue
            if entry.next_attempt_at > now:
                delay = entry.next_attempt_at - now
                soonest = delay if soonest is None else min(soonest, delay)
                continue
            if len(self._busy) >= self.policy.concurrency:
                break
            task = asyncio.get_running_loop().create_task(
                self._attempt(entry), name=f"sms-outbox-{entry.stamp_id[:8]}"
            )
            self._busy[conversation_id] = task
            task.add_done_callback(functools.partial(self._finished, conversation_id))
        return soonest

    def _finished(self, conversation_id: str, task: asyncio.Task[None]) -> None:
        if self._busy.get(conversation_id) is task:
            del self._busy[conversation_id]
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox attempt failed unexpectedly", exc_info=task.exception())
        self.wake()

    # -- one attempt -------------------------------------------------------------------

    async def _attempt(self, entry: OutboxEntry) -> None:
        client = self._client
        if client is None:
            return
        policy = self.policy
        if entry.uncertain:
            wait = entry.last_attempt_at + policy.settle - self._clock()
            if wait > 0:
                await self._store.call(
                    rows.schedule_retry, entry.stamp_id, self._clock() + wait, uncertain=True
                )
                return
            try:
                found = await self._find_on_server(client, entry)
            except ProviderError as exc:
                log.info("outbox: could not look for %s on the server: %s", entry.stamp_id, exc)
                await self._retry_later(entry, exc, uncertain=True)
                return
            if found is not None:
                log.info("outbox: %s had reached the server; not sending it again", entry.stamp_id)
                await self._confirm(found)
                return
            if entry.attempts >= policy.max_attempts:
                await self._fail(entry, entry.last_error or "no answer from the server")
                return
        started = self._clock()
        if not await self._store.call(rows.begin_attempt, entry.stamp_id, started):
            return  # confirmed by the live stream, discarded or deleted meanwhile
        attempts = entry.attempts + 1
        try:
            message = await client.publish_message(entry.conversation_id, entry.text, entry.stamp_id)
        except RateLimited as exc:
            # Refused before processing: certainly not stored.
            wait = exc.retry_after if exc.retry_after is not None else policy.backoff.delay(attempts - 1)
            await self._after_failure(entry, attempts, exc, uncertain=False, wait=wait)
        except (NetworkError, ServerError, MalformedResponse) as exc:
            # No clear answer: the server may have stored it.
            await self._after_failure(entry, attempts, exc, uncertain=True)
        except NotFound:
            await self._fail(entry, "The conversation no longer exists on the server")
        except Unauthorized as exc:
            await self._after_failure(entry, attempts, exc, uncertain=False)
        except ApiError as exc:
            await self._fail(entry, str(exc))
        else:
            if message.stamp_id != entry.stamp_id:
                message = _with_stamp(message, entry.stamp_id)
            await self._confirm(message)

    async def _after_failure(
        self,
        entry: OutboxEntry,
        attempts: int,
        error: ProviderError,
        *,
        uncertain: bool,
        wait: float | None = None,
    ) -> None:
        log.info("outbox: %s attempt %d failed: %s", entry.stamp_id, attempts, error)
        if not uncertain and attempts >= self.policy.max_attempts:
            await self._fail(entry, str(error))
            return
        if wait is None:
            wait = self.policy.backoff.delay(attempts - 1)
        await self._store.call(
            rows.schedule_retry, entry.stamp_id, self._clock() + wait, uncertain=uncertain, error=str(error)
        )

    async def _retry_later(self, entry: OutboxEntry, error: ProviderError, *, uncertain: bool) -> None:
        wait = self.policy.backoff.delay(max(entry.attempts - 1, 0))
        await self._store.call(
            rows.schedule_retry, entry.stamp_id, self._clock() + wait, uncertain=uncertain, error=str(error)
        )

    async def _find_on_server(self, client: RingPlanClient, entry: OutboxEntry) -> Message | None:
        """Our message on the server by its stamp_id, among the conversation's newest."""
        policy = self.policy
        cutoff = entry.created_at / 1_000_000 - policy.lookback
        for page in range(1, policy.max_scan_pages + 1):
            result = await client.list_messages(entry.conversation_id, page, policy.scan_page_size)
            for message in result.items:
                if message.stamp_id == entry.stamp_id:
                    return message
            if not result.has_next or not result.items:
                return None
            if min(m.created_at.timestamp() for m in result.items) < cutoff:
                return None
        return None

    async def _confirm(self, message: Message) -> None:
        stored = await self._store.call(rows.confirm_sent, message)
        if stored is not None:
            self._changed(stored)

    async def _fail(self, entry: OutboxEntry, reason: str) -> None:
        attempts = f" after {entry.attempts} attempts" if entry.attempts > 1 else ""
        error = f"Not sent{attempts}: {reason}"
        log.warning("outbox: %s failed: %s", entry.stamp_id, error)
        stored = await self._store.call(rows.mark_failed, entry.stamp_id, error)
        if stored is not None:
            self._changed(stored)


def _with_stamp(message: Message, stamp_id: str) -> Message:
    # A server that drops stamp_id from its answer: the message is still the one we sent.
    import dataclasses

    return dataclasses.replace(message, stamp_id=stamp_id)
