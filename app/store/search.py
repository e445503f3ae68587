"""Search as you type over the contact cache, served from its FTS5 trigram index.

Matches come in tiers, each alphabetical (``sort_key``, then row id):

1. name prefix: every word of the query starts a word of the name (``jo sm`` -> John Smith);
   for a query of digits, the dial-pad (T9) digits of a name word (``5646`` -> John);
2. the other names holding the query (``ohn`` -> John); for a query that looks like a number
   (only digits, spaces and ``()+-.``), instead, the contacts with a number holding its
   digits, whatever the formatting (``(555) 123-4`` finds +1 555-123-4567);
3. the other contacts whose company or e-mails hold it.

Queries of one or two characters match name prefixes only (a trigram needs three).

While a first sync is still being indexed (more than ``SEARCH_FLUSH_LIMIT`` index changes
wait), a search scans the contacts instead (``scan_contacts``): slower, one alphabetical tier,
but complete; it never waits for the whole index to be built.

The index is two FTS5 tables, ``contact_search`` (name words, dial pad, name, numbers) and
``contact_search_text`` (company, e-mails), so that a name query never wades through company
matches. Their rowids are the contacts' ``search_key``, which sorts exactly like the book (see
``app.store.contacts``): each tier is read from the index in order and stops after the page,
so a page costs about the same whether a query matches ten contacts or a million, and the
total number of matches is never needed. Pages are slices of one fixed order, so consecutive
pages join up exactly. User text only ever reaches FTS5 inside a quoted string.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from app.domain.t9 import fold
from app.store.contacts import (
    NUMBER_PAIRS,
    SEARCH_FLUSH_LIMIT,
    STORED_COLUMNS,
    STORED_JOINS,
    T9_PAIRS,
    WORD_START,
    StoredContact,
    contacts_page,
    digit_pair,
    digit_pairs,
    flush_search_index,
    search_backlog_exceeds,
    stored_from_row,
)

_NUMBER_LIKE = re.compile(r"[\d\s()+\-.]*\d[\d\s()+\-.]*", re.ASCII)
_WORDS = re.compile(r"[^\W_]+")
_NON_DIGITS = re.compile(r"\D+", re.ASCII)
_MIN_SUBSTRING = 3  # the trigram tokenizer cannot match less

_MAIN = "SELECT rowid FROM contact_search WHERE contact_search MATCH ?"
_TEXT = f"SELECT rowid FROM contact_search_text WHERE contact_search_text MATCH ? AND rowid NOT IN ({_MAIN})"
_ROWS = f"""
    SELECT {STORED_COLUMNS}
    FROM json_each(?) k CROSS JOIN contacts c ON c.search_key = k.value {STORED_JOINS}
    ORDER BY k.key
"""


@dataclass(frozen=True, slots=True)
class Tier:
    """One tier of a query: an FTS5 query of ``contact_search``, or of ``contact_search_text``
    leaving out the contacts that ``unless`` finds in ``contact_search``."""

    main: str | None = None
    text: str | None = None
    unless: str = ""

    @property
    def select(self) -> tuple[str, tuple[str, ...]]:
        if self.main is not None:
            return _MAIN, (self.main,)
        assert self.text is not None
        return _TEXT, (self.text, self.unless)


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string: nothing in it is query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _either(*expressions: str) -> str:
    return " OR ".join(f"({e})" for e in expressions if e)


def _pairs_phrases(column: str, lead: str, digits: str, base: int) -> str:
    """``column`` holding ``lead`` then ``digits`` as pairs (see ``digit_pairs``); an odd
    last digit matches the 11 pairs that start with it."""
    even = len(digits) - len(digits) % 2
    pairs = lead + digit_pairs(digits[:even], base)
    if even == len(digits):
        return f"{column} : {_phrase(pairs)}"
    last = digits[-1]
    endings = _either(
        *(f"{column} : {_phrase(pairs + digit_pair(last, then, base))}" for then in ["", *"0123456789"])
    )
    if len(pairs) < _MIN_SUBSTRING:
        return endings
    return f"({column} : {_phrase(pairs)}) AND ({endings})"  # found by the first, checked by the rest


def _dial_pad_prefix(digits: str) -> str:
    """Names with a word whose dial-pad digits start with ``digits``."""
    return _pairs_phrases("t9_pairs", WORD_START, digits, T9_PAIRS)


def _numbers_holding(digits: str) -> str:
    """Contacts with a number holding the run ``digits`` (three or more)."""
    if len(digits) < 5:  # two pairs make no trigram; short runs are in many numbers anyway
        return f"digits : {_phrase(digits)}"
    return _pairs_phrases("digit_pairs", "", digits, NUMBER_PAIRS)


def query_tiers(query: str) -> list[Tier]:
    """The tiers of ``query``, best first (none when nothing in it can match)."""
    text = " ".join(query.split())
    if not text:
        return []
    if _NUMBER_LIKE.fullmatch(text):
        needle = _NON_DIGITS.sub("", text)
        prefix = _either(_dial_pad_prefix(needle), f"starts : {_phrase(WORD_START + needle)}")
        # Not "name holding these digits": a digit trigram's list in this table is mostly
        # numbers, so it would be slow; a name word starting with them is in ``prefix``.
        found = _numbers_holding(needle) if len(needle) >= _MIN_SUBSTRING else ""
    else:
        needle = fold(text)
        prefix = " AND ".join(f"starts : {_phrase(WORD_START + w)}" for w in _WORDS.findall(needle))
        found = f"name : {_phrase(needle)}"
    tiers = [Tier(main=prefix)] if prefix else []
    if len(needle) >= _MIN_SUBSTRING:
        tiers.append(Tier(main=f"({found}) NOT ({prefix})" if prefix else found))
        tiers.append(Tier(text=_phrase(needle), unless=_either(found, prefix)))
    return tiers


def search_contacts(conn: sqlite3.Connection, query: str, offset: int, limit: int) -> list[StoredContact]:
    """Contacts matching ``query``, best first, ``limit`` rows from ``offset``.

    A blank query lists the whole book as ``contacts_page`` does.
    """
    if not query.strip():
        return contacts_page(conn, offset, limit)
    tiers = query_tiers(query)
    if not tiers:
        return []
    if search_backlog_exceeds(conn, SEARCH_FLUSH_LIMIT):
        return scan_contacts(conn, query, offset, limit)
    flush_search_index(conn)
    keys: list[int] = []
    skip = offset
    for tier in tiers:
        wanted = limit - len(keys)
        if wanted <= 0:
            break
        select, args = tier.select
        page = [
            key for (key,) in conn.execute(f"{select} ORDER BY rowid LIMIT ? OFFSET ?", (*args, wanted, skip))
        ]
        keys += page
        if len(page) < wanted:  # the tier ends before the page does: the next one follows it
            if page or not skip:
                skip = 0
            else:  # the page starts past this tier: how far past?
                (size,) = conn.execute(f"SELECT count(*) FROM ({select})", args).fetchone()
                skip = max(0, skip - int(size))
    if not keys:
        return []
    rows = conn.execute(_ROWS, ("[" + ",".join(map(str, keys)) + "]",)).fetchall()
    return [stored_from_row(row) for row in rows]


_SCAN = f"""
    SELECT {STORED_COLUMNS} FROM contacts c {STORED_JOINS}
    WHERE {{match}} ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?
"""
_SCAN_NUMBERS = _SCAN.format(
    match="c.id IN (SELECT contact_id FROM contact_numbers WHERE number LIKE ? ESCAPE '\\') "
    "OR c.extension LIKE ? ESCAPE '\\'"
)
_SCAN_TEXT = _SCAN.format(
    match="(c.first_name || ' ' || c.last_name) LIKE ? ESCAPE '\\' OR c.company LIKE ? ESCAPE '\\' "
    "OR c.emails LIKE ? ESCAPE '\\'"
)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def scan_contacts(conn: sqlite3.Connection, query: str, offset: int, limit: int) -> list[StoredContact]:
    """Contacts whose name, company or e-mails hold ``query`` (or whose numbers hold its
    digits, for a number), alphabetically: the search while the index is being built."""
    text = " ".join(query.split())
    if _NUMBER_LIKE.fullmatch(text):
        pattern = _like(_NON_DIGITS.sub("", text))
        rows = conn.execute(_SCAN_NUMBERS, (pattern, pattern, limit, offset)).fetchall()
    else:
        pattern = _like(text)
        rows = conn.execute(_SCAN_TEXT, (pattern, pattern, pattern, limit, offset)).fetchall()
    return [stored_from_row(row) for row in rows]
