"""The Voicemail pane on the embedded server: pages loaded as the list scrolls, filters, a real
WAV played by QtMultimedia, the "new" mark cleared by playing (and kept by the store),
save to a file, Call back, new voicemails on top, errors in words."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.demo.server import DemoServer
from app.demo.voicemail import add_voicemail
from app.domain.events import ConnectionChanged, ConnectionState
from app.domain.voicemail import VoicemailFilter
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.inbox_poller import PollSchedule
from app.services.session import RingPlanCompanyUsers
from app.services.voicemail import VoicemailService
from app.store.database import Store
from tests.integration.recording import credentials_of, served
from ui.bridge import EventBridge
from ui.voicemail_filters import CUSTOM
from ui.voicemail_pane import NO_MATCH, VoicemailPane, suggested_file_name

# No Python handler for Qt's messages here (pytest-qt installs one to capture them): the FFmpeg
# media backend logs from its own threads while QMediaPlayer.stop() waits for them on the Qt
# thread, which holds the GIL, and the handler would wait for the GIL: a deadlock (seen once
# in a few full runs, stuck in VoicemailPlayer.shut_down). The app installs no such handler.
pytestmark = pytest.mark.no_qt_log


async def until(condition: Callable[[], bool], within: float = 8.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@dataclass
class Rig:
    pane: VoicemailPane
    service: VoicemailService
    store: Store
    client: RingPlanClient
    bus: EventBus
    tmp: Path


@contextlib.asynccontextmanager
async def running_pane(qtbot: QtBot, server: DemoServer, tmp_path: Path) -> AsyncIterator[Rig]:
    """The pane on a service on the demo server. Set up and torn down inside the test itself,
    so that no task of the pane runs between pytest's phases, outside the event loop."""
    bus = EventBus()
    store = Store(tmp_path / "cache.sqlite3")
    client = RingPlanClient(server.url, credentials_of(server), backoff=Backoff(base=0.01, cap=0.05))
    await ContactBook(store, bus).sync(RingPlanCompanyUsers(client))
    service = VoicemailService(
        client, store, bus, tmp_path / "recordings", per_page=10, poll_schedule=PollSchedule(0.05, 0.2)
    )
    pane = VoicemailPane()
    qtbot.addWidget(pane)
    pane.resize(1100, 420)  # less than a page high: more pages load only on scrolling
    pane.show()
    pane.attach(service)
    try:
        await until(lambda: pane.model.rowCount() > 0 and not pane.model.loading)
        yield Rig(pane, service, store, client, bus, tmp_path)
    finally:
        await pane.close_pane()
        await service.close()
        await client.aclose()
        store.close()
        # Anything abandoned (an HTTP stream of a cancelled request) is finalised now, while
        # the loop runs, not later by the collector with no loop.
        await asyncio.sleep(0.05)
        gc.collect()


RigFactory = Callable[[], contextlib.AbstractAsyncContextManager[Rig]]


@pytest.fixture
def rig_of(qtbot: QtBot, demo_server: DemoServer, tmp_path: Path) -> RigFactory:
    return lambda: running_pane(qtbot, demo_server, tmp_path)


async def test_the_first_page_shows_and_scrolling_loads_the_rest(rig_of: RigFactory) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        assert pane.model.rowCount() == 10
        assert pane.footer.text() == "10 of 42 voicemails"
        # Checks every change from here on (it fetches more itself, as a view would).
        tester = QAbstractItemModelTester(pane.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
        assert pane.stack.currentWidget() is pane.list
        for _ in range(10):
            if pane.model.rowCount() == 42:
                break
            before = pane.model.rowCount()
            pane.list.scrollToBottom()
            await until(lambda before=before: pane.model.rowCount() > before)
        assert pane.model.rowCount() == 42
        ids = [pane.model.item(row).id for row in range(42)]  # type: ignore[union-attr]
        assert len(set(ids)) == 42
        times = [pane.model.item(row).voicemail.received_at for row in range(42)]  # type: ignore[union-attr]
        assert times == sorted(times, reverse=True)
        assert pane.footer.text() == "42 voicemails"
        pane.model.request_reload()  # a reset, checked by the tester too
        await until(lambda: pane.model.rowCount() > 0 and not pane.model.loading)
        del tester


async def test_a_voicemail_plays_and_is_then_no_longer_new(rig_of: RigFactory) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        first = pane.model.item(0)
        assert first is not None and first.is_new
        pane.select_row(0)
        await until(lambda: pane.player.source is not None)
        assert pane.player.source.read_bytes()[:4] == b"RIFF"
        pane.player.play()
        await until(lambda: pane.player.position() > 0)  # QtMultimedia decodes the real WAV
        assert pane.player.duration() == pytest.approx(first.voicemail.duration * 1000, abs=50)
        assert pane.player.position_label.text() != "0:00" or pane.player.position() < 1000
        await until(lambda: not pane.model.item(0).is_new)  # type: ignore[union-attr]
        assert pane.details.mark_new.isEnabled()
        pane.player.pause()
        await until(lambda: not pane.player.playing)

        # The mark is in the store: a new service on a reopened store still knows it.
        rig.store.close()
        reopened = Store(rig.tmp / "cache.sqlite3")
        try:
            again = VoicemailService(rig.client, reopened, rig.bus, rig.tmp / "recordings")
            items = (await again.page(VoicemailFilter(), 1)).items
            assert items[0].id == first.id and not items[0].is_new
            assert all(item.is_new for item in items[1:])
        finally:
            reopened.close()


async def test_seeking_moves_the_playback(rig_of: RigFactory) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        pane.select_row(2)
        await until(lambda: pane.player.source is not None)
        pane.player.play()
        await until(lambda: pane.player.position() > 0)
        pane.player.seek(2500)
        await until(lambda: pane.player.position() >= 2500)
        assert pane.player.slider.value() >= 2500


async def test_mark_as_new_puts_the_dot_back(rig_of: RigFactory) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        item = pane.model.item(1)
        assert item is not None
        await rig.service.mark_played(item.id)
        pane.model.set_new(item.id, False)
        pane.select_row(1)
        # Let the recording finish downloading: a download cancelled by the teardown can leave
        # httpx's response stream to the garbage collector, whose finalizer then fails outside
        # its task (seen as unraisable-exception warnings failing this test now and then).
        await until(lambda: pane.player.source is not None)
        assert pane.details.mark_new.isEnabled()
        pane.details.mark_new.click()
        await until(lambda: pane.model.item(1).is_new)  # type: ignore[union-attr]
        assert (await rig.service.describe([item.voicemail]))[0].is_new


async def test_save_audio_writes_the_exact_bytes(rig_of: RigFactory, demo_server: DemoServer) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        item = pane.model.item(3)
        assert item is not None and item.voicemail.audio is not None
        notices: list[str] = []
        pane.notice.connect(notices.append)
        target = rig.tmp / "saved" / suggested_file_name(item)
        target.parent.mkdir()
        assert await pane.save_to(item, target)
        assert target.read_bytes() == served(demo_server, item.voicemail.audio.link)
        assert notices and target.name in notices[0]
        errors: list[str] = []
        pane.error.connect(errors.append)
        assert not await pane.save_to(item, rig.tmp / "no such folder" / "x.wav")
        assert errors and "Could not save the voicemail" in errors[0]


async def test_call_back_dials_the_caller(rig_of: RigFactory) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        row = next(r for r in range(pane.model.rowCount()) if pane.model.item(r).caller.number)  # type: ignore[union-attr]
        item = pane.model.item(row)
        assert item is not None
        calls: list[str] = []
        pane.call_requested.connect(calls.append)
        pane.select_row(row)
        pane.details.call_back.click()
        assert calls == [item.caller.number]


async def test_filters_narrow_the_list_and_clear_restores_it(rig_of: RigFactory) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        destination = pane.model.item(0).voicemail.destination  # type: ignore[union-attr]
        pane.filters.destination.setText(destination)
        pane.filters.apply()
        wanted = int(destination)
        await until(lambda: pane.model.where.destination_extension == wanted and not pane.model.loading)
        shown = [pane.model.item(r) for r in range(pane.model.rowCount())]
        assert shown and all(i is not None and i.voicemail.destination == destination for i in shown)

        pane.filters.source.setText("99999")
        pane.filters.apply()
        await until(lambda: pane.message.text() == NO_MATCH)
        assert pane.stack.currentIndex() == 0

        pane.filters.range.setCurrentIndex(CUSTOM)
        pane.filters.from_date.setDate(pane.filters.to_date.date().addDays(3))
        assert pane.filter_problem.isVisibleTo(pane)
        assert "after the end date" in pane.filter_problem.text()

        pane.filters.clear()
        assert not pane.filter_problem.isVisibleTo(pane)
        await until(lambda: pane.model.where == VoicemailFilter() and pane.model.rowCount() == 10)


async def test_a_new_voicemail_appears_on_top(rig_of: RigFactory, demo_server: DemoServer) -> None:
    async with rig_of() as rig:
        bridge = EventBridge(rig.bus)
        bridge.voicemails_arrived.connect(rig.pane.on_voicemails_arrived)
        try:
            rig.service.start_polling()
            await until(lambda: rig.service.poller.polls >= 1)
            left = add_voicemail(demo_server.db)
            await until(lambda: rig.pane.model.item(0).id == left["_id"])  # type: ignore[union-attr]
            assert rig.pane.model.item(0).is_new  # type: ignore[union-attr]
            assert rig.pane.model.rowCount() == 11
            assert rig.pane.footer.text() == "11 of 43 voicemails"
        finally:
            bridge.close()


async def test_a_failing_server_is_explained_and_retried(rig_of: RigFactory, demo_server: DemoServer) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        demo_server.inject_faults("/voicemail/messages", [500] * 8)
        pane.filters.destination.setText("1001")
        pane.filters.apply()
        await until(lambda: pane.retry.isVisibleTo(pane))
        assert pane.message.text().startswith("Could not load voicemails")
        demo_server.clear_faults()
        pane.retry.click()
        await until(lambda: pane.stack.currentWidget() is pane.list and pane.model.rowCount() > 0)


async def test_a_missing_recording_is_explained(rig_of: RigFactory, demo_server: DemoServer) -> None:
    async with rig_of() as rig:
        pane = rig.pane
        demo_server.inject_faults("/voicemail/files", [404])
        pane.select_row(4)
        await until(lambda: "could not be downloaded" in pane.details.status.text())
        assert pane.player.source is None


def test_without_a_session_the_pane_says_why_it_is_empty(qtbot: QtBot) -> None:
    pane = VoicemailPane()
    qtbot.addWidget(pane)
    assert pane.message.text() == "Connecting to your mailbox…"
    pane.on_connection_changed(ConnectionChanged(ConnectionState.OFFLINE, detail="Not signed in."))
    assert pane.message.text().startswith("Not connected.")
    assert pane.message.text().endswith("Not signed in.")
    assert not pane.refresh.isEnabled()
