"""The demo server's SQLite schema.

A seeded company user is stored as columns (``place`` is a row of ``places``, times are
epoch milliseconds); the view ``contact_documents`` builds its Contact JSON in SQLite, which
is ~10x faster than building it in Python (paging 100,000 users must be quick). ``doc``
holds the whole Contact JSON instead once the user was created or edited through the API
or a test control.
"""

from __future__ import annotations

SCHEMA_VERSION = "3"

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE locations (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
CREATE TABLE instances (seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
CREATE TABLE places (
    idx INTEGER PRIMARY KEY,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    zip TEXT NOT NULL,
    timezone TEXT NOT NULL
);
CREATE TABLE contacts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    work TEXT NOT NULL,
    mobile TEXT NOT NULL,
    home TEXT NOT NULL,
    extension_id TEXT NOT NULL,
    extension INTEGER NOT NULL,
    location_id TEXT NOT NULL,
    place INTEGER NOT NULL,
    street_number INTEGER NOT NULL,
    street_name TEXT NOT NULL,
    street_type TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    last_enter INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_action TEXT NOT NULL,
    status_id TEXT NOT NULL,
    status_at INTEGER NOT NULL,
    doc TEXT
);
CREATE TABLE texting_contacts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE
);
CREATE TABLE texting_numbers (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    number TEXT NOT NULL UNIQUE,
    ownership TEXT NOT NULL
);
CREATE TABLE conversations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    contact_id TEXT NOT NULL,
    from_number TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_message_created_at TEXT NOT NULL,
    UNIQUE (contact_id, from_number)
);
CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    frm TEXT NOT NULL,
    "to" TEXT NOT NULL,
    text TEXT NOT NULL,
    files TEXT NOT NULL,
    is_read INTEGER NOT NULL,
    stamp_id TEXT,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

# Created after the bulk insert of a fresh seed: much faster than maintaining them per row.
INDEXES = """
CREATE UNIQUE INDEX contacts_id ON contacts (id);
CREATE INDEX contacts_first_name ON contacts (first_name COLLATE NOCASE);
CREATE INDEX contacts_email ON contacts (email COLLATE NOCASE);
CREATE INDEX contacts_by_extension ON contacts (extension, seq);
CREATE INDEX contacts_by_user_name ON contacts (last_name COLLATE NOCASE, first_name COLLATE NOCASE, seq);
CREATE INDEX conversations_recent ON conversations (last_message_created_at);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at);
CREATE UNIQUE INDEX messages_stamp ON messages (conversation_id, stamp_id)
    WHERE stamp_id IS NOT NULL;
"""


def _iso(epoch_ms: str) -> str:
    """SQL for an epoch-milliseconds expression as "2021-10-01T17:14:55.613000+00:00"."""
    return (
        f"(strftime('%Y-%m-%dT%H:%M:%S', ({epoch_ms}) / 1000, 'unixepoch')"
        f" || printf('.%03d000+00:00', ({epoch_ms}) % 1000))"
    )


CONTACT_DOCUMENTS_VIEW = f"""
CREATE VIEW contact_documents AS
SELECT c.seq AS seq, c.id AS id, c.first_name AS first_name, c.email AS email,
CASE WHEN c.doc IS NOT NULL THEN c.doc ELSE json_object(
    'id', c.id,
    'activated', json('true'),
    'address', json_object(
        'address2', '', 'city', p.city, 'country', 'United States', 'number', '',
        'state', p.state,
        'street', json_object(
            'name', c.street_name, 'number', c.street_number, 'type', c.street_type),
        'zip', p.zip),
    'birthdate', NULL,
    'company_id', (SELECT value FROM meta WHERE key = 'company_id'),
    'contacts', json_object(
        'email', c.email, 'fax', '',
        'phones', json_object('home', c.home, 'mobile', c.mobile, 'other', '', 'work', c.work)),
    'created', {_iso("c.created")},
    'description', c.description,
    'extension', json_object(
        'id', c.extension_id,
        'description', c.first_name || ' ' || c.last_name || ' ' || c.extension,
        'name', c.first_name || ' ' || c.last_name,
        'number', c.extension),
    'first_name', c.first_name,
    'invitation', json_object(
        'accepted_at', {_iso("c.created + 10800000")},
        'expired_at', {_iso("c.created + 604800000")},
        'issued_at', {_iso("c.created")},
        'status', 'accepted'),
    'last_enter', {_iso("c.last_enter")},
    'last_name', c.last_name,
    'primary_agent', NULL,
    'timezone', p.timezone,
    'title', c.title,
    'updated', {_iso("c.updated")}
) END AS json
FROM contacts AS c LEFT JOIN places AS p ON p.idx = c.place
"""
