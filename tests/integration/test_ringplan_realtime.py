"""RingPlanListener against the embedded demo server's Socket.IO endpoint over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest
import socketio
from aiohttp import web

from app.demo.server import DemoServer
from app.domain.account import Credentials
from app.domain.events import (
    ConnectionChanged,
    ConnectionState,
    ConversationCreated,
    ConversationDeleted,
    MessageDeleted,
    MessageReceived,
    MessagesRead,
    PresenceChanged,
)
from app.domain.presence import PresenceState
from app.domain.texting import Direction
from app.providers.errors import NetworkError
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.realtime import SERVER_EVENTS, RingPlanListener
from app.providers.ringplan.rest import RingPlanClient

ONLINE = ConnectionState.ONLINE
OFFLINE = ConnectionState.OFFLINE
CONNECTING = ConnectionState.CONNECTING
UNAUTHORIZED = ConnectionState.UNAUTHORIZED
REALTIME_LOGGER = "app.providers.ringplan.realtime"


def tiny_backoff() -> Backoff:
    return Backoff(base=0.01, factor=2.0, cap=0.05, rng=random.Random(1))


def credentials_of(server: DemoServer, api_key: str | None = None) -> Credentials:
    c = server.credentials
    return Credentials(api_key=api_key or c.api_key, user_id=c.user_id, user_email=c.user_email)


class Recorder:
    """Collects what a listener publishes; waits for conditions on it."""

    def __init__(self) -> None:
        self.events: list[object] = []

    def __call__(self, event: object) -> None:
        self.events.append(event)

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def states(self) -> list[ConnectionState]:
        return [e.state for e in self.of(ConnectionChanged)]

    def count(self, state: ConnectionState) -> int:
        return self.states().count(state)

    async def wait_until(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                tail = [type(e).__name__ for e in self.events[-8:]]
                raise AssertionError(f"timed out; states {self.states()[-8:]}, last events {tail}")
            await asyncio.sleep(0.005)

    async def wait_state(
        self, state: ConnectionState, occurrences: int = 1, within: float = 5.0
    ) -> None:
        await self.wait_until(lambda: self.count(state) >= occurrences, within)


Factory = Callable[..., tuple[RingPlanListener, Recorder]]


@pytest.fixture
async def listen(demo_server: DemoServer) -> AsyncIterator[Factory]:
    """Start listeners on the demo server (tiny backoff); stopped after the test."""
    listeners: list[RingPlanListener] = []

    def start(**kwargs: Any) -> tuple[RingPlanListener, Recorder]:
        recorder = Recorder()
        credentials = kwargs.pop("credentials", credentials_of(demo_server))
        kwargs.setdefault("backoff", tiny_backoff())
        kwargs.setdefault("auth_timeout", 3.0)
        kwargs.setdefault("connect_timeout", 3.0)
        listener = RingPlanListener(demo_server.url, credentials, recorder, **kwargs)
        listeners.append(listener)
        listener.start()
        return listener, recorder

    yield start
    for listener in listeners:
        await listener.stop()


@pytest.fixture
async def rest(demo_server: DemoServer) -> AsyncIterator[RingPlanClient]:
    async with RingPlanClient(demo_server.url, credentials_of(demo_server), backoff=tiny_backoff()) as client:
        yield client


def other_tasks() -> set[asyncio.Task[Any]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and not t.done()}


# -- connecting ------------------------------------------------------------------------


async def test_authenticate_goes_online_and_stop_goes_offline(
    listen: Factory, demo_server: DemoServer
) -> None:
    before = other_tasks()
    listener, recorder = listen()
    listener.start()  # a second start is a no-op
    await recorder.wait_state(ONLINE)
    assert recorder.states()[:2] == [CONNECTING, ONLINE]
    assert listener.state is ONLINE
    await recorder.wait_until(lambda: demo_server.authenticated_socket_count() == 1)

    await listener.stop()
    assert listener.state is OFFLINE
    assert recorder.states()[-1] is OFFLINE
    await recorder.wait_until(lambda: demo_server.authenticated_socket_count() == 0)
    await recorder.wait_until(lambda: other_tasks() <= before, within=2.0)
    with pytest.raises(NetworkError):
        await listener.mark_as_read("c", ["m"])


async def test_wrong_key_is_unauthorized_and_not_retried(
    listen: Factory, demo_server: DemoServer
) -> None:
    wrong = credentials_of(demo_server, api_key="wrong-" + uuid.uuid4().hex)
    listener, recorder = listen(credentials=wrong)
    await recorder.wait_state(UNAUTHORIZED)
    changed = recorder.of(ConnectionChanged)[-1]
    assert "sign in again" in changed.detail
    assert wrong.api_key not in changed.detail
    await asyncio.sleep(0.5)  # many backoff periods
    assert recorder.states() == [CONNECTING, UNAUTHORIZED]
    assert not listener.running
    assert listener.state is UNAUTHORIZED
    assert demo_server.authenticated_socket_count() == 0


async def test_an_unanswered_authenticate_times_out_and_is_retried() -> None:
    """A real Socket.IO server that accepts connections but never answers ``authenticate``."""
    async with silent_socketio_server() as (url, connections):
        recorder = Recorder()
        listener = RingPlanListener(
            url, Credentials("key"), recorder, backoff=tiny_backoff(), auth_timeout=0.2
        )
        listener.start()
        try:
            await recorder.wait_state(CONNECTING, occurrences=3, within=5.0)
            offline = [e for e in recorder.of(ConnectionChanged) if e.state is OFFLINE]
            assert offline and all(e.retry_in is not None and e.retry_in <= 0.05 for e in offline)
            assert ONLINE not in recorder.states()
            assert len(connections) >= 2
        finally:
            await listener.stop()


@contextlib.asynccontextmanager
async def silent_socketio_server() -> AsyncIterator[tuple[str, list[str]]]:
    sio = socketio.AsyncServer(async_mode="aiohttp")
    connections: list[str] = []

    async def connect(sid: str, environ: object, auth: object = None) -> None:
        connections.append(sid)

    sio.on("connect", connect)
    app = web.Application()
    sio.attach(app, socketio_path="ws")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", connections
    finally:
        await runner.cleanup()


# -- server events ---------------------------------------------------------------------


async def test_an_inbound_message_arrives(listen: Factory, demo_server: DemoServer) -> None:
    _listener, recorder = listen()
    await recorder.wait_state(ONLINE)
    sent = demo_server.emit_inbound_message("Is the order ready?")
    await recorder.wait_until(lambda: len(recorder.of(MessageReceived)) == 1)
    message = recorder.of(MessageReceived)[0].message
    assert message.id == sent["id"]
    assert message.conversation_id == sent["conversation_id"]
    assert message.text == "Is the order ready?"
    assert message.direction is Direction.INBOUND
    assert message.from_number == sent["frm"]
    assert message.to_number == sent["to"]
    assert isinstance(message.created_at, datetime) and message.created_at.tzinfo is not None
    assert not message.is_read


async def test_every_server_event_becomes_a_domain_event(
    listen: Factory, demo_server: DemoServer, rest: RingPlanClient
) -> None:
    _listener, recorder = listen()
    await recorder.wait_state(ONLINE)

    # presence
    user_id = demo_server.credentials.user_id
    demo_server.set_user_status(user_id, "dnd")
    await recorder.wait_until(lambda: len(recorder.of(PresenceChanged)) == 1)
    presence = recorder.of(PresenceChanged)[0].presence
    assert (presence.user_id, presence.state, presence.raw_status) == (
        user_id,
        PresenceState.DO_NOT_DISTURB,
        "dnd",
    )

    # a new conversation, a message in it, read, deleted, then the conversation deleted
    number = (await rest.list_texting_numbers())[0]
    contact = await rest.create_texting_contact("+16195550177", "Rea", "Ltime")
    conversation = await rest.create_conversation(contact.id, number.number)
    await recorder.wait_until(lambda: len(recorder.of(ConversationCreated)) == 1)
    created = recorder.of(ConversationCreated)[0].conversation
    assert created.id == conversation.id
    assert created.contact is not None and created.contact.id == contact.id

    sent = await rest.publish_message(conversation.id, "outbound from another device", str(uuid.uuid4()))
    await recorder.wait_until(lambda: any(e.message.id == sent.id for e in recorder.of(MessageReceived)))
    echoed = next(e.message for e in recorder.of(MessageReceived) if e.message.id == sent.id)
    assert echoed.direction is Direction.OUTBOUND

    await rest.mark_message_read(conversation.id, sent.id)
    await recorder.wait_until(lambda: len(recorder.of(MessagesRead)) == 1)
    assert recorder.of(MessagesRead)[0] == MessagesRead(conversation.id, (sent.id,))

    await rest.delete_messages(conversation.id, [sent.id])
    await recorder.wait_until(lambda: len(recorder.of(MessageDeleted)) == 1)
    assert recorder.of(MessageDeleted)[0] == MessageDeleted(conversation.id, sent.id)

    await rest.delete_conversation(conversation.id)
    await recorder.wait_until(lambda: len(recorder.of(ConversationDeleted)) == 1)
    assert recorder.of(ConversationDeleted)[0] == ConversationDeleted(conversation.id)


async def test_mark_as_read_reaches_the_other_clients(
    listen: Factory, demo_server: DemoServer, rest: RingPlanClient
) -> None:
    me, my_events = listen()
    _other, other_events = listen()
    await my_events.wait_state(ONLINE)
    await other_events.wait_state(ONLINE)
    inbound = demo_server.emit_inbound_message("read me")
    await other_events.wait_until(lambda: len(other_events.of(MessageReceived)) == 1)

    await me.mark_as_read(inbound["conversation_id"], [inbound["id"]])
    await other_events.wait_until(lambda: len(other_events.of(MessagesRead)) == 1)
    assert other_events.of(MessagesRead)[0] == MessagesRead(inbound["conversation_id"], (inbound["id"],))
    page = await rest.list_messages(inbound["conversation_id"], 1, 50)
    assert next(m for m in page.items if m.id == inbound["id"]).is_read


# -- reconnecting ----------------------------------------------------------------------


async def test_reconnects_after_twenty_forced_disconnects(
    listen: Factory, demo_server: DemoServer
) -> None:
    listener, recorder = listen()
    await recorder.wait_state(ONLINE)
    for round_number in range(2, 22):
        dropped = await asyncio.to_thread(demo_server.disconnect_all_sockets)
        assert dropped == 1
        await recorder.wait_state(ONLINE, occurrences=round_number)
    assert recorder.count(ONLINE) == 21
    offline = [e for e in recorder.of(ConnectionChanged) if e.state is OFFLINE]
    assert len(offline) >= 20
    assert all(e.retry_in is not None and 0 <= e.retry_in <= 0.05 for e in offline)
    await recorder.wait_until(lambda: demo_server.authenticated_socket_count() == 1)

    sent = demo_server.emit_inbound_message("still here?")
    await recorder.wait_until(lambda: len(recorder.of(MessageReceived)) >= 1)
    await asyncio.sleep(0.2)  # a duplicate would arrive by now
    assert [e.message.id for e in recorder.of(MessageReceived)] == [sent["id"]]
    assert listener.state is ONLINE


async def test_server_restart(listen: Factory, demo_server: DemoServer) -> None:
    listener, recorder = listen()
    await recorder.wait_state(ONLINE)
    port = demo_server.port

    await asyncio.to_thread(demo_server.stop)
    await recorder.wait_state(OFFLINE)
    failed_before = recorder.count(OFFLINE)
    await recorder.wait_until(lambda: recorder.count(OFFLINE) >= failed_before + 2)  # retrying
    assert listener.state in (OFFLINE, CONNECTING)

    await asyncio.to_thread(demo_server.start)
    assert demo_server.port == port
    await recorder.wait_state(ONLINE, occurrences=2, within=10.0)
    sent = demo_server.emit_inbound_message("after the restart")
    await recorder.wait_until(lambda: [e.message.id for e in recorder.of(MessageReceived)] == [sent["id"]])


async def test_a_stable_connection_resets_the_backoff(demo_server: DemoServer) -> None:
    recorder = Recorder()
    backoff = Backoff(base=0.01, factor=2.0, cap=10.0, jitter=False)
    listener = RingPlanListener(
        demo_server.url, credentials_of(demo_server), recorder, backoff=backoff, stable_after=0.05
    )
    listener.start()
    try:
        for round_number in range(1, 5):
            await recorder.wait_state(ONLINE, occurrences=round_number)
            await asyncio.sleep(0.1)  # longer than stable_after
            await asyncio.to_thread(demo_server.disconnect_all_sockets)
            await recorder.wait_state(OFFLINE, occurrences=round_number)
        waits = [e.retry_in for e in recorder.of(ConnectionChanged) if e.state is OFFLINE]
        assert waits == [0.01] * 4
    finally:
        await listener.stop()


async def test_stop_while_waiting_to_retry(demo_server: DemoServer) -> None:
    recorder = Recorder()
    listener = RingPlanListener(
        demo_server.url, credentials_of(demo_server), recorder, backoff=Backoff(base=30, cap=30)
    )
    listener.start()
    await recorder.wait_state(ONLINE)
    await asyncio.to_thread(demo_server.disconnect_all_sockets)
    await recorder.wait_state(OFFLINE)
    started = time.monotonic()
    await listener.stop()
    assert time.monotonic() - started < 1.0
    assert not listener.running


# -- malformed events ------------------------------------------------------------------

VALID: dict[str, dict[str, Any]] = {
    "texting.message.new": {
        "id": "615717dfaea77fef6ace1bbf",
        "conversation_id": "615717df4b8fa06267cd2f73",
        "created_at": "2021-10-01T17:14:55.613000+0300",
        "direction": "inbound",
        "frm": "+17604509400",
        "to": "+19513360234",
        "text": "Hello",
    },
    "texting.message.delete": {"id": "615717dfaea77fef6ace1bbf", "conversation_id": "615717df4b8fa"},
    "texting.message.markAsRead": {"conversation_id": "615717df4b8fa", "messagesIds": ["a", "b"]},
    "texting.chat.new": {"id": "615717df4b8fa06267cd2f73", "from_number": "9513360234"},
    "texting.chat.delete": {"id": "615717df4b8fa06267cd2f73"},
    "user_status_updated": {"user_id": "611ced1355c44a89f8df7cc3", "status": {"status": "away"}},
}

# For each event: its required fields and values that make each of them invalid.
_BAD_ID: list[object] = [None, {}, [], True, "", "   ", "x" * 200, [1, 2], {"$oid": "x"}, 1.5]
BAD_VALUES: dict[str, dict[str, list[object]]] = {
    "texting.message.new": {
        "id": _BAD_ID,
        "conversation_id": _BAD_ID,
        "created_at": [None, {}, [], True, "", "not a date", "2021-13-45T00:00:00Z", "y" * 300],
        "direction": ["sideways", {}, [], 7],
        "text": [{}, [], {"nested": ["junk"]}],
        "is_read": ["perhaps", {}, []],
    },
    "texting.message.delete": {"id": _BAD_ID, "conversation_id": _BAD_ID},
    "texting.message.markAsRead": {
        "conversation_id": _BAD_ID,
        "messagesIds": [None, {}, True, [None], [{}], [""], ["ok", []], {"a": "b"}, ["z" * 500]],
    },
    "texting.chat.new": {"id": _BAD_ID},
    "texting.chat.delete": {"id": _BAD_ID},
    "user_status_updated": {
        "user_id": _BAD_ID,
        "status": [None, {}, [], True, "", {"status": None}, {"status": ""}, {"status": "s" * 100}],
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "texting.message.new": ("id", "conversation_id", "created_at"),
    "texting.message.delete": ("id", "conversation_id"),
    "texting.message.markAsRead": ("conversation_id", "messagesIds"),
    "texting.chat.new": ("id",),
    "texting.chat.delete": ("id",),
    "user_status_updated": ("user_id", "status"),
}


def nested_junk(rng: random.Random, depth: int = 0) -> object:
    choice = rng.randrange(6 if depth < 12 else 3)
    if choice == 0:
        return rng.randint(-(10**12), 10**12)
    if choice == 1:
        return "".join(rng.choice("ab\u00e9\u4e2d\n\"'{}<>") for _ in range(rng.randrange(30)))
    if choice == 2:
        return rng.choice([None, True, False, 0.5])
    if choice == 3:
        return [nested_junk(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {f"k{rng.randrange(99)}": nested_junk(rng, depth + 1) for _ in range(rng.randrange(4))}


def malformed_payload(event: str, rng: random.Random) -> object:
    """A payload that is certainly invalid for ``event`` (asserted by the listener test)."""
    kind = rng.randrange(8)
    if kind == 0:  # not an object at all
        return rng.choice([None, 0, 42, -1.5, True, "text", "", "h" * rng.randrange(10_000, 300_000)])
    if kind == 1:  # an array (one argument) or several arguments (a tuple)
        return rng.choice([[], [VALID[event]], (VALID[event], VALID[event]), [1, "two", None]])
    if kind == 2:
        return {}
    if kind == 3:  # nested junk that is no payload
        junk = nested_junk(rng)
        return {"junk": junk, "more": nested_junk(rng)}
    payload = dict(VALID[event])
    if kind == 4:  # a required field missing
        del payload[rng.choice(REQUIRED[event])]
        payload["extra"] = nested_junk(rng)
        return payload
    field = rng.choice(list(BAD_VALUES[event]))
    payload[field] = rng.choice(BAD_VALUES[event][field])
    if kind == 7:  # plus a huge irrelevant string
        payload["padding"] = "p" * rng.randrange(1_000, 200_000)
    return payload


def test_the_fuzzer_payloads_really_are_invalid() -> None:
    """Guard for the test below: each generated payload fails validation."""
    from pydantic import ValidationError

    from app.providers.ringplan import realtime

    rng = random.Random(5)
    for _ in range(600):
        event = rng.choice(SERVER_EVENTS)
        payload = malformed_payload(event, rng)
        if payload is None or isinstance(payload, tuple):
            continue  # sent as zero / several arguments: rejected before validation
        with pytest.raises(ValidationError):
            realtime._PARSERS[event](payload)
    for event, payload in VALID.items():
        realtime._PARSERS[event](payload)


async def test_malformed_events_are_logged_in_one_short_line(
    listen: Factory, demo_server: DemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    _listener, recorder = listen()
    await recorder.wait_state(ONLINE)
    caplog.set_level(logging.WARNING, logger=REALTIME_LOGGER)
    rng = random.Random(11)
    payloads = [(event, malformed_payload(event, rng)) for event in SERVER_EVENTS for _ in range(10)]
    huge_text = {**VALID["texting.message.new"], "id": None, "text": "Q" * 100_000}
    payloads.append(("texting.message.new", huge_text))

    def emit_all() -> None:
        for event, payload in payloads:
            demo_server.emit_raw(event, payload)

    await asyncio.to_thread(emit_all)
    sent = demo_server.emit_inbound_message("after the junk")
    await recorder.wait_until(lambda: len(recorder.of(MessageReceived)) == 1)
    records = [r for r in caplog.records if r.name == REALTIME_LOGGER and "malformed" in r.getMessage()]
    assert len(records) == len(payloads)
    for record in records:
        line = record.getMessage()
        assert "\n" not in line
        assert len(line) < 600
        assert "Q" * 100 not in line and "h" * 100 not in line  # a glimpse, never a dump
        assert record.exc_info is None
    assert recorder.of(MessageReceived)[0].message.id == sent["id"]


async def test_a_thousand_malformed_events_change_nothing_and_leak_nothing(
    listen: Factory, demo_server: DemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    listener, recorder = listen()
    await recorder.wait_state(ONLINE)
    # Warm up: one valid event through the whole path, so lazily created objects exist.
    demo_server.emit_inbound_message("warm-up")
    await recorder.wait_until(lambda: len(recorder.of(MessageReceived)) == 1)
    # pytest keeps every captured log record: keep the 1,000 warnings out of the memory figure.
    caplog.set_level(logging.ERROR, logger=REALTIME_LOGGER)

    rng = random.Random(2024)
    events = [rng.choice(SERVER_EVENTS) for _ in range(1000)]
    payloads = [(event, malformed_payload(event, rng)) for event in events]
    events_before = len(recorder.events)
    await asyncio.sleep(0.1)
    gc.collect()
    tasks_before = len(other_tasks())
    tracemalloc.start()
    try:
        baseline = tracemalloc.take_snapshot()

        def emit_all() -> None:
            for event, payload in payloads:
                demo_server.emit_raw(event, payload)

        await asyncio.to_thread(emit_all)
        sent = demo_server.emit_inbound_message("the valid one")
        await recorder.wait_until(lambda: len(recorder.of(MessageReceived)) == 2, within=20.0)
        payloads.clear()
        await recorder.wait_until(lambda: len(other_tasks()) <= tasks_before, within=5.0)
        await asyncio.sleep(0.1)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()

    new_events = recorder.events[events_before:]
    assert [type(e) for e in new_events] == [MessageReceived]
    assert new_events[0].message.id == sent["id"]  # type: ignore[attr-defined]
    assert listener.state is ONLINE
    assert len(other_tasks()) == tasks_before
    growth = sum(stat.size_diff for stat in after.compare_to(baseline, "filename"))
    assert growth < 2 * 1024 * 1024, f"memory grew by {growth / 1024:.0f} KiB"
