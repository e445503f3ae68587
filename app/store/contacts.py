"""Contacts in the cache: written by sync, read page by page by the views.

All functions take the store's connection and run on the store thread.

Every contact also has a row in each of the two FTS5 search tables (``contact_search``:
name, dial pad and numbers; ``contact_search_text``: company and e-mails; see
``app.store.search``), kept up to date here. Those rows' rowid is the contact's
``search_key``: an integer that sorts exactly like (``sort_key``, ``id``), so the index hands
out matches already in alphabetical order and a search reads only the screenful it shows.
Writes to the index gather in ``search_backlog`` and are applied in steps of a few thousand
(``index_backlog_step``) at the end of a sync, and before a search (``flush_search_index``);
removed contacts leave it at once.
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
# Digits two to a character, in private-use characters no text holds (see digit_pairs).
T9_PAIRS = 0xE000
NUMBER_PAIRS = 0xE100


def digit_pairs(digits: str, base: int) -> str:
    """ASCII ``digits`` two to a character from ``base`` up (a last odd digit pairs with "end").

    There are only a thousand trigrams of digits (and 512 of dial-pad digits), each in a
    good share of a big book, so finding a run of digits means wading through long lists;
    a trigram of pairs stands for six digits and is rare enough to find at once. A run of
    odd length ends in any of the 11 pairs starting with its last digit.
    """
    pairs = _PAIRS[base]
    return "".join([pairs[digits[i : i + 2]] for i in range(0, len(digits), 2)])


def digit_pair(first: str, second: str, base: int) -> str:
    """One pair character (``second`` empty: ``first`` ends the digits)."""
    return _PAIRS[base][first + second]


_PAIRS = {
    base: {
        f"{a}{b}": chr(base + 11 * a + (10 if b == "" else int(b)))
        for a in range(10)
        for b in ["", *"0123456789"]
    }
    for base in (T9_PAIRS, NUMBER_PAIRS)
}
_WORDS = re.compile(r"[^\W_]+")
_NON_DIGITS = re.compile(r"\D+", re.ASCII)


def search_document(
    first_name: str,
    last_name: str,
    company: str,
    emails: Sequence[str],
    phones: Sequence[PhoneNumber],
    extension: str,
) -> tuple[str, ...]:
    """A contact's index columns: starts, t9_pairs, name, digits, digit_pairs
    (``contact_search``); company, emails (``contact_search_text``).

    - starts: each name word after WORD_START (``||john ||smith``): word-prefix matches;
    - t9_pairs: the dial-pad digits of the name from each word on, two to a character
      (``digit_pairs``), after WORD_START: ``5646`` finds John, ``56467`` John S...;
    - name, company, emails: folded text for substring matches;
    - digits: each number's digits (E.164 without '+'; the national digits are a run inside
      it), its displayed digits when they are not (a national trunk prefix such as UK's 0),
      and extensions;
    - digit_pairs: each of those two digits to a character, once from its first digit and
      once from its second, so that a run starting anywhere lines up with one of them.
    """
    name = " ".join(fold(f"{first_name} {last_name}").split())
    words = _WORDS.findall(name)
    t9_words = t9_digits(name).split()
    t9_runs = ["".join(t9_words[i:]) for i in range(len(t9_words))]
    digit_runs: list[str] = []
    for phone in phones:
        digits = _NON_DIGITS.sub("", phone.number)
        shown = _NON_DIGITS.sub("", phone.display)
        if digits and digits not in digit_runs:
            digit_runs.append(digits)
        if shown and shown not in digits and shown not in digit_runs:
            digit_runs.append(shown)
    extension_digits = _NON_DIGITS.sub("", extension)
    if extension_digits and extension_digits not in digit_runs:
        digit_runs.append(extension_digits)
    return (
        " ".join(WORD_START + w for w in words),
        " ".join(WORD_START + digit_pairs(run, T9_PAIRS) for run in t9_runs),
        name,
        " ".join(digit_runs),
        " ".join(
            pairs
            for run in digit_runs
            for pairs in (digit_pairs(run, NUMBER_PAIRS), digit_pairs(run[1:], NUMBER_PAIRS))
            if pairs
        ),
        " ".join(fold(company).split()),
        " ".join(fold(e) for e in emails),
    )


# -- search keys: integers in (0, KEY_SPACE) that sort exactly like (sort_key, id) ---------
# Contacts get their key when the index is brought up to date (new ones, and renamed ones,
# wait with none): the ones that fall between the same two keyed neighbours share that gap
# evenly. A first batch into an empty book sits in the middle, _STEP apart, and later ones
# past either end continue _STEP apart, so a book arriving in alphabetical order has room
# for millions. Only when a gap is too narrow are the keys around it spread out again, the
# window doubling until its gaps would be wide enough (less wide the bigger the window).

KEY_SPACE = 1 << 63
_STEP = 1 << 40
_ROOM = 1 << 20
_NEIGHBOURS = (
    "SELECT id, sort_key, search_key FROM contacts "
    "WHERE (sort_key, id) {op} (?, ?) AND search_key IS NOT NULL "
    "ORDER BY sort_key {order}, id {order} LIMIT ?"
)
_BEFORE = _NEIGHBOURS.format(op="<", order="DESC")
_AFTER = _NEIGHBOURS.format(op=">", order="ASC")


class SearchKeysExhausted(RuntimeError):
    """No room left between search keys (would take billions of contacts)."""


def _assign_search_keys(conn: sqlite3.Connection, changes: _IndexChanges) -> None:
    """Give every contact without a search key one, in order; marks them for indexing."""
    waiting = conn.execute(
        "SELECT id, sort_key FROM contacts WHERE search_key IS NULL ORDER BY sort_key, id"
    ).fetchall()
    at = 0
    while at < len(waiting):
        row_id, key = waiting[at]
        before = conn.execute(_BEFORE, (key, row_id, 1)).fetchone()
        after = conn.execute(_AFTER, (key, row_id, 1)).fetchone()
        run_end = at + 1  # the waiting contacts in the same gap
        while run_end < len(waiting) and (
            after is None or (waiting[run_end][1], waiting[run_end][0]) < (after[1], after[0])
        ):
            run_end += 1
        run = [row for row, _key in waiting[at:run_end]]
        keys = _spaced(
            None if before is None else int(before[2]), None if after is None else int(after[2]), len(run)
        )
        if keys is None:
            _spread(conn, waiting[at], run, changes)
        else:
            conn.executemany(
                "UPDATE contacts SET search_key = ? WHERE id = ?", list(zip(keys, run, strict=True))
            )
        for row in run:
            changes.rewrite(row, None)
        at = run_end


def _spaced(low: int | None, high: int | None, count: int, room: int = 1) -> list[int] | None:
    """``count`` keys evenly between ``low`` and ``high`` (None: an end of the book), gaps of
    at least ``room``; None when they do not fit."""
    if low is None and high is None:
        step = min(_STEP, KEY_SPACE // (count + 1))
        start = KEY_SPACE // 2 - step * (count // 2)
    elif high is None:
        assert low is not None
        step = min(_STEP, (KEY_SPACE - low) // (count + 1))
        start = low + step
    elif low is None:
        step = min(_STEP, high // (count + 1))
        start = high - step * count
    else:
        step = (high - low) // (count + 1)
        start = low + step
    if step < room or step < 1:
        return None
    return [start + n * step for n in range(count)]


def _spread(conn: sqlite3.Connection, first: tuple[int, str], run: list[int], changes: _IndexChanges) -> None:
    """Key ``run`` (waiting contacts in one gap, in order, ``first`` the first of them) by
    spreading out the keys around that gap."""
    row_id, key = first
    width = 8
    room = _ROOM
    while True:
        before = conn.execute(_BEFORE, (key, row_id, width + 1)).fetchall()
        after = conn.execute(_AFTER, (key, row_id, width + 1)).fetchall()
        low = int(before[width][2]) if len(before) > width else None
        high = int(after[width][2]) if len(after) > width else None
        window = [row[0] for row in before[:width][::-1]] + run + [row[0] for row in after[:width]]
        keys = _spaced(low, high, len(window), max(1, room))
        if keys is not None:
            break
        if low is None and high is None:
            raise SearchKeysExhausted("no room left in the search keys")
        width *= 2
        room //= 4
    old_keys = {row[0]: int(row[2]) for row in [*before[:width], *after[:width]]}
    conn.executemany("UPDATE contacts SET search_key = NULL WHERE id = ?", [(r,) for r in old_keys])
    conn.executemany("UPDATE contacts SET search_key = ? WHERE id = ?", list(zip(keys, window, strict=True)))
    for moved in window:
        changes.rewrite(moved, old_keys.get(moved))


_INDEX_TABLES = (
    ("contact_search", "starts, t9_pairs, name, digits, digit_pairs", 0, 5),
    ("contact_search_text", "company, emails", 5, 7),
)
_DOCUMENT_SOURCE = (
    "SELECT search_key, first_name, last_name, company, emails, phones, extension FROM contacts WHERE id = ?"
)
# Index changes wait in ``search_backlog`` until ``index_backlog_step`` applies them, a few
# thousand at a time in search-key order, after a sync and before a search: an FTS5 commit
# costs tens of milliseconds, and contacts arriving in no particular order would fragment
# the index into many small segments, so a sync writes none of it page by page.
INDEX_STEP = 5_000
# A search first brings the index up to date when at most this many changes wait (about a
# second's work); with more (a first sync still running), it scans the contacts instead.
SEARCH_FLUSH_LIMIT = 10_000


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

    def save(self, conn: sqlite3.Connection) -> None:
        """Add these changes to the backlog."""
        conn.executemany(
            "INSERT INTO search_backlog (contact_id, stale_key) VALUES (?, ?)",
            [(row_id, None) for row_id in self._dirty] + [(None, key) for key in self._stale],
        )
        self._stale.clear()
        self._dirty.clear()

    def apply(self, conn: sqlite3.Connection) -> None:
        _assign_search_keys(conn, self)
        changes: list[tuple[int, int, tuple[str, ...] | None]] = [(k, 0, None) for k in self._stale]
        for row_id in self._dirty:
            row = conn.execute(_DOCUMENT_SOURCE, (row_id,)).fetchone()
            if row is not None and row[0] is not None:
                changes.append((int(row[0]), 1, _document_of_row(row[1:])))
        changes.sort(key=lambda change: change[:2])  # a key's delete before its insert
        _write_index(conn, changes)
        self._stale.clear()
        self._dirty.clear()


def _write_index(
    conn: sqlite3.Connection, changes: Sequence[tuple[int, int, tuple[str, ...] | None]]
) -> None:
    """Delete (document None) or insert index rows, in the order given (rowid order)."""
    for table, columns, start, end in _INDEX_TABLES:
        marks = ", ".join("?" * (1 + end - start))
        insert = f"INSERT INTO {table} (rowid, {columns}) VALUES ({marks})"
        delete = f"DELETE FROM {table} WHERE rowid = ?"
        for search_key, _order, document in changes:
            if document is None:
                conn.execute(delete, (search_key,))
            else:
                conn.execute(insert, (search_key, *document[start:end]))


_BACKLOG_DOCUMENTS = """
    SELECT c.id, c.search_key, c.first_name, c.last_name, c.company, c.emails, c.phones, c.extension
    FROM contacts c
    WHERE c.id IN (SELECT contact_id FROM search_backlog WHERE contact_id IS NOT NULL)
    ORDER BY c.search_key LIMIT ?
"""


def index_backlog_step(conn: sqlite3.Connection, limit: int = INDEX_STEP) -> bool:
    """Apply the first ``limit`` waiting index changes (in search-key order); True while
    more wait. New contacts get their search keys in the first step."""
    with conn:
        conn.execute("BEGIN")
        changes = _IndexChanges()
        _assign_search_keys(conn, changes)
        changes.save(conn)
        stale = conn.execute(
            "SELECT DISTINCT stale_key FROM search_backlog WHERE stale_key IS NOT NULL ORDER BY stale_key"
        ).fetchall()
        if stale:
            _write_index(conn, [(int(key), 0, None) for (key,) in stale])
            conn.execute("DELETE FROM search_backlog WHERE stale_key IS NOT NULL")
        rows = conn.execute(_BACKLOG_DOCUMENTS, (limit,)).fetchall()
        _write_index(conn, [(int(row[1]), 1, _document_of_row(row[2:])) for row in rows])
        if len(rows) < limit:
            conn.execute("DELETE FROM search_backlog")  # the rest: contacts removed meanwhile
            return False
        conn.execute(
            "DELETE FROM search_backlog WHERE contact_id IN (SELECT value FROM json_each(?))",
            ("[" + ",".join(str(row[0]) for row in rows) + "]",),
        )
        return True


def search_backlog_exceeds(conn: sqlite3.Connection, size: int) -> bool:
    """Whether more than ``size`` index changes wait."""
    row = conn.execute("SELECT 1 FROM search_backlog LIMIT 1 OFFSET ?", (size,)).fetchone()
    return row is not None


def flush_search_index(conn: sqlite3.Connection) -> bool:
    """Bring the search index up to date with the contacts; False if it already was."""
    if conn.execute("SELECT 1 FROM search_backlog LIMIT 1").fetchone() is None:
        return False
    while index_backlog_step(conn):
        pass
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
        _IndexChanges().apply(conn)
        (count,) = conn.execute("SELECT count(*) FROM contacts").fetchone()
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    return int(count)


# -- sync ---------------------------------------------------------------------------------


# SQLite's page cache (KiB) while a sync writes: the contacts' indexes are written in no
# particular order, and a cache that holds them writes each page once per transaction.
SYNC_CACHE_KIB = 32_768


def begin_sync(conn: sqlite3.Connection, source: str) -> int:
    """Start a sync pass of ``source``; returns its generation number."""
    conn.execute(f"PRAGMA cache_size = -{SYNC_CACHE_KIB}")
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
                row_id = search_key = None  # keyed and indexed with the backlog
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
                    if old_key != key:  # keyed again in its new place with the backlog
                        search_key = None
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
        changes.save(conn)
    return count


def end_sync_writes(conn: sqlite3.Connection) -> None:
    """A sync has written its contacts: back to the default page cache, memory given back."""
    conn.execute("PRAGMA cache_size = -2000")
    conn.execute("PRAGMA shrink_memory")


def finish_sync(conn: sqlite3.Connection, source: str, generation: int) -> int:
    """Remove the source's contacts the sync pass did not see; returns how many went."""
    with conn:
        conn.execute("BEGIN")
        # A trigger would remove their index rows too, but one by one in no order (see
        # _IndexChanges): many removals are much cheaper in rowid order first, with the
        # backlog, which the end of a sync clears anyway.
        gone = conn.execute(
            "SELECT search_key FROM contacts WHERE source = ? AND generation < ? AND search_key IS NOT NULL "
            "ORDER BY search_key",
            (source, generation),
        ).fetchall()
        _write_index(conn, [(int(key), 0, None) for (key,) in gone])
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
