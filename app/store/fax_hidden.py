"""Outbound faxes deleted locally (``fax_hidden``): hidden from the lists even if the server
still lists them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime


def hide_fax(conn: sqlite3.Connection, fax_id: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO fax_hidden (fax_id, hidden_at) VALUES (?, ?)",
        (fax_id, datetime.now(UTC).isoformat()),
    )


def hidden_among(conn: sqlite3.Connection, fax_ids: Iterable[str]) -> set[str]:
    """Which of these faxes are hidden."""
    ids = list(fax_ids)
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT fax_id FROM fax_hidden WHERE fax_id IN ({marks})", ids).fetchall()
    return {str(row[0]) for row in rows}
