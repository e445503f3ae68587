"""Messages pane speed, with the real messaging service, store and (for live events) the
embedded RingPlan server on loopback.

    python -m tests.benchmarks.bench_messages_pane [--events 1000] [--history 10000]

1. Live: the open thread's conversation gets ``--events`` inbound messages, one after the
   other, from the demo server over Socket.IO. For each: from the moment the listener
   publishes the parsed message on the bus to the moment both views have painted it (the
   conversation row repainted with the new preview, and the new bubble painted in the
   open thread). Figures: p50 / p95 / max.
2. Open: two conversations of ``--history`` messages each in the cache; the user opens one,
   then the other, alternately. From the click to the first paint of the thread's bubbles.

Runs offscreen on a qasync loop, in one process; prints the load average too (the machine
is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from app.demo.server import DemoServer
from app.demo.texts import INBOUND_TEXTS
from app.domain.account import Credentials
from app.domain.events import MessageReceived
from app.domain.texting import ConversationSummary, Direction, Message
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.realtime import RingPlanListener
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.messaging import Messaging
from app.store import texting as rows
from app.store.database import Store
from ui.bridge import EventBridge
from ui.bubble_delegate import BubbleDelegate
from ui.conversation_delegate import ConversationDelegate
from ui.conversation_list_model import SummaryRole
from ui.messages_pane import MessagesPane

_Index = QModelIndex | QPersistentModelIndex


class PaintClock:
    """When each awaited text was first painted, per view."""

    def __init__(self) -> None:
        self.wanted: set[str] = set()
        self.painted: dict[tuple[str, str], float] = {}

    def saw(self, view: str, text: str) -> None:
        if text in self.wanted and (view, text) not in self.painted:
            self.painted[(view, text)] = time.perf_counter()


def timed_delegates(pane: MessagesPane, clock: PaintClock) -> None:
    """The pane's own delegates, noting the end of each paint of an awaited text."""
    thread = pane.thread_view

    class TimedBubbles(BubbleDelegate):
        def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
            super().paint(painter, option, index)
            row = thread.model.row(index.row())
            if row is not None and row.message is not None:
                clock.saw("thread", row.message.text)

    class TimedRows(ConversationDelegate):
        def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
            super().paint(painter, option, index)
            summary = index.data(SummaryRole)
            if isinstance(summary, ConversationSummary):
                clock.saw("list", summary.preview)

    thread.delegate = TimedBubbles(thread.list, thread.model)
    thread.list.setItemDelegate(thread.delegate)
    pane.list.setItemDelegate(TimedRows(pane.list))


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    median = statistics.median(ordered)
    return f"n={len(samples)}  p50 {median:.1f} ms  p95 {p95:.1f} ms  max {ordered[-1]:.1f} ms"


async def until(condition: Callable[[], bool], within: float = 20.0) -> None:
    deadline = time.perf_counter() + within
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.001)


async def live_events(count: int, work: Path) -> None:
    with DemoServer(work / "demo.sqlite3", contacts=50, traffic=False) as server:
        bus = EventBus()
        store = Store(work / "live-cache.sqlite3")
        c = server.credentials
        credentials = Credentials(c.api_key, c.user_id, c.user_email)
        client = RingPlanClient(server.url, credentials)
        listener = RingPlanListener(server.url, credentials, bus.publish, backoff=Backoff(base=0.05, cap=0.2))
        messaging = Messaging(store, bus, ContactBook(store, bus))
        listener.start()
        await messaging.attach(client, listener)
        await asyncio.wait_for(messaging.wait_caught_up(), 30)

        bridge = EventBridge(bus)
        pane = MessagesPane(messaging)
        pane.follow(bridge)
        clock = PaintClock()
        timed_delegates(pane, clock)
        pane.resize(1100, 720)
        pane.show()
        pane.activateWindow()
        await pane.reload()
        cid = pane.model.summary(0).conversation_id  # type: ignore[union-attr]
        pane.open_conversation(cid)
        await until(lambda: pane.thread_view.model.rowCount() > 0)
        await asyncio.sleep(0.5)

        published: dict[str, float] = {}
        bus.subscribe(MessageReceived, lambda e: published.setdefault(e.message.text, time.perf_counter()))
        loop = asyncio.get_running_loop()
        latencies: list[float] = []
        for n in range(count):
            text = f"Inbound {n:04d}: can you call me back about order #{random.randint(1000, 9999)}?"
            clock.wanted.add(text)
            await loop.run_in_executor(None, server.emit_inbound_message, text, cid)
            await until(lambda t=text: ("list", t) in clock.painted and ("thread", t) in clock.painted)
            done = max(clock.painted[("list", text)], clock.painted[("thread", text)])
            latencies.append((done - published[text]) * 1000)
        print(f"live inbound -> list row + thread bubble painted: {figures(latencies)}")
        print(f"  thread rows loaded at the end: {pane.thread_view.model.rowCount():,}")

        await pane.cancel_tasks()
        bridge.close()
        await messaging.detach()
        await listener.stop()
        await client.aclose()
        store.close()


def fill_history(store: Store, conversations: list[str], history: int) -> None:
    start = datetime.now(UTC) - timedelta(days=400)
    rng = random.Random(5)
    infos = [
        rows.ConversationInfo(
            id=cid,
            contact_id=f"contact-{cid}",
            contact_name=name,
            number=f"+1619555{index:04d}",
            our_number="+18585550100",
            last_message_at=start + timedelta(minutes=history * 50),
        )
        for index, (cid, name) in enumerate(zip(conversations, ("Ann Lee", "Bob Stone"), strict=False))
    ]
    store.call_blocking(rows.upsert_conversations, infos)
    for cid in conversations:
        batch: list[Message] = []
        for n in range(history):
            inbound = rng.random() < 0.5
            batch.append(
                Message(
                    id=f"{cid}-{n:06d}",
                    conversation_id=cid,
                    direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                    from_number="+16195550001" if inbound else "+18585550100",
                    to_number="+18585550100" if inbound else "+16195550001",
                    text=" ".join(rng.sample(INBOUND_TEXTS, rng.randint(1, 3))),
                    created_at=start + timedelta(minutes=n * 50),
                    is_read=True,
                )
            )
            if len(batch) == 2000:
                store.call_blocking(rows.store_messages, batch)
                batch = []
        if batch:
            store.call_blocking(rows.store_messages, batch)


async def open_history(history: int, rounds: int, work: Path) -> None:
    path = work / "history-cache.sqlite3"
    store = Store(path)
    conversations = ["big-a", "big-b"]
    started = time.perf_counter()
    await asyncio.get_running_loop().run_in_executor(None, fill_history, store, conversations, history)
    counts = [await store.call(rows.message_count, cid) for cid in conversations]
    print(f"cache: {counts} messages in two conversations (built in {time.perf_counter() - started:.1f} s)")
    bus = EventBus()
    messaging = Messaging(store, bus, ContactBook(store, bus))
    pane = MessagesPane(messaging)
    clock = PaintClock()
    timed_delegates(pane, clock)
    thread = pane.thread_view
    painted_rows: list[float] = []
    opening = [""]

    original = thread.delegate.paint

    def note_paint(painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        original(painter, option, index)
        row = thread.model.row(index.row())
        if row is not None and row.message is not None and row.message.conversation_id == opening[0]:
            painted_rows.append(time.perf_counter())  # a bubble of the conversation being opened

    thread.delegate.paint = note_paint  # type: ignore[method-assign]
    pane.resize(1100, 720)
    pane.show()
    await pane.reload()
    samples: list[float] = []
    for n in range(rounds):
        cid = conversations[n % 2]
        painted_rows.clear()
        opening[0] = cid
        clicked = time.perf_counter()
        pane.open_conversation(cid)
        await until(lambda c=cid: thread.conversation_id == c and bool(painted_rows))
        samples.append((painted_rows[0] - clicked) * 1000)
        await asyncio.sleep(0.05)
    print(f"open a {history:,}-message conversation -> first bubbles painted: first {samples[0]:.1f} ms;")
    print(f"  all opens {figures(samples)}; rows loaded: {thread.model.rowCount()}")
    await pane.cancel_tasks()
    store.close()


async def main(args: argparse.Namespace) -> None:
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="bench-messages-") as temp:
        work = Path(temp)
        await open_history(args.history, args.rounds, work)
        await live_events(args.events, work)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(main(arguments))
