"""The messaging service against the embedded RingPlan server on loopback and a real
SQLite file: catch-up, paging, live events, the outbox, read marks, deletes, search."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.demo.faults import LATE_ANSWER
from app.demo.media import document_file, photo_file
from app.demo.server import DemoServer
from app.domain.events import (
    ConnectionChanged,
    ConnectionState,
    ConversationsChanged,
    InboundMessagesArrived,
    NotificationRequested,
    ThreadMessagesChanged,
    ThreadMessagesRemoved,
)
from app.domain.texting import ConversationSummary, DeliveryState, Direction, Message
from app.providers.errors import NetworkError
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.realtime import RingPlanListener
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.messaging import Messaging
from app.services.notifications import InboundMessageNotifier
from app.services.outbox import OutboxPolicy
from app.services.tasks import TaskGroup
from app.store import texting as rows
from app.store.database import Store
from tests.integration.recording import Recorder, credentials_of


def quick_policy(**overrides: Any) -> OutboxPolicy:
    values: dict[str, Any] = {
        "max_attempts": 6,
        "backoff": Backoff(base=0.02, cap=0.1, rng=random.Random(3)),
        "settle": 0.4,
    }
    values.update(overrides)
    return OutboxPolicy(**values)


@dataclass
class Rig:
    server: DemoServer
    store: Store
    bus: EventBus
    recorder: Recorder
    messaging: Messaging
    client: RingPlanClient
    listener: RingPlanListener

    def api(self) -> httpx.Client:
        c = self.server.credentials
        return httpx.Client(
            base_url=self.server.url,
            headers={"Authorization": f"Bearer {c.api_key}", "X-User-Id": c.user_id},
        )

    def server_messages(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.api() as api:
            return list(
                api.get(
                    f"/texting/conversations/{conversation_id}/messages", params={"per_page": 1000}
                ).json()
            )


async def until(condition: Callable[[], Any], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await _truth(condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def _truth(value: Any) -> bool:
    if asyncio.iscoroutine(value):
        value = await value
    return bool(value)


async def make_rig(
    server: DemoServer, path: Path, policy: OutboxPolicy | None = None, **client_kw: Any
) -> Rig:
    bus = EventBus()
    recorder = Recorder(bus)
    store = Store(path)
    credentials = credentials_of(server)
    client = RingPlanClient(server.url, credentials, backoff=Backoff(base=0.01, cap=0.05), **client_kw)
    listener = RingPlanListener(
        server.url, credentials, bus.publish, backoff=Backoff(base=0.01, cap=0.05, rng=random.Random(2))
    )
    messaging = Messaging(store, bus, ContactBook(store, bus), outbox_policy=policy or quick_policy())
    listener.start()
    await messaging.attach(client, listener)
    return Rig(server, store, bus, recorder, messaging, client, listener)


async def close_rig(rig: Rig) -> None:
    await rig.messaging.detach()
    await rig.listener.stop()
    await rig.client.aclose()
    rig.store.close()


@contextlib.asynccontextmanager
async def running(
    server: DemoServer, path: Path, policy: OutboxPolicy | None = None, **kw: Any
) -> AsyncIterator[Rig]:
    """A caught-up rig, closed on exit. Entered inside the test: async fixtures that leave
    network tasks running between setup and the test body let qasync step them with no
    running loop (anyio then fails in httpcore)."""
    rig = await make_rig(server, path, policy, **kw)
    try:
        await asyncio.wait_for(rig.messaging.wait_caught_up(), 20)
        yield rig
    finally:
        await close_rig(rig)


async def online(rig: Rig) -> None:
    await rig.recorder.wait_for(
        lambda e: isinstance(e, ConnectionChanged) and e.state is ConnectionState.ONLINE
    )


# -- catch-up and the list ---------------------------------------------------------------


async def test_catch_up_lists_every_conversation_newest_first_with_names_and_unread(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        with rig.api() as api:
            server = api.get("/texting/conversations", params={"per_page": 1000}).json()
        summaries = await rig.messaging.conversations()
        assert [s.conversation_id for s in summaries] == [c["id"] for c in server]
        by_id = {c["id"]: c for c in server}
        for summary in summaries:
            wire = by_id[summary.conversation_id]
            contact = wire["contactinfo"]
            assert summary.title == f"{contact['first_name']} {contact['last_name']}".strip()
            assert summary.unread_count == wire["countunreadmessages"]
            assert summary.preview == " ".join(wire["lastmessage"]["text"].split())
            assert summary.last_direction == Direction(wire["lastmessage"]["direction"])
            assert summary.number.startswith("+1") and summary.our_number.startswith("+1")
        assert await rig.messaging.unread_total() == sum(c["countunreadmessages"] for c in server)
        filtered = await rig.messaging.conversations(summaries[3].title.split()[0].upper())
        assert summaries[3] in filtered and len(filtered) < len(summaries)


async def test_messages_before_pages_back_through_the_whole_thread(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        summaries = await rig.messaging.conversations()
        cid = summaries[0].conversation_id
        for i in range(230):  # more than a server page beyond what the catch-up stored
            rig.server.db.add_inbound(cid, f"older {i}")
        expected = [m["id"] for m in reversed(rig.server_messages(cid))]
        # A fresh profile: only the newest page is fetched by the catch-up.
        other = await make_rig(rig.server, rig.store.path.with_name("other.sqlite3"))
        try:
            await asyncio.wait_for(other.messaging.wait_caught_up(), 20)
            seen: list[Message] = []
            before: Message | None = None
            while True:
                page = await other.messaging.messages_before(cid, before, 40)
                if not page:
                    break
                assert page == sorted(page, key=lambda m: m.created_at)
                seen[:0] = page
                before = page[0]
            assert [m.id for m in seen] == expected
        finally:
            await close_rig(other)


async def test_a_live_message_is_stored_once_and_published(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        cid = (await rig.messaging.conversations())[5].conversation_id
        sent = rig.server.emit_inbound_message("Is <b>this</b> on?", cid)
        await rig.recorder.wait_for(
            lambda e: isinstance(e, ThreadMessagesChanged) and any(m.id == sent["id"] for m in e.messages)
        )
        arrived = await rig.recorder.wait_for(lambda e: isinstance(e, InboundMessagesArrived))
        assert [m.id for m in arrived.messages] == [sent["id"]]
        # The same payload again (a replay) changes nothing and is not notified again.
        rig.server.emit_raw("texting.message.new", sent)
        await asyncio.sleep(0.3)
        assert len(rig.recorder.of(InboundMessagesArrived)) == 1
        page = await rig.messaging.messages_before(cid, None, 5)
        assert page[-1].id == sent["id"] and page[-1].text == "Is <b>this</b> on?"
        assert [m.id for m in page].count(sent["id"]) == 1
        summary = (await rig.messaging.summaries([cid]))[0]
        assert summary.preview == "Is <b>this</b> on?" and summary.last_direction is Direction.INBOUND


async def test_messages_that_arrive_while_offline_are_caught_up(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        await rig.listener.stop()
        cid = (await rig.messaging.conversations())[2].conversation_id
        missed = [rig.server.db.add_inbound(cid, f"while away {i}") for i in range(3)]
        rig.recorder.events.clear()
        rig.listener.start()
        arrived = await rig.recorder.wait_for(lambda e: isinstance(e, InboundMessagesArrived), within=15)
        assert [m.id for m in arrived.messages] == [m["id"] for m in missed if m]
        page = await rig.messaging.messages_before(cid, None, 3)
        assert [m.text for m in page] == ["while away 0", "while away 1", "while away 2"]


# -- sending -----------------------------------------------------------------------------


async def test_send_returns_pending_then_the_message_is_sent_once(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[1].conversation_id
        message = await rig.messaging.send("Hello from the outbox", conversation_id=cid)
        assert message.delivery is DeliveryState.PENDING and message.id == "" and message.stamp_id
        assert message.from_number.startswith("+1") and message.to_number.startswith("+1")
        sent = await rig.recorder.wait_for(
            lambda e: isinstance(e, ThreadMessagesChanged)
            and any(m.stamp_id == message.stamp_id and m.delivery is DeliveryState.SENT for m in e.messages)
        )
        confirmed = next(m for m in sent.messages if m.stamp_id == message.stamp_id)
        assert confirmed.id and confirmed.key == message.key
        on_server = [m for m in rig.server_messages(cid) if m["stamp_id"] == message.stamp_id]
        assert len(on_server) == 1 and on_server[0]["text"] == "Hello from the outbox"
        page = await rig.messaging.messages_before(cid, None, 3)
        assert page[-1].stamp_id == message.stamp_id and page[-1].delivery is DeliveryState.SENT
        assert await rig.store.call(rows.outbox_entries) == []


async def test_send_to_a_new_number_creates_the_conversation(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        numbers = await rig.messaging.sending_numbers()
        assert numbers and all(n.number for n in numbers)
        message = await rig.messaging.send("Welcome!", to_number="(619) 555-0142")
        summary = (await rig.messaging.summaries([message.conversation_id]))[0]
        assert summary.number == "+16195550142"
        await until(lambda: _sent(rig, message))
        # The same number again uses the same conversation.
        again = await rig.messaging.send("Second", to_number="+1 619 555 0142")
        assert again.conversation_id == message.conversation_id


async def _sent(rig: Rig, message: Message) -> bool:
    stored = await rig.store.call(rows.get_message, message.stamp_id)
    return stored is not None and stored.delivery is DeliveryState.SENT


async def test_send_validates_what_it_is_given(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        with pytest.raises(ValueError, match="empty"):
            await rig.messaging.send("   ", conversation_id="x")
        with pytest.raises(ValueError, match="not a phone number"):
            await rig.messaging.send("hi", to_number="call me")
        with pytest.raises(ValueError, match="texting numbers"):
            await rig.messaging.send("hi", to_number="+16195550199", from_number="+12025550100")


async def test_a_refused_message_fails_in_words_then_retry_sends_it(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[0].conversation_id
        rig.server.inject_faults(f"/texting/conversations/{cid}/messages/publish", [400])
        message = await rig.messaging.send("try me", conversation_id=cid)
        failed = await rig.recorder.wait_for(
            lambda e: isinstance(e, ThreadMessagesChanged)
            and any(m.delivery is DeliveryState.FAILED for m in e.messages)
        )
        bad = failed.messages[0]
        assert bad.stamp_id == message.stamp_id and "Not sent" in bad.error and "400" in bad.error
        retried = await rig.messaging.retry(message.stamp_id)
        assert retried is not None and retried.delivery is DeliveryState.PENDING
        await until(lambda: _sent(rig, message))
        assert [m["stamp_id"] for m in rig.server_messages(cid)].count(message.stamp_id) == 1


async def test_a_failed_message_can_be_discarded(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[0].conversation_id
        rig.server.inject_faults(f"/texting/conversations/{cid}/messages/publish", [403])
        message = await rig.messaging.send("nope", conversation_id=cid)
        await until(lambda: _failed(rig, message))
        assert await rig.messaging.discard(message.stamp_id)
        removed = rig.recorder.of(ThreadMessagesRemoved)[-1]
        assert removed.message_ids_or_stamps == (message.stamp_id,)
        assert await rig.store.call(rows.get_message, message.stamp_id) is None
        assert not await rig.messaging.discard(message.stamp_id)


async def _failed(rig: Rig, message: Message) -> bool:
    stored = await rig.store.call(rows.get_message, message.stamp_id)
    return stored is not None and stored.delivery is DeliveryState.FAILED


async def test_a_publish_whose_answer_is_lost_is_not_sent_again(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    # The server stores the message, but answers after the client gave up waiting.
    rig = await make_rig(demo_server, tmp_path / "c.sqlite3", quick_policy(settle=1.0), timeout=0.3)
    try:
        await asyncio.wait_for(rig.messaging.wait_caught_up(), 20)
        cid = (await rig.messaging.conversations())[0].conversation_id
        await rig.listener.stop()  # no live echo: only the outbox's own check can tell
        demo_server.inject_faults(
            f"/texting/conversations/{cid}/messages/publish", [LATE_ANSWER], delay=0.6
        )
        message = await rig.messaging.send("exactly once", conversation_id=cid)
        await until(lambda: _sent(rig, message), within=15)
        assert [m["stamp_id"] for m in rig.server_messages(cid)].count(message.stamp_id) == 1
        assert demo_server.db.repeated_stamp_publishes == 0
    finally:
        await close_rig(rig)


async def test_5xx_and_429_are_retried(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[0].conversation_id
        path = f"/texting/conversations/{cid}/messages/publish"
        rig.server.inject_faults(path, [503, 500], delay=0)
        rig.server.inject_faults(path, [429, 429, 429, 429], retry_after=0)
        message = await rig.messaging.send("persistent", conversation_id=cid)
        await until(lambda: _sent(rig, message), within=15)
        assert [m["stamp_id"] for m in rig.server_messages(cid)].count(message.stamp_id) == 1


async def test_the_outbox_survives_a_restart(demo_server: DemoServer, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    store = Store(path)
    bus = EventBus()
    offline = Messaging(store, bus, ContactBook(store, bus))
    conversation = demo_server.db.conversation_ids()[0]
    # Queued before any connection (the conversation is known from an earlier run).
    await store.call(rows.upsert_conversations, [rows.ConversationInfo(conversation, number="+16195550100")])
    queued = [await offline.send(f"queued {i}", conversation_id=conversation) for i in range(3)]
    store.close()
    rig = await make_rig(demo_server, path)
    try:
        for message in queued:
            await until(lambda m=message: _sent(rig, m), within=15)
        texts = [m["text"] for m in rig.server_messages(conversation)]
        assert [t for t in texts if t.startswith("queued")] == ["queued 2", "queued 1", "queued 0"]
    finally:
        await close_rig(rig)


# -- read marks, deletes, search ---------------------------------------------------------


async def first_unread(rig: Rig) -> ConversationSummary:
    return next(s for s in await rig.messaging.conversations() if s.unread_count)


def all_read_on_server(rig: Rig, conversation_id: str) -> bool:
    return all(m["is_read"] for m in rig.server_messages(conversation_id))


async def test_mark_read_clears_unread_here_and_on_the_server(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        unread = await first_unread(rig)
        cid = unread.conversation_id
        marked = await rig.messaging.mark_read(cid)
        assert marked == unread.unread_count
        assert (await rig.messaging.summaries([cid]))[0].unread_count == 0
        assert ConversationsChanged((cid,)) in rig.recorder.events
        await until(lambda: all_read_on_server(rig, cid))


async def test_read_marks_from_another_device_update_unread_counts(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        unread = await first_unread(rig)
        cid = unread.conversation_id
        ids = [m["id"] for m in rig.server_messages(cid) if not m["is_read"]]
        with rig.api() as api:
            api.patch(f"/texting/conversations/{cid}/messages/{ids[0]}", json={"is_read": True})

        async def dropped() -> bool:
            return (await rig.messaging.summaries([cid]))[0].unread_count == unread.unread_count - 1

        await until(dropped)


async def test_delete_messages_and_conversations(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        cid = (await rig.messaging.conversations())[4].conversation_id
        page = await rig.messaging.messages_before(cid, None, 10)
        await rig.messaging.delete_messages(cid, [page[-1].id])
        assert page[-1].id not in [m["id"] for m in rig.server_messages(cid)]
        assert page[-1].id not in [m.id for m in await rig.messaging.messages_before(cid, None, 10)]
        assert any(
            isinstance(e, ThreadMessagesRemoved) and page[-1].id in e.message_ids_or_stamps
            for e in rig.recorder.events
        )
        await rig.messaging.delete_conversation(cid)
        assert cid not in [s.conversation_id for s in await rig.messaging.conversations()]
        with rig.api() as api:
            assert api.get(f"/texting/conversations/{cid}/messages").status_code == 404


async def test_deletes_on_the_server_reach_the_store(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        summaries = await rig.messaging.conversations()
        cid = summaries[6].conversation_id
        victim = (await rig.messaging.messages_before(cid, None, 1))[0]
        with rig.api() as api:
            api.delete(f"/texting/conversations/{cid}/messages", params={"ids": [victim.id]})
            api.delete(f"/texting/conversations/{summaries[7].conversation_id}")
        await until(lambda: _gone(rig, victim.id))

        async def conversation_gone() -> bool:
            ids = [s.conversation_id for s in await rig.messaging.conversations()]
            return summaries[7].conversation_id not in ids

        await until(conversation_gone)


async def test_deletes_made_on_the_server_while_offline_are_caught_up(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        summaries = await rig.messaging.conversations()
        newest_gone, middle_gone, emptied = (s.conversation_id for s in summaries[3:6])
        before = {
            cid: await rig.messaging.messages_before(cid, None, 100)
            for cid in (newest_gone, middle_gone, emptied)
        }
        assert all(len(page) >= 3 for page in before.values())
        await rig.listener.stop()
        db = rig.server.db  # another device deletes while we are not listening: no live events
        assert db.delete_messages(newest_gone, [before[newest_gone][-1].id])
        assert db.delete_messages(middle_gone, [before[middle_gone][1].id])
        assert db.add_inbound(middle_gone, "after the delete") is not None
        assert db.delete_messages(emptied, [m.id for m in before[emptied]])
        rig.recorder.events.clear()
        rig.listener.start()

        async def texts(cid: str) -> list[str]:
            return [m.text for m in await rig.messaging.messages_before(cid, None, 100)]

        await until(lambda: _gone(rig, before[newest_gone][-1].id), within=15)
        await until(lambda: _gone(rig, before[middle_gone][1].id))
        assert await texts(newest_gone) == [m.text for m in before[newest_gone][:-1]]
        expected = [m.text for m in before[middle_gone] if m is not before[middle_gone][1]]
        assert await texts(middle_gone) == [*expected, "after the delete"]
        await until(lambda: _empty(rig, emptied))
        removed = {
            key
            for e in rig.recorder.events
            if isinstance(e, ThreadMessagesRemoved)
            for key in e.message_ids_or_stamps
        }
        gone = [before[newest_gone][-1], before[middle_gone][1], *before[emptied]]
        assert {m.id for m in gone} <= removed
        # the list shows the message now newest
        (summary,) = await rig.messaging.summaries([newest_gone])
        assert summary.preview == before[newest_gone][-2].text


async def _empty(rig: Rig, conversation_id: str) -> bool:
    return await rig.messaging.messages_before(conversation_id, None, 1) == []


async def _gone(rig: Rig, message_id: str) -> bool:
    return await rig.store.call(rows.get_message, message_id) is None


async def test_search_finds_the_conversation_and_the_message(demo_server: DemoServer, tmp_path: Path) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[3].conversation_id
        planted = rig.server.db.add_inbound(cid, "the zebra-striped invoice")
        assert planted is not None
        results = await rig.messaging.search("zebra-striped")
        assert [(s.conversation_id, m.id if m else None) for s, m in results] == [(cid, planted["id"])]
        assert await rig.messaging.search("  ") == []


async def test_without_a_connection_reads_serve_the_store(demo_server: DemoServer, tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    rig = await make_rig(demo_server, path)
    await asyncio.wait_for(rig.messaging.wait_caught_up(), 20)
    listed = await rig.messaging.conversations()
    await close_rig(rig)
    store = Store(path)
    bus = EventBus()
    offline = Messaging(store, bus, ContactBook(store, bus))
    try:
        assert await offline.conversations() == listed
        assert await offline.messages_before(listed[0].conversation_id, None, 5)
        assert await offline.sending_numbers()
        with pytest.raises(NetworkError):
            await offline.delete_conversation(listed[0].conversation_id)
        with pytest.raises(NetworkError):
            await offline.send("hi", to_number="+16195550177")
    finally:
        store.close()


# -- failures: network, refusals, malformed payloads ------------------------------------


async def test_a_message_sent_while_the_server_is_down_goes_out_once_it_is_back(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[0].conversation_id
        await asyncio.get_running_loop().run_in_executor(None, demo_server.stop)
        message = await rig.messaging.send("are you there?", conversation_id=cid)
        await asyncio.sleep(0.5)  # a few attempts fail to connect
        stored = await rig.store.call(rows.get_message, message.stamp_id)
        assert stored is not None and stored.delivery is DeliveryState.PENDING
        await asyncio.get_running_loop().run_in_executor(None, demo_server.start)
        await until(lambda: _sent(rig, message), within=20)
        assert [m["stamp_id"] for m in rig.server_messages(cid)].count(message.stamp_id) == 1


async def test_read_marks_the_server_did_not_get_are_sent_after_the_next_catch_up(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        unread = await first_unread(rig)
        cid = unread.conversation_id
        demo_server.inject_faults(f"/texting/conversations/{cid}/messages/", [503] * 40)
        await rig.listener.stop()  # and no client event either
        await rig.messaging.mark_read(cid)
        await asyncio.sleep(0.5)
        assert not all(m["is_read"] for m in rig.server_messages(cid))
        demo_server.clear_faults()
        assert (await rig.messaging.summaries([cid]))[0].unread_count == 0
        rig.listener.start()  # back online: catch-up, then the marks go out again
        await until(lambda: all_read_on_server(rig, cid), within=20)
        await until(lambda: _no_read_marks_pending(rig))
        assert (await rig.messaging.summaries([cid]))[0].unread_count == 0


async def _no_read_marks_pending(rig: Rig) -> bool:
    return await rig.store.call(rows.read_marks_pending) == {}


async def test_a_message_to_a_deleted_conversation_fails_in_words(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        cid = (await rig.messaging.conversations())[0].conversation_id
        # The server answers that it has no such conversation (deleted elsewhere).
        demo_server.inject_faults(f"/texting/conversations/{cid}/messages/publish", [404])
        message = await rig.messaging.send("hello?", conversation_id=cid)
        await until(lambda: _failed(rig, message))
        stored = await rig.store.call(rows.get_message, message.stamp_id)
        assert stored is not None
        assert stored.error == "Not sent: The conversation no longer exists on the server"


async def test_a_refused_api_key_fails_messages_in_words_and_keeps_the_store(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    path = tmp_path / "cache.sqlite3"
    async with running(demo_server, path) as rig:
        listed = await rig.messaging.conversations()
    bus = EventBus()
    store = Store(path)
    c = demo_server.credentials
    bad = credentials_of(demo_server)
    client = RingPlanClient(demo_server.url, type(bad)("not-the-key", c.user_id, c.user_email))
    listener = RingPlanListener(demo_server.url, type(bad)("not-the-key", c.user_id, ""), bus.publish)
    messaging = Messaging(store, bus, ContactBook(store, bus), outbox_policy=quick_policy(max_attempts=2))
    await messaging.attach(client, listener)
    try:
        message = await messaging.send("hi", conversation_id=listed[0].conversation_id)
        deadline = asyncio.get_running_loop().time() + 10
        while (stored := await store.call(rows.get_message, message.stamp_id)) is None or (
            stored.delivery is not DeliveryState.FAILED
        ):
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        assert "API key" in stored.error and "not-the-key" not in stored.error
        assert [s.conversation_id for s in await messaging.conversations()] == [
            s.conversation_id for s in listed
        ]
    finally:
        await messaging.detach()
        await client.aclose()
        store.close()


async def test_malformed_messages_from_the_server_are_skipped_not_fatal(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    cid = demo_server.db.conversation_ids()[2]
    good = demo_server.db.add_inbound(cid, "good one")
    broken = demo_server.db.add_inbound(cid, "broken one")
    assert good and broken
    with sqlite3.connect(demo_server.db_path) as conn:  # as a buggy server might send it
        conn.execute("UPDATE messages SET created_at = 'yesterday-ish' WHERE id = ?", (broken["id"],))
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        texts = [m.text for m in await rig.messaging.messages_before(cid, None, 50)]
        assert "good one" in texts and "broken one" not in texts
        demo_server.emit_raw("texting.message.new", {"id": "x", "text": "no conversation, no date"})
        demo_server.emit_raw("texting.message.new", "not even an object")
        later = demo_server.emit_inbound_message("still listening", cid)
        await until(lambda: _stored(rig, later["id"]))


async def _stored(rig: Rig, message_id: str) -> bool:
    return await rig.store.call(rows.get_message, message_id) is not None


async def test_unread_messages_older_than_the_first_page_are_counted(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    cid = demo_server.db.conversation_ids()[1]
    unread = demo_server.db.add_inbound_many(cid, [f"unread {i}" for i in range(30)])
    assert unread is not None
    newer = demo_server.db.add_inbound_many(cid, [f"read {i}" for i in range(150)])
    assert newer is not None
    with sqlite3.connect(demo_server.db_path) as conn:  # newer and read: the unread are on page 2
        conn.executemany("UPDATE messages SET is_read = 1 WHERE id = ?", [(m["id"],) for m in newer])
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        summary = (await rig.messaging.summaries([cid]))[0]
        assert summary.unread_count == 30
        await rig.messaging.mark_read(cid)
        await until(lambda: all_read_on_server(rig, cid), within=20)


async def test_each_new_inbound_message_is_notified_once_with_the_texting_contacts_name(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        tasks = TaskGroup("test")
        notifier = InboundMessageNotifier(rig.bus, ContactBook(rig.store, rig.bus), tasks)
        try:
            await online(rig)
            summary = (await rig.messaging.conversations())[4]
            texts = ["first <i>one</i>", "second"]
            sent = await asyncio.get_running_loop().run_in_executor(
                None, demo_server.emit_inbound_messages, summary.conversation_id, texts
            )
            await until(lambda: len(rig.recorder.of(NotificationRequested)) >= 2)
            demo_server.emit_raw("texting.message.new", sent[0])  # a replay: not new
            await asyncio.sleep(0.3)
            notes = rig.recorder.of(NotificationRequested)
            assert [(n.title, n.body, n.conversation_id) for n in notes] == [
                (summary.title, text, summary.conversation_id) for text in texts
            ]
        finally:
            notifier.close()
            await tasks.cancel_all()


async def test_read_marks_made_elsewhere_while_offline_are_caught_up(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        unread = await first_unread(rig)
        cid = unread.conversation_id
        await rig.listener.stop()
        ids = [m["id"] for m in rig.server_messages(cid) if not m["is_read"]]
        demo_server.db.set_read(cid, ids, True)  # another device read them meanwhile
        rig.listener.start()

        async def read_here() -> bool:
            return (await rig.messaging.summaries([cid]))[0].unread_count == 0

        await until(read_here, within=20)
        page = await rig.messaging.messages_before(cid, None, 50)
        assert all(m.is_read for m in page if m.id in ids)


async def test_an_mms_arrives_with_its_preview_image_and_a_document_chip(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        cid = (await rig.messaging.conversations())[3].conversation_id
        c = demo_server.credentials
        photo = photo_file(random.Random(1), demo_server.db.company_id, c.user_id)
        files = [photo, document_file(demo_server.db.company_id, c.user_id)]
        sent = demo_server.emit_inbound_message("", cid, files=files)
        await until(lambda: _stored(rig, sent["id"]))
        message = (await rig.messaging.messages_before(cid, None, 1))[0]
        image, document = message.attachments
        assert image.preview == base64.b64decode(photo["preview"]["base64"])
        assert image.preview.startswith(b"\x89PNG") and image.preview_mimetype == "image/png"
        assert (image.mimetype, image.name) == ("image/jpeg", photo["name"])
        assert (document.name, document.mimetype) == ("invoice-2291.pdf", "application/pdf")
        assert document.preview == b""
        assert (await rig.messaging.summaries([cid]))[0].preview == "📎 2 attachments"
