"""Starred contacts in the cache, in the order the user gave them.

A favorite is keyed by its contact's source and source id, not by the contact's row, so it
survives a resync of the book: while its contact is gone from the book the favorite stays
in the table (keeping its place) but is not listed. Positions are dense (0..n-1 over the
whole table) and change only when the user stars, unstars or moves a favorite.

All functions take the store's connection and run on the store thread.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from app.domain.presence import PresenceState
from app.store.contacts import STORED_COLUMNS, STORED_JOINS, StoredContact, stored_from_row

Key = tuple[str, str]
"""(source, source_id)"""


class FavoritesOrder(StrEnum):
    MANUAL = "manual"
    """The user's order (drag and drop)."""
    AVAILABILITY = "availability"
    """Available first, then away, busy (on a call, do not disturb), offline, unknown; ties
    by name."""


# Availability groups, best first; states not listed (unknown) come last.
AVAILABILITY_GROUPS: tuple[tuple[PresenceState, ...], ...] = (
    (PresenceState.AVAILABLE,),
    (PresenceState.AWAY,),
    (PresenceState.BUSY, PresenceState.ON_CALL, PresenceState.DO_NOT_DISTURB),
    (PresenceState.OFFLINE,),
)


def _availability_rank_sql() -> str:
    whens = " ".join(
        f"WHEN '{state.value}' THEN {rank}"
        for rank, group in enumerate(AVAILABILITY_GROUPS)
        for state in group
    )
    unknown = PresenceState.UNKNOWN.value
    return f"CASE COALESCE(p.state, '{unknown}') {whens} ELSE {len(AVAILABILITY_GROUPS)} END"


_ORDER_BY = {
    FavoritesOrder.MANUAL: "f.position, c.sort_key, c.id",
    FavoritesOrder.AVAILABILITY: f"{_availability_rank_sql()}, c.sort_key, c.id",
}


def list_favorites(
    conn: sqlite3.Connection, order: FavoritesOrder = FavoritesOrder.MANUAL
) -> list[StoredContact]:
    """The favorites whose contact is in the book, with presence, in ``order``."""
    rows = conn.execute(
        f"SELECT {STORED_COLUMNS} FROM contacts c {STORED_JOINS} "
        f"WHERE f.source IS NOT NULL ORDER BY {_ORDER_BY[order]}"
    ).fetchall()
    return [stored_from_row(row) for row in rows]


def is_favorite(conn: sqlite3.Connection, source: str, source_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM favorites WHERE source = ? AND source_id = ?", (source, source_id)
    ).fetchone()
    return row is not None


def count_favorites(conn: sqlite3.Connection) -> int:
    """How many favorites are listed (their contact is in the book)."""
    (count,) = conn.execute(
        "SELECT COUNT(*) FROM favorites f JOIN contacts c "
        "ON c.source = f.source AND c.source_id = f.source_id"
    ).fetchone()
    return int(count)


def star(conn: sqlite3.Connection, source: str, source_id: str) -> bool:
    """Make a contact of the book a favorite, last in the order.

    Returns False when it already was one, or when the book has no such contact.
    """
    with conn:
        conn.execute("BEGIN")
        exists = conn.execute(
            "SELECT 1 FROM contacts WHERE source = ? AND source_id = ?", (source, source_id)
        ).fetchone()
        if exists is None:
            return False
        inserted = conn.execute(
            "INSERT INTO favorites (source, source_id, position) "
            "SELECT ?, ?, COALESCE(MAX(position) + 1, 0) FROM favorites WHERE true "
            "ON CONFLICT (source, source_id) DO NOTHING",
            (source, source_id),
        ).rowcount
    return inserted > 0


def unstar(conn: sqlite3.Connection, source: str, source_id: str) -> bool:
    """Remove a favorite (listed or not); returns False when it was none."""
    with conn:
        conn.execute("BEGIN")
        deleted = conn.execute(
            "DELETE FROM favorites WHERE source = ? AND source_id = ?", (source, source_id)
        ).rowcount
        if deleted:
            _renumber(conn, _ordered_keys(conn))
    return deleted > 0


def move_favorite(conn: sqlite3.Connection, source: str, source_id: str, index: int) -> bool:
    """Move a favorite to ``index`` in the listed order (as :func:`list_favorites` shows it
    in manual order); an index past the end moves it last. Favorites that are not listed
    keep their place among the others.

    Returns whether the order changed (False too when the contact is no favorite).
    """
    key: Key = (source, source_id)
    with conn:
        conn.execute("BEGIN")
        ordered = _ordered_keys(conn)
        if key not in ordered:
            return False
        listed = _listed_keys(conn)
        rest = [k for k in ordered if k != key]
        visible = [k for k in rest if k in listed]
        index = max(0, min(index, len(visible)))
        if index < len(visible):
            at = rest.index(visible[index])
        elif visible:
            at = rest.index(visible[-1]) + 1
        else:
            at = ordered.index(key)  # nothing else listed: stays where it is
        rest.insert(at, key)
        moved = _renumber(conn, rest)
    return moved > 0


def _ordered_keys(conn: sqlite3.Connection) -> list[Key]:
    rows = conn.execute("SELECT source, source_id FROM favorites ORDER BY position, rowid").fetchall()
    return [(str(source), str(source_id)) for source, source_id in rows]


def _listed_keys(conn: sqlite3.Connection) -> set[Key]:
    rows = conn.execute(
        "SELECT f.source, f.source_id FROM favorites f JOIN contacts c "
        "ON c.source = f.source AND c.source_id = f.source_id"
    ).fetchall()
    return {(str(source), str(source_id)) for source, source_id in rows}


def _renumber(conn: sqlite3.Connection, keys: list[Key]) -> int:
    """Give ``keys`` the positions 0..n-1 in their order; returns how many rows moved."""
    current = {
        (str(source), str(source_id)): int(position)
        for source, source_id, position in conn.execute("SELECT source, source_id, position FROM favorites")
    }
    moves = [
        (position, source, source_id)
        for position, (source, source_id) in enumerate(keys)
        if current.get((source, source_id)) != position
    ]
    conn.executemany("UPDATE favorites SET position = ? WHERE source = ? AND source_id = ?", moves)
    return len(moves)
