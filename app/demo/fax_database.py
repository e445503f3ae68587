"""The demo server's faxes and files, kept in the demo SQLite file beside the rest.

Tables ``fax_*`` are created (and seeded) on open when missing or seeded differently. A
fax's life, simulated: an outbound fax is ``sending`` for ``sending_seconds`` and then
``sent``, or ``failed`` when its number ends in ``0000`` (the demo's "nobody answers"
numbers); a scheduled fax becomes an outbound ``sending`` one when its time comes. These
changes are applied lazily, at the start of every query.

Extensions beyond the document (named in the README): ``status`` ("received", "sending",
"sent", "failed", "scheduled") and ``status_detail`` on fax messages, ``send_at`` and
``emails`` echoed back, and uploaded files' content.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.demo.database_transactions import immediate_transaction
from app.demo.fax_documents import FaxCover, count_pages, fax_pdf
from app.demo.fax_texts import FAILURE_REASONS, FAX_TOPICS, FaxTopic
from app.demo.identifiers import new_id, seeded_id
from app.demo.timestamps import iso, utc_now
from app.demo.wire import JsonDict, national_digits
from app.demo.wordlists import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, OTHER_PLACES
from app.domain.fax import fax_mimetype

if TYPE_CHECKING:
    from app.demo.database import DemoDatabase

FAX_SCHEMA_VERSION = "2"
SEEDED_INBOUND = 64
SEEDED_ANONYMOUS = 3
SEEDED_OUTBOUND = 30
SEEDED_FAILED = 5
SEEDED_SCHEDULED = 4
FAILING_SUFFIX = "0000"
SORTABLE = ("created_at", "send_at", "subject", "from", "to", "from_name", "to_name", "pages", "is_read")
BOXES = ("inbound", "outbound", "scheduled")

_TABLES = """
CREATE TABLE IF NOT EXISTS fax_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fax_files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    uploaded_name TEXT NOT NULL,
    description TEXT NOT NULL,
    mimetype TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_at TEXT NOT NULL,
    user_id TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS fax_messages (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    box TEXT NOT NULL,
    created_at TEXT NOT NULL,
    send_at TEXT,
    file_id TEXT NOT NULL,
    frm TEXT NOT NULL,
    from_name TEXT NOT NULL,
    "to" TEXT NOT NULL,
    to_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    pages INTEGER NOT NULL,
    is_read INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_detail TEXT NOT NULL DEFAULT '',
    settle_at TEXT,
    outcome TEXT,
    emails TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS fax_messages_by_box ON fax_messages (box, created_at);
CREATE TABLE IF NOT EXISTS fax_destinations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    emails TEXT NOT NULL UNIQUE
);
"""


class FaxInputError(ValueError):
    """A request's values are not acceptable (the server answers 400 with this text)."""


class FaxStateError(Exception):
    """The operation is only available for failed outbound faxes (406)."""


@dataclass(frozen=True, slots=True)
class FaxQuery:
    """The documented list filters; None means "not given"."""

    start_date: str | None = None
    end_date: str | None = None
    number: str | None = None
    name: str | None = None
    subject: str | None = None
    search: str | None = None
    is_read: bool | None = None
    undefined: bool = False
    sort: tuple[str, ...] = ()


def parse_moment(value: str, *, end_of_day: bool = False) -> str:
    """An ISO date or date-time (naive = UTC) as the stored ISO form; FaxInputError if not one."""
    text = value.strip()
    try:
        if len(text) == 10:
            moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
            if end_of_day:
                moment += timedelta(days=1) - timedelta(milliseconds=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise FaxInputError(f"{value!r} is not an ISO date or date-time.") from None
    return iso(moment)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _emails(value: object) -> list[str]:
    if value is None or value == "":
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(e, str) for e in items):
        raise FaxInputError("'emails' must be an e-mail address or a list of them.")
    emails = [e.strip() for item in items for e in item.split(",") if e.strip()]
    for email in emails:
        if "@" not in email or " " in email:
            raise FaxInputError(f"{email!r} is not an e-mail address.")
    return emails


def _number(value: object, field: str) -> str:
    if not isinstance(value, str) or national_digits(value) is None:
        raise FaxInputError(f"'{field}' must be a US fax number, not {value!r}.")
    digits = national_digits(value)
    assert digits is not None
    return digits


def _pretty(number: str) -> str:
    """A US number as a fax cover prints it: (619) 555-0199."""
    digits = national_digits(number) if number else None
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if digits else number


def _text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FaxInputError(f"'{key}' must be a string.")
    return value


class FaxDatabase:
    """Faxes, files and destinations of the demo company (its own connection, same file)."""

    def __init__(
        self,
        path: Path,
        *,
        seed: int,
        company_id: str,
        user_id: str,
        user_name: str,
        company_fax: str,
        sending_seconds: float = 3.0,
    ) -> None:
        self.company_id = company_id
        self.user_id = user_id
        self.sending_seconds = sending_seconds
        area = (national_digits(company_fax) or "6195550199")[:3]
        self.numbers = [f"{area}5550199", f"{area}5550198", "8585550197"]
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA busy_timeout = 5000")
        self._conn.executescript(_TABLES)
        stamp = f"{FAX_SCHEMA_VERSION}:{seed}:{company_id}"
        row = self._conn.execute("SELECT value FROM fax_meta WHERE key = 'seeded'").fetchone()
        if row is None or row["value"] != stamp:
            with self._write() as conn:
                conn.execute("DELETE FROM fax_messages")
                conn.execute("DELETE FROM fax_files")
                conn.execute("DELETE FROM fax_destinations")
                self._seed(conn, random.Random(f"ringdesk-demo:{seed}:fax"), user_name)
                conn.execute("INSERT OR REPLACE INTO fax_meta VALUES ('seeded', ?)", (stamp,))

    @classmethod
    def for_company(cls, db: DemoDatabase, *, seed: int) -> FaxDatabase:
        """The faxes of the company in ``db``, in the same file; the acting user sends them."""
        user = db.get_contact(db.acting_user_id) or {}
        name = f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
        return cls(
            db.path,
            seed=seed,
            company_id=db.company_id,
            user_id=db.acting_user_id,
            user_name=name,
            company_fax=str(db.company().get("fax") or ""),
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._conn, self._lock)

    # -- seeding -------------------------------------------------------------------------

    def _seed(self, conn: sqlite3.Connection, rng: random.Random, user_name: str) -> None:
        now = utc_now()
        for index in range(SEEDED_INBOUND):
            topic = rng.choice(FAX_TOPICS)
            anonymous = index % (SEEDED_INBOUND // SEEDED_ANONYMOUS) == 7
            sender_number = "" if anonymous else self._customer_number(rng)
            when = now - timedelta(hours=2 + index * 17 + rng.uniform(0, 10))
            self._insert(
                conn,
                rng,
                box="inbound",
                when=when,
                topic=topic,
                frm=sender_number,
                from_name="" if anonymous else topic.organisation,
                to=self.numbers[index % 2],
                to_name=user_name if index % 3 else "",
                is_read=index >= 6 and rng.random() < 0.85,
                status="received",
            )
        for index in range(SEEDED_OUTBOUND):
            topic = rng.choice(FAX_TOPICS)
            failed = index % (SEEDED_OUTBOUND // SEEDED_FAILED) == 1
            self._insert(
                conn,
                rng,
                box="outbound",
                when=now - timedelta(hours=5 + index * 29 + rng.uniform(0, 10)),
                topic=topic,
                frm=self.numbers[0],
                from_name=user_name,
                to=self._customer_number(rng),
                to_name=self._person(rng),
                subject=f"Re: {topic.subject}",
                is_read=True,
                status="failed" if failed else "sent",
                detail=rng.choice(FAILURE_REASONS) if failed else "",
            )
        for index in range(SEEDED_SCHEDULED):
            topic = rng.choice(FAX_TOPICS)
            send_at = (now + timedelta(days=1 + index, hours=rng.randint(0, 6))).replace(
                minute=0, second=0, microsecond=0
            )
            self._insert(
                conn,
                rng,
                box="scheduled",
                when=now - timedelta(hours=1 + index),
                topic=topic,
                frm=self.numbers[index % 2],
                from_name=user_name,
                to=self._customer_number(rng),
                to_name=self._person(rng),
                subject=f"Follow-up: {topic.subject}",
                is_read=True,
                status="scheduled",
                send_at=iso(send_at),
            )

    @staticmethod
    def _customer_number(rng: random.Random) -> str:
        return f"{rng.choice(OTHER_PLACES).area_code}555{rng.randint(1000, 9998):04d}"

    @staticmethod
    def _person(rng: random.Random) -> str:
        names = FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES
        return f"{rng.choice(names)} {rng.choice(LAST_NAMES)}"

    def _insert(
        self,
        conn: sqlite3.Connection,
        rng: random.Random,
        *,
        box: str,
        when: datetime,
        topic: FaxTopic,
        frm: str,
        from_name: str,
        to: str,
        to_name: str,
        is_read: bool,
        status: str,
        subject: str | None = None,
        detail: str = "",
        send_at: str | None = None,
    ) -> None:
        subject = subject or topic.subject
        cover = FaxCover(
            from_name or "Unknown sender",
            _pretty(frm),
            to_name,
            _pretty(to),
            subject,
            when.strftime("%B %d, %Y"),
        )
        content = fax_pdf(cover, topic.paragraphs, pages=topic.pages)
        file_id = seeded_id(rng, when.timestamp())
        conn.execute(
            "INSERT INTO fax_files (id, name, uploaded_name, description, mimetype, size, uploaded_at,"
            " user_id, content) VALUES (?, ?, ?, '', 'application/pdf', ?, ?, ?, ?)",
            (file_id, subject, f"fax-{file_id[-6:]}.pdf", len(content), iso(when), self.user_id, content),
        )
        conn.execute(
            'INSERT INTO fax_messages (id, box, created_at, send_at, file_id, frm, from_name, "to",'
            " to_name, subject, pages, is_read, status, status_detail) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seeded_id(rng, when.timestamp()),
                box,
                iso(when),
                send_at,
                file_id,
                frm,
                from_name,
                to,
                to_name,
                subject,
                topic.pages,
                int(is_read),
                status,
                detail,
            ),
        )

    # -- lazily simulated life -----------------------------------------------------------

    def _settle(self, conn: sqlite3.Connection) -> None:
        now = utc_now()
        due = conn.execute(
            "SELECT id, \"to\", send_at FROM fax_messages WHERE box = 'scheduled' AND send_at <= ?",
            (iso(now),),
        ).fetchall()
        for row in due:
            self._start_sending(conn, row["id"], row["to"], created_at=row["send_at"])
        conn.execute(
            "UPDATE fax_messages SET status = outcome, outcome = NULL, settle_at = NULL,"
            " status_detail = CASE outcome WHEN 'failed' THEN ? ELSE '' END"
            " WHERE status = 'sending' AND settle_at <= ?",
            (FAILURE_REASONS[0], iso(now)),
        )

    def _start_sending(
        self, conn: sqlite3.Connection, fax_id: str, to: str, *, created_at: str | None = None
    ) -> None:
        outcome = "failed" if to.endswith(FAILING_SUFFIX) else "sent"
        settle = iso(utc_now() + timedelta(seconds=self.sending_seconds))
        conn.execute(
            "UPDATE fax_messages SET box = 'outbound', status = 'sending', status_detail = '',"
            " outcome = ?, settle_at = ?, created_at = COALESCE(?, created_at), send_at = NULL"
            " WHERE id = ?",
            (outcome, settle, created_at, fax_id),
        )

    # -- queries -------------------------------------------------------------------------

    def _message_json(self, row: sqlite3.Row) -> JsonDict:
        return {
            "id": row["id"],
            "company": self.company_id,
            "created_at": row["created_at"],
            "file": {"id": row["file_id"], "internal_id": row["file_seq"]},
            "from": row["frm"],
            "from_name": row["from_name"],
            "is_read": bool(row["is_read"]),
            "pages": row["pages"],
            "subject": row["subject"],
            "to": row["to"],
            "to_name": row["to_name"],
            # extensions (README: "Fax extensions")
            "status": row["status"],
            "status_detail": row["status_detail"],
            "send_at": row["send_at"],
            "emails": json.loads(row["emails"]),
        }

    _SELECT = (
        "SELECT m.*, f.seq AS file_seq FROM fax_messages AS m LEFT JOIN fax_files AS f ON f.id = m.file_id"
    )

    def list_messages(
        self, box: str, query: FaxQuery, *, limit: int, offset: int
    ) -> tuple[list[JsonDict], int]:
        where = ["m.box = ?"]
        params: list[Any] = [box]
        party = "frm" if box == "inbound" else '"to"'
        party_name = "from_name" if box == "inbound" else "to_name"
        if query.start_date:
            where.append("m.created_at >= ?")
            params.append(parse_moment(query.start_date))
        if query.end_date:
            where.append("m.created_at <= ?")
            params.append(parse_moment(query.end_date, end_of_day=True))
        if query.number:
            digits = "".join(ch for ch in query.number if ch.isdigit())
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            where.append(f"m.{party} LIKE ? ESCAPE '\\'")
            params.append(_like(digits or query.number))
        if query.name:
            where.append(f"m.{party_name} LIKE ? ESCAPE '\\'")
            params.append(_like(query.name))
        if query.subject:
            where.append("m.subject LIKE ? ESCAPE '\\'")
            params.append(_like(query.subject))
        if query.search:
            columns = ("m.subject", "m.from_name", "m.to_name", "m.frm", 'm."to"')
            where.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")")
            params.extend([_like(query.search)] * len(columns))
        if query.is_read is not None:
            where.append("m.is_read = ?")
            params.append(int(query.is_read))
        if box == "inbound" and not query.undefined:
            where.append("m.frm != ''")
        order = self._order(box, query.sort)
        clause = " AND ".join(where)
        with self._write() as conn:
            self._settle(conn)
        with self._lock:
            total = int(
                self._conn.execute(
                    f"SELECT COUNT(*) FROM fax_messages AS m WHERE {clause}", params
                ).fetchone()[0]
            )
            rows = self._conn.execute(
                f"{self._SELECT} WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
            ).fetchall()
        return [self._message_json(row) for row in rows], total

    @staticmethod
    def _order(box: str, sort: Sequence[str]) -> str:
        terms: list[str] = []
        for item in sort:
            field = item.strip()
            descending = field.startswith("-")
            field = field.lstrip("+-")
            if field not in SORTABLE:
                raise FaxInputError(f"Cannot sort by {item!r}; one of {', '.join(SORTABLE)}.")
            column = {"from": "m.frm", "to": 'm."to"'}.get(field, f"m.{field}")
            terms.append(f"{column} {'DESC' if descending else 'ASC'}")
        if not terms:
            terms = ["m.send_at ASC"] if box == "scheduled" else ["m.created_at DESC"]
        return ", ".join([*terms, "m.seq DESC"])

    def get_message(self, box: str, fax_id: str) -> JsonDict | None:
        with self._write() as conn:
            self._settle(conn)
            row = conn.execute(f"{self._SELECT} WHERE m.box = ? AND m.id = ?", (box, fax_id)).fetchone()
        return None if row is None else self._message_json(row)

    def statistics(self) -> JsonDict:
        with self._write() as conn:
            self._settle(conn)
            row = conn.execute(
                "SELECT SUM(box = 'inbound' AND frm != '') AS inbound,"
                " SUM(box = 'inbound' AND frm = '') AS inbound_hidden,"
                " SUM(box = 'outbound') AS outbound FROM fax_messages"
            ).fetchone()
        return {key: int(row[key] or 0) for key in ("inbound", "inbound_hidden", "outbound")}

    # -- changes -------------------------------------------------------------------------

    def update_inbound(self, fax_id: str, body: Mapping[str, Any]) -> JsonDict | None:
        changes: dict[str, Any] = {}
        if "is_read" in body:
            if not isinstance(body["is_read"], bool):
                raise FaxInputError("'is_read' must be a boolean.")
            changes["is_read"] = int(body["is_read"])
        for key in ("subject", "from_name", "to_name"):
            value = _text(body, key)
            if value is not None:
                changes[key] = value
        return self._update("inbound", fax_id, changes)

    def _update(self, box: str, fax_id: str, changes: Mapping[str, Any]) -> JsonDict | None:
        with self._write() as conn:
            exists = conn.execute(
                "SELECT 1 FROM fax_messages WHERE box = ? AND id = ?", (box, fax_id)
            ).fetchone()
            if exists is None:
                return None
            for column, value in changes.items():
                quoted = '"to"' if column == "to" else column
                conn.execute(f"UPDATE fax_messages SET {quoted} = ? WHERE id = ?", (value, fax_id))
        return self.get_message(box, fax_id)

    def delete(self, box: str, fax_id: str) -> bool:
        with self._write() as conn:
            self._settle(conn)
            return (
                conn.execute("DELETE FROM fax_messages WHERE box = ? AND id = ?", (box, fax_id)).rowcount > 0
            )

    def _draft_changes(self, body: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
        """Columns from a (partial) fax message body; FaxInputError for bad values."""
        changes: dict[str, Any] = {}
        if "to" in body or creating:
            changes["to"] = _number(body.get("to"), "to")
        if "from" in body or creating:
            sender = _number(body.get("from"), "from")
            if sender not in self.numbers:
                raise FaxInputError(f"{sender} is not one of the company's fax numbers.")
            changes["frm"] = sender
        for key in ("to_name", "from_name", "subject"):
            value = _text(body, key)
            if value is not None:
                changes[key] = value
        if "emails" in body:
            changes["emails"] = json.dumps(_emails(body["emails"]))
        if "file" in body or creating:
            file = body.get("file")
            file_id = file.get("id") if isinstance(file, Mapping) else None
            if not isinstance(file_id, str) or self.file_content(file_id) is None:
                raise FaxInputError('\'file\' must reference an uploaded file: {"id": "<file id>"}.')
            changes["file_id"] = file_id
            changes["pages"] = count_pages(self.file_content(file_id) or b"")
        if "send_at" in body:
            raw = body["send_at"]
            if not isinstance(raw, str):
                raise FaxInputError("'send_at' must be an ISO date-time.")
            send_at = parse_moment(raw)
            if send_at <= iso(utc_now()):
                raise FaxInputError("'send_at' must be in the future.")
            changes["send_at"] = send_at
        return changes

    def create(self, box: str, body: Mapping[str, Any]) -> JsonDict:
        """A new outbound fax (sending now) or a scheduled one (``send_at`` required)."""
        changes = self._draft_changes(body, creating=True)
        if box == "scheduled" and "send_at" not in changes:
            raise FaxInputError("'send_at' (when to send) is required for a scheduled fax.")
        fax_id = new_id()
        with self._write() as conn:
            conn.execute(
                'INSERT INTO fax_messages (id, box, created_at, send_at, file_id, frm, from_name, "to",'
                " to_name, subject, pages, is_read, status, emails) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    fax_id,
                    box,
                    iso(utc_now()),
                    changes.get("send_at") if box == "scheduled" else None,
                    changes["file_id"],
                    changes["frm"],
                    changes.get("from_name", ""),
                    changes["to"],
                    changes.get("to_name", ""),
                    changes.get("subject", ""),
                    changes["pages"],
                    "scheduled" if box == "scheduled" else "sending",
                    changes.get("emails", "[]"),
                ),
            )
            if box == "outbound":
                self._start_sending(conn, fax_id, changes["to"])
        message = self.get_message(box, fax_id)
        assert message is not None
        return message

    def update_outbound(self, fax_id: str, body: Mapping[str, Any]) -> JsonDict | None:
        """PUT on a failed outbound fax; FaxStateError when it is not failed."""
        self._require_failed(fax_id)
        changes = self._draft_changes({k: v for k, v in body.items() if k != "send_at"}, creating=False)
        return self._update("outbound", fax_id, changes)

    def update_scheduled(self, fax_id: str, body: Mapping[str, Any]) -> JsonDict | None:
        changes = self._draft_changes(body, creating=False)
        with self._write() as conn:
            self._settle(conn)
        return self._update("scheduled", fax_id, changes)

    def retry(self, fax_id: str) -> JsonDict | None:
        if not self._require_failed(fax_id):
            return None
        with self._write() as conn:
            row = conn.execute('SELECT "to" FROM fax_messages WHERE id = ?', (fax_id,)).fetchone()
            self._start_sending(conn, fax_id, row["to"])
        return self.get_message("outbound", fax_id)

    def _require_failed(self, fax_id: str) -> bool:
        """False when there is no such outbound fax; FaxStateError when it is not failed."""
        message = self.get_message("outbound", fax_id)
        if message is None:
            return False
        if message["status"] != "failed":
            raise FaxStateError(
                f"This operation is only available for failed outbound fax messages; this one is "
                f"{message['status']}."
            )
        return True

    def receive(self, rng: random.Random | None = None) -> JsonDict:
        """A new inbound fax from a customer (traffic generator and test control)."""
        rng = rng or random.Random()
        topic = rng.choice(FAX_TOPICS)
        with self._write() as conn:
            before = conn.execute("SELECT MAX(seq) FROM fax_messages").fetchone()[0] or 0
            self._insert(
                conn,
                rng,
                box="inbound",
                when=utc_now(),
                topic=topic,
                frm=self._customer_number(rng),
                from_name=topic.organisation,
                to=self.numbers[0],
                to_name="",
                is_read=False,
                status="received",
            )
            row = conn.execute(f"{self._SELECT} WHERE m.seq > ?", (before,)).fetchone()
        return self._message_json(row)

    # -- files and destinations ----------------------------------------------------------

    def _file_json(self, row: sqlite3.Row) -> JsonDict:
        return {
            "id": row["id"],
            "company_id": self.company_id,
            "description": row["description"],
            "mimetype": row["mimetype"],
            "name": row["name"],
            "preview": None,
            "size": row["size"],
            "uploaded_at": row["uploaded_at"],
            "uploaded_name": row["uploaded_name"],
            "user_id": row["user_id"],
        }

    def add_file(
        self, content: bytes, *, filename: str, mimetype: str, name: str, description: str
    ) -> JsonDict:
        file_id = new_id()
        kind = fax_mimetype(content[:8]) or mimetype or "application/octet-stream"
        with self._write() as conn:
            conn.execute(
                "INSERT INTO fax_files (id, name, uploaded_name, description, mimetype, size, uploaded_at,"
                " user_id, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    file_id,
                    name or filename,
                    filename,
                    description,
                    kind,
                    len(content),
                    iso(utc_now()),
                    self.user_id,
                    content,
                ),
            )
        info = self.file_info(file_id)
        assert info is not None
        return info

    def file_info(self, file_id: str) -> JsonDict | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, uploaded_name, description, mimetype, size, uploaded_at, user_id"
                " FROM fax_files WHERE id = ?",
                (file_id,),
            ).fetchone()
        return None if row is None else self._file_json(row)

    def file_content(self, file_id: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT content FROM fax_files WHERE id = ?", (file_id,)).fetchone()
        return None if row is None else bytes(row["content"])

    def create_destination(self, emails: Sequence[str]) -> tuple[JsonDict, bool]:
        """The destination for these e-mails, and whether it was created now."""
        key = json.dumps(sorted({e.lower() for e in emails}))
        with self._write() as conn:
            row = conn.execute("SELECT id FROM fax_destinations WHERE emails = ?", (key,)).fetchone()
            created = row is None
            if created:
                destination_id = new_id()
                conn.execute("INSERT INTO fax_destinations (id, emails) VALUES (?, ?)", (destination_id, key))
            else:
                destination_id = row["id"]
        listed = json.loads(key)
        return (
            {
                "id": destination_id,
                "company": self.company_id,
                "emails": listed,
                "reprname": ", ".join(listed),
            },
            created,
        )

    def validate_emails(self, value: object) -> list[str]:
        return _emails(value)


def query_from_params(params: Mapping[str, str], sort: Sequence[str], *, inbound: bool) -> FaxQuery:
    """The documented filters of a list request; FaxInputError for a bad boolean."""

    def boolean(name: str) -> bool | None:
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise FaxInputError(f"Query parameter '{name}' must be true or false, not {raw!r}.")

    def text(name: str) -> str | None:
        value = params.get(name, "").strip()
        return value or None

    return FaxQuery(
        start_date=text("start_date"),
        end_date=text("end_date"),
        number=text("number"),
        name=text("name"),
        subject=text("subject"),
        search=text("search"),
        is_read=boolean("is_read") if inbound else None,
        undefined=bool(boolean("undefined")) if inbound else False,
        sort=tuple(s for value in sort for s in value.split(",") if s.strip()),
    )
