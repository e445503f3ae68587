"""The Messages pane over the real messaging service, a real SQLite cache and the embedded
RingPlan server on loopback: list, live updates, paging, plain text, send/retry, read marks,
delete, search, new conversations and notifications."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.demo.media import document_file, photo_file
from app.demo.server import DemoServer
from app.domain.events import NotificationRequested
from app.domain.texting import DeliveryState, Direction
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.realtime import RingPlanListener
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.messaging import Messaging
from app.services.notifications import InboundMessageNotifier
from app.services.outbox import OutboxPolicy
from app.services.tasks import TaskGroup
from app.store.database import Store
from tests.integration.recording import credentials_of
from ui.bridge import EventBridge
from ui.message_format import display_number
from ui.message_notifications import MessageNotifications
from ui.message_style import LIGHT
from ui.messages_pane import MessagesPane
from ui.new_message_dialog import NewMessageDialog
from ui.thread_view import PAGE
from ui.unread_count import UnreadCount

HTML = '<b>bold</b> <img src="file:///etc/passwd"> <a href="https://evil.example/">click</a> &amp; done'


@dataclass
class Rig:
    server: DemoServer
    store: Store
    bus: EventBus
    messaging: Messaging
    bridge: EventBridge
    pane: MessagesPane
    shown: list[NotificationRequested]

    def api(self) -> httpx.Client:
        c = self.server.credentials
        return httpx.Client(
            base_url=self.server.url, headers={"Authorization": f"Bearer {c.api_key}", "X-User-Id": c.user_id}
        )

    def server_messages(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.api() as api:
            response = api.get(
                f"/texting/conversations/{conversation_id}/messages", params={"per_page": 1000}
            )
            return list(response.json())

    @property
    def thread(self) -> Any:
        return self.pane.thread_view

    def thread_texts(self) -> list[str]:
        return [m.text for m in self.thread.model.messages()]

    def row_of_text(self, text: str) -> int:
        model = self.thread.model
        for row in range(model.rowCount()):
            item = model.row(row)
            if item is not None and item.message is not None and item.message.text == text:
                return row
        return -1


async def until(condition: Callable[[], Any], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running_pane(demo_server: DemoServer, tmp_path: Path, qtbot: QtBot) -> AsyncIterator[Rig]:
    """Everything set up and torn down inside the test's own coroutine: between pytest's
    phases pytest-qt processes Qt events outside the qasync loop, which would run the
    service's network callbacks with no running loop."""
    # a conversation with a long history (older pages come from the server on scroll-up)
    long_id = demo_server.db.conversation_ids()[-1]
    for n in range(160):
        demo_server.db.add_inbound(long_id, f"history {n:03d}" + (" zebracorn" if n == 7 else ""))
    bus = EventBus()
    store = Store(tmp_path / "cache.sqlite3")
    credentials = credentials_of(demo_server)
    client = RingPlanClient(demo_server.url, credentials, backoff=Backoff(base=0.01, cap=0.05))
    listener = RingPlanListener(
        demo_server.url, credentials, bus.publish, backoff=Backoff(base=0.01, cap=0.05, rng=random.Random(2))
    )
    contacts = ContactBook(store, bus)
    policy = OutboxPolicy(
        max_attempts=3, backoff=Backoff(base=0.02, cap=0.05, rng=random.Random(3)), settle=0.3
    )
    messaging = Messaging(store, bus, contacts, outbox_policy=policy)
    tasks = TaskGroup("test-notifier")
    notifier = InboundMessageNotifier(bus, contacts, tasks)
    listener.start()
    await messaging.attach(client, listener)
    await asyncio.wait_for(messaging.wait_caught_up(), 20)

    bridge = EventBridge(bus)
    pane = MessagesPane(messaging)
    qtbot.addWidget(pane)
    pane.follow(bridge)
    shown: list[NotificationRequested] = []
    notifications = MessageNotifications(pane.is_in_front, window_ms=400)
    bridge.notification_requested.connect(notifications.add)
    notifications.ready.connect(shown.append)
    pane.resize(1100, 720)
    pane.show()
    pane.activateWindow()
    await pane.reload()
    try:
        yield Rig(demo_server, store, bus, messaging, bridge, pane, shown)
    finally:
        await pane.cancel_tasks()
        bridge.close()
        notifier.close()
        await tasks.cancel_all()
        await messaging.detach()
        await listener.stop()
        await client.aclose()
        store.close()


@pytest.fixture
def rig_factory(demo_server: DemoServer, tmp_path: Path, qtbot: QtBot) -> Callable[[], Any]:
    return lambda: running_pane(demo_server, tmp_path, qtbot)


async def open_row(rig: Rig, row: int) -> str:
    """Click a conversation row; returns its id once its first page is shown."""
    pane = rig.pane
    index = pane.model.index(row)
    pane.list.scrollTo(index)
    QtBot.mouseClick(
        pane.list.viewport(), Qt.MouseButton.LeftButton, pos=pane.list.visualRect(index).center()
    )
    cid = pane.model.summary(row).conversation_id  # type: ignore[union-attr]
    await until(lambda: rig.thread.conversation_id == cid and rig.thread.model.rowCount() > 0)
    return cid


async def test_list_shows_every_conversation_newest_first_and_follows_live_messages(
    rig_factory: Callable[[], Any],
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        QAbstractItemModelTester(pane.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
        expected = [s.conversation_id for s in await rig.messaging.conversations()]
        shown = [pane.model.summary(r).conversation_id for r in range(pane.model.rowCount())]  # type: ignore[union-attr]
        assert shown == expected and len(shown) > 30
        times = [pane.model.summary(r).last_message_at for r in range(pane.model.rowCount())]  # type: ignore[union-attr]
        assert all(a is not None and b is not None and a >= b for a, b in itertools.pairwise(times))
        with rig.api() as api:
            server_order = [
                c["id"] for c in api.get("/texting/conversations", params={"per_page": 1000}).json()
            ]
        assert shown == server_order

        opened = await open_row(rig, 1)
        other = pane.model.summary(5)
        assert other is not None
        before_unread = other.unread_count
        rig.server.emit_inbound_message("Are you in the office today?", other.conversation_id)
        await until(lambda: pane.model.summary(0).conversation_id == other.conversation_id)  # type: ignore[union-attr]
        top = pane.model.summary(0)
        assert top is not None and top.preview == "Are you in the office today?"
        assert top.unread_count == before_unread + 1
        assert rig.thread.conversation_id == opened  # the open thread stays
        assert "Are you in the office today?" not in rig.thread_texts()

        rig.server.emit_inbound_message("Reply in the open thread", opened)
        await until(lambda: rig.thread_texts()[-1:] == ["Reply in the open thread"])
        await until(lambda: pane.model.summary(0).conversation_id == opened)  # type: ignore[union-attr]
        # the thread is in front: the new message is marked read, here and on the server
        await until(lambda: pane.model.summary(0).unread_count == 0)  # type: ignore[union-attr]
        await until(
            lambda: all(m["is_read"] for m in rig.server_messages(opened) if m["direction"] == "inbound")
        )


async def test_scrolling_up_loads_older_pages_without_moving_what_is_shown(
    rig_factory: Callable[[], Any],
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        long_id = rig.server.db.conversation_ids()[0]  # it got 160 messages: now the newest
        await open_row(rig, pane.model.row_of(long_id))
        thread = rig.thread
        assert thread.model.message_count() == PAGE  # the newest page only, no full load
        bar = thread.list.verticalScrollBar()
        assert bar.value() == bar.maximum()  # opened at the newest message
        total = len(rig.server_messages(long_id))
        pages = 0
        while thread.model.has_older or thread._loading_older:
            loaded = thread.model.message_count()
            bar.setValue(0)  # the user reaches the top
            anchor = thread.model.row(thread.list.indexAt(QPoint(20, 30)).row())
            assert anchor is not None
            top_before = thread.list.visualRect(thread.model.index(thread.model.index_of(anchor))).top()
            await until(lambda n=loaded: thread.model.message_count() > n or not thread.model.has_older)
            await until(lambda: not thread._loading_older)
            if thread.model.message_count() > loaded:
                # the row that was at the top is still at the same place on screen
                top_after = thread.list.visualRect(thread.model.index(thread.model.index_of(anchor))).top()
                assert abs(top_after - top_before) <= 2
                assert bar.value() > 0
            pages += 1
            assert pages < 20
        ids = [m.id for m in thread.model.messages()]
        assert len(ids) == len(set(ids)) == total
        times = [m.created_at for m in thread.model.messages()]
        assert times == sorted(times)

        # reading old messages, a new one arrives: the view stays put and offers a way down
        bar.setValue(0)
        rig.server.emit_inbound_message("Meanwhile, a new one", long_id)
        await until(lambda: rig.thread_texts()[-1:] == ["Meanwhile, a new one"])
        await asyncio.sleep(0.05)
        assert bar.value() == 0 and thread.jump.isVisible()
        QtBot.mouseClick(thread.jump, Qt.MouseButton.LeftButton)
        assert bar.value() == bar.maximum() and not thread.jump.isVisible()


async def test_network_text_is_shown_literally_never_as_html(rig_factory: Callable[[], Any]) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        cid = pane.model.summary(3).conversation_id  # type: ignore[union-attr]
        rig.server.emit_inbound_message(HTML, cid)
        await until(lambda: pane.model.summary(0).preview == HTML)  # type: ignore[union-attr]
        assert HTML in pane.model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
        await open_row(rig, 0)
        thread = rig.thread
        row = rig.row_of_text(HTML)
        assert row >= 0
        index = thread.model.index(row)
        layout = thread.delegate.row_layout(index)
        assert layout is not None and layout.text is not None
        assert layout.text.text() == HTML  # laid out character for character
        # painted: the bubble is as wide as the literal text (HTML rendering would show "bold click & done")
        literal = QFontMetrics(thread.delegate.layouts.font).horizontalAdvance(HTML)
        rendered = QFontMetrics(thread.delegate.layouts.font).horizontalAdvance("bold click & done")
        thread.list.scrollTo(index)
        await asyncio.sleep(0.05)
        image = thread.list.viewport().grab().toImage()
        rect = thread.list.visualRect(index)
        y = rect.top() + layout.bubble.top() + 3
        bubble = [x for x in range(image.width()) if image.pixelColor(x, y) == LIGHT.inbound_bubble]
        assert bubble, "no bubble painted"
        width = max(bubble) - min(bubble)
        assert width >= min(literal, layout.bubble.width() - 30) > rendered
        # nothing in the pane interprets rich text
        for label in pane.findChildren(QLabel):
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


async def test_sending_shows_pending_at_once_then_sent(rig_factory: Callable[[], Any], qtbot: QtBot) -> None:
    async with rig_factory() as rig:
        cid = await open_row(rig, 2)
        thread = rig.thread
        states: list[DeliveryState] = []

        def on_inserted(_parent: QModelIndex, first: int, last: int) -> None:
            for r in range(first, last + 1):
                item = thread.model.row(r)
                if (
                    item is not None
                    and item.message is not None
                    and item.message.text.startswith("Running late")
                ):
                    states.append(item.message.delivery)

        thread.model.rowsInserted.connect(on_inserted)
        edit = thread.compose.edit
        edit.setFocus()
        qtbot.keyClicks(edit, "Running late")
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(edit, "by 10 minutes")
        assert edit.toPlainText() == "Running late\nby 10 minutes"  # Shift+Enter: a new line, nothing sent
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert edit.toPlainText() == ""
        await until(lambda: states == [DeliveryState.PENDING])
        await until(lambda: thread.model.newest_message().delivery is DeliveryState.SENT)  # type: ignore[union-attr]
        newest = thread.model.newest_message()
        assert newest is not None and newest.text == "Running late\nby 10 minutes" and newest.id
        assert rig.row_of_text("Running late\nby 10 minutes") == thread.model.rowCount() - 1  # one bubble
        assert [m["text"] for m in rig.server_messages(cid)].count("Running late\nby 10 minutes") == 1
        summary = rig.pane.model.summary(0)
        assert (
            summary is not None
            and summary.conversation_id == cid
            and summary.last_direction is Direction.OUTBOUND
        )


async def click_in_row(rig: Rig, row: int, point: QPoint) -> None:
    thread = rig.thread
    index = thread.model.index(row)
    thread.list.scrollTo(index)
    await asyncio.sleep(0.02)
    target = thread.list.visualRect(index).topLeft() + point
    QtBot.mouseClick(thread.list.viewport(), Qt.MouseButton.LeftButton, pos=target)


def message_box() -> QMessageBox:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def press(box: QMessageBox, label: str) -> None:
    button = next(b for b in box.findChildren(QPushButton) if b.text().replace("&", "") == label)
    button.click()


async def test_a_failed_send_offers_retry_and_delete(rig_factory: Callable[[], Any]) -> None:
    async with rig_factory() as rig:
        cid = await open_row(rig, 1)
        thread = rig.thread
        publish = f"/texting/conversations/{cid}/messages/publish"
        rig.server.inject_faults(publish, [503] * 3)
        await thread._send("This will fail first", thread._generation)
        await until(lambda: thread.model.newest_message().delivery is DeliveryState.FAILED)  # type: ignore[union-attr]
        row = thread.model.rowCount() - 1
        layout = thread.delegate.row_layout(thread.model.index(row))
        assert layout is not None and not layout.retry.isEmpty() and not layout.delete.isEmpty()
        assert rig.server_messages(cid)[0]["text"] != "This will fail first"
        await click_in_row(rig, row, layout.retry.center())
        await until(lambda: thread.model.newest_message().delivery is DeliveryState.SENT)  # type: ignore[union-attr]
        assert [m["text"] for m in rig.server_messages(cid)].count("This will fail first") == 1

        rig.server.inject_faults(publish, [503] * 3)
        await thread._send("This one is given up", thread._generation)
        await until(lambda: thread.model.newest_message().delivery is DeliveryState.FAILED)  # type: ignore[union-attr]
        row = thread.model.rowCount() - 1
        layout = thread.delegate.row_layout(thread.model.index(row))
        assert layout is not None
        await click_in_row(rig, row, layout.delete.center())
        press(message_box(), "Cancel")
        await asyncio.sleep(0.1)
        assert rig.row_of_text("This one is given up") >= 0  # cancelled: still there
        await click_in_row(rig, row, layout.delete.center())
        press(message_box(), "Delete")
        await until(lambda: rig.row_of_text("This one is given up") < 0)
        await asyncio.sleep(0.3)
        assert "This one is given up" not in [m["text"] for m in rig.server_messages(cid)]
        assert "This one is given up" not in [
            m.text for m in await rig.messaging.messages_before(cid, None, 50)
        ]


async def test_opening_a_thread_marks_it_read_and_other_devices_marks_update_counts(
    rig_factory: Callable[[], Any],
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        first, second = pane.model.summary(4), pane.model.summary(6)
        assert first is not None and second is not None
        for text in ("one", "two"):
            rig.server.emit_inbound_message(f"unread {text}", first.conversation_id)
            rig.server.emit_inbound_message(f"unread {text}", second.conversation_id)

        def latest(cid: str) -> str:
            shown = pane.model.summary(pane.model.row_of(cid))
            return shown.preview if shown is not None else ""

        # both got their two texts (seeded unread counts must not pass for them)
        await until(lambda: latest(first.conversation_id) == latest(second.conversation_id) == "unread two")
        counter = UnreadCount(rig.messaging)
        counter.follow(rig.bridge)
        totals: list[int] = []
        counter.changed.connect(totals.append)
        await counter.request_count()
        assert totals == [await rig.messaging.unread_total()] and totals[0] >= 4

        row = pane.model.row_of(first.conversation_id)
        await open_row(rig, row)
        await until(lambda: pane.model.summary(pane.model.row_of(first.conversation_id)).unread_count == 0)  # type: ignore[union-attr]
        await until(
            lambda: all(
                m["is_read"]
                for m in rig.server_messages(first.conversation_id)
                if m["direction"] == "inbound"
            )
        )
        # another device reads the second conversation: the count here follows
        unread = [m["id"] for m in rig.server_messages(second.conversation_id) if not m["is_read"]]
        assert unread
        with rig.api() as api:
            for message_id in unread:
                api.patch(
                    f"/texting/conversations/{second.conversation_id}/messages/{message_id}",
                    json={"is_read": True},
                ).raise_for_status()
        await until(lambda: pane.model.summary(pane.model.row_of(second.conversation_id)).unread_count == 0)  # type: ignore[union-attr]
        expected = await rig.messaging.unread_total()
        await until(lambda: totals[-1] == expected)
        assert totals[0] - expected >= 4  # the four new texts, read here and on another device
        await counter.cancel_tasks()


async def test_deleting_a_message_and_a_conversation_asks_first(rig_factory: Callable[[], Any]) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        cid = await open_row(rig, 0)
        thread = rig.thread
        victim = thread.model.newest_message()
        assert victim is not None and victim.id
        thread.ask_delete_message(victim)
        press(message_box(), "Cancel")
        await asyncio.sleep(0.1)
        assert thread.model.find(victim.id) >= 0
        thread.ask_delete_message(victim)
        press(message_box(), "Delete")
        await until(lambda: thread.model.find(victim.id) < 0)
        await until(lambda: victim.id not in [m["id"] for m in rig.server_messages(cid)])

        thread.ask_delete_conversation()
        press(message_box(), "Cancel")
        await asyncio.sleep(0.1)
        assert pane.model.row_of(cid) >= 0 and thread.conversation_id == cid
        thread.ask_delete_conversation()
        press(message_box(), "Delete conversation")
        await until(lambda: pane.model.row_of(cid) < 0)
        assert pane.right.currentWidget() is pane.placeholder
        with rig.api() as api:
            assert cid not in [
                c["id"] for c in api.get("/texting/conversations", params={"per_page": 1000}).json()
            ]


async def test_search_opens_the_thread_at_the_message_highlighted(
    rig_factory: Callable[[], Any], qtbot: QtBot
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        long_id = rig.server.db.conversation_ids()[0]
        reading = await open_row(rig, 1)
        fatal = QAbstractItemModelTester.FailureReportingMode.Fatal
        tester = QAbstractItemModelTester(pane.results_model, fatal)
        pane.focus_filter()
        qtbot.keyClicks(pane.filter, "zebracorn")
        await until(lambda: pane.results_model.rowCount() == 1, within=15)
        assert rig.thread.conversation_id == reading  # filtering the list opens nothing
        result = pane.results_model.result(0)
        assert result is not None and result.summary.conversation_id == long_id
        assert result.message is not None and result.message.text == "history 007 zebracorn"
        del tester  # it checked the results model through the search
        assert pane.results.isVisible()
        index = pane.results_model.index(0)
        QtBot.mouseClick(
            pane.results.viewport(), Qt.MouseButton.LeftButton, pos=pane.results.visualRect(index).center()
        )
        thread = rig.thread
        await until(
            lambda: thread.conversation_id == long_id and thread.model.find(result.message.id) >= 0, within=15
        )
        row = thread.model.find(result.message.id)
        await until(lambda: thread.model.row(row).highlighted)  # type: ignore[union-attr]
        await asyncio.sleep(0.05)
        visible = thread.list.viewport().rect()
        assert visible.intersects(thread.list.visualRect(thread.model.index(row)))
        assert thread.model.message_count() > PAGE  # older pages were loaded to reach it


async def test_new_message_to_a_typed_number_creates_the_conversation(
    rig_factory: Callable[[], Any], qtbot: QtBot
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        pane.new_message()
        dialog = pane.new_dialog
        assert isinstance(dialog, NewMessageDialog)
        qtbot.keyClicks(dialog.to, "12ab")
        assert dialog.problem.isVisible() and not dialog.start.isEnabled()
        dialog.to.clear()
        qtbot.keyClicks(dialog.to, "(415) 555-0142")
        await until(lambda: dialog.start.isEnabled())
        assert dialog.from_box.count() >= 1
        dialog.start.click()
        thread = rig.thread
        await until(lambda: thread.is_draft and thread.draft_number == "+14155550142")
        assert thread.model.rowCount() == 0 and thread.empty.isVisible()
        qtbot.keyClicks(thread.compose.edit, "Hello, new customer")
        qtbot.keyClick(thread.compose.edit, Qt.Key.Key_Return)
        await until(lambda: bool(thread.conversation_id))
        cid = thread.conversation_id
        await until(lambda: pane.model.row_of(cid) == 0)
        await until(lambda: thread.model.newest_message().delivery is DeliveryState.SENT)  # type: ignore[union-attr]
        assert [m["text"] for m in rig.server_messages(cid)] == ["Hello, new customer"]
        # "Send SMS" to that number again opens the same conversation
        pane.close_thread()
        pane.open_number("+1 415 555 0142")
        await until(lambda: thread.conversation_id == cid and thread.model.message_count() == 1)


async def test_notifications_skip_the_thread_in_front_and_name_the_sender(
    rig_factory: Callable[[], Any],
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        cid = await open_row(rig, 0)
        assert pane.conversation_in_front() == cid
        rig.server.emit_inbound_message("You are reading this one", cid)
        await until(lambda: rig.thread_texts()[-1:] == ["You are reading this one"])
        other = pane.model.summary(3)
        assert other is not None
        rig.server.emit_inbound_message("Call me back please", other.conversation_id)
        await until(lambda: bool(rig.shown))
        await asyncio.sleep(0.3)
        assert len(rig.shown) == 1
        note = rig.shown[0]
        assert note.conversation_id == other.conversation_id
        # the sender: named from the contact book, else the number
        assert note.title in {other.title, display_number(other.number)}
        assert "Call me back please" in note.body

        # a burst from two people becomes one notification, which opens the newest thread
        a, b = pane.model.summary(5), pane.model.summary(6)
        assert a is not None and b is not None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, rig.server.emit_inbound_messages, a.conversation_id, ["1", "2", "3"])
        await loop.run_in_executor(None, rig.server.emit_inbound_messages, b.conversation_id, ["4", "5"])
        await until(lambda: len(rig.shown) > 1)
        await asyncio.sleep(0.6)
        assert len(rig.shown) == 2
        burst = rig.shown[1]
        assert burst.title == "5 new messages from 2 people" and burst.conversation_id == b.conversation_id


async def test_keyboard_esc_leaves_ctrl_f_filters_and_unsent_text_waits_per_thread(
    rig_factory: Callable[[], Any], qtbot: QtBot
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        first = await open_row(rig, 0)
        edit = rig.thread.compose.edit
        edit.setFocus()
        qtbot.keyClicks(edit, "half a thought")
        second = await open_row(rig, 1)
        assert edit.toPlainText() == ""  # another thread: its own (empty) compose box
        await open_row(rig, pane.model.row_of(first))
        assert edit.toPlainText() == "half a thought"  # came back with the thread
        assert rig.thread.conversation_id != second

        qtbot.keyClick(edit, Qt.Key.Key_Escape)  # Esc leaves the thread
        assert pane.right.currentWidget() is pane.placeholder
        assert not pane.list.selectionModel().hasSelection()

        qtbot.keyClick(pane.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert pane.filter.hasFocus()
        wanted = pane.model.summary(2)
        assert wanted is not None
        qtbot.keyClicks(pane.filter, wanted.title)
        await until(lambda: pane.model.rowCount() >= 1 and pane.model.summary(0).title == wanted.title)  # type: ignore[union-attr]
        qtbot.keyClick(pane.filter, Qt.Key.Key_Return)  # into the list, on the first match
        assert pane.list.hasFocus()
        await until(lambda: rig.thread.conversation_id == wanted.conversation_id)
        qtbot.keyClick(pane.list, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(pane.filter, Qt.Key.Key_Escape)  # Esc in the filter clears it
        assert pane.filter.text() == ""
        assert rig.thread.conversation_id == wanted.conversation_id  # and leaves the thread open
        # every widget a screen reader meets has a name
        for widget in (pane.filter, pane.list, pane.results, pane.new_button, rig.thread.list, edit):
            assert widget.accessibleName()


async def test_mms_shows_the_photo_preview_and_a_named_chip_for_other_files(
    rig_factory: Callable[[], Any],
) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        cid = pane.model.summary(2).conversation_id  # type: ignore[union-attr]
        rng = random.Random(11)
        photo, document = photo_file(rng, "co", "u1"), document_file("co", "u1")
        rig.server.emit_inbound_message("Photos from the site", cid, files=[photo, document])
        await until(lambda: pane.model.summary(0).conversation_id == cid)  # type: ignore[union-attr]
        await open_row(rig, 0)
        thread = rig.thread
        row = rig.row_of_text("Photos from the site")
        index = thread.model.index(row)
        layout = thread.delegate.row_layout(index)
        assert layout is not None and len(layout.attachments) == 2
        picture, chip = layout.attachments
        assert picture.pixmap is not None and chip.pixmap is None
        preview = QImage.fromData(picture.attachment.preview)
        scale = 240 / max(preview.width(), preview.height())  # fitted into 240 x 240
        assert picture.rect.size().toTuple() == (
            round(preview.width() * scale),
            round(preview.height() * scale),
        )
        assert chip.attachment.name == document["name"] and chip.attachment.mimetype == "application/pdf"
        thread.list.scrollTo(index)
        await asyncio.sleep(0.05)
        image = thread.list.viewport().grab().toImage()
        top_left = thread.list.visualRect(index).topLeft() + picture.rect.topLeft()
        painted = image.pixelColor(top_left + picture.rect.center() - picture.rect.topLeft())
        expected = preview.pixelColor(preview.width() // 2, preview.height() // 2)
        assert max(abs(a - b) for a, b in zip(painted.getRgb(), expected.getRgb(), strict=True)) <= 4


async def test_deletes_made_on_another_device_reach_the_open_thread(rig_factory: Callable[[], Any]) -> None:
    async with rig_factory() as rig:
        pane = rig.pane
        notices: list[str] = []
        pane.notice.connect(notices.append)
        cid = await open_row(rig, 1)
        thread = rig.thread
        victim = thread.model.newest_message()
        assert victim is not None and victim.id
        with rig.api() as api:  # another device deletes a message, then the whole conversation
            api.delete(
                f"/texting/conversations/{cid}/messages", params={"ids": [victim.id]}
            ).raise_for_status()
            await until(lambda: thread.model.find(victim.id) < 0)
            api.delete(f"/texting/conversations/{cid}").raise_for_status()
        await until(lambda: pane.model.row_of(cid) < 0 and pane.right.currentWidget() is pane.placeholder)
        assert thread.conversation_id == "" and notices and "was deleted" in notices[-1]
