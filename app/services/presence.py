"""Each user's presence in the cache, so that every view can show it.

Two ways in: :meth:`PresenceTracker.sync` loads everyone's state from a
:class:`PresenceSource` (for RingPlan, the extensions of every PBX instance) page by page,
one store call per page; between syncs the live stream's :class:`PresenceChanged` events
keep it current. After each write the tracker publishes :class:`PresenceUpdated` with the
users whose state changed, so the views refresh only the rows that show them.

Rules:

- A user with several extensions (desk phone, softphone, ...) gets the most telling of
  their states: on a call > busy > do not disturb > available > away > offline > unknown.
  Within one sync pass this holds across pages too: each row a pass writes carries the
  pass's start time as ``changed_at``, so a later page knows which rows it wrote itself.
- A live event beats the sync pass that is running when it arrives: pages are requested
  ahead and may predate the change, so for the rest of that pass the user's state from the
  extensions is not written (the stream is the fresher source for them).
- A user missing from the extensions keeps the last state we had (their status may still
  come over the live stream); an unknown user id is simply a row no contact joins.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import sqlite3
from collections.abc import AsyncGenerator, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from app.domain.events import PresenceChanged, PresenceUpdated
from app.domain.presence import Presence, PresenceState
from app.providers.errors import ProviderError
from app.services.event_bus import EventBus
from app.services.tasks import TaskGroup
from app.store import contacts as contact_rows
from app.store.database import Store

if TYPE_CHECKING:
    from app.providers.ringplan.rest import RingPlanClient

log = logging.getLogger(__name__)

# Extensions carry their user's whole contact object (~2 KB of JSON each), decoded on a
# worker thread (RingPlanClient.iter_extensions). Measured on the benchmark
# (tests/benchmarks/bench_sync.py, qasync, 100,000 extensions): decoded on the loop, 100 a
# page took ~18 s with loop stalls up to ~30 ms, 500 a page ~13 s with p99 stalls of 24 ms;
# on a worker with the interpreter's default 5 ms switch interval the GIL made stalls worse
# (p99 34 ms); with the app's 1 ms switch interval, 500 a page takes ~11 s, p99 ~13 ms.
EXTENSIONS_PER_PAGE = 500

# Which state wins when one user's extensions disagree (higher wins).
_STRENGTH: dict[PresenceState, int] = {
    PresenceState.UNKNOWN: 0,
    PresenceState.OFFLINE: 1,
    PresenceState.AWAY: 2,
    PresenceState.AVAILABLE: 3,
    PresenceState.DO_NOT_DISTURB: 4,
    PresenceState.BUSY: 5,
    PresenceState.ON_CALL: 6,
}


def stronger(a: PresenceState, b: PresenceState) -> PresenceState:
    """The state to show for a user whose extensions report ``a`` and ``b``."""
    return a if _STRENGTH[a] >= _STRENGTH[b] else b


@runtime_checkable
class PresenceSource(Protocol):
    """Anything that can list users' presence page by page."""

    def iter_presence(self) -> AsyncGenerator[list[Presence]]: ...


class RingPlanExtensionPresence:
    """Presence from the extensions of every RingPlan PBX instance of the company."""

    def __init__(self, client: RingPlanClient, *, page_size: int = EXTENSIONS_PER_PAGE) -> None:
        self._client = client
        self._page_size = page_size

    async def iter_presence(self) -> AsyncGenerator[list[Presence]]:
        for instance in await self._client.list_instances():
            extensions = self._client.iter_extensions(instance.uuid, page_size=self._page_size)
            async with contextlib.aclosing(extensions) as pages:
                async for page in pages:
                    yield [e.presence for e in page if e.presence is not None]


@dataclasses.dataclass(frozen=True, slots=True)
class PresenceSyncResult:
    users: int
    """Users whose presence the pass wrote."""
    changed: int
    """Of those, how many changed state."""
    complete: bool = True


class PresenceTracker:
    def __init__(self, bus: EventBus, store: Store, tasks: TaskGroup) -> None:
        self._bus = bus
        self._store = store
        self._tasks = tasks
        self._pending: dict[str, Presence] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._next_source: PresenceSource | None = None
        # One set per sync pass in progress: users with a live event since it started.
        self._live_during_sync: list[set[str]] = []
        self._unsubscribe = bus.subscribe(PresenceChanged, self._on_presence_changed)

    def close(self) -> None:
        self._unsubscribe()

    def refresh(self, source: PresenceSource) -> None:
        """Run :meth:`sync` over ``source`` in the background (e.g. after a contact sync).

        One refresh runs at a time; one asked for meanwhile runs right after it, over the
        newest source. A provider error is logged and the last known states stay.
        """
        self._next_source = source
        if self._refresher is None or self._refresher.done():
            self._refresher = self._tasks.start(self._refresh_while_asked(), name="presence-refresh")

    async def wait_refreshed(self) -> None:
        """Until no refresh runs (at once when none does)."""
        while self._refresher is not None and not self._refresher.done():
            await asyncio.wait({self._refresher})

    async def _refresh_while_asked(self) -> None:
        while self._next_source is not None:
            source, self._next_source = self._next_source, None
            try:
                await self.sync(source)
            except ProviderError as exc:
                log.warning("presence refresh failed, keeping the last known states: %s", exc)

    async def sync(
        self, source: PresenceSource, *, cancelled: Callable[[], bool] = lambda: False
    ) -> PresenceSyncResult:
        """Write every user's presence from ``source`` into the store, one call per page.

        Provider errors propagate (what was written stays). ``cancelled()`` is checked
        between pages.
        """
        as_of = datetime.now(UTC).isoformat()
        live: set[str] = set()
        self._live_during_sync.append(live)
        users = changed_count = 0
        complete = True
        try:
            async with contextlib.aclosing(source.iter_presence()) as pages:
                async for page in pages:
                    merged = _merge(page, skip=live)
                    if merged:
                        changed = await self._store.call(_write_sync_page, merged, as_of)
                        users += len(merged)
                        changed_count += len(changed)
                        if changed:
                            self._bus.publish(PresenceUpdated(tuple(changed)))
                    if cancelled():
                        complete = False
                        break
        finally:
            self._live_during_sync.remove(live)
        log.info("presence: %d users from the source, %d changed", users, changed_count)
        return PresenceSyncResult(users, changed_count, complete)

    # -- live updates ----------------------------------------------------------------------

    def _on_presence_changed(self, event: PresenceChanged) -> None:
        presence = event.presence
        self._pending[presence.user_id] = presence
        for live in self._live_during_sync:
            live.add(presence.user_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = self._tasks.start(self._flush_live(), name="presence-live")

    async def _flush_live(self) -> None:
        # A burst of events becomes one store call and one PresenceUpdated.
        while self._pending:
            batch = list(self._pending.values())
            self._pending.clear()
            changed = await self._store.call(_write_live, batch)
            if changed:
                self._bus.publish(PresenceUpdated(tuple(changed)))


def _merge(page: Sequence[Presence], *, skip: set[str]) -> list[Presence]:
    """One presence per user of the page (the stronger state wins), leaving out ``skip``."""
    merged: dict[str, Presence] = {}
    for presence in page:
        user_id = presence.user_id
        if user_id in skip:
            continue
        previous = merged.get(user_id)
        if previous is None or stronger(presence.state, previous.state) is not previous.state:
            merged[user_id] = presence
    return list(merged.values())


# -- on the store thread ------------------------------------------------------------------------


def _stored_states(conn: sqlite3.Connection, user_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    rows = conn.execute(
        "SELECT user_id, state, changed_at FROM presence WHERE user_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(user_ids)),),
    ).fetchall()
    return {str(user_id): (str(state), str(changed_at)) for user_id, state, changed_at in rows}


def _state(value: str) -> PresenceState:
    try:
        return PresenceState(value)
    except ValueError:
        return PresenceState.UNKNOWN


def _write_sync_page(conn: sqlite3.Connection, page: Sequence[Presence], as_of: str) -> list[str]:
    """Write one sync page; returns the users whose state changed."""
    before = _stored_states(conn, [p.user_id for p in page])
    changed: list[str] = []
    with conn:
        conn.execute("BEGIN")
        for presence in page:
            state = presence.state
            old = before.get(presence.user_id)
            if old is not None and old[1] == as_of:
                # Written earlier in this pass from another extension of the same user.
                state = stronger(_state(old[0]), state)
            if old is None or old != (state.value, as_of):
                contact_rows.set_presence(conn, presence.user_id, state, as_of)
            if old is None or old[0] != state.value:
                changed.append(presence.user_id)
    return changed


def _write_live(conn: sqlite3.Connection, batch: Sequence[Presence]) -> list[str]:
    """Write live updates; returns the users whose state changed."""
    before = _stored_states(conn, [p.user_id for p in batch])
    changed: list[str] = []
    with conn:
        conn.execute("BEGIN")
        for presence in batch:
            contact_rows.set_presence(conn, presence.user_id, presence.state, presence.changed_at)
            old = before.get(presence.user_id)
            if old is None or old[0] != presence.state.value:
                changed.append(presence.user_id)
    return changed
