"""Voicemail state kept in the profile's cache: which ones were played, and who called.

Only the "played" marks are stored (``voicemails_played``); the voicemails themselves stay
on the server and are listed page by page. Every function runs on the store thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.store.contact_lookup import contacts_by_ids


def _chunks(items: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def played_among(conn: sqlite3.Connection, voicemail_ids: Sequence[str]) -> set[str]:
    played: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(voicemail_ids))):
        marks = ",".join("?" * len(chunk))
        played.update(
            str(row[0])
            for row in conn.execute(
                f"SELECT voicemail_id FROM voicemails_played WHERE voicemail_id IN ({marks})", list(chunk)
            )
        )
    return played


def mark_played(conn: sqlite3.Connection, voicemail_id: str, played: bool = True) -> bool:
    """Mark (or unmark) a voicemail as played; True when that changed anything."""
    if played:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO voicemails_played (voicemail_id, played_at) VALUES (?, ?)",
            (voicemail_id, datetime.now(UTC).isoformat()),
        )
    else:
        cursor = conn.execute("DELETE FROM voicemails_played WHERE voicemail_id = ?", (voicemail_id,))
    return cursor.rowcount > 0


def names_for_numbers(conn: sqlite3.Connection, numbers: Sequence[str]) -> dict[str, str]:
    """The contact name for each number (E.164 or extension digits) the book knows."""
    owners: dict[str, int] = {}
    for chunk in _chunks(list(dict.fromkeys(n for n in numbers if n))):
        marks = ",".join("?" * len(chunk))
        for number, contact_id in conn.execute(
            f"SELECT number, MIN(contact_id) FROM contact_numbers WHERE number IN ({marks}) GROUP BY number",
            list(chunk),
        ):
            owners[str(number)] = int(contact_id)
    contacts = contacts_by_ids(conn, owners.values())
    return {number: contacts[row].display_name for number, row in owners.items() if row in contacts}


@dataclass(frozen=True, slots=True)
class VoicemailMarks:
    played: set[str]
    names: dict[str, str]


def voicemail_marks(
    conn: sqlite3.Connection, voicemail_ids: Sequence[str], numbers: Sequence[str]
) -> VoicemailMarks:
    """What a page of voicemails needs from the cache, in one trip to the store thread."""
    return VoicemailMarks(played_among(conn, voicemail_ids), names_for_numbers(conn, numbers))
