"""Contacts in the cache: written by sync, read page by page by the views.

All functions take the store's connection and run on the store thread.

Every contact also has a row in each of the two FTS5 search tables (``contact_names`` and
``contact_details``, see ``app.store.search``), written here next to the contact itself. Those
rows' rowid is the contact's ``search_key``: an integer that sorts exactly like
(``sort_key``, ``id``), so the index hands out matches already in alphabetical order and a
search reads only the screenful it shows.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.presence import PresenceState
from app.domain.t9 import fold, t9_digits

_COLUMNS = (
    "c.id, c.source, c.source_id, c.first_name, c.last_name, c.company, c.title, c.emails, "
    "c.phones, c.extension, c.address, c.notes, c.updated_at"
)
# What a read of StoredContacts selects from ``contacts c`` with STORED_JOINS (stored_from_row).
STORED_COLUMNS = f"{_COLUMNS}, COALESCE(p.state, 'unknown'), f.source IS NOT NULL"
STORED_JOINS = (
    "LEFT JOIN presence p ON p.user_id = c.source_id "
    "LEFT JOIN favorites f ON f.source = c.source AND f.source_id = c.source_id"
)


@dataclass(frozen=True, slots=True)
class StoredContact:
    """A contact as the views show it: the contact, its cache row id, presence, favorite star."""

    row_id: int
    contact: Contact
    presence: PresenceState = PresenceState.UNKNOWN
    is_favorite: bool = False


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


# -- the search index's rows --------------------------------------------------------------

# Marks the start of a word in the ``starts`` and ``t9`` columns, so that a trigram query for
# "||j" means "a word starting with j" (and 1-2 character prefixes still make a trigram).
WORD_START = "||"
# Dial-pad digits as the index holds them: letters no folded text contains.
T9_LETTERS = str.maketrans("0123456789", "ABCDEFGHIJ")
_PAIR_BASE = 0xE000  # private use: no name holds these


def t9_pairs(digits: str) -> str:
    """Dial-pad digits two to a character (a last odd digit pairs with "end").

    Eight keys make few distinct trigrams, each in many names, so a long dial-pad prefix
    would match slowly; a trigram of pairs is six digits, rare enough to find at once.
    """
    return "".join(
        chr(_PAIR_BASE + 11 * int(digits[i]) + (int(digits[i + 1]) if i + 1 < len(digits) else 10))
        for i in range(0, len(digits), 2)
    )


_WORDS = re.compile(r"[^\W_]+")
_NON_DIGITS = re.compile(r"\D+")


def search_document(
    first_name: str,
    last_name: str,
    company: str,
    emails: Sequence[str],
    phones: Sequence[PhoneNumber],
    extension: str,
) -> tuple[str, str, str, str, str, str, str]:
    """A contact's index columns: starts, t9, t9_pairs, name (``contact_names``); company,
    emails, digits (``contact_details``).

    - starts: each name word after WORD_START (``||john ||smith``): word-prefix matches;
    - t9: the dial-pad digits of the name from each word on, so ``5646`` finds John and
      ``56467`` finds John S...; written with T9_LETTERS (``||FGEGHGEIE ||HGEIE``) so that
      their trigrams are not the (very common) trigrams of phone numbers;
    - t9_pairs: the same digits two to a character (``t9_pairs``), to find them fast;
    - name, company, emails: folded text for substring matches;
    - digits: each number's digits (E.164 without '+'; the national digits are a run inside
      it), its displayed digits when they are not (a national trunk prefix such as UK's 0),
      and extensions.
    """
    name = " ".join(fold(f"{first_name} {last_name}").split())
    words = _WORDS.findall(name)
    t9_words = t9_digits(name).split()
    digit_runs: list[str] = []
    for phone in phones:
        digits = _NON_DIGITS.sub("", phone.number)
        shown = _NON_DIGITS.sub("", phone.display)
        digit_runs.append(digits)
        if shown and shown not in digits:
            digit_runs.append(shown)
    if extension and extension not in digit_runs:
        digit_runs.append(_NON_DIGITS.sub("", extension))
    t9_runs = ["".join(t9_words[i:]) for i in range(len(t9_words))]
    return (
        " ".join(WORD_START + w for w in words),
        " ".join(WORD_START + run.translate(T9_LETTERS) for run in t9_runs),
        " ".join(WORD_START + t9_pairs(run) for run in t9_runs),
        name,
        " ".join(fold(company).split()),
        " ".join(fold(e) for e in emails),
        " ".join(d for d in digit_runs if d),
    )


# -- search keys: integers in (0, KEY_SPACE) that sort exactly like (sort_key, id) ---------
# A new contact takes the midpoint between its neighbours' keys (a fixed step past the ends);
# when neighbours leave no room, the keys around it are spread out again evenly, the window
# growing until every gap is at least _ROOM wide. Moving a key rewrites that index row.

KEY_SPACE = 1 << 63
_END_STEP = 1 << 40
_ROOM = 1 << 24
_NEW_ROW = KEY_SPACE - 1  # as an id: after every existing row (SQLite gives new rows max(id) + 1)
_BEFORE = (
    "SELECT id, search_key FROM contacts WHERE (sort_key, id) < (?, ?) AND search_key IS NOT NULL "
    "ORDER BY sort_key DESC, id DESC LIMIT ?"
)
_AFTER = (
    "SELECT id, search_key FROM contacts WHERE (sort_key, id) > (?, ?) AND search_key IS NOT NULL "
    "ORDER BY sort_key, id LIMIT ?"
)


class SearchKeysExhausted(RuntimeError):
    """No room left between two search keys (needs about 2**39 contacts)."""


def _place(conn: sqlite3.Connection, row_id: int, key: str, changes: _IndexChanges) -> int:
    """A search key for the contact ``row_id`` (``_NEW_ROW`` if not inserted yet) sorting as ``key``.

    The contact itself must have no search key at this point.
    """
    before = conn.execute(_BEFORE, (key, row_id, 1)).fetchone()
    after = conn.execute(_AFTER, (key, row_id, 1)).fetchone()
    low = 0 if before is None else int(before[1])
    high = KEY_SPACE if after is None else int(after[1])
    if before is None and after is None:
        candidate = KEY_SPACE // 2
    elif after is None:
        candidate = low + _END_STEP if low + _END_STEP < high else (low + high) // 2
    elif before is None:
        candidate = high - _END_STEP if high - _END_STEP > low else (low + high) // 2
    else:
        candidate = (low + high) // 2
    if low < candidate < high:
        return candidate
    return _spread(conn, row_id, key, changes)


def _spread(conn: sqlite3.Connection, row_id: int, key: str, changes: _IndexChanges) -> int:
    width = 8
    while True:
        before = conn.execute(_BEFORE, (key, row_id, width + 1)).fetchall()
        after = conn.execute(_AFTER, (key, row_id, width + 1)).fetchall()
        low = int(before[width][1]) if len(before) > width else 0
        high = int(after[width][1]) if len(after) > width else KEY_SPACE
        window = [*before[:width][::-1], (row_id, None), *after[:width]]
        spacing = (high - low) // (len(window) + 1)
        if spacing >= _ROOM or (len(before) <= width and len(after) <= width):
            break
        width *= 2
    if spacing < 1:
        raise SearchKeysExhausted("no room left in the search keys")
    moved = [(int(other), int(old)) for other, old in window if other != row_id]
    conn.executemany("UPDATE contacts SET search_key = NULL WHERE id = ?", [(i,) for i, _ in moved])
    placed = 0
    updates = []
    for n, (other, _old) in enumerate(window, start=1):
        if other == row_id:
            placed = low + n * spacing
        else:
            updates.append((low + n * spacing, other))
    conn.executemany("UPDATE contacts SET search_key = ? WHERE id = ?", updates)
    for other, old in moved:
        changes.rewrite(other, old)
    return placed


_INDEX_TABLES = (
    ("contact_names", "starts, t9, t9_pairs, name", 0, 4),
    ("contact_details", "company, emails, digits", 4, 7),
)
_DOCUMENT_SOURCE = (
    "SELECT search_key, first_name, last_name, company, emails, phones, extension FROM contacts WHERE id = ?"
)


# Index changes wait in ``search_backlog`` until this many have gathered (or a sync ends, or
# a search is about to run): an FTS5 commit costs tens of milliseconds, so a sync writing
# 100-contact pages would spend most of its time committing index segments.
SEARCH_FLUSH_AT = 2_000


class _IndexChanges:
    """Search index rows to delete (by key) and contacts to (re)index.

    Applied in rowid order: FTS5 keeps a transaction's changes in memory but writes them out
    as a new segment (merged later) whenever a change's rowid is not above the previous
    one's, so applying them in the order contacts arrive would cost a segment each.
    """

    def __init__(self) -> None:
        self._stale: set[int] = set()
        self._dirty: set[int] = set()

    def __len__(self) -> int:
        return len(self._stale) + len(self._dirty)

    def rewrite(self, row_id: int, old_key: int | None) -> None:
        """Contact ``row_id``'s index row (at ``old_key``, if it had one) must be rewritten."""
        if old_key is not None:
            self._stale.add(old_key)
        self._dirty.add(row_id)

    def delete(self, old_key: int) -> None:
        self._stale.add(old_key)

    def save_or_apply(self, conn: sqlite3.Connection) -> None:
        """Add these changes to the backlog, applying it all once it is big enough."""
        (waiting,) = conn.execute("SELECT count(*) FROM search_backlog").fetchone()
        if waiting + len(self) >= SEARCH_FLUSH_AT:
            self.apply_with_backlog(conn)
            return
        conn.executemany(
            "INSERT INTO search_backlog (contact_id, stale_key) VALUES (?, ?)",
            [(row_id, None) for row_id in self._dirty] + [(None, key) for key in self._stale],
        )
        self._stale.clear()
        self._dirty.clear()

    def apply_with_backlog(self, conn: sqlite3.Connection) -> None:
        for row_id, stale_key in conn.execute("SELECT contact_id, stale_key FROM search_backlog"):
            if row_id is not None:
                self._dirty.add(row_id)
            if stale_key is not None:
                self._stale.add(stale_key)
        conn.execute("DELETE FROM search_backlog")
        self.apply(conn)

    def apply(self, conn: sqlite3.Connection) -> None:
        changes: list[tuple[int, int, tuple[str, ...] | None]] = [(k, 0, None) for k in self._stale]
        for row_id in self._dirty:
            row = conn.execute(_DOCUMENT_SOURCE, (row_id,)).fetchone()
            if row is not None and row[0] is not None:
                changes.append((int(row[0]), 1, _document_of_row(row[1:])))
        changes.sort(key=lambda change: change[:2])  # a key's delete before its insert
        for table, columns, start, end in _INDEX_TABLES:
            marks = ", ".join("?" * (1 + end - start))
            insert = f"INSERT INTO {table} (rowid, {columns}) VALUES ({marks})"
            delete = f"DELETE FROM {table} WHERE rowid = ?"
            for search_key, _order, document in changes:
                if document is None:
                    conn.execute(delete, (search_key,))
                else:
                    conn.execute(insert, (search_key, *document[start:end]))
        self._stale.clear()
        self._dirty.clear()


def flush_search_index(conn: sqlite3.Connection) -> bool:
    """Bring the search index up to date with the contacts; False if it already was.

    ``search_contacts`` calls this first, so results always match the contacts as stored.
    """
    if conn.execute("SELECT 1 FROM search_backlog LIMIT 1").fetchone() is None:
        return False
    with conn:
        conn.execute("BEGIN")
        _IndexChanges().apply_with_backlog(conn)
    return True


def _document_of_row(row: Sequence[Any]) -> tuple[str, ...]:
    first, last, company, emails, phones, extension = row
    return search_document(first, last, company, json.loads(emails), _phones_from_json(phones), extension)


def rebuild_search_index(conn: sqlite3.Connection) -> int:
    """Give every contact a fresh search key and index rows; returns how many were indexed.

    Runs inside the caller's transaction when there is one (the schema migration's).
    """
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        conn.execute("DELETE FROM search_backlog")
        for table, *_ in _INDEX_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("UPDATE contacts SET search_key = NULL")
        ids = [row_id for (row_id,) in conn.execute("SELECT id FROM contacts ORDER BY sort_key, id")]
        spacing = min(_END_STEP, KEY_SPACE // (len(ids) + 1))
        first = KEY_SPACE // 2 - spacing * (len(ids) // 2)
        conn.executemany(
            "UPDATE contacts SET search_key = ? WHERE id = ?",
            [(first + n * spacing, row_id) for n, row_id in enumerate(ids)],
        )
        changes = _IndexChanges()
        for row_id in ids:
            changes.rewrite(row_id, None)
        changes.apply(conn)
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    return len(ids)


# -- sync ---------------------------------------------------------------------------------


def begin_sync(conn: sqlite3.Connection, source: str) -> int:
    """Start a sync pass of ``source``; returns its generation number."""
    row = conn.execute("SELECT generation FROM sync_state WHERE source = ?", (source,)).fetchone()
    generation = (row[0] if row else 0) + 1
    return int(generation)


_SELECT_EXISTING = (
    "SELECT id, search_key, sort_key, first_name, last_name, company, emails, phones, extension "
    "FROM contacts WHERE source = ? AND source_id = ?"
)
_INSERT_CONTACT = """
    INSERT INTO contacts (source, source_id, first_name, last_name, company, title, emails,
        phones, extension, address, notes, updated_at, sort_key, generation, search_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    RETURNING id
"""
_UPDATE_CONTACT = """
    UPDATE contacts SET first_name = ?, last_name = ?, company = ?, title = ?, emails = ?,
        phones = ?, extension = ?, address = ?, notes = ?, updated_at = ?, sort_key = ?,
        generation = ?, search_key = ?
    WHERE id = ?
"""


def upsert_contacts(conn: sqlite3.Connection, contacts: Iterable[Contact], generation: int = 0) -> int:
    """Insert or update contacts (keyed by source + source id); returns how many were written.

    Their numbers and search index rows are rewritten only when what they derive from changed,
    so a refresh that finds the book as it was costs little more than a read per contact.
    """
    count = 0
    changes = _IndexChanges()
    with conn:
        conn.execute("BEGIN")
        for contact in contacts:
            key = sort_key(contact)
            emails = json.dumps(list(contact.emails))
            phones = _phones_json(contact.phones)
            old = conn.execute(_SELECT_EXISTING, (contact.source, contact.source_id)).fetchone()
            if old is None:
                row_id = None
                search_key = _place(conn, _NEW_ROW, key, changes)
                numbers_changed = document_changed = True
            else:
                row_id, search_key, old_key, *old_fields = old
                numbers_changed = old_fields[4] != phones
                document_changed = (
                    search_key is None
                    or old_key != key
                    or old_fields
                    != [
                        contact.first_name,
                        contact.last_name,
                        contact.company,
                        emails,
                        phones,
                        contact.extension,
                    ]
                )
                if document_changed:
                    changes.rewrite(row_id, search_key)
                    if search_key is None or old_key != key:
                        conn.execute("UPDATE contacts SET search_key = NULL WHERE id = ?", (row_id,))
                        search_key = _place(conn, row_id, key, changes)
            fields = (
                contact.first_name,
                contact.last_name,
                contact.company,
                contact.title,
                emails,
                phones,
                contact.extension,
                contact.address,
                contact.notes,
                contact.updated_at,
                key,
                generation,
                search_key,
            )
            if row_id is None:
                (row_id,) = conn.execute(
                    _INSERT_CONTACT, (contact.source, contact.source_id, *fields)
                ).fetchone()
                changes.rewrite(row_id, None)
            else:
                conn.execute(_UPDATE_CONTACT, (*fields, row_id))
            if numbers_changed:
                if old is not None:
                    conn.execute("DELETE FROM contact_numbers WHERE contact_id = ?", (row_id,))
                conn.executemany(
                    "INSERT INTO contact_numbers (contact_id, number, kind) VALUES (?, ?, ?)",
                    [(row_id, p.number, p.kind.value) for p in contact.phones],
                )
            count += 1
        changes.save_or_apply(conn)
    return count


def finish_sync(conn: sqlite3.Connection, source: str, generation: int) -> int:
    """Remove the source's contacts the sync pass did not see; returns how many went."""
    with conn:
        conn.execute("BEGIN")
        # A trigger would remove their index rows too, but one by one in no order (see
        # _IndexChanges): many removals are much cheaper in rowid order first, with the
        # backlog, which the end of a sync clears anyway.
        changes = _IndexChanges()
        for (search_key,) in conn.execute(
            "SELECT search_key FROM contacts WHERE source = ? AND generation < ? AND search_key IS NOT NULL",
            (source, generation),
        ).fetchall():
            changes.delete(search_key)
        changes.apply_with_backlog(conn)
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


def delete_contact(conn: sqlite3.Connection, source: str, source_id: str) -> bool:
    """Remove one contact (with its numbers and index row); False when there was none."""
    cursor = conn.execute("DELETE FROM contacts WHERE source = ? AND source_id = ?", (source, source_id))
    return cursor.rowcount > 0


# -- reading ------------------------------------------------------------------------------


def count_contacts(conn: sqlite3.Connection) -> int:
    (count,) = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()
    return int(count)


def contacts_page(conn: sqlite3.Connection, offset: int, limit: int) -> list[StoredContact]:
    """Contacts in alphabetical order, ``limit`` rows from ``offset``."""
    rows = conn.execute(
        f"""
        SELECT {STORED_COLUMNS}
        FROM contacts c {STORED_JOINS}
        ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?
        """,
        (limit, offset),
    ).fetchall()
    return [stored_from_row(row) for row in rows]


def stored_from_row(row: tuple[object, ...]) -> StoredContact:
    """A row of STORED_COLUMNS as a StoredContact."""
    state = str(row[-2])
    try:
        presence = PresenceState(state)
    except ValueError:
        presence = PresenceState.UNKNOWN
    return StoredContact(int(str(row[0])), _row_to_contact(row[:-2]), presence, bool(row[-1]))


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
