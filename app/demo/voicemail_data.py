"""The demo server's voicemails as rows: table, seed, inserts and the Voicemail JSON.

Only the recording's parameters are stored (a voice seed and a length in samples); the WAV
file is made on request (:mod:`app.demo.voicemail_audio`), its size known beforehand.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.demo.identifiers import seeded_id
from app.demo.voicemail_audio import SAMPLE_RATE, wav_size
from app.demo.wire import JsonDict

TABLE = """
CREATE TABLE voicemails (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    extension_source INTEGER NOT NULL,
    extension_destination INTEGER NOT NULL,
    extension_destination_id TEXT NOT NULL,
    source_name TEXT NOT NULL,
    email TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    file_id TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    samples INTEGER NOT NULL,
    voice INTEGER NOT NULL
)
"""
INDEX = "CREATE INDEX voicemails_by_time ON voicemails (received_ms)"

FILES_PATH = "/voicemail/files"
SEEDED_VOICEMAILS = 42
# The moment seeded ids pretend to have been made at (times are relative to seeding).
_ID_EPOCH = datetime(2024, 6, 1, tzinfo=UTC).timestamp()
_CALLER_ID_NAMES = ("WIRELESS CALLER", "UNKNOWN", "SAN DIEGO CA", "TOLL FREE CALL")


@dataclass(frozen=True, slots=True)
class Mailbox:
    extension: int
    extension_id: str
    email: str


@dataclass(frozen=True, slots=True)
class Caller:
    extension: int
    """A company extension, or an outside caller's number as 11 digits (``16195550123``)."""
    name: str


def _mailboxes(conn: sqlite3.Connection) -> list[Mailbox]:
    """The acting user's mailbox first, then a few colleagues' (the owner sees those too)."""
    rows = conn.execute("SELECT extension, extension_id, email FROM contacts ORDER BY seq LIMIT 5")
    return [Mailbox(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def callers(conn: sqlite3.Connection) -> tuple[list[Caller], list[Caller]]:
    """Colleagues (by extension) and customers (by number) who may leave a voicemail."""
    colleagues = [
        Caller(int(r[0]), f"{r[1]} {r[2]}")
        for r in conn.execute(
            "SELECT extension, first_name, last_name FROM contacts ORDER BY seq LIMIT 60 OFFSET 1"
        )
    ]
    customers = [
        Caller(int(str(r[0])[1:]), f"{r[1]} {r[2]}")
        for r in conn.execute("SELECT number, first_name, last_name FROM texting_contacts ORDER BY seq")
        if str(r[0]).startswith("+1")
    ]
    return colleagues, customers


def _pick(conn: sqlite3.Connection, rng: random.Random) -> tuple[Mailbox, Caller]:
    mailboxes = _mailboxes(conn)
    mailbox = mailboxes[0] if len(mailboxes) == 1 or rng.random() < 0.75 else rng.choice(mailboxes[1:])
    colleagues, customers = callers(conn)
    colleagues = [c for c in colleagues if c.extension != mailbox.extension]
    if colleagues and (not customers or rng.random() < 0.6):
        return mailbox, rng.choice(colleagues)
    if customers:
        caller = rng.choice(customers)
        if rng.random() < 0.3:  # the carrier sent no name, or a generic one
            caller = Caller(caller.extension, rng.choice(_CALLER_ID_NAMES))
        return mailbox, caller
    return mailbox, Caller(16195550100 + rng.randrange(100), rng.choice(_CALLER_ID_NAMES))


def insert_voicemail(
    conn: sqlite3.Connection, rng: random.Random, received: datetime, ids: tuple[str, str]
) -> str:
    """Someone leaves a voicemail at ``received``; ``ids`` are the voicemail's and its file's."""
    mailbox, caller = _pick(conn, rng)
    count = conn.execute(
        "SELECT COUNT(*) FROM voicemails WHERE extension_destination = ?", (mailbox.extension,)
    ).fetchone()[0]
    # Whole milliseconds, so that the duration in seconds is exact to three decimals.
    samples = int(rng.uniform(3.0, 24.0) * 1000) * (SAMPLE_RATE // 1000)
    conn.execute(
        "INSERT INTO voicemails (id, extension_source, extension_destination, extension_destination_id,"
        " source_name, email, received_ms, file_id, file_name, samples, voice)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ids[0],
            caller.extension,
            mailbox.extension,
            mailbox.extension_id,
            caller.name,
            mailbox.email,
            int(received.timestamp() * 1000),
            ids[1],
            f"msg{count:04d}.wav",
            samples,
            rng.getrandbits(31),
        ),
    )
    return ids[0]


def seed_voicemails(conn: sqlite3.Connection, seed: int, now: datetime) -> None:
    """Create the table and voicemails from minutes to ~6 weeks old (inside the seeding
    transaction, after the company users and texting contacts)."""
    conn.execute(TABLE)
    conn.execute(INDEX)
    rng = random.Random(f"ringdesk-demo:{seed}:voicemail")
    hours = sorted((0.2 + i**1.9 * 0.8 + rng.random() for i in range(SEEDED_VOICEMAILS)), reverse=True)
    for age in hours:
        stamp = _ID_EPOCH - age * 3600
        ids = (seeded_id(rng, stamp), seeded_id(rng, stamp))
        insert_voicemail(conn, rng, now - timedelta(hours=age), ids)


def _iso_z(epoch_ms: int) -> str:
    """``"2021-07-28T16:18:17.404000Z"``, as in the document's example."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}000Z"


def voicemail_json(row: sqlite3.Row, company_id: str, pbx_uuid: str, base_url: str) -> JsonDict:
    """The documented Voicemail object; the file's link is ``base_url`` + its path."""
    samples = int(row["samples"])
    return {
        "_id": row["id"],
        "company_id": company_id,
        "extension_destination": row["extension_destination"],
        "extension_destination_id": row["extension_destination_id"],
        "extension_source": row["extension_source"],
        "pbx": pbx_uuid,
        "source_representation_name": row["source_name"],
        "time_received": _iso_z(int(row["received_ms"])),
        "voicemail_email": row["email"],
        "voicemail_file": {
            "id": row["file_id"],
            "duration": samples / SAMPLE_RATE,
            "link": f"{base_url}{FILES_PATH}/{row['file_id']}.wav",
            "name": row["file_name"],
            "size": wav_size(samples),
        },
    }
