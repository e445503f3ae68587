"""Presence: loaded from the extensions at sync and kept live by ``user_status_updated``,
against the embedded RingPlan server on loopback; then the tracker's rules (several
extensions per user, a live event racing a sync page, bursts) with a real SQLite cache."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.domain.events import (
    ConnectionChanged,
    ConnectionState,
    ContactsChanged,
    PresenceChanged,
    PresenceUpdated,
)
from app.domain.presence import Presence, PresenceState
from app.providers.ringplan.rest import RingPlanClient
from app.providers.ringplan.wire import presence_state_from_wire
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.presence import PresenceTracker, RingPlanExtensionPresence
from app.services.session import Session
from app.services.tasks import TaskGroup
from app.store import contacts as contact_rows
from app.store.database import Store
from tests.integration.recording import Recorder, credentials_of

if TYPE_CHECKING:
    from app.demo.server import DemoServer


def is_online(event: Any) -> bool:
    return isinstance(event, ConnectionChanged) and event.state is ConnectionState.ONLINE


def updated_for(user_id: str) -> Callable[[Any], bool]:
    return lambda e: isinstance(e, PresenceUpdated) and user_id in e.user_ids


async def stored_states(store: Store) -> dict[str, PresenceState]:
    page = await store.call(contact_rows.contacts_page, 0, 100_000)
    return {s.contact.source_id: s.presence for s in page if s.contact.source == "ringplan"}


def server_states(server: DemoServer, user_ids: Sequence[str]) -> dict[str, PresenceState]:
    states = {}
    for user_id in user_ids:
        payload = server.db.user_status(user_id)
        assert payload is not None
        states[user_id] = presence_state_from_wire(payload["status"]["status"])
    return states


def another_state(state: PresenceState) -> str:
    return "dnd" if state is not PresenceState.DO_NOT_DISTURB else "available"


@pytest.fixture
async def running(demo_server: DemoServer, tmp_path: Path) -> AsyncIterator[tuple[Session, Recorder, Store]]:
    bus = EventBus()
    recorder = Recorder(bus)
    store = Store(tmp_path / "cache.sqlite3")
    session = Session(demo_server.url, credentials_of(demo_server), store, bus, ContactBook(store, bus))
    await session.start()
    yield session, recorder, store
    await session.stop()
    store.close()


async def synced(recorder: Recorder) -> None:
    """Wait until the first sync wrote the contacts, then their presence."""
    await recorder.wait_for(lambda e: isinstance(e, ContactsChanged))
    await recorder.wait_for(lambda e: isinstance(e, PresenceUpdated))
    # The whole pass is done once the (single) sync has published everyone.
    deadline = asyncio.get_running_loop().time() + 10
    while sum(len(e.user_ids) for e in recorder.of(PresenceUpdated)) < 200:
        assert asyncio.get_running_loop().time() < deadline, "presence sync did not finish"
        await asyncio.sleep(0.02)


# -- against the demo server --------------------------------------------------------------------


async def test_presence_is_loaded_from_the_extensions_at_sync(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    _, recorder, store = running
    await synced(recorder)
    stored = await stored_states(store)
    assert len(stored) == 200
    assert stored == server_states(demo_server, list(stored))
    # The demo's seed spreads users over every state; none is left unknown.
    assert PresenceState.UNKNOWN not in stored.values()
    assert {PresenceState.AVAILABLE, PresenceState.OFFLINE, PresenceState.ON_CALL} <= set(stored.values())
    # Every user was announced once, in page-sized events.
    announced = [u for e in recorder.of(PresenceUpdated) for u in e.user_ids]
    assert sorted(announced) == sorted(stored)


async def test_a_status_change_reaches_the_store_and_is_announced(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    _, recorder, store = running
    await synced(recorder)
    await recorder.wait_for(is_online)
    user_id, state = next(iter((await stored_states(store)).items()))
    recorder.events.clear()
    demo_server.set_user_status(user_id, another_state(state))
    event = await recorder.wait_for(updated_for(user_id))
    assert event.user_ids == (user_id,)
    expected = PresenceState(another_state(state))
    assert (await stored_states(store))[user_id] is expected
    # The live event came first (the listener), then the store write, then the update.
    kinds = [type(e) for e in recorder.events if isinstance(e, PresenceChanged | PresenceUpdated)]
    assert kinds[:2] == [PresenceChanged, PresenceUpdated]


async def test_an_unchanged_status_is_not_announced(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    _, recorder, store = running
    await synced(recorder)
    await recorder.wait_for(is_online)
    states = list((await stored_states(store)).items())
    (same_id, same), (other_id, other) = states[0], states[1]
    recorder.events.clear()
    demo_server.set_user_status(same_id, same.value)
    demo_server.set_user_status(other_id, another_state(other))
    await recorder.wait_for(updated_for(other_id))
    assert all(same_id not in e.user_ids for e in recorder.of(PresenceUpdated))
    assert len(recorder.of(PresenceChanged)) == 2


async def test_a_reconnect_refreshes_presence_missed_while_offline(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    _, recorder, store = running
    await synced(recorder)
    await recorder.wait_for(is_online)
    user_id, state = next(iter((await stored_states(store)).items()))
    # Changed on the server without any live event: only the catch-up can bring it.
    assert demo_server.db.set_user_status(user_id, another_state(state), "manual") is not None
    recorder.events.clear()
    demo_server.disconnect_all_sockets()
    await recorder.wait_for(is_online, within=20)
    await recorder.wait_for(updated_for(user_id), within=20)
    assert (await stored_states(store))[user_id] is PresenceState(another_state(state))
    assert not recorder.of(PresenceChanged)  # it came over REST


async def test_tracker_sync_over_the_real_client(demo_server: DemoServer, tmp_path: Path) -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    store = Store(tmp_path / "cache.sqlite3")
    tasks = TaskGroup("test")
    tracker = PresenceTracker(bus, store, tasks)
    try:
        async with RingPlanClient(demo_server.url, credentials_of(demo_server)) as client:
            result = await tracker.sync(RingPlanExtensionPresence(client, page_size=64))
            assert (result.users, result.changed, result.complete) == (200, 200, True)
            assert [len(e.user_ids) for e in recorder.of(PresenceUpdated)] == [64, 64, 64, 8]
            # A second pass changes nothing and announces nothing.
            recorder.events.clear()
            again = await tracker.sync(RingPlanExtensionPresence(client))
            assert (again.users, again.changed) == (200, 0)
            assert recorder.of(PresenceUpdated) == []
    finally:
        tracker.close()
        await tasks.cancel_all()
        store.close()


# -- the tracker's rules, with a scripted source -------------------------------------------------


class ScriptedSource:
    """Pages of presence; ``before_page[i]`` runs while page i is being "fetched"."""

    def __init__(
        self,
        pages: Sequence[Sequence[Presence]],
        before_page: dict[int, Callable[[], None]] | None = None,
    ) -> None:
        self.pages = pages
        self.before_page = before_page or {}

    async def iter_presence(self) -> AsyncGenerator[list[Presence]]:
        for index, page in enumerate(self.pages):
            await asyncio.sleep(0)
            if index in self.before_page:
                self.before_page[index]()
            await asyncio.sleep(0)
            yield list(page)


def p(user_id: str, state: PresenceState, changed_at: str = "") -> Presence:
    return Presence(user_id, state, changed_at=changed_at)


@pytest.fixture
async def tracker(tmp_path: Path) -> AsyncIterator[tuple[PresenceTracker, EventBus, Recorder, Store]]:
    bus = EventBus()
    recorder = Recorder(bus)
    store = Store(tmp_path / "cache.sqlite3")
    tasks = TaskGroup("test")
    tracker = PresenceTracker(bus, store, tasks)
    yield tracker, bus, recorder, store
    tracker.close()
    await tasks.cancel_all()
    store.close()


Tracker = tuple[PresenceTracker, EventBus, Recorder, Store]


async def presence_table(store: Store) -> dict[str, str]:
    def read(conn: sqlite3.Connection) -> dict[str, str]:
        return {str(u): str(s) for u, s in conn.execute("SELECT user_id, state FROM presence")}

    return await store.call(read)


async def test_a_user_with_several_extensions_shows_the_most_telling_state(tracker: Tracker) -> None:
    t, _, _, store = tracker
    A, ON, OFF = PresenceState.AVAILABLE, PresenceState.ON_CALL, PresenceState.OFFLINE
    source = ScriptedSource(
        [
            [p("u1", OFF), p("u1", A), p("u2", ON)],  # same page: available beats offline
            [p("u2", OFF), p("u3", A)],  # a later page: u2's call is not undone
            [p("u1", ON)],  # a later page: the call wins over available
        ]
    )
    result = await t.sync(source)
    assert await presence_table(store) == {"u1": "on_call", "u2": "on_call", "u3": "available"}
    assert result.users == 5  # written per page: u1, u2 | u2, u3 | u1
    # The next pass starts afresh: the desk phone went offline, the softphone is idle.
    await t.sync(ScriptedSource([[p("u1", A)], [p("u2", OFF)], [p("u3", OFF)]]))
    assert await presence_table(store) == {"u1": "available", "u2": "offline", "u3": "offline"}


async def test_a_live_event_during_a_sync_beats_the_pages_of_that_sync(tracker: Tracker) -> None:
    t, bus, recorder, store = tracker
    live = PresenceChanged(p("u2", PresenceState.AWAY, "2030-01-01T00:00:00+00:00"))
    # Pages are requested ahead: the one after the event may still predate it.
    source = ScriptedSource(
        [
            [p("u1", PresenceState.AVAILABLE), p("u2", PresenceState.AVAILABLE)],
            [p("u3", PresenceState.BUSY), p("u2", PresenceState.AVAILABLE)],
        ],
        before_page={0: lambda: bus.publish(live)},
    )
    await t.sync(source)
    await recorder.wait_for(updated_for("u2"))
    await asyncio.sleep(0.05)
    assert await presence_table(store) == {"u1": "available", "u2": "away", "u3": "busy"}
    # The next pass trusts the extensions again.
    await t.sync(ScriptedSource([[p("u2", PresenceState.AVAILABLE)]]))
    assert (await presence_table(store))["u2"] == "available"


async def test_a_live_event_before_the_page_fetch_is_overwritten_by_the_newer_page(
    tracker: Tracker,
) -> None:
    t, bus, recorder, store = tracker
    bus.publish(PresenceChanged(p("u1", PresenceState.AWAY)))
    await recorder.wait_for(updated_for("u1"))
    await t.sync(ScriptedSource([[p("u1", PresenceState.ON_CALL)]]))
    assert await presence_table(store) == {"u1": "on_call"}


async def test_a_burst_of_live_events_is_one_write_and_one_update(tracker: Tracker) -> None:
    _, bus, recorder, store = tracker
    for i in range(50):
        bus.publish(PresenceChanged(p(f"u{i}", PresenceState.AVAILABLE)))
    bus.publish(PresenceChanged(p("u0", PresenceState.DO_NOT_DISTURB)))  # the last one wins
    await recorder.wait_for(lambda e: isinstance(e, PresenceUpdated))
    await asyncio.sleep(0.05)
    updates = recorder.of(PresenceUpdated)
    assert len(updates) == 1
    assert sorted(updates[0].user_ids) == sorted(f"u{i}" for i in range(50))
    table = await presence_table(store)
    assert table["u0"] == "dnd" and table["u49"] == "available"


async def test_live_events_while_a_write_is_in_flight_are_not_lost(tracker: Tracker) -> None:
    _, bus, recorder, store = tracker
    bus.publish(PresenceChanged(p("u1", PresenceState.AVAILABLE)))
    await asyncio.sleep(0)  # the first write is on its way
    bus.publish(PresenceChanged(p("u2", PresenceState.BUSY)))
    await recorder.wait_for(updated_for("u2"))
    assert await presence_table(store) == {"u1": "available", "u2": "busy"}


async def test_a_cancelled_sync_stops_between_pages(tracker: Tracker) -> None:
    t, _, _, store = tracker
    pages = [[p(f"u{i}", PresenceState.AVAILABLE)] for i in range(5)]
    written: list[int] = []

    def cancelled() -> bool:
        written.append(1)
        return len(written) >= 2

    result = await t.sync(ScriptedSource(pages), cancelled=cancelled)
    assert not result.complete
    assert sorted(await presence_table(store)) == ["u0", "u1"]


async def test_a_failing_source_keeps_what_was_written(tracker: Tracker) -> None:
    t, _, _, store = tracker

    class Failing:
        async def iter_presence(self) -> AsyncGenerator[list[Presence]]:
            yield [p("u1", PresenceState.AWAY)]
            raise ConnectionError("dropped")

    with pytest.raises(ConnectionError):
        await t.sync(Failing())
    assert await presence_table(store) == {"u1": "away"}


async def test_waiting_for_refreshes_ends_when_the_last_one_asked_for_is_written(tracker: Tracker) -> None:
    t, _, _, store = tracker
    await asyncio.wait_for(t.wait_refreshed(), 1)  # none running: at once
    t.refresh(ScriptedSource([[p("u1", PresenceState.AVAILABLE)], [p("u2", PresenceState.BUSY)]]))
    await asyncio.sleep(0.01)  # the first refresh is under way
    t.refresh(ScriptedSource([[p("u3", PresenceState.AWAY)]]))  # runs right after it
    await asyncio.wait_for(t.wait_refreshed(), 5)
    assert await presence_table(store) == {"u1": "available", "u2": "busy", "u3": "away"}
