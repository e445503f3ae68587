"""Chaos test A: 5,000 inbound messages while the live connection is dropped 50 times.

The embedded server stores and emits the messages in bursts; after each burst's first
half the server drops every socket (as a network failure would), the second half is
emitted while the client is away, and the next burst waits until it is back. The store
must end up with exactly the 5,000 messages, none twice, in the server's order.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from app.demo.server import DemoServer
from app.domain.events import InboundMessagesArrived
from app.domain.texting import Message
from app.store import texting as rows
from tests.integration.test_messaging import online, running, until

ROUNDS = 50
PER_ROUND = 100


def new_conversation(server: DemoServer) -> str:
    created = server.db.create_texting_contact("+16195550123", "Chaos", "Monkey")
    assert created is not None
    result = server.db.create_conversation(created[0]["id"], server.db.company_texting_numbers()[0])
    assert result is not None
    return str(result[0]["id"])


async def test_5000_inbound_messages_through_50_dropped_connections(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    cid = new_conversation(demo_server)
    loop = asyncio.get_running_loop()
    async with running(demo_server, tmp_path / "cache.sqlite3") as rig:
        await online(rig)
        expected: list[str] = []
        drops = 0
        for round_number in range(ROUNDS):
            half = PER_ROUND // 2
            first = [f"chaos {round_number}-{i}" for i in range(half)]
            second = [f"chaos {round_number}-{i}" for i in range(half, PER_ROUND)]
            sent = await loop.run_in_executor(None, demo_server.emit_inbound_messages, cid, first)
            expected.extend(m["id"] for m in sent)
            drops += await loop.run_in_executor(None, demo_server.disconnect_all_sockets) > 0
            sent = await loop.run_in_executor(None, demo_server.emit_inbound_messages, cid, second)
            expected.extend(m["id"] for m in sent)
            await until(lambda: demo_server.authenticated_socket_count() > 0, within=20)
        assert drops == ROUNDS

        async def all_stored() -> bool:
            return await rig.store.call(rows.message_count, cid) >= len(expected)

        await until(all_stored, within=60)
        await asyncio.sleep(0.5)  # anything still arriving would be a duplicate
        assert await rig.store.call(rows.message_count, cid) == ROUNDS * PER_ROUND

        seen: list[Message] = []
        before: Message | None = None
        while page := await rig.messaging.messages_before(cid, before, 500):
            seen[:0] = page
            before = page[0]
        assert len(seen) == ROUNDS * PER_ROUND
        assert [m.id for m in seen] == expected

        notified = Counter(m.id for e in rig.recorder.of(InboundMessagesArrived) for m in e.messages)
        assert notified and max(notified.values()) == 1  # never told twice about one message
        assert set(notified) <= set(expected)
        summary = (await rig.messaging.summaries([cid]))[0]
        assert summary.unread_count == ROUNDS * PER_ROUND
        assert summary.preview == f"chaos {ROUNDS - 1}-{PER_ROUND - 1}"
