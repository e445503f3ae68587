"""The ids each inbox poller has already seen (``inbox_seen``), kept across restarts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from app.store.database import Store


def load_seen(conn: sqlite3.Connection, inbox: str) -> list[str] | None:
    row = conn.execute("SELECT ids FROM inbox_seen WHERE inbox = ?", (inbox,)).fetchone()
    if row is None:
        return None
    try:
        ids = json.loads(row[0])
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def save_seen(conn: sqlite3.Connection, inbox: str, ids: Sequence[str]) -> None:
    conn.execute(
        "INSERT INTO inbox_seen (inbox, ids, saved_at) VALUES (?, ?, ?) ON CONFLICT (inbox) DO UPDATE "
        "SET ids = excluded.ids, saved_at = excluded.saved_at",
        (inbox, json.dumps(list(ids)), datetime.now(UTC).isoformat()),
    )


class StoredSeenMarkers:
    """:class:`app.services.inbox_poller.SeenMarkers` in the profile's cache."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def load(self, inbox: str) -> list[str] | None:
        return await self._store.call(load_seen, inbox)

    async def save(self, inbox: str, ids: Sequence[str]) -> None:
        await self._store.call(save_seen, inbox, ids)
