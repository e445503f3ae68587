"""The cache's schema, as an ordered list of migrations (``PRAGMA user_version``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

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
    # 2: favorites; the contact search index (app.store.search) and each contact's key in it.
    """
    CREATE TABLE favorites (source TEXT NOT NULL, source_id TEXT NOT NULL,
        position INTEGER NOT NULL, PRIMARY KEY (source, source_id));
    ALTER TABLE contacts ADD COLUMN search_key INTEGER;
    CREATE UNIQUE INDEX contacts_by_search_key ON contacts (search_key);
    CREATE VIRTUAL TABLE contact_search USING fts5 (
        starts, t9_pairs, name, digits, digit_pairs,
        tokenize = 'trigram case_sensitive 1', detail = full, columnsize = 0
    );
    CREATE VIRTUAL TABLE contact_search_text USING fts5 (
        company, emails,
        tokenize = 'trigram case_sensitive 1', detail = full, columnsize = 0
    );
    CREATE TABLE search_backlog (contact_id INTEGER, stale_key INTEGER);
    CREATE TRIGGER contacts_leave_search AFTER DELETE ON contacts BEGIN
        DELETE FROM contact_search WHERE rowid = old.search_key;
        DELETE FROM contact_search_text WHERE rowid = old.search_key;
    END;
    """,
    # 3: what the inbox pollers have seen (app.store.inbox_seen); voicemails already played.
    """
    CREATE TABLE inbox_seen (inbox TEXT PRIMARY KEY, ids TEXT NOT NULL, saved_at TEXT NOT NULL);
    CREATE TABLE voicemails_played (voicemail_id TEXT PRIMARY KEY, played_at TEXT NOT NULL);
    """,
    # 4: outbound faxes the user deleted locally (app.store.fax_hidden): never listed again.
    """
    CREATE TABLE fax_hidden (fax_id TEXT PRIMARY KEY, hidden_at TEXT NOT NULL);
    """,
    # 5: SMS conversations, messages (server id once known, client stamp_id for ours), the
    # persistent outbox, sending numbers and sync state (app.store.texting).
    """
    CREATE TABLE sms_conversations (
        id               TEXT PRIMARY KEY,
        contact_id       TEXT NOT NULL DEFAULT '',
        contact_name     TEXT NOT NULL DEFAULT '',
        number           TEXT NOT NULL DEFAULT '',
        our_number       TEXT NOT NULL DEFAULT '',
        server_last_at   INTEGER,
        server_unread    INTEGER NOT NULL DEFAULT 0,
        hidden_unread    INTEGER NOT NULL DEFAULT 0,
        synced_through   INTEGER,
        history_complete INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sms_conversations_by_number ON sms_conversations (number, our_number);
    CREATE TABLE sms_messages (
        seq             INTEGER PRIMARY KEY,
        id              TEXT UNIQUE,
        stamp_id        TEXT UNIQUE,
        conversation_id TEXT NOT NULL,
        direction       TEXT NOT NULL,
        from_number     TEXT NOT NULL,
        to_number       TEXT NOT NULL,
        text            TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        sort_id         TEXT NOT NULL,
        is_read         INTEGER NOT NULL,
        delivery        TEXT NOT NULL,
        error           TEXT NOT NULL DEFAULT '',
        attachments     TEXT NOT NULL DEFAULT '[]',
        read_pending    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sms_messages_read_pending ON sms_messages (conversation_id) WHERE read_pending = 1;
    CREATE INDEX sms_messages_by_thread ON sms_messages (conversation_id, created_at, sort_id);
    CREATE INDEX sms_messages_unread ON sms_messages (conversation_id)
        WHERE direction = 'inbound' AND is_read = 0;
    CREATE TABLE sms_outbox (
        stamp_id        TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        uncertain       INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_attempt_at REAL NOT NULL DEFAULT 0,
        last_error      TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE sms_numbers (position INTEGER PRIMARY KEY, id TEXT NOT NULL,
        number TEXT NOT NULL, ownership TEXT NOT NULL DEFAULT '[]');
    CREATE TABLE sms_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
)


def _index_existing_contacts(conn: sqlite3.Connection) -> None:
    from app.store.contacts import rebuild_search_index

    rebuild_search_index(conn)


# Python steps that run after a migration's SQL, inside the same transaction: version -> step.
BACKFILLS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _index_existing_contacts}

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
        backfill = BACKFILLS.get(number + 1)
        try:
            conn.executescript(f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1};")
            if backfill is not None:
                backfill(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return int(version)
