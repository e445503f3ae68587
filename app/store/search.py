"""Search as you type over the contact cache, served from its FTS5 trigram index.

Matches come in tiers, each alphabetical (``sort_key``, then row id):

1. name prefix: every word of the query starts a word of the name (``jo sm`` -> John Smith);
   for a query of digits, the dial-pad (T9) digits of the name (``5646`` -> John);
2. the other names holding the query (``ohn`` -> John);
3. the other contacts whose company, e-mails or numbers hold it. A query that looks like a
   number (only digits, spaces and ``()+-.``) is matched as its digits, so ``(555) 123-4``
   finds +1 555-123-4567.

Queries of one or two characters match name prefixes only (a trigram needs three).

Names and details are two FTS5 tables (so a name query never wades through company
matches) whose rowids are the contacts' ``search_key``, which sorts exactly like the book
(see ``app.store.contacts``): each tier is read from the index in order and stops after the
page, so a page costs about the same whether a query matches ten contacts or a million, and
the total number of matches is never needed. Pages are slices of one fixed order, so
consecutive pages join up exactly. User text only ever reaches FTS5 inside a quoted string.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from app.domain.t9 import fold
from app.store.contacts import (
    STORED_COLUMNS,
    STORED_JOINS,
    T9_LETTERS,
    WORD_START,
    StoredContact,
    contacts_page,
    flush_search_index,
    stored_from_row,
    t9_pairs,
)

_NUMBER_LIKE = re.compile(r"[\d\s()+\-.]*\d[\d\s()+\-.]*")
_WORDS = re.compile(r"[^\W_]+")
_NON_DIGITS = re.compile(r"\D+")
_MIN_SUBSTRING = 3  # the trigram tokenizer cannot match less

_NAMES = "SELECT rowid FROM contact_names WHERE contact_names MATCH ?"
_DETAILS = "SELECT rowid FROM contact_details WHERE contact_details MATCH ?"
_DETAILS_UNLESS = f"{_DETAILS} AND rowid NOT IN ({_NAMES})"
_ROWS = f"""
    SELECT {STORED_COLUMNS}
    FROM json_each(?) k CROSS JOIN contacts c ON c.search_key = k.value {STORED_JOINS}
    ORDER BY k.key
"""


@dataclass(frozen=True, slots=True)
class Tier:
    """One tier of a query: an FTS5 query of ``contact_names`` or of ``contact_details``
    (then leaving out the contacts that ``unless`` finds in ``contact_names``)."""

    names: str | None = None
    details: str | None = None
    unless: str | None = None

    @property
    def select(self) -> tuple[str, tuple[str, ...]]:
        if self.names is not None:
            return _NAMES, (self.names,)
        assert self.details is not None
        if self.unless is None:
            return _DETAILS, (self.details,)
        return _DETAILS_UNLESS, (self.details, self.unless)


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string: nothing in it is query syntax."""
    return '"' + text.replace('"', '""') + '"'


def _dial_pad_prefix(digits: str) -> str:
    """Names with a word whose dial-pad digits start with ``digits`` (see ``t9_pairs``)."""
    exact = f"t9 : {_phrase(WORD_START + digits.translate(T9_LETTERS))}"
    if len(digits) < 2:
        return exact
    even = len(digits) - len(digits) % 2
    pairs = f"t9_pairs : {_phrase(WORD_START + t9_pairs(digits[:even]))}"
    return pairs if even == len(digits) else f"({pairs}) AND ({exact})"


def query_tiers(query: str) -> list[Tier]:
    """The tiers of ``query``, best first (none for a blank query)."""
    text = " ".join(query.split())
    if not text:
        return []
    if _NUMBER_LIKE.fullmatch(text):
        digits = _NON_DIGITS.sub("", text)
        prefix = f"({_dial_pad_prefix(digits)}) OR (starts : {_phrase(WORD_START + digits)})"
        needle = digits
    else:
        needle = fold(text)
        words = _WORDS.findall(needle)
        prefix = " AND ".join(f"starts : {_phrase(WORD_START + w)}" for w in words)
    tiers = [Tier(names=prefix)] if prefix else []
    if len(needle) >= _MIN_SUBSTRING:
        name = f"name : {_phrase(needle)}"
        named = f"({name}) OR ({prefix})" if prefix else name
        tiers.append(Tier(names=f"({name}) NOT ({prefix})" if prefix else name))
        tiers.append(Tier(details=_phrase(needle), unless=named))
    return tiers


def search_contacts(conn: sqlite3.Connection, query: str, offset: int, limit: int) -> list[StoredContact]:
    """Contacts matching ``query``, best first, ``limit`` rows from ``offset``.

    A blank query lists the whole book as ``contacts_page`` does.
    """
    tiers = query_tiers(query)
    if not tiers:
        return contacts_page(conn, offset, limit)
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
