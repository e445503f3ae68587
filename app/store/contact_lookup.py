"""The book as personal contacts and imports need it.

- reads: a contact by source + source id, contacts by row id, pages for export;
- the one write sync never does: deleting single contacts (our own, ``source = 'local'``);
- an import's staging area: parsed rows wait in TEMP tables of the store connection (never
  in Python lists: an import file can hold hundreds of thousands of contacts) until the user
  applies them, and duplicates against the book are found there with indexed joins.

Every function takes the store's connection and runs on the store thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.contacts import Contact, PhoneKind, PhoneNumber

_COLUMNS = (
    "c.id, c.source, c.source_id, c.first_name, c.last_name, c.company, c.title, c.emails, "
    "c.phones, c.extension, c.address, c.notes, c.updated_at"
)


def _contact_from_row(row: Sequence[object]) -> Contact:
    (_id, source, source_id, first, last, company, title, emails, phones, ext, address, notes, updated) = row
    return Contact(
        source=str(source),
        source_id=str(source_id),
        first_name=str(first),
        last_name=str(last),
        company=str(company),
        title=str(title),
        emails=tuple(str(e) for e in json.loads(str(emails))),
        phones=tuple(PhoneNumber(PhoneKind(k), str(n), str(d)) for k, n, d in json.loads(str(phones))),
        extension=str(ext),
        address=str(address),
        notes=str(notes),
        updated_at=str(updated),
    )


# -- reads and deletes ------------------------------------------------------------------------


def contact_by_key(conn: sqlite3.Connection, source: str, source_id: str) -> Contact | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts c WHERE c.source = ? AND c.source_id = ?", (source, source_id)
    ).fetchone()
    return _contact_from_row(row) if row else None


def contacts_by_ids(conn: sqlite3.Connection, row_ids: Iterable[int]) -> dict[int, Contact]:
    ids = sorted(set(row_ids))
    found: dict[int, Contact] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_COLUMNS} FROM contacts c WHERE c.id IN ({marks})", chunk):
            found[int(row[0])] = _contact_from_row(row)
    return found


def delete_contacts(conn: sqlite3.Connection, source: str, source_ids: Sequence[str]) -> int:
    """Delete contacts of ``source`` by source id (their numbers go with them); returns how many."""
    removed = 0
    with conn:
        conn.execute("BEGIN")
        for start in range(0, len(source_ids), 500):
            chunk = list(source_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            removed += conn.execute(
                f"DELETE FROM contacts WHERE source = ? AND source_id IN ({marks})", [source, *chunk]
            ).rowcount
    return removed


@dataclass(frozen=True, slots=True)
class ExportShape:
    """What an export will write: how many contacts, and the most e-mails and numbers of one."""

    count: int
    max_emails: int
    max_phones: int


def begin_export(conn: sqlite3.Connection, keys: Sequence[tuple[str, str]] | None = None) -> ExportShape:
    """Start an export of the whole book (``keys`` None) or of the given (source, source id)s."""
    source = "contacts c"
    if keys is not None:
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS export_keys (source TEXT, source_id TEXT, "
            "PRIMARY KEY (source, source_id)) WITHOUT ROWID"
        )
        with conn:
            conn.execute("BEGIN")
            conn.execute("DELETE FROM temp.export_keys")
            conn.executemany("INSERT OR IGNORE INTO temp.export_keys VALUES (?, ?)", keys)
        source += _SELECTED
    count, emails, phones = conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(json_array_length(c.emails)), 0), "
        f"COALESCE(MAX(json_array_length(c.phones)), 0) FROM {source}"
    ).fetchone()
    return ExportShape(int(count), int(emails), int(phones))


_SELECTED = " JOIN temp.export_keys k ON k.source = c.source AND k.source_id = c.source_id"


def export_page(
    conn: sqlite3.Connection, after_id: int, limit: int, selected: bool = False
) -> list[tuple[int, Contact]]:
    """Contacts in row id order after ``after_id``: all, or the keys given to ``begin_export``."""
    join = _SELECTED if selected else ""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM contacts c{join} WHERE c.id > ? ORDER BY c.id LIMIT ?",
        (after_id, limit),
    ).fetchall()
    return [(int(row[0]), _contact_from_row(row)) for row in rows]


# -- the import staging area ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StagedRow:
    """A parsed, valid contact of an import file waiting to be applied."""

    row_id: int
    line: int
    contact: Contact
    matches: tuple[int, ...] = ()  # cache row ids of book contacts sharing a number or e-mail


@dataclass(frozen=True, slots=True)
class StagedDuplicate:
    row_id: int
    line: int
    incoming: Contact
    existing_id: int
    existing: Contact
    reason: str  # the number or e-mail both share
    others: int  # further book contacts it also matches


_STAGING_SCHEMA = """
CREATE TEMP TABLE IF NOT EXISTS import_rows (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER NOT NULL,
    line     INTEGER NOT NULL,
    payload  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS temp.import_rows_by_plan ON import_rows (plan_id, id);
CREATE TEMP TABLE IF NOT EXISTS import_keys (
    row_id   INTEGER NOT NULL,
    plan_id  INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS temp.import_keys_by_plan ON import_keys (plan_id, kind, value);
CREATE TEMP TABLE IF NOT EXISTS import_matches (
    row_id      INTEGER NOT NULL,
    plan_id     INTEGER NOT NULL,
    contact_id  INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (row_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS temp.import_matches_by_plan ON import_matches (plan_id, row_id);
CREATE TEMP TABLE IF NOT EXISTS book_emails (
    contact_id  INTEGER NOT NULL,
    email       TEXT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS import_plans (
    id INTEGER PRIMARY KEY
);
"""


def _ensure_staging(conn: sqlite3.Connection) -> None:
    conn.executescript(_STAGING_SCHEMA)
    conn.create_function("rd_casefold", 1, _casefold, deterministic=True)


def _casefold(text: object) -> str:
    return str(text).casefold()


def _payload(contact: Contact) -> str:
    return json.dumps(
        [
            contact.source,
            contact.source_id,
            contact.first_name,
            contact.last_name,
            contact.company,
            contact.title,
            list(contact.emails),
            [[p.kind.value, p.number, p.display] for p in contact.phones],
            contact.extension,
            contact.address,
            contact.notes,
            contact.updated_at,
        ],
        ensure_ascii=False,
    )


def _from_payload(text: str) -> Contact:
    (source, source_id, first, last, company, title, emails, phones, ext, address, notes, updated) = (
        json.loads(text)
    )
    return Contact(
        source,
        source_id,
        first,
        last,
        company,
        title,
        tuple(emails),
        tuple(PhoneNumber(PhoneKind(k), n, d) for k, n, d in phones),
        ext,
        address,
        notes,
        updated,
    )


def new_import_plan(conn: sqlite3.Connection) -> int:
    _ensure_staging(conn)
    return int(conn.execute("INSERT INTO temp.import_plans DEFAULT VALUES RETURNING id").fetchone()[0])


def stage_rows(conn: sqlite3.Connection, plan_id: int, rows: Sequence[tuple[int, Contact]]) -> int:
    """Keep parsed contacts (with the file line each came from) for a later apply."""
    with conn:
        conn.execute("BEGIN")
        for line, contact in rows:
            (row_id,) = conn.execute(
                "INSERT INTO temp.import_rows (plan_id, line, payload) VALUES (?, ?, ?) RETURNING id",
                (plan_id, line, _payload(contact)),
            ).fetchone()
            keys = [
                (row_id, plan_id, "n", p.number) for p in contact.phones if p.kind is not PhoneKind.EXTENSION
            ]
            keys += [(row_id, plan_id, "e", e.casefold()) for e in contact.emails]
            conn.executemany("INSERT INTO temp.import_keys VALUES (?, ?, ?, ?)", keys)
    return len(rows)


def find_import_duplicates(conn: sqlite3.Connection, plan_id: int) -> int:
    """Match the plan's rows against the book by any E.164 number or e-mail (case-insensitive).

    Returns how many staged rows have at least one match.
    """
    _ensure_staging(conn)
    with conn:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM temp.import_matches WHERE plan_id = ?", (plan_id,))
        conn.execute("DELETE FROM temp.book_emails")
        conn.execute(
            "INSERT INTO temp.book_emails SELECT c.id, rd_casefold(j.value) "
            "FROM contacts c, json_each(c.emails) j WHERE c.emails != '[]'"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS temp.book_emails_by_email ON book_emails (email)")
        conn.execute(
            "INSERT OR IGNORE INTO temp.import_matches (row_id, plan_id, contact_id, reason) "
            "SELECT k.row_id, k.plan_id, n.contact_id, k.value FROM temp.import_keys k "
            "JOIN contact_numbers n ON n.number = k.value WHERE k.plan_id = ? AND k.kind = 'n'",
            (plan_id,),
        )
        conn.execute(
            "INSERT OR IGNORE INTO temp.import_matches (row_id, plan_id, contact_id, reason) "
            "SELECT k.row_id, k.plan_id, b.contact_id, k.value FROM temp.import_keys k "
            "JOIN temp.book_emails b ON b.email = k.value WHERE k.plan_id = ? AND k.kind = 'e'",
            (plan_id,),
        )
        conn.execute("DELETE FROM temp.book_emails")
    (count,) = conn.execute(
        "SELECT COUNT(DISTINCT row_id) FROM temp.import_matches WHERE plan_id = ?", (plan_id,)
    ).fetchone()
    return int(count)


def import_duplicates(
    conn: sqlite3.Connection, plan_id: int, limit: int, prefer_source: str
) -> list[StagedDuplicate]:
    """The first ``limit`` duplicate rows of a plan, each with the book contact it matches best
    (one of ``prefer_source`` first, then the oldest)."""
    rows = conn.execute(
        f"""
        SELECT r.id, r.line, r.payload, m.reason, cnt.n, {_COLUMNS}
        FROM (SELECT row_id, COUNT(*) AS n FROM temp.import_matches WHERE plan_id = ?
              GROUP BY row_id ORDER BY row_id LIMIT ?) cnt
        JOIN temp.import_rows r ON r.id = cnt.row_id
        JOIN temp.import_matches m ON m.row_id = r.id AND m.contact_id = (
            SELECT m2.contact_id FROM temp.import_matches m2 JOIN contacts c2 ON c2.id = m2.contact_id
            WHERE m2.row_id = r.id ORDER BY c2.source != ?, c2.id LIMIT 1)
        JOIN contacts c ON c.id = m.contact_id
        ORDER BY r.id
        """,
        (plan_id, limit, prefer_source),
    ).fetchall()
    return [
        StagedDuplicate(
            row_id=int(row[0]),
            line=int(row[1]),
            incoming=_from_payload(str(row[2])),
            existing_id=int(row[5]),
            existing=_contact_from_row(row[5:]),
            reason=str(row[3]),
            others=int(row[4]) - 1,
        )
        for row in rows
    ]


def staged_page(conn: sqlite3.Connection, plan_id: int, after_row: int, limit: int) -> list[StagedRow]:
    """Staged rows in file order after ``after_row``, with the book contacts each matches."""
    rows = conn.execute(
        "SELECT r.id, r.line, r.payload, "
        "(SELECT group_concat(m.contact_id) FROM temp.import_matches m WHERE m.row_id = r.id) "
        "FROM temp.import_rows r WHERE r.plan_id = ? AND r.id > ? ORDER BY r.id LIMIT ?",
        (plan_id, after_row, limit),
    ).fetchall()
    return [
        StagedRow(
            int(row_id),
            int(line),
            _from_payload(str(payload)),
            tuple(sorted(int(x) for x in str(matches).split(","))) if matches else (),
        )
        for row_id, line, payload, matches in rows
    ]


def staged_sample(conn: sqlite3.Connection, plan_id: int, limit: int) -> list[StagedRow]:
    return staged_page(conn, plan_id, 0, limit)


def drop_import_plan(conn: sqlite3.Connection, plan_id: int) -> None:
    _ensure_staging(conn)
    with conn:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM temp.import_rows WHERE plan_id = ?", (plan_id,))
        conn.execute("DELETE FROM temp.import_keys WHERE plan_id = ?", (plan_id,))
        conn.execute("DELETE FROM temp.import_matches WHERE plan_id = ?", (plan_id,))
        conn.execute("DELETE FROM temp.import_plans WHERE id = ?", (plan_id,))
