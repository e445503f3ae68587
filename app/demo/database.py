"""The demo server's SQLite store: opening/seeding and every query the routes need.

All methods are synchronous and serialised by one lock; the server calls them from its
event loop (each is a few indexed queries), the test controls from any thread.
"""

from __future__ import annotations

import json
import random
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import Any

from app.demo.database_transactions import immediate_transaction
from app.demo.identifiers import new_id
from app.demo.schema import SCHEMA_VERSION
from app.demo.seed import email_local, seed_database
from app.demo.timestamps import now_iso, utc_now
from app.demo.wire import (
    JsonDict,
    conversation_json,
    e164,
    extension_json,
    message_json,
    national_digits,
    texting_contact_json,
    texting_number_json,
    user_status_json,
)
from app.demo.wordlists import COMPANY_DOMAIN

DEFAULT_TIMEZONE = "America/Los_Angeles"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``changes`` into a copy of ``base`` (nested objects merge, the rest replace)."""
    merged = dict(base)
    for key, value in changes.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _now_ms() -> int:
    return int(utc_now().timestamp() * 1000)


class DemoDatabase:
    """One demo company in one SQLite file (WAL)."""

    def __init__(self, path: Path, *, seed: int = 1, contacts: int = 200) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = self._open(path, seed, contacts)
        meta = {row["key"]: row["value"] for row in self._conn.execute("SELECT * FROM meta")}
        self.api_key: str = meta["api_key"]
        self.company_id: str = meta["company_id"]
        self.pbx_uuid: str = meta["pbx_uuid"]
        self.acting_user_id: str = meta["acting_user_id"]
        self.acting_user_email: str = meta["acting_user_email"]
        # Publishes that repeated a stamp_id already stored (answered with the stored
        # message, not stored again). The document does not promise that dedupe: tests use
        # this to check that a client never relies on it.
        self.repeated_stamp_publishes = 0

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @classmethod
    def _open(cls, path: Path, seed: int, contacts: int) -> sqlite3.Connection:
        if path.exists():
            try:
                conn = cls._connect(path)
                rows = conn.execute(
                    "SELECT key, value FROM meta WHERE key IN ('schema_version', 'seed', 'contacts')"
                ).fetchall()
                found = {row["key"]: row["value"] for row in rows}
                if found == {
                    "schema_version": SCHEMA_VERSION,
                    "seed": str(seed),
                    "contacts": str(contacts),
                }:
                    return conn
                conn.close()
            except sqlite3.DatabaseError:
                pass
            for suffix in ("", "-wal", "-shm", "-journal"):
                with suppress(FileNotFoundError):
                    Path(f"{path}{suffix}").unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        seed_database(conn, seed=seed, contacts=contacts, api_key=secrets.token_urlsafe(32))
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._conn, self._lock)

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # Feature modules (app.demo.voicemail, ...) keep their queries to themselves through these.
    def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self._one(sql, params)

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._all(sql, params)

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """``with db.transaction() as conn:`` one write transaction under the lock."""
        return self._write()

    def _meta(self, key: str) -> str:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return "" if row is None else str(row["value"])

    def _set_meta(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- users and company ---------------------------------------------------------------

    def resolve_user(self, user_id: str) -> str | None:
        """The contact id behind an ``X-User-Id`` value (``"primary"`` or a contact id)."""
        if user_id == "primary":
            return self.acting_user_id
        row = self._one("SELECT id FROM contacts WHERE id = ?", (user_id,))
        return None if row is None else str(row["id"])

    def is_owner(self, user_id: str) -> bool:
        return user_id == self.acting_user_id

    def user_email(self, user_id: str) -> str | None:
        row = self._one("SELECT email FROM contacts WHERE id = ?", (user_id,))
        return None if row is None else str(row["email"])

    def user_by_email(self, email: str) -> str | None:
        row = self._one("SELECT id FROM contacts WHERE email = ? COLLATE NOCASE", (email,))
        return None if row is None else str(row["id"])

    def user_timezone(self, user_id: str) -> str:
        contact = self.get_contact(user_id)
        return str(contact.get("timezone") or "UTC") if contact else "UTC"

    def company(self) -> JsonDict:
        doc: JsonDict = json.loads(self._meta("company"))
        count = self._one("SELECT COUNT(*) AS n FROM contacts")
        doc["employees"] = 0 if count is None else int(count["n"])
        return doc

    def update_company(self, changes: Mapping[str, Any]) -> JsonDict:
        allowed = {k: v for k, v in changes.items() if k not in ("id", "created")}
        with self._write() as conn:
            doc = _merge(json.loads(self._meta("company")), allowed)
            doc["updated"] = now_iso()
            self._set_meta(conn, "company", json.dumps(doc))
        return self.company()

    # -- company users (contacts) --------------------------------------------------------

    def list_contacts_json(
        self, *, first_name: str | None, work_email: str | None, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """A page of company users as Contact JSON texts, and how many match in all."""
        where: list[str] = []
        params: list[Any] = []
        if first_name is not None:
            where.append("first_name = ? COLLATE NOCASE")
            params.append(first_name)
        if work_email is not None:
            where.append("email = ? COLLATE NOCASE")
            params.append(work_email)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._lock:
            total = int(self._conn.execute(f"SELECT COUNT(*) FROM contacts {clause}", params).fetchone()[0])
            rows = self._conn.execute(
                f"SELECT json FROM contact_documents {clause} ORDER BY seq LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return [str(row["json"]) for row in rows], total

    def list_contacts(
        self, *, first_name: str | None, work_email: str | None, limit: int, offset: int
    ) -> tuple[list[JsonDict], int]:
        texts, total = self.list_contacts_json(
            first_name=first_name, work_email=work_email, limit=limit, offset=offset
        )
        return [json.loads(text) for text in texts], total

    def get_contact(self, contact_id: str) -> JsonDict | None:
        row = self._one("SELECT json FROM contact_documents WHERE id = ?", (contact_id,))
        if row is None:
            return None
        contact: JsonDict = json.loads(row["json"])
        return contact

    @staticmethod
    def _columns_of(doc: Mapping[str, Any]) -> dict[str, Any]:
        contacts = _mapping(doc.get("contacts"))
        phones = _mapping(contacts.get("phones"))
        extension = _mapping(doc.get("extension"))
        number = extension.get("number")
        return {
            "first_name": str(doc.get("first_name") or ""),
            "last_name": str(doc.get("last_name") or ""),
            "email": str(contacts.get("email") or ""),
            "title": str(doc.get("title") or ""),
            "description": str(doc.get("description") or ""),
            "work": str(phones.get("work") or ""),
            "mobile": str(phones.get("mobile") or ""),
            "home": str(phones.get("home") or ""),
            "extension": number if isinstance(number, int) else 0,
        }

    def add_contact(self, fields: Mapping[str, Any]) -> JsonDict:
        """Create a company user from a partial Contact object; returns the Contact."""
        now = utc_now()
        now_ms = int(now.timestamp() * 1000)
        first = str(fields.get("first_name") or "New")
        last = str(fields.get("last_name") or "User")
        contact_id = new_id()
        extension_id = new_id()
        with self._write() as conn:
            next_ext = int(self._meta("next_extension") or "1001")
            wanted = fields.get("extension")
            number = next_ext
            if isinstance(wanted, Mapping) and isinstance(wanted.get("number"), int):
                number = int(wanted["number"])
            self._set_meta(conn, "next_extension", str(max(next_ext, number + 1)))
            location = conn.execute("SELECT id FROM locations ORDER BY seq LIMIT 1").fetchone()
            base: JsonDict = {
                "id": contact_id,
                "activated": True,
                "address": {
                    "address2": "",
                    "city": "San Diego",
                    "country": "United States",
                    "number": "",
                    "state": "CA",
                    "street": {"name": "Harbor", "number": 1250, "type": "Drive"},
                    "zip": "92101",
                },
                "birthdate": None,
                "company_id": self.company_id,
                "contacts": {
                    "email": f"{email_local(first, last)}.{number}@{COMPANY_DOMAIN}",
                    "fax": "",
                    "phones": {"home": "", "mobile": "", "other": "", "work": ""},
                },
                "created": now_iso(),
                "description": "",
                "extension": {
                    "id": extension_id,
                    "description": f"{first} {last} {number}",
                    "name": f"{first} {last}",
                    "number": number,
                },
                "first_name": first,
                "invitation": {
                    "accepted_at": None,
                    "expired_at": None,
                    "issued_at": now_iso(),
                    "status": "pending",
                },
                "last_enter": None,
                "last_name": last,
                "primary_agent": None,
                "timezone": DEFAULT_TIMEZONE,
                "title": "",
                "updated": now_iso(),
            }
            doc = _merge(base, {k: v for k, v in fields.items() if k not in ("id", "company_id")})
            doc["extension"] = {**doc["extension"], "id": extension_id}
            columns = self._columns_of(doc)
            conn.execute(
                "INSERT INTO contacts (id, first_name, last_name, email, title, description,"
                " work, mobile, home, extension_id, extension, location_id, place,"
                " street_number, street_name, street_type, created, updated, last_enter,"
                " status, status_action, status_id, status_at, doc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1250, 'Harbor', 'Drive',"
                " ?, ?, ?, 'offline', 'auto', ?, ?, ?)",
                (
                    contact_id,
                    columns["first_name"],
                    columns["last_name"],
                    columns["email"],
                    columns["title"],
                    columns["description"],
                    columns["work"],
                    columns["mobile"],
                    columns["home"],
                    extension_id,
                    columns["extension"],
                    location["id"],
                    now_ms,
                    now_ms,
                    now_ms,
                    new_id(),
                    now_ms,
                    json.dumps(doc),
                ),
            )
        return doc

    def update_contact(self, contact_id: str, changes: Mapping[str, Any]) -> JsonDict | None:
        with self._write() as conn:
            row = conn.execute(
                "SELECT c.extension, d.json FROM contacts AS c"
                " JOIN contact_documents AS d ON d.seq = c.seq WHERE c.id = ?",
                (contact_id,),
            ).fetchone()
            if row is None:
                return None
            allowed = {k: v for k, v in changes.items() if k not in ("id", "company_id")}
            doc = _merge(json.loads(row["json"]), allowed)
            doc["updated"] = now_iso()
            columns = self._columns_of(doc)
            conn.execute(
                "UPDATE contacts SET first_name = ?, last_name = ?, email = ?, title = ?,"
                " description = ?, work = ?, mobile = ?, home = ?, extension = ?, updated = ?,"
                " doc = ? WHERE id = ?",
                (
                    columns["first_name"],
                    columns["last_name"],
                    columns["email"],
                    columns["title"],
                    columns["description"],
                    columns["work"],
                    columns["mobile"],
                    columns["home"],
                    columns["extension"] or row["extension"],
                    _now_ms(),
                    json.dumps(doc),
                    contact_id,
                ),
            )
        return doc

    def delete_contact(self, contact_id: str) -> bool:
        if contact_id == self.acting_user_id:
            raise ValueError("the acting (primary) user cannot be deleted")
        with self._write() as conn:
            return conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,)).rowcount > 0

    # -- presence ------------------------------------------------------------------------

    def set_user_status(self, user_id: str, status: str, action_type: str) -> JsonDict | None:
        """Store a user's status; returns the ``user_status_updated`` payload."""
        with self._write() as conn:
            updated = conn.execute(
                "UPDATE contacts SET status = ?, status_action = ?, status_id = ?, status_at = ?"
                " WHERE id = ?",
                (status, action_type, new_id(), _now_ms(), user_id),
            ).rowcount
        if not updated:
            return None
        return self.user_status(user_id)

    def user_status(self, user_id: str) -> JsonDict | None:
        row = self._one("SELECT * FROM contacts WHERE id = ?", (user_id,))
        return None if row is None else user_status_json(row, self.company_id)

    def random_user_id(self, rng: random.Random) -> str:
        with self._lock:
            bounds = self._conn.execute("SELECT MIN(seq), MAX(seq) FROM contacts").fetchone()
            pick = rng.randint(int(bounds[0]), int(bounds[1]))
            row = self._conn.execute(
                "SELECT id FROM contacts WHERE seq >= ? ORDER BY seq LIMIT 1", (pick,)
            ).fetchone()
        return str(row["id"])

    # -- locations, instances, extensions ------------------------------------------------

    def locations(self) -> list[JsonDict]:
        return [json.loads(row["doc"]) for row in self._all("SELECT doc FROM locations ORDER BY seq")]

    def instances(self) -> list[JsonDict]:
        return [json.loads(row["doc"]) for row in self._all("SELECT doc FROM instances ORDER BY seq")]

    def has_instance(self, pbx_uuid: str) -> bool:
        return self._one("SELECT 1 FROM instances WHERE uuid = ?", (pbx_uuid,)) is not None

    def list_extensions(
        self, *, search: str | None, by_user: bool, limit: int, offset: int
    ) -> tuple[list[JsonDict], int]:
        clause = ""
        params: list[Any] = []
        if search:
            clause = (
                "WHERE (first_name || ' ' || last_name) LIKE ? ESCAPE '\\'"
                " OR email LIKE ? ESCAPE '\\' OR CAST(extension AS TEXT) LIKE ? ESCAPE '\\'"
            )
            params = [_like(search)] * 3
        order = "last_name COLLATE NOCASE, first_name COLLATE NOCASE, seq" if by_user else "extension, seq"
        with self._lock:
            total = int(self._conn.execute(f"SELECT COUNT(*) FROM contacts {clause}", params).fetchone()[0])
            rows = self._conn.execute(
                f"SELECT contacts.*, (SELECT d.json FROM contact_documents AS d"
                f" WHERE d.seq = contacts.seq) AS user_json"
                f" FROM contacts {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return [extension_json(row, self.pbx_uuid) for row in rows], total

    # -- texting contacts ----------------------------------------------------------------

    def _texting_contact(self, contact_id: str) -> JsonDict | None:
        row = self._one("SELECT * FROM texting_contacts WHERE id = ?", (contact_id,))
        return None if row is None else texting_contact_json(row, self.company_id)

    get_texting_contact = _texting_contact

    def create_texting_contact(
        self, number: str, first_name: str = "", last_name: str = ""
    ) -> tuple[JsonDict, bool] | None:
        """(contact, created); None when the number is not a valid US number."""
        normalized = e164(number)
        if normalized is None:
            return None
        with self._write() as conn:
            row = conn.execute("SELECT * FROM texting_contacts WHERE number = ?", (normalized,)).fetchone()
            if row is not None:
                return texting_contact_json(row, self.company_id), False
            contact_id = new_id()
            conn.execute(
                "INSERT INTO texting_contacts (id, first_name, last_name, number) VALUES (?, ?, ?, ?)",
                (contact_id, first_name, last_name, normalized),
            )
        created = self._texting_contact(contact_id)
        assert created is not None
        return created, True

    def list_texting_contacts(self, search: str | None) -> list[JsonDict]:
        if search:
            digits = "".join(ch for ch in search if ch.isdigit())
            rows = self._all(
                "SELECT * FROM texting_contacts WHERE (first_name || ' ' || last_name)"
                " LIKE ? ESCAPE '\\' OR number LIKE ? ESCAPE '\\' ORDER BY seq LIMIT 1000",
                (_like(search), _like(digits) if digits else "\x00"),
            )
        else:
            rows = self._all("SELECT * FROM texting_contacts ORDER BY seq LIMIT 1000")
        return [texting_contact_json(row, self.company_id) for row in rows]

    def update_texting_contact(self, contact_id: str, fields: Mapping[str, Any]) -> JsonDict | None:
        """Replace the given fields; raises ValueError for an invalid number."""
        with self._write() as conn:
            row = conn.execute("SELECT * FROM texting_contacts WHERE id = ?", (contact_id,)).fetchone()
            if row is None:
                return None
            number = row["number"]
            if "number" in fields:
                normalized = e164(str(fields["number"]))
                if normalized is None:
                    raise ValueError("number is not a valid phone number")
                number = normalized
            conn.execute(
                "UPDATE texting_contacts SET first_name = ?, last_name = ?, number = ? WHERE id = ?",
                (
                    str(fields.get("first_name", row["first_name"]) or ""),
                    str(fields.get("last_name", row["last_name"]) or ""),
                    number,
                    contact_id,
                ),
            )
        return self._texting_contact(contact_id)

    # -- texting numbers -----------------------------------------------------------------

    def list_texting_numbers(self, owner_email: str, numformat: str | None) -> list[JsonDict]:
        rows = self._all("SELECT * FROM texting_numbers ORDER BY seq")
        owned = [
            row for row in rows if owner_email.lower() in (e.lower() for e in json.loads(row["ownership"]))
        ]
        return [texting_number_json(row, self.company_id, numformat) for row in owned]

    def company_texting_numbers(self) -> list[str]:
        return [str(row["number"]) for row in self._all("SELECT number FROM texting_numbers")]

    def set_texting_number_ownership(self, number: str, emails: list[str]) -> JsonDict | None:
        digits = national_digits(number)
        if digits is None:
            return None
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE texting_numbers SET ownership = ? WHERE number = ?",
                (json.dumps(emails), digits),
            ).rowcount
        if not changed:
            return None
        row = self._one("SELECT * FROM texting_numbers WHERE number = ?", (digits,))
        assert row is not None
        return texting_number_json(row, self.company_id, None)

    # -- conversations -------------------------------------------------------------------

    def _conversations_json(self, rows: list[sqlite3.Row]) -> list[JsonDict]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        marks = ", ".join("?" * len(ids))
        with self._lock:
            contacts = {
                row["id"]: texting_contact_json(row, self.company_id)
                for row in self._conn.execute(
                    f"SELECT * FROM texting_contacts WHERE id IN ({', '.join('?' * len(rows))})",
                    [row["contact_id"] for row in rows],
                )
            }
            unread = {
                row["conversation_id"]: int(row["n"])
                for row in self._conn.execute(
                    f"SELECT conversation_id, COUNT(*) AS n FROM messages WHERE conversation_id"
                    f" IN ({marks}) AND direction = 'inbound' AND is_read = 0"
                    f" GROUP BY conversation_id",
                    ids,
                )
            }
            last = {
                row["conversation_id"]: message_json(row)
                for row in self._conn.execute(
                    f"SELECT m.* FROM messages AS m WHERE m.conversation_id IN ({marks})"
                    f" AND m.seq = (SELECT m2.seq FROM messages AS m2"
                    f" WHERE m2.conversation_id = m.conversation_id"
                    f" ORDER BY m2.created_at DESC, m2.seq DESC LIMIT 1)",
                    ids,
                )
            }
        result = []
        for row in rows:
            contact = contacts.get(row["contact_id"]) or {
                "id": row["contact_id"],
                "company_id": self.company_id,
                "first_name": "",
                "last_name": "",
                "number": "",
            }
            result.append(
                conversation_json(
                    row, contact, last.get(row["id"]), unread.get(row["id"], 0), self.company_id
                )
            )
        return result

    def list_conversations(self, *, limit: int, offset: int) -> tuple[list[JsonDict], int]:
        with self._lock:
            total = int(self._conn.execute("SELECT COUNT(*) FROM conversations").fetchone()[0])
            rows = self._conn.execute(
                "SELECT * FROM conversations ORDER BY last_message_created_at DESC, seq DESC"
                " LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return self._conversations_json(rows), total

    def search_conversations(self, text: str) -> list[JsonDict]:
        if not text:
            rows = self._all(
                "SELECT * FROM conversations ORDER BY last_message_created_at DESC, seq DESC LIMIT 1000"
            )
            return self._conversations_json(rows)
        pattern = _like(text)
        digits = "".join(ch for ch in text if ch.isdigit())
        rows = self._all(
            "SELECT c.* FROM conversations AS c JOIN texting_contacts AS t ON t.id = c.contact_id"
            " WHERE EXISTS (SELECT 1 FROM messages AS m WHERE m.conversation_id = c.id"
            "   AND m.text LIKE ? ESCAPE '\\')"
            " OR (t.first_name || ' ' || t.last_name) LIKE ? ESCAPE '\\'"
            " OR (? != '' AND t.number LIKE ? ESCAPE '\\')"
            " ORDER BY c.last_message_created_at DESC, c.seq DESC LIMIT 1000",
            (pattern, pattern, digits, _like(digits)),
        )
        return self._conversations_json(rows)

    def get_conversation(self, conversation_id: str) -> JsonDict | None:
        row = self._one("SELECT * FROM conversations WHERE id = ?", (conversation_id,))
        return None if row is None else self._conversations_json([row])[0]

    def conversation_ids(self) -> list[str]:
        return [
            str(row["id"])
            for row in self._all(
                "SELECT id FROM conversations ORDER BY last_message_created_at DESC, seq DESC"
            )
        ]

    def create_conversation(self, contact_id: str, from_number: str) -> tuple[JsonDict, bool] | None:
        """(conversation, created); None when the texting contact does not exist.

        Raises ValueError when ``from_number`` is not a US number."""
        digits = national_digits(from_number)
        if digits is None:
            raise ValueError("from_number is not a valid phone number")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM texting_contacts WHERE id = ?", (contact_id,)).fetchone() is None:
                return None
            row = conn.execute(
                "SELECT id FROM conversations WHERE contact_id = ? AND from_number = ?",
                (contact_id, digits),
            ).fetchone()
            if row is not None:
                conversation_id, created = str(row["id"]), False
            else:
                conversation_id, created, now = new_id(), True, now_iso()
                conn.execute(
                    "INSERT INTO conversations (id, contact_id, from_number, timezone,"
                    " created_at, updated_at, last_message_created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (conversation_id, contact_id, digits, DEFAULT_TIMEZONE, now, now, now),
                )
        conversation = self.get_conversation(conversation_id)
        assert conversation is not None
        return conversation, created

    def delete_conversation(self, conversation_id: str) -> bool:
        with self._write() as conn:
            deleted = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount
            conn.execute("DELETE FROM messages WHERE conversation_id = ?", (conversation_id,))
        return deleted > 0

    # -- messages ------------------------------------------------------------------------

    def list_messages(
        self, conversation_id: str, *, limit: int, offset: int
    ) -> tuple[list[JsonDict], int] | None:
        with self._lock:
            if (
                self._conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
                is None
            ):
                return None
            total = int(
                self._conn.execute(
                    "SELECT COUNT(*) FROM messages WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()[0]
            )
            rows = self._conn.execute(
                "SELECT * FROM messages WHERE conversation_id = ?"
                " ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?",
                (conversation_id, limit, offset),
            ).fetchall()
        return [message_json(row) for row in rows], total

    def get_message(self, conversation_id: str, message_id: str) -> JsonDict | None:
        row = self._one(
            "SELECT * FROM messages WHERE id = ? AND conversation_id = ?",
            (message_id, conversation_id),
        )
        return None if row is None else message_json(row)

    def set_read(self, conversation_id: str, message_ids: Sequence[str], is_read: bool) -> list[str]:
        """Mark messages of a conversation read/unread; returns the ids that exist in it."""
        if not message_ids:
            return []
        marks = ", ".join("?" * len(message_ids))
        with self._write() as conn:
            rows = conn.execute(
                f"SELECT id FROM messages WHERE conversation_id = ? AND id IN ({marks})",
                [conversation_id, *message_ids],
            ).fetchall()
            found = [str(row["id"]) for row in rows]
            conn.execute(
                f"UPDATE messages SET is_read = ? WHERE conversation_id = ? AND id IN ({marks})",
                [int(is_read), conversation_id, *message_ids],
            )
        wanted = set(found)
        return [mid for mid in dict.fromkeys(message_ids) if mid in wanted]

    def _insert_message(
        self,
        conn: sqlite3.Connection,
        conversation: sqlite3.Row,
        *,
        direction: str,
        text: str,
        stamp_id: str | None,
        files: list[Any],
        is_read: bool,
    ) -> str:
        contact = conn.execute(
            "SELECT number FROM texting_contacts WHERE id = ?", (conversation["contact_id"],)
        ).fetchone()
        theirs = "" if contact is None else str(contact["number"])
        ours = "+1" + str(conversation["from_number"])
        message_id = new_id()
        now = max(now_iso(), str(conversation["last_message_created_at"]))
        conn.execute(
            'INSERT INTO messages (id, conversation_id, direction, frm, "to", text, files,'
            " is_read, stamp_id, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message_id,
                conversation["id"],
                direction,
                theirs if direction == "inbound" else ours,
                ours if direction == "inbound" else theirs,
                text,
                json.dumps(files),
                int(is_read),
                stamp_id,
                conversation["timezone"],
                now,
            ),
        )
        conn.execute(
            "UPDATE conversations SET last_message_created_at = ?, updated_at = ? WHERE id = ?",
            (now, now, conversation["id"]),
        )
        return message_id

    def _message_by_id(self, message_id: str) -> JsonDict:
        row = self._one("SELECT * FROM messages WHERE id = ?", (message_id,))
        assert row is not None
        return message_json(row)

    def publish_outbound(
        self, conversation_id: str, text: str, stamp_id: str | None, files: list[Any]
    ) -> tuple[JsonDict, bool] | None:
        """(message, created); an already-seen ``stamp_id`` returns the stored message."""
        with self._write() as conn:
            conversation = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if conversation is None:
                return None
            if stamp_id is not None:
                existing = conn.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? AND stamp_id = ?",
                    (conversation_id, stamp_id),
                ).fetchone()
                if existing is not None:
                    message_id, created = str(existing["id"]), False
                    self.repeated_stamp_publishes += 1
                else:
                    message_id, created = None, True
            else:
                message_id, created = None, True
                stamp_id = str(uuid.uuid4())
            if message_id is None:
                message_id = self._insert_message(
                    conn,
                    conversation,
                    direction="outbound",
                    text=text,
                    stamp_id=stamp_id,
                    files=files,
                    is_read=True,
                )
        return self._message_by_id(message_id), created

    def add_inbound_many(self, conversation_id: str, texts: Sequence[str]) -> list[JsonDict] | None:
        """Store inbound messages in one transaction (oldest first); None: no such conversation."""
        with self._write() as conn:
            conversation = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if conversation is None:
                return None
            ids = []
            for text in texts:
                ids.append(
                    self._insert_message(
                        conn,
                        conversation,
                        direction="inbound",
                        text=text,
                        stamp_id=None,
                        files=[],
                        is_read=False,
                    )
                )
                conversation = conn.execute(
                    "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
        return [self._message_by_id(message_id) for message_id in ids]

    def add_inbound(
        self, conversation_id: str, text: str, files: Sequence[JsonDict] = ()
    ) -> JsonDict | None:
        with self._write() as conn:
            conversation = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if conversation is None:
                return None
            message_id = self._insert_message(
                conn,
                conversation,
                direction="inbound",
                text=text,
                stamp_id=None,
                files=list(files),
                is_read=False,
            )
        return self._message_by_id(message_id)

    def delete_messages(self, conversation_id: str, message_ids: Sequence[str]) -> list[str] | None:
        """Delete messages; None (nothing deleted) when the conversation or any id is unknown."""
        wanted = list(dict.fromkeys(message_ids))
        with self._write() as conn:
            conversation = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if conversation is None:
                return None
            if not wanted:
                return []
            marks = ", ".join("?" * len(wanted))
            found = conn.execute(
                f"SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND id IN ({marks})",
                [conversation_id, *wanted],
            ).fetchone()[0]
            if found != len(wanted):
                return None
            conn.execute(
                f"DELETE FROM messages WHERE conversation_id = ? AND id IN ({marks})",
                [conversation_id, *wanted],
            )
            latest = conn.execute(
                "SELECT MAX(created_at) FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            conn.execute(
                "UPDATE conversations SET last_message_created_at = ?, updated_at = ? WHERE id = ?",
                (latest or conversation["created_at"], now_iso(), conversation_id),
            )
        return wanted
