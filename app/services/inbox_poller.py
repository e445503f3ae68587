"""Polls the first page of an inbox (voicemails, inbound faxes) and reports what is new.

The RingPlan document defines no live events for new voicemails or faxes, so they are
found by polling, as cheaply as possible:

- only the first page is fetched (the caller asks for it newest first);
- the wait between polls starts at a fast interval and doubles, up to a cap, while
  nothing changes; it drops back to the fast interval when the page changes;
- a failed poll is logged and waits like an unchanged one (the poller never dies of it);
- the live connection coming back (``ConnectionChanged`` ONLINE) triggers a poll at once;
- the ids already seen are kept in the store (:class:`SeenMarkers`): the very first poll of
  an inbox only records a baseline, and a restart does not announce old items again.

An item is *new* when its id was never seen and it comes before the first already-seen
item of the page (an old item that slides onto the first page because a newer one was
deleted is not news). When no item of the page was seen before, all of them are new.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from app.domain.events import ConnectionChanged, ConnectionState
from app.providers.errors import ProviderError
from app.services.event_bus import EventBus

log = logging.getLogger(__name__)

T = TypeVar("T")

FAST_INTERVAL = 15.0
MAX_INTERVAL = 240.0
BACKOFF_FACTOR = 2.0
MAX_SEEN_IDS = 1000
"""How many ids an inbox remembers (newest first); far more than a first page holds."""


class SeenMarkers(Protocol):
    """Where an inbox's already-seen ids are kept between polls and across restarts."""

    async def load(self, inbox: str) -> list[str] | None:
        """The ids seen so far, newest first; None when the inbox was never polled."""
        ...

    async def save(self, inbox: str, ids: Sequence[str]) -> None: ...


@dataclass(slots=True)
class PollSchedule:
    """The wait before the next poll: fast after a change, doubling to a cap otherwise."""

    fast: float = FAST_INTERVAL
    cap: float = MAX_INTERVAL
    factor: float = BACKOFF_FACTOR
    current: float = 0.0

    def __post_init__(self) -> None:
        if self.fast <= 0 or self.cap < self.fast or self.factor < 1:
            raise ValueError("need 0 < fast <= cap and factor >= 1")
        self.current = self.fast

    def changed(self) -> float:
        self.current = self.fast
        return self.current

    def unchanged(self) -> float:
        """After a poll that found nothing new (or failed): wait longer than last time."""
        delay = self.current
        self.current = min(self.current * self.factor, self.cap)
        return delay


def new_items(page: Sequence[T], id_of: Callable[[T], str], seen: set[str]) -> list[T]:
    """The items of ``page`` (newest first) that are news against the ``seen`` ids."""
    fresh: list[T] = []
    for item in page:
        if id_of(item) in seen:
            return fresh
        fresh.append(item)
    return fresh


class InboxPoller(Generic[T]):
    """One inbox's poll loop; ``start()`` it, ``await stop()`` it.

    ``on_new(items)`` is awaited with the new items of a poll, newest first. Markers are
    saved before ``on_new`` runs, so a crash in between never announces an item twice.
    """

    def __init__(
        self,
        inbox: str,
        fetch_first_page: Callable[[], Awaitable[Sequence[T]]],
        id_of: Callable[[T], str],
        on_new: Callable[[list[T]], Awaitable[None]],
        *,
        markers: SeenMarkers,
        bus: EventBus | None = None,
        schedule: PollSchedule | None = None,
    ) -> None:
        self.inbox = inbox
        self._fetch = fetch_first_page
        self._id_of = id_of
        self._on_new = on_new
        self._markers = markers
        self.schedule = schedule if schedule is not None else PollSchedule()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._seen: list[str] | None = None
        self._page_ids: list[str] | None = None
        self.polls = 0
        self.failures = 0
        self.next_delay: float | None = None
        self._unsubscribe = (
            bus.subscribe(ConnectionChanged, self._on_connection_changed) if bus is not None else None
        )

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"poll-{self.inbox}")

    async def stop(self) -> None:
        """Cancel the loop (a poll in flight is abandoned) and stop listening to the bus."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def poll_soon(self) -> None:
        """Poll now instead of waiting out the current interval."""
        self._wake.set()

    async def poll_once(self) -> list[T]:
        """One poll: fetch, compare, remember, announce. Returns the new items.

        Raises what fetching or the store raises; the loop turns that into a backoff.
        """
        page = list(await self._fetch())
        self.polls += 1
        ids = [self._id_of(item) for item in page]
        previous, self._page_ids = self._page_ids, ids
        if self._seen is None:
            self._seen = await self._markers.load(self.inbox)
        if self._seen is None:
            log.info("%s: first poll, %d items taken as already seen", self.inbox, len(ids))
            await self._remember(ids)
            return []
        fresh = new_items(page, self._id_of, set(self._seen))
        if ids != previous:
            await self._remember(ids)
        if fresh:
            log.info("%s: %d new", self.inbox, len(fresh))
            await self._on_new(fresh)
        return fresh

    async def _remember(self, ids: list[str]) -> None:
        known = set(ids)
        merged = ids + [i for i in (self._seen or []) if i not in known]
        self._seen = merged[:MAX_SEEN_IDS]
        await self._markers.save(self.inbox, self._seen)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                before = self._page_ids
                await self.poll_once()
                changed = before is not None and self._page_ids != before
                delay = self.schedule.changed() if changed else self.schedule.unchanged()
            except asyncio.CancelledError:
                raise
            except ProviderError as exc:
                self.failures += 1
                delay = self.schedule.unchanged()
                log.warning("%s: poll failed (%s); next try in %.0f s", self.inbox, exc, delay)
            except Exception:
                self.failures += 1
                delay = self.schedule.unchanged()
                log.exception("%s: poll failed; next try in %.0f s", self.inbox, delay)
            self.next_delay = delay
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def _on_connection_changed(self, event: ConnectionChanged) -> None:
        if event.state is ConnectionState.ONLINE and self.running:
            log.debug("%s: connection back, polling now", self.inbox)
            self.poll_soon()
