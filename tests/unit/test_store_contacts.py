"""The contact cache on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.presence import PresenceState
from app.store import contacts as rows
from app.store.database import Store, connect
from app.store.schema import SCHEMA_VERSION, SchemaTooNew


def person(source_id: str, first: str, last: str, number: str = "") -> Contact:
    phones = (PhoneNumber(PhoneKind.WORK, number, number),) if number else ()
    return Contact(
        "ringplan", source_id, first, last, emails=(f"{first.lower()}@example.com",), phones=phones
    )


def sync(conn: sqlite3.Connection, contacts: list[Contact]) -> int:
    generation = rows.begin_sync(conn, "ringplan")
    rows.upsert_contacts(conn, contacts, generation)
    return rows.finish_sync(conn, "ringplan", generation)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return connect(tmp_path / "cache.sqlite3")


def test_new_cache_gets_the_current_schema_version(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_cache_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(SchemaTooNew):
        connect(path)


def test_contacts_are_paged_alphabetically(conn: sqlite3.Connection) -> None:
    sync(conn, [person("3", "Carol", "Zed"), person("1", "alice", "Young"), person("2", "Bob", "Xu")])
    page = rows.contacts_page(conn, 0, 2)
    assert [s.contact.first_name for s in page] == ["alice", "Bob"]
    assert [s.contact.first_name for s in rows.contacts_page(conn, 2, 2)] == ["Carol"]
    assert rows.count_contacts(conn) == 3


def test_a_sync_updates_changed_and_removes_vanished_contacts(conn: sqlite3.Connection) -> None:
    sync(conn, [person("1", "Ann", "Lee", "+16195550101"), person("2", "Ben", "Ode", "+16195550102")])
    removed = sync(conn, [person("1", "Anne", "Lee", "+16195550199")])
    assert removed == 1
    assert rows.count_contacts(conn) == 1
    assert rows.contact_for_number(conn, "+16195550102") is None
    assert rows.contact_for_number(conn, "+16195550101") is None
    found = rows.contact_for_number(conn, "+16195550199")
    assert found is not None and found.first_name == "Anne"


def test_a_contact_round_trips_with_every_field(conn: sqlite3.Connection) -> None:
    original = Contact(
        "ringplan",
        "9",
        "Zoë",
        "O'Hara",
        company="Acme",
        title="CFO",
        emails=("zoe@acme.example", "z@home.example"),
        phones=(
            PhoneNumber(PhoneKind.MOBILE, "+442079460958", "+44 20 7946 0958"),
            PhoneNumber(PhoneKind.EXTENSION, "1009"),
        ),
        extension="1009",
        address="1 Main St",
        notes="<b>not html</b>",
        updated_at="2021-01-01",
    )
    sync(conn, [original])
    (stored,) = rows.contacts_page(conn, 0, 10)
    assert stored.contact == original
    assert stored.contact.phones[0].display == "+44 20 7946 0958"


def test_presence_is_joined_onto_contacts(conn: sqlite3.Connection) -> None:
    sync(conn, [person("u1", "Ann", "Lee")])
    rows.set_presence(conn, "u1", PresenceState.BUSY, "2024-01-01T00:00:00Z")
    (stored,) = rows.contacts_page(conn, 0, 1)
    assert stored.presence is PresenceState.BUSY


async def test_store_runs_queries_off_the_calling_thread(tmp_path: Path) -> None:
    import threading

    store = Store(tmp_path / "cache.sqlite3")
    caller = threading.get_ident()
    worker = await store.call(lambda _conn: threading.get_ident())
    assert worker != caller
    assert await store.call(rows.count_contacts) == 0
    store.close()
    with pytest.raises(RuntimeError):
        await store.call(rows.count_contacts)


def test_favorites_are_marked_on_pages(conn: sqlite3.Connection) -> None:
    sync(conn, [person("1", "Ann", "Lee"), person("2", "Ben", "Ode")])
    conn.execute("INSERT INTO favorites (source, source_id, position) VALUES ('ringplan', '2', 0)")
    assert [(s.contact.first_name, s.is_favorite) for s in rows.contacts_page(conn, 0, 10)] == [
        ("Ann", False),
        ("Ben", True),
    ]


def test_favorites_table_is_keyed_by_source_and_id(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO favorites (source, source_id, position) VALUES ('ringplan', '1', 0)")
    conn.execute("INSERT INTO favorites (source, source_id, position) VALUES ('other', '1', 1)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO favorites (source, source_id, position) VALUES ('ringplan', '1', 2)")
    columns = [(c[1], c[2], c[3], c[5]) for c in conn.execute("PRAGMA table_info(favorites)")]
    assert columns == [
        ("source", "TEXT", 1, 1),
        ("source_id", "TEXT", 1, 2),
        ("position", "INTEGER", 1, 0),
    ]


def test_a_contact_is_deleted_with_its_numbers(conn: sqlite3.Connection) -> None:
    sync(conn, [person("1", "Ann", "Lee", "+16195550101"), person("2", "Ben", "Ode")])
    assert rows.delete_contact(conn, "ringplan", "1")
    assert not rows.delete_contact(conn, "ringplan", "1")
    assert rows.contact_for_number(conn, "+16195550101") is None
    assert [s.contact.first_name for s in rows.contacts_page(conn, 0, 10)] == ["Ben"]


def test_an_unchanged_contact_keeps_its_numbers_rows(conn: sqlite3.Connection) -> None:
    sync(conn, [person("1", "Ann", "Lee", "+16195550101")])
    before = conn.execute("SELECT rowid FROM contact_numbers").fetchall()
    sync(conn, [person("1", "Ann", "Lee", "+16195550101")])
    assert conn.execute("SELECT rowid FROM contact_numbers").fetchall() == before
    sync(conn, [person("1", "Ann", "Lee", "+16195550102")])
    assert rows.contact_for_number(conn, "+16195550102") is not None
    assert rows.contact_for_number(conn, "+16195550101") is None
