"""The account session against the embedded RingPlan server on loopback: contact sync,
catch-up after a reconnect, and notifications naming the sender."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.domain.account import Credentials
from app.domain.contacts import LOCATION_SOURCE, TEXTING_SOURCE, PhoneKind
from app.domain.events import (
    ConnectionChanged,
    ConnectionState,
    ContactsChanged,
    ErrorRaised,
    NotificationRequested,
)
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.messaging import Messaging
from app.services.session import Session
from app.store import contacts as contact_rows
from app.store.contacts import StoredContact
from app.store.database import Store
from app.store.search import search_contacts
from tests.integration.recording import Recorder, credentials_of

if TYPE_CHECKING:
    from app.demo.server import DemoServer


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


async def company_users(store: Store) -> list[StoredContact]:
    book = await store.call(contact_rows.contacts_page, 0, 10_000)
    return [s for s in book if s.contact.source == "ringplan"]


def is_online(event: Any) -> bool:
    return isinstance(event, ConnectionChanged) and event.state is ConnectionState.ONLINE


async def test_first_sync_copies_every_company_user(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    _, recorder, store = running
    demo_company_name = demo_server.db.company()["name"]
    changed = await recorder.wait_for(lambda e: isinstance(e, ContactsChanged))
    assert changed.total == 200  # the company users come first
    page = await company_users(store)
    assert len({s.contact.source_id for s in page}) == 200
    names = [s.contact.display_name.casefold() for s in page]
    assert names == sorted(names)
    assert all(s.contact.emails for s in page)
    assert {s.contact.company for s in page} == {demo_company_name}
    assert any(p.display.startswith("(") for s in page for p in s.contact.phones)


async def test_server_side_adds_edits_and_deletions_reach_the_book(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    session, recorder, store = running
    await recorder.wait_for(lambda e: isinstance(e, ContactsChanged))
    first = (await store.call(contact_rows.contacts_page, 0, 1))[0].contact
    added = demo_server.add_contact(
        first_name="Zelda", last_name="Quist", contacts={"email": "zq@example.com"}
    )
    demo_server.update_contact(first.source_id, first_name="Renamed")
    second = (await store.call(contact_rows.contacts_page, 1, 1))[0].contact
    demo_server.delete_contact(second.source_id)
    recorder.events.clear()
    await session.sync_contacts()
    ids = {s.contact.source_id: s.contact for s in await company_users(store)}
    assert len(ids) == 200
    assert added["id"] in ids and ids[added["id"]].display_name == "Zelda Quist"
    assert ids[first.source_id].first_name == "Renamed"
    assert second.source_id not in ids


async def test_offices_and_texting_contacts_join_the_book_as_their_own_sources(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    session, _, store = running
    await session.sync_contacts()
    book = await store.call(contact_rows.contacts_page, 0, 10_000)
    offices = [s.contact for s in book if s.contact.source == LOCATION_SOURCE]
    texting = {s.contact.source_id: s.contact for s in book if s.contact.source == TEXTING_SOURCE}
    locations = demo_server.db.locations()
    assert sorted(c.source_id for c in offices) == sorted(loc["id"] for loc in locations)
    main = next(c for c in offices if c.source_id == locations[0]["id"])
    assert main.first_name == locations[0]["name"]
    assert {p.kind for p in main.phones} >= {PhoneKind.WORK, PhoneKind.FAX}
    people = demo_server.db.list_texting_contacts(None)
    assert set(texting) == {p["id"] for p in people}
    someone = people[0]
    assert texting[someone["id"]].phones[0].number == "+" + someone["number"].lstrip("+")
    # A number typed anywhere finds the texting contact by its digits.
    found = await store.call(search_contacts, someone["number"][-7:], 0, 50)
    assert someone["id"] in {s.contact.source_id for s in found}


async def test_a_reconnect_triggers_a_catch_up_sync(
    demo_server: DemoServer, running: tuple[Session, Recorder, Store]
) -> None:
    session, recorder, store = running
    await recorder.wait_for(is_online)
    await session.sync_contacts()  # the first sync, all sources, is over
    demo_server.add_contact(first_name="Late", last_name="Arrival")
    recorder.events.clear()
    demo_server.disconnect_all_sockets()
    await recorder.wait_for(is_online, within=20)
    await recorder.wait_for(lambda e: isinstance(e, ContactsChanged), within=20)
    assert "Late Arrival" in {s.contact.display_name for s in await company_users(store)}
    assert len(await company_users(store)) == 201


@contextlib.asynccontextmanager
async def session_with_messaging(
    demo_server: DemoServer, tmp_path: Path
) -> AsyncIterator[tuple[Session, Recorder, Store]]:
    """A session with the messaging service attached (it tells the notifier which inbound
    messages are new). Entered inside the test, so that no REST work runs between an async
    fixture's setup and the test body."""
    bus = EventBus()
    recorder = Recorder(bus)
    store = Store(tmp_path / "cache.sqlite3")
    session = Session(demo_server.url, credentials_of(demo_server), store, bus, ContactBook(store, bus))
    messaging = Messaging(store, bus, session.contacts)
    await session.start()
    await messaging.attach(session.client, session.listener)
    try:
        await asyncio.wait_for(messaging.wait_caught_up(), 20)
        yield session, recorder, store
    finally:
        await messaging.detach()
        await session.stop()
        store.close()


async def test_an_inbound_message_is_notified_with_the_sender_and_text(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    async with session_with_messaging(demo_server, tmp_path) as (_, recorder, _store):
        await recorder.wait_for(is_online)
        sent = demo_server.emit_inbound_message("Running 10 min late <b>sorry</b>")
        note = await recorder.wait_for(lambda e: isinstance(e, NotificationRequested))
        assert note.body == "Running 10 min late <b>sorry</b>"
        assert note.conversation_id == sent["conversation_id"]
        assert note.title  # a name from the book, or the formatted number
        assert note.title != "Unknown"
        # The same message again on the wire is not notified twice.
        demo_server.emit_raw("texting.message.new", sent)
        await asyncio.sleep(0.3)
        assert len(recorder.of(NotificationRequested)) == 1


async def test_an_inbound_message_from_a_colleague_is_named(demo_server: DemoServer, tmp_path: Path) -> None:
    async with session_with_messaging(demo_server, tmp_path) as (_, recorder, store):
        await recorder.wait_for(lambda e: isinstance(e, ContactsChanged))
        await recorder.wait_for(is_online)
        # Pick a contact with a number and make a message come from it.
        for stored in await store.call(contact_rows.contacts_page, 0, 50):
            numbers = [p.number for p in stored.contact.phones if p.number.startswith("+")]
            if numbers:
                break
        demo_server.emit_raw(
            "texting.message.new",
            {
                "id": "65a000000000000000000001",
                "conversation_id": "65a0000000000000000000ff",
                "direction": "inbound",
                "frm": numbers[0],
                "to": "+19513360234",
                "text": "hi",
                "created_at": "2024-01-01T10:00:00.000000+00:00",
                "is_read": False,
                "files": [],
            },
        )
        note = await recorder.wait_for(lambda e: isinstance(e, NotificationRequested))
        assert note.title == stored.contact.display_name


async def test_a_wrong_key_is_reported_in_words(demo_server: DemoServer, tmp_path: Path) -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    store = Store(tmp_path / "cache.sqlite3")
    session = Session(
        demo_server.url, Credentials("wrong-key", "primary", ""), store, bus, ContactBook(store, bus)
    )
    await session.start()
    try:
        error = await recorder.wait_for(lambda e: isinstance(e, ErrorRaised))
        assert "API key" in error.message and "wrong-key" not in error.message
        await recorder.wait_for(
            lambda e: isinstance(e, ConnectionChanged) and e.state is ConnectionState.UNAUTHORIZED
        )
    finally:
        await session.stop()
        store.close()
