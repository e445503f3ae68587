"""The inbox poller: schedule, what counts as new, baseline, persistence, errors, reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.domain.events import ConnectionChanged, ConnectionState
from app.providers.errors import NetworkError
from app.services.event_bus import EventBus
from app.services.inbox_poller import InboxPoller, PollSchedule, new_items
from app.store.database import Store
from app.store.inbox_seen import StoredSeenMarkers

FAST = PollSchedule(fast=0.02, cap=0.16, factor=2.0)


class Inbox:
    """A first page the test changes, newest first; can be told to fail."""

    def __init__(self, *ids: str) -> None:
        self.ids = list(ids)
        self.fail_with: list[Exception] = []
        self.fetches = 0
        self.gate: asyncio.Event | None = None

    def arrive(self, item_id: str) -> None:
        self.ids.insert(0, item_id)

    async def fetch(self) -> list[str]:
        self.fetches += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with:
            raise self.fail_with.pop(0)
        return list(self.ids)


class Announced:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def __call__(self, items: list[str]) -> None:
        self.batches.append(items)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "cache.sqlite3")
    yield store
    store.close()


def make_poller(
    store: Store,
    inbox: Inbox,
    announced: Announced,
    *,
    bus: EventBus | None = None,
    schedule: PollSchedule | None = None,
) -> InboxPoller[str]:
    return InboxPoller(
        "voicemail",
        inbox.fetch,
        lambda item: item,
        announced,
        markers=StoredSeenMarkers(store),
        bus=bus,
        schedule=schedule or PollSchedule(fast=FAST.fast, cap=FAST.cap, factor=FAST.factor),
    )


async def wait_for(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


def test_schedule_doubles_to_the_cap_and_resets_on_change() -> None:
    schedule = PollSchedule(fast=15, cap=240, factor=2)
    assert [schedule.unchanged() for _ in range(7)] == [15, 30, 60, 120, 240, 240, 240]
    assert schedule.changed() == 15
    assert schedule.unchanged() == 15
    assert schedule.unchanged() == 30
    with pytest.raises(ValueError):
        PollSchedule(fast=0)
    with pytest.raises(ValueError):
        PollSchedule(fast=10, cap=5)


def test_new_items_are_those_before_the_first_seen_one() -> None:
    def ident(item: str) -> str:
        return item

    assert new_items(["d", "c", "b", "a"], ident, {"b", "a"}) == ["d", "c"]
    # "z" slid onto the page because a newer item was deleted: old news, not announced.
    assert new_items(["c", "b", "z"], ident, {"c", "b"}) == []
    assert new_items(["e", "c", "z"], ident, {"c"}) == ["e"]
    assert new_items(["x", "y"], ident, {"a"}) == ["x", "y"]
    assert new_items([], ident, {"a"}) == []


async def test_first_poll_is_a_baseline_then_new_items_are_announced(store: Store) -> None:
    inbox, announced = Inbox("b", "a"), Announced()
    poller = make_poller(store, inbox, announced)
    assert await poller.poll_once() == []
    assert announced.batches == []
    assert await poller.poll_once() == []
    inbox.arrive("c")
    inbox.arrive("d")
    assert await poller.poll_once() == ["d", "c"]
    assert announced.batches == [["d", "c"]]
    assert await poller.poll_once() == []
    assert announced.batches == [["d", "c"]]


async def test_a_restart_does_not_announce_old_items_again(tmp_path: Path) -> None:
    inbox, announced = Inbox("b", "a"), Announced()
    first = Store(tmp_path / "cache.sqlite3")
    poller = make_poller(first, inbox, announced)
    await poller.poll_once()
    inbox.arrive("c")
    await poller.poll_once()
    first.close()
    assert announced.batches == [["c"]]

    inbox.arrive("d")  # arrived while the app was closed: news after the restart
    second = Store(tmp_path / "cache.sqlite3")
    try:
        again = make_poller(second, inbox, announced)
        assert await again.poll_once() == ["d"]
        assert await again.poll_once() == []
    finally:
        second.close()
    assert announced.batches == [["c"], ["d"]]


async def test_an_empty_inbox_baseline_then_the_first_item_is_news(store: Store) -> None:
    inbox, announced = Inbox(), Announced()
    poller = make_poller(store, inbox, announced)
    await poller.poll_once()
    inbox.arrive("a")
    assert await poller.poll_once() == ["a"]


async def test_the_loop_backs_off_while_nothing_changes_and_speeds_up_on_news(store: Store) -> None:
    inbox, announced = Inbox("a"), Announced()
    poller = make_poller(store, inbox, announced)
    poller.start()
    try:
        await wait_for(lambda: poller.next_delay == FAST.cap)
        assert poller.polls >= 4  # 0.02, 0.04, 0.08, then the cap
        inbox.arrive("b")
        await wait_for(lambda: announced.batches == [["b"]])
        await wait_for(lambda: poller.next_delay == FAST.fast)
    finally:
        await poller.stop()
    assert not poller.running


async def test_failures_are_logged_backed_off_and_survived(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    inbox, announced = Inbox("a"), Announced()
    poller = make_poller(store, inbox, announced)
    await poller.poll_once()
    inbox.fail_with = [NetworkError("server down"), RuntimeError("bug in a parser")]
    inbox.arrive("b")
    poller.start()
    try:
        await wait_for(lambda: announced.batches == [["b"]])
    finally:
        await poller.stop()
    assert poller.failures == 2
    assert "server down" in caplog.text
    assert "bug in a parser" in caplog.text


async def test_a_failing_announcement_is_not_repeated(store: Store) -> None:
    inbox = Inbox("a")
    calls: list[list[str]] = []

    async def broken(items: list[str]) -> None:
        calls.append(items)
        raise RuntimeError("notifier broke")

    poller = InboxPoller("fax", inbox.fetch, lambda i: i, broken, markers=StoredSeenMarkers(store))
    await poller.poll_once()
    inbox.arrive("b")
    with pytest.raises(RuntimeError):
        await poller.poll_once()
    assert await poller.poll_once() == []
    assert calls == [["b"]]


async def test_a_reconnect_polls_at_once(store: Store) -> None:
    bus = EventBus()
    inbox, announced = Inbox("a"), Announced()
    poller = make_poller(store, inbox, announced, bus=bus, schedule=PollSchedule(fast=600, cap=600))
    poller.start()
    try:
        await wait_for(lambda: poller.polls == 1)
        inbox.arrive("b")
        bus.publish(ConnectionChanged(ConnectionState.OFFLINE))
        await asyncio.sleep(0.05)
        assert poller.polls == 1
        bus.publish(ConnectionChanged(ConnectionState.ONLINE))
        await wait_for(lambda: announced.batches == [["b"]], within=2.0)
    finally:
        await poller.stop()
    bus.publish(ConnectionChanged(ConnectionState.ONLINE))  # unsubscribed: nothing happens
    await asyncio.sleep(0.02)
    assert poller.polls == 2


async def test_stop_cancels_a_poll_in_flight(store: Store) -> None:
    inbox, announced = Inbox("a"), Announced()
    inbox.gate = asyncio.Event()  # the server never answers
    poller = make_poller(store, inbox, announced)
    poller.start()
    await wait_for(lambda: inbox.fetches == 1)
    await asyncio.wait_for(poller.stop(), 1.0)
    assert not poller.running
    assert poller.polls == 0


async def test_two_inboxes_keep_separate_markers(store: Store) -> None:
    voicemail, fax, announced = Inbox("v1"), Inbox("f1"), Announced()
    markers = StoredSeenMarkers(store)
    one = InboxPoller("voicemail", voicemail.fetch, lambda i: i, announced, markers=markers)
    two = InboxPoller("fax", fax.fetch, lambda i: i, announced, markers=markers)
    await one.poll_once()
    await two.poll_once()
    assert await markers.load("voicemail") == ["v1"]
    assert await markers.load("fax") == ["f1"]
    assert await markers.load("sms") is None
