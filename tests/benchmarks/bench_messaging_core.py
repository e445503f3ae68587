"""Inbound SMS latency in the core: live event parsed by the listener -> stored in SQLite
-> ``ThreadMessagesChanged`` published (what the Messages pane reacts to).

    /tmp/venv/bin/python -m tests.benchmarks.bench_messaging_core [--events 1000] [--gap-ms 5]

Runs the app's way: a qasync loop (offscreen Qt), the embedded demo server on loopback in
its own thread, a real SQLite cache, the RingPlan listener and the messaging service,
caught up first. Then the server emits ``--events`` inbound messages into one
conversation, one every ``--gap-ms`` ms (steady), and again all at once (burst). For
each message the time from the listener's ``MessageReceived`` to the
``ThreadMessagesChanged`` that carries it is taken; p50/p95/max are printed with the load
average (the machine is shared). Then the store side of reading: the newest page of a
10,000-message thread, paging back through all of it, and the conversation list with the
demo's conversations and with 2,000. The UI's part (row + bubble, first screen) is
measured by the Messages pane's own benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(events: int, gap: float) -> None:
    from app.demo.server import DemoServer
    from app.domain.account import Credentials
    from app.domain.events import ConnectionChanged, ConnectionState, MessageReceived, ThreadMessagesChanged
    from app.providers.ringplan.realtime import RingPlanListener
    from app.providers.ringplan.rest import RingPlanClient
    from app.services.contact_book import ContactBook
    from app.services.event_bus import EventBus
    from app.services.messaging import Messaging
    from app.store.database import Store

    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory(prefix="ringdesk-bench-sms-") as tmp, DemoServer(
        Path(tmp) / "demo.sqlite3", contacts=200
    ) as server:
        c = server.credentials
        credentials = Credentials(c.api_key, c.user_id, c.user_email)
        bus = EventBus()
        store = Store(Path(tmp) / "cache.sqlite3")
        client = RingPlanClient(server.url, credentials)
        listener = RingPlanListener(server.url, credentials, bus.publish)
        messaging = Messaging(store, bus, ContactBook(store, bus))
        online = asyncio.Event()
        received: dict[str, float] = {}
        changed: dict[str, float] = {}

        def on_connection(event: ConnectionChanged) -> None:
            if event.state is ConnectionState.ONLINE:
                online.set()

        def on_received(event: MessageReceived) -> None:
            received.setdefault(event.message.id, time.perf_counter())

        def on_changed(event: ThreadMessagesChanged) -> None:
            now = time.perf_counter()
            for message in event.messages:
                if message.id in received:
                    changed.setdefault(message.id, now)

        bus.subscribe(ConnectionChanged, on_connection)
        bus.subscribe(MessageReceived, on_received)
        bus.subscribe(ThreadMessagesChanged, on_changed)
        listener.start()
        await messaging.attach(client, listener)
        await asyncio.wait_for(online.wait(), 20)
        await asyncio.wait_for(messaging.wait_caught_up(), 20)
        await asyncio.sleep(0.5)
        cid = server.db.conversation_ids()[0]

        async def wait_all(ids: list[str]) -> None:
            deadline = time.monotonic() + 60
            while not all(i in changed for i in ids):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {sum(i in changed for i in ids)} of {len(ids)} arrived")
                await asyncio.sleep(0.01)

        def steady() -> list[str]:
            ids = []
            for i in range(events):
                ids.append(server.emit_inbound_message(f"steady {i}", cid)["id"])
                time.sleep(gap)
            return ids

        ids = await loop.run_in_executor(None, steady)
        await wait_all(ids)
        report("steady", [(changed[i] - received[i]) * 1000 for i in ids], events, gap)

        texts = [f"burst {i}" for i in range(events)]
        ids = [m["id"] for m in await loop.run_in_executor(None, server.emit_inbound_messages, cid, texts)]
        await wait_all(ids)
        report("burst", [(changed[i] - received[i]) * 1000 for i in ids], events, 0.0)

        await messaging.detach()
        await listener.stop()
        await client.aclose()
        await thread_reads(messaging, store)
        store.close()


async def thread_reads(messaging: object, store: object) -> None:
    """The store side of opening a long thread: the newest page of a 10,000-message
    conversation, and paging back through it, served from the cache."""
    from datetime import UTC, datetime, timedelta

    from app.domain.texting import Direction, Message
    from app.services.messaging import Messaging
    from app.store import texting as rows
    from app.store.database import Store

    assert isinstance(messaging, Messaging) and isinstance(store, Store)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    long = [
        Message(
            f"long{i:06d}",
            "long-thread",
            Direction.INBOUND if i % 2 else Direction.OUTBOUND,
            "+16195550111",
            "+16195550100",
            f"message {i} " * 8,
            start + timedelta(seconds=37 * i),
            is_read=True,
        )
        for i in range(10_000)
    ]
    await store.call(rows.store_messages, long)
    newest: list[float] = []
    for _ in range(200):
        began = time.perf_counter()
        await messaging.messages_before("long-thread", None, 50)
        newest.append((time.perf_counter() - began) * 1000)
    report_reads("newest page of 10,000 (50 messages)", newest)
    paging: list[float] = []
    before = None
    while True:
        began = time.perf_counter()
        page = await messaging.messages_before("long-thread", before, 50)
        paging.append((time.perf_counter() - began) * 1000)
        if not page:
            break
        before = page[0]
    report_reads(f"paging back through it ({len(paging)} pages)", paging)
    for count in (len(await messaging.conversations()), 2_000):
        others = [
            Message(
                f"one{i:06d}",
                f"conv{i:06d}",
                Direction.INBOUND,
                f"+1619555{i:04d}",
                "+16195550100",
                "hi",
                start + timedelta(minutes=i),
            )
            for i in range(count - len(await messaging.conversations()))
        ]
        await store.call(rows.store_messages, others)
        summaries: list[float] = []
        for _ in range(20):
            began = time.perf_counter()
            listed = await messaging.conversations()
            summaries.append((time.perf_counter() - began) * 1000)
        report_reads(f"conversation list ({len(listed)} summaries)", summaries)


def report_reads(name: str, latencies: list[float]) -> None:
    print(
        f"{name}: p50 {statistics.median(latencies):.2f} ms, p95 {percentile(latencies, 0.95):.2f} ms, "
        f"max {max(latencies):.2f} ms"
    )


def report(name: str, latencies: list[float], events: int, gap: float) -> None:
    load = os.getloadavg()
    print(
        f"{name:>6}: {events} events, gap {gap * 1000:.0f} ms: "
        f"p50 {statistics.median(latencies):.2f} ms, p95 {percentile(latencies, 0.95):.2f} ms, "
        f"max {max(latencies):.2f} ms  (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--gap-ms", type=float, default=5.0)
    args = parser.parse_args(argv)

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run(args.events, args.gap_ms / 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
