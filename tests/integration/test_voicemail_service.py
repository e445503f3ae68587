"""The voicemail service on the embedded server: callers named from the contact book, "new"
marks in the store, the recording cache, and new-voicemail notifications by polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.demo.server import DemoServer
from app.demo.voicemail import add_voicemail
from app.domain.events import ConnectionChanged, ConnectionState, NotificationRequested, VoicemailsArrived
from app.domain.voicemail import Voicemail, VoicemailFilter, format_duration
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.inbox_poller import PollSchedule
from app.services.session import RingPlanCompanyUsers
from app.services.voicemail import VoicemailService, caller_number, readable_caller_id
from app.store.database import Store
from tests.integration.recording import Recorder, credentials_of, served


@dataclass
class Rig:
    service: VoicemailService
    client: RingPlanClient
    store: Store
    bus: EventBus
    recorder: Recorder


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def rig(demo_server: DemoServer, tmp_path: Path) -> AsyncIterator[Rig]:
    bus = EventBus()
    store = Store(tmp_path / "cache.sqlite3")
    async with RingPlanClient(
        demo_server.url, credentials_of(demo_server), backoff=Backoff(base=0.01, cap=0.05)
    ) as client:
        await ContactBook(store, bus).sync(RingPlanCompanyUsers(client))
        service = VoicemailService(
            client, store, bus, tmp_path / "voicemail-cache", per_page=10,
            poll_schedule=PollSchedule(fast=0.05, cap=0.2),
        )  # fmt: skip
        recorder = Recorder(bus)
        yield Rig(service, client, store, bus, recorder)
        await service.close()
    store.close()


async def test_pages_name_callers_from_the_contact_book(rig: Rig, demo_server: DemoServer) -> None:
    first = await rig.service.page(VoicemailFilter(), 1)
    assert len(first.items) == 10 and first.total == 42 and first.has_next
    everything = list(first.items)
    page = 1
    while everything[-1:] and len(everything) < 42:
        page += 1
        everything += (await rig.service.page(VoicemailFilter(), page)).items
    assert len({i.id for i in everything}) == 42
    users = {
        str(c["extension"]["number"]): f"{c['first_name']} {c['last_name']}"
        for c in demo_server.db.list_contacts(first_name=None, work_email=None, limit=1000, offset=0)[0]
    }
    colleagues = [i for i in everything if i.voicemail.source in users]
    outsiders = [i for i in everything if len(i.voicemail.source) > 6]
    assert colleagues and outsiders
    for item in colleagues:
        assert item.caller.name == users[item.voicemail.source]
        assert item.caller.number == item.voicemail.source
        assert item.caller.detail == f"ext. {item.voicemail.source}"
    for item in outsiders:
        assert item.caller.name == readable_caller_id(item.voicemail.source_name)  # caller-id name
        assert item.caller.number.startswith("+1") and item.caller.detail.startswith("(")
    assert all(item.is_new for item in everything)


async def test_filters_reach_the_server(rig: Rig) -> None:
    everything = (await rig.service.page(VoicemailFilter(), 1)).items
    newest = everything[0].voicemail
    mine = await rig.service.page(VoicemailFilter(destination_extension=int(newest.destination)), 1)
    assert mine.items and {i.voicemail.destination for i in mine.items} == {newest.destination}
    day = newest.received_at.date()
    recent = await rig.service.page(VoicemailFilter(from_date=day - timedelta(days=1), to_date=day), 1)
    assert recent.items
    assert all(day - timedelta(days=1) <= i.voicemail.received_at.date() <= day for i in recent.items)
    with pytest.raises(ValueError):
        VoicemailFilter(from_date=day, to_date=day - timedelta(days=1))


async def test_played_voicemails_are_not_new_even_after_a_restart(rig: Rig, tmp_path: Path) -> None:
    items = (await rig.service.page(VoicemailFilter(), 1)).items
    assert await rig.service.mark_played(items[1].id)
    assert not await rig.service.mark_played(items[1].id)
    again = (await rig.service.page(VoicemailFilter(), 1)).items
    assert [i.is_new for i in again[:3]] == [True, False, True]
    rig.store.close()
    reopened = Store(tmp_path / "cache.sqlite3")
    try:
        service = VoicemailService(rig.client, reopened, rig.bus, tmp_path / "voicemail-cache")
        after = (await service.page(VoicemailFilter(), 1)).items
        assert [i.is_new for i in after[:3]] == [True, False, True]
        assert await service.mark_played(items[1].id, played=False)
        assert (await service.page(VoicemailFilter(), 1)).items[1].is_new
    finally:
        reopened.close()


async def test_recordings_are_downloaded_once_and_saved_exactly(
    rig: Rig, demo_server: DemoServer, tmp_path: Path
) -> None:
    voicemail = (await rig.service.page(VoicemailFilter(), 1)).items[0].voicemail
    assert voicemail.audio is not None
    path = await rig.service.audio_file(voicemail)
    assert path.parent == tmp_path / "voicemail-cache"
    expected = served(demo_server, voicemail.audio.link)
    assert path.read_bytes() == expected
    demo_server.inject_faults("/voicemail/files", [500] * 10)  # would fail a second download
    assert await rig.service.audio_file(voicemail) == path
    saved = tmp_path / "Saved voicemail.wav"
    assert await rig.service.save_audio(voicemail, saved) == len(expected)
    assert saved.read_bytes() == expected
    demo_server.clear_faults()


async def test_new_voicemails_are_announced_once(rig: Rig, demo_server: DemoServer) -> None:
    rig.service.start_polling()
    poller = rig.service.poller
    await until(lambda: poller.polls >= 2)  # the baseline, then one quiet poll
    assert rig.recorder.of(NotificationRequested) == []
    left = add_voicemail(demo_server.db)
    arrived = await rig.recorder.wait_for(lambda e: isinstance(e, VoicemailsArrived), within=5)
    assert [v.id for v in arrived.voicemails] == [left["_id"]]
    note = await rig.recorder.wait_for(lambda e: isinstance(e, NotificationRequested))
    voicemail = arrived.voicemails[0]
    name = (await rig.service.describe([voicemail]))[0].caller.name
    assert note.body == f"Voicemail from {name} ({format_duration(voicemail.duration)})"
    assert note.title == "New voicemail"
    polls = poller.polls
    await until(lambda: poller.polls >= polls + 3)
    assert len(rig.recorder.of(NotificationRequested)) == 1


async def test_a_reconnect_polls_at_once(rig: Rig, demo_server: DemoServer) -> None:
    slow = VoicemailService(
        rig.client, rig.store, rig.bus, rig.service.cache_dir, poll_schedule=PollSchedule(fast=600, cap=600)
    )
    slow.start_polling()
    try:
        await until(lambda: slow.poller.polls >= 1)
        left = add_voicemail(demo_server.db)
        rig.bus.publish(ConnectionChanged(ConnectionState.ONLINE))
        arrived = await rig.recorder.wait_for(lambda e: isinstance(e, VoicemailsArrived), within=3)
        assert arrived.voicemails[0].id == left["_id"]
    finally:
        await slow.close()


def test_caller_numbers() -> None:
    def source(text: str) -> tuple[str, str]:
        return caller_number(Voicemail("x", datetime.now(UTC), text, "1001"))

    assert source("1027") == ("1027", "ext. 1027")
    assert source("16195550142") == ("+16195550142", "(619) 555-0142")
    assert source("") == ("", "")
    assert readable_caller_id("WIRELESS CALLER") == "Wireless Caller"
    assert readable_caller_id("SAN DIEGO CA") == "San Diego CA"
    assert readable_caller_id("John McDonald") == "John McDonald"
    assert readable_caller_id("  ") == ""
    assert format_duration(0.2) == "0:01"
    assert format_duration(42) == "0:42"
    assert format_duration(605) == "10:05"
    assert format_duration(3723) == "1:02:03"
