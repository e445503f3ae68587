"""Contacts in the cache: written by sync, read page by page by the views.

All functions take the store's connection and run on the store thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.presence import PresenceState

_COLUMNS = (
    "c.id, c.source, c.source_id, c.first_name, c.last_name, c.company, c.title, c.emails, "
    "c.phones, c.extension, c.address, c.notes, c.updated_at"
)


@dataclass(frozen=True, slots=True)
class StoredContact:
    """A contact as the views show it: the contact, its cache row id and its presence."""

    row_id: int
    contact: Contact
    presence: PresenceState = PresenceState.UNKNOWN


def sort_key(contact: Contact) -> str:
    return contact.display_name.casefold()


def _phones_json(phones: Sequence[PhoneNumber]) -> str:
    return json.dumps([[p.kind.value, p.number, p.display] for p in phones])


def _phones_from_json(text: str) -> tuple[PhoneNumber, ...]:
    return tuple(PhoneNumber(PhoneKind(kind), number, display) for kind, number, display in json.loads(text))


def _row_to_contact(row: sqlite3.Row | tuple[object, ...]) -> Contact:
    (
        _id,
        source,
        source_id,
        first,
        last,
        company,
        title,
        emails,
        phones,
        ext,
        address,
        notes,
        updated,
    ) = row
    return Contact(
        source=str(source),
        source_id=str(source_id),
        first_name=str(first),
        last_name=str(last),
        company=str(company),
        title=str(title),
        emails=tuple(json.loads(str(emails))),
        phones=_phones_from_json(str(phones)),
        extension=str(ext),
        address=str(address),
        notes=str(notes),
        updated_at=str(updated),
    )


def begin_sync(conn: sqlite3.Connection, source: str) -> int:
    """Start a sync pass of ``source``; returns its generation number."""
    row = conn.execute("SELECT generation FROM sync_state WHERE source = ?", (source,)).fetchone()
    generation = (row[0] if row else 0) + 1
    return int(generation)


def upsert_contacts(conn: sqlite3.Connection, contacts: Iterable[Contact], generation: int = 0) -> int:
    """Insert or update contacts (keyed by source + source id); returns how many were written."""
    count = 0
    with conn:
        conn.execute("BEGIN")
        for contact in contacts:
            (row_id,) = conn.execute(
                """
                INSERT INTO contacts (source, source_id, first_name, last_name, company, title,
                    emails, phones, extension, address, notes, updated_at, sort_key, generation)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, source_id) DO UPDATE SET
                    first_name = excluded.first_name, last_name = excluded.last_name,
                    company = excluded.company, title = excluded.title, emails = excluded.emails,
                    phones = excluded.phones, extension = excluded.extension,
                    address = excluded.address, notes = excluded.notes,
                    updated_at = excluded.updated_at, sort_key = excluded.sort_key,
                    generation = excluded.generation
                RETURNING id
                """,
                (
                    contact.source,
                    contact.source_id,
                    contact.first_name,
                    contact.last_name,
                    contact.company,
                    contact.title,
                    json.dumps(list(contact.emails)),
                    _phones_json(contact.phones),
                    contact.extension,
                    contact.address,
                    contact.notes,
                    contact.updated_at,
                    sort_key(contact),
                    generation,
                ),
            ).fetchone()
            conn.execute("DELETE FROM contact_numbers WHERE contact_id = ?", (row_id,))
            conn.executemany(
                "INSERT INTO contact_numbers (contact_id, number, kind) VALUES (?, ?, ?)",
                [(row_id, p.number, p.kind.value) for p in contact.phones],
            )
            count += 1
    return count


def finish_sync(conn: sqlite3.Connection, source: str, generation: int) -> int:
    """Remove the source's contacts the sync pass did not see; returns how many went."""
    with conn:
        conn.execute("BEGIN")
        removed = conn.execute(
            "DELETE FROM contacts WHERE source = ? AND generation < ?", (source, generation)
        ).rowcount
        conn.execute(
            "INSERT INTO sync_state (source, generation, synced_at) VALUES (?, ?, ?) "
            "ON CONFLICT (source) DO UPDATE SET generation = excluded.generation, "
            "synced_at = excluded.synced_at",
            (source, generation, datetime.now(UTC).isoformat()),
        )
    return int(removed)


def count_contacts(conn: sqlite3.Connection) -> int:
    (count,) = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()
    return int(count)


def contacts_page(conn: sqlite3.Connection, offset: int, limit: int) -> list[StoredContact]:
    """Contacts in alphabetical order, ``limit`` rows from ``offset``."""
    rows = conn.execute(
        f"""
        SELECT {_COLUMNS}, COALESCE(p.state, 'unknown')
        FROM contacts c LEFT JOIN presence p ON p.user_id = c.source_id
        ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [_stored(row) for row in rows]


def _stored(row: tuple[object, ...]) -> StoredContact:
    state = str(row[-1])
    try:
        presence = PresenceState(state)
    except ValueError:
        presence = PresenceState.UNKNOWN
    return StoredContact(int(str(row[0])), _row_to_contact(row[:-1]), presence)


def contact_for_number(conn: sqlite3.Connection, number: str) -> Contact | None:
    """The first contact holding this exact (E.164 or extension) number."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts c WHERE c.id = "
        "(SELECT contact_id FROM contact_numbers WHERE number = ? LIMIT 1)",
        (number,),
    ).fetchone()
    return _row_to_contact(row) if row else None


def set_presence(conn: sqlite3.Connection, user_id: str, state: PresenceState, changed_at: str) -> None:
    conn.execute(
        "INSERT INTO presence (user_id, state, changed_at) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET "
        "state = excluded.state, changed_at = excluded.changed_at",
        (user_id, state.value, changed_at),
    )
