"""The cache's schema, as an ordered list of migrations (``PRAGMA user_version``)."""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: contacts from every source, their numbers, presence, sync bookkeeping.
    """
    CREATE TABLE contacts (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL,
        source_id   TEXT NOT NULL,
        first_name  TEXT NOT NULL DEFAULT '',
        last_name   TEXT NOT NULL DEFAULT '',
        company     TEXT NOT NULL DEFAULT '',
        title       TEXT NOT NULL DEFAULT '',
        emails      TEXT NOT NULL DEFAULT '[]',
        phones      TEXT NOT NULL DEFAULT '[]',
        extension   TEXT NOT NULL DEFAULT '',
        address     TEXT NOT NULL DEFAULT '',
        notes       TEXT NOT NULL DEFAULT '',
        updated_at  TEXT NOT NULL DEFAULT '',
        sort_key    TEXT NOT NULL,
        generation  INTEGER NOT NULL DEFAULT 0,
        UNIQUE (source, source_id)
    );
    CREATE INDEX contacts_by_sort_key ON contacts (sort_key, id);
    CREATE TABLE contact_numbers (
        contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        number      TEXT NOT NULL,
        kind        TEXT NOT NULL
    );
    CREATE INDEX contact_numbers_by_number ON contact_numbers (number);
    CREATE INDEX contact_numbers_by_contact ON contact_numbers (contact_id);
    CREATE TABLE presence (
        user_id     TEXT PRIMARY KEY,
        state       TEXT NOT NULL,
        changed_at  TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE sync_state (
        source      TEXT PRIMARY KEY,
        generation  INTEGER NOT NULL,
        synced_at   TEXT NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The cache was written by a newer RingDesk."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns the version it started from."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the cache has schema version {version}, this RingDesk knows up to {SCHEMA_VERSION}"
        )
    for number in range(version, SCHEMA_VERSION):
        conn.executescript(f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;")
    return int(version)
