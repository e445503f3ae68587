"""SMS conversations, messages and the outbox in the cache (tables ``sms_*``, migration 3).

Every function takes the store thread's connection first (run them with ``store.call``).
Times are stored as integer microseconds since the epoch (UTC), so that threads sort by
number. A message is identified by its server ``id`` once the server has it, and by its
client ``stamp_id`` while it waits in the outbox (``id`` is NULL then).

Unread counts are counted from the stored inbound messages, plus ``hidden_unread``: the
unread messages the server reported at the last catch-up that are older than what is
stored (normally none: the catch-up fetches back until it has them).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.domain.texting import (
    Attachment,
    ConversationSummary,
    DeliveryState,
    Direction,
    Message,
    TextingNumber,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


@contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction (joins the caller's when one is open)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# ---------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """What the server says about a conversation (numbers already normalised)."""

    id: str
    contact_id: str = ""
    contact_name: str = ""
    number: str = ""
    our_number: str = ""
    last_message_at: datetime | None = None
    server_unread: int = 0


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """The sync bookkeeping of one stored conversation."""

    id: str
    synced_through: int | None
    history_complete: bool
    server_last_at: int | None
    newest_message_at: int | None  # the newest stored message the server has (has an id)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A message waiting to be published (its text and numbers are in ``sms_messages``)."""

    stamp_id: str
    conversation_id: str
    text: str
    created_at: int
    attempts: int
    uncertain: bool
    next_attempt_at: float
    last_attempt_at: float
    last_error: str = ""


@dataclass(slots=True)
class StoredChanges:
    """What a write changed: messages added or updated, grouped by conversation."""

    added: list[Message] = field(default_factory=list)
    updated: list[Message] = field(default_factory=list)
    conversations: set[str] = field(default_factory=set)
    new_conversations: set[str] = field(default_factory=set)

    def by_conversation(self) -> dict[str, list[Message]]:
        grouped: dict[str, list[Message]] = {}
        for message in (*self.added, *self.updated):
            grouped.setdefault(message.conversation_id, []).append(message)
        return grouped


# A message the server has not confirmed sorts after those of the same time (ids are hex).
PENDING_SORT_PREFIX = "~"

_MESSAGE_COLUMNS = (
    "m.id, m.stamp_id, m.conversation_id, m.direction, m.from_number, m.to_number, m.text,"
    " m.created_at, m.is_read, m.delivery, m.error, m.attachments"
)


def _attachments_json(attachments: Sequence[Attachment]) -> str:
    """Attachments as a JSON array of [id, name, mimetype, size, preview type, preview base64]."""
    if not attachments:
        return "[]"
    return json.dumps(
        [
            [a.id, a.name, a.mimetype, a.size, a.preview_mimetype, _b64(a.preview)]
            for a in attachments
        ]
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _attachments_from_json(text: str) -> tuple[Attachment, ...]:
    if text == "[]":
        return ()
    return tuple(
        Attachment(str(i), str(n), str(t), int(s), base64.b64decode(preview), str(kind))
        for i, n, t, s, kind, preview in json.loads(text)
    )


def message_from_row(row: Sequence[object]) -> Message:
    mid, stamp, cid, direction, frm, to, text, created, is_read, delivery, error, files = row
    return Message(
        id=str(mid or ""),
        conversation_id=str(cid),
        direction=Direction(str(direction)),
        from_number=str(frm),
        to_number=str(to),
        text=str(text),
        created_at=from_micros(int(created)),  # type: ignore[call-overload]
        is_read=bool(is_read),
        stamp_id=str(stamp or ""),
        attachments=_attachments_from_json(str(files)),
        delivery=DeliveryState(str(delivery)),
        error=str(error),
    )


def _message_where(conn: sqlite3.Connection, clause: str, params: Sequence[object]) -> Message | None:
    row = conn.execute(f"SELECT {_MESSAGE_COLUMNS} FROM sms_messages m WHERE {clause}", params).fetchone()
    return message_from_row(row) if row else None


def get_message(conn: sqlite3.Connection, key: str) -> Message | None:
    """A stored message by server id or stamp id."""
    return _message_where(conn, "m.id = ?1 OR m.stamp_id = ?1", (key,)) if key else None


# ---------------------------------------------------------------------------------------
# Conversations


def _ensure_conversation(conn: sqlite3.Connection, message: Message) -> bool:
    """Make a placeholder row for a conversation first seen through a message (numbers from
    the message; the name comes with the next catch-up); True if it is new."""
    inbound = message.direction is Direction.INBOUND
    theirs, ours = message.from_number, message.to_number
    if not inbound:
        theirs, ours = ours, theirs
    cursor = conn.execute(
        "INSERT INTO sms_conversations (id, number, our_number) VALUES (?, ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        (message.conversation_id, theirs, ours),
    )
    return cursor.rowcount > 0


def upsert_conversations(conn: sqlite3.Connection, infos: Iterable[ConversationInfo]) -> list[str]:
    """Store what the server says about these conversations; returns the ids that changed
    (new ones, or a different name, number, last message time or unread count)."""
    changed: list[str] = []
    with _write(conn):
        for info in infos:
            last = to_micros(info.last_message_at) if info.last_message_at is not None else None
            before = conn.execute(
                "SELECT contact_id, contact_name, number, our_number, server_last_at, server_unread"
                " FROM sms_conversations WHERE id = ?",
                (info.id,),
            ).fetchone()
            after = (
                info.contact_id, info.contact_name, info.number, info.our_number, last, info.server_unread
            )
            if before == after:
                continue
            conn.execute(
                "INSERT INTO sms_conversations (id, contact_id, contact_name, number, our_number,"
                " server_last_at, server_unread) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id,"
                " contact_name = excluded.contact_name, number = excluded.number,"
                " our_number = excluded.our_number, server_last_at = excluded.server_last_at,"
                " server_unread = excluded.server_unread",
                (info.id, *after),
            )
            changed.append(info.id)
    return changed


def conversation_ids(conn: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in conn.execute("SELECT id FROM sms_conversations")]


def stored_conversation(conn: sqlite3.Connection, conversation_id: str) -> StoredConversation | None:
    row = conn.execute(
        "SELECT c.id, c.synced_through, c.history_complete, c.server_last_at,"
        " (SELECT MAX(m.created_at) FROM sms_messages m WHERE m.conversation_id = c.id AND m.id IS NOT NULL)"
        " FROM sms_conversations c WHERE c.id = ?",
        (conversation_id,),
    ).fetchone()
    if row is None:
        return None
    return StoredConversation(str(row[0]), row[1], bool(row[2]), row[3], row[4])


def set_synced_through(conn: sqlite3.Connection, conversation_id: str, micros: int) -> None:
    """Everything in this conversation up to ``micros`` is stored (never moves back)."""
    with _write(conn):
        conn.execute(
            "UPDATE sms_conversations SET synced_through = MAX(COALESCE(synced_through, 0), ?) WHERE id = ?",
            (micros, conversation_id),
        )


def set_history_complete(conn: sqlite3.Connection, conversation_id: str) -> None:
    with _write(conn):
        conn.execute("UPDATE sms_conversations SET history_complete = 1 WHERE id = ?", (conversation_id,))


def set_hidden_unread(conn: sqlite3.Connection, conversation_id: str, server_unread: int) -> bool:
    """Record how many of the server's unread messages are not stored; True if it changed."""
    with _write(conn):
        hidden = max(0, server_unread - unread_as_server_counts(conn, conversation_id))
        cursor = conn.execute(
            "UPDATE sms_conversations SET hidden_unread = ? WHERE id = ? AND hidden_unread != ?",
            (hidden, conversation_id, hidden),
        )
    return cursor.rowcount > 0


def find_conversation(conn: sqlite3.Connection, number: str, our_number: str | None) -> str | None:
    """The stored conversation with this other party (from ``our_number`` if given)."""
    if our_number:
        row = conn.execute(
            "SELECT id FROM sms_conversations WHERE number = ? AND our_number = ?"
            " ORDER BY COALESCE(server_last_at, 0) DESC LIMIT 1",
            (number, our_number),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT id FROM sms_conversations WHERE number = ?"
            " ORDER BY COALESCE(server_last_at, 0) DESC LIMIT 1",
            (number,),
        ).fetchone()
    return str(row[0]) if row else None


def conversation_numbers(conn: sqlite3.Connection, conversation_id: str) -> tuple[str, str] | None:
    """(their number, our number) of a stored conversation."""
    row = conn.execute(
        "SELECT number, our_number FROM sms_conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return (str(row[0]), str(row[1])) if row else None


_SUMMARY_SQL = """
SELECT c.id, c.contact_name, c.number, c.our_number, c.hidden_unread,
    (SELECT COUNT(*) FROM sms_messages u WHERE u.conversation_id = c.id
        AND u.direction = 'inbound' AND u.is_read = 0) AS unread,
    l.created_at, l.text, json_array_length(l.attachments), l.direction,
    (SELECT TRIM(b.first_name || ' ' || b.last_name) FROM contacts b WHERE b.id =
        (SELECT n.contact_id FROM contact_numbers n WHERE n.number = c.number LIMIT 1)) AS book_name,
    c.server_last_at
FROM sms_conversations c
LEFT JOIN sms_messages l ON l.seq = (
    SELECT m.seq FROM sms_messages m WHERE m.conversation_id = c.id
    ORDER BY m.created_at DESC, m.sort_id DESC LIMIT 1)
"""


def _summary(row: Sequence[object], format_number: Callable[[str], str]) -> ConversationSummary:
    (cid, contact_name, number, our_number, hidden, unread) = row[:6]
    (last_at, text, files, direction, book, server_last) = row[6:]
    title = str(contact_name or "") or str(book or "") or (format_number(str(number)) if number else "")
    count = int(files or 0)  # type: ignore[call-overload]
    preview = str(text or "")
    if not preview.strip() and count:
        preview = f"📎 {count} attachment{'s' if count != 1 else ''}"
    when = last_at if last_at is not None else server_last
    return ConversationSummary(
        conversation_id=str(cid),
        title=title or "Unknown",
        number=str(number or ""),
        our_number=str(our_number or ""),
        unread_count=int(unread) + int(hidden),  # type: ignore[call-overload]
        last_message_at=from_micros(int(when)) if when is not None else None,  # type: ignore[call-overload]
        preview=" ".join(preview.split()),
        last_direction=Direction(str(direction)) if direction else None,
    )


def conversation_summaries(
    conn: sqlite3.Connection, format_number: Callable[[str], str], ids: Sequence[str] | None = None
) -> list[ConversationSummary]:
    """Summaries newest first (all conversations, or only ``ids``)."""
    if ids is None:
        rows = conn.execute(_SUMMARY_SQL).fetchall()
    else:
        rows = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            rows.extend(conn.execute(f"{_SUMMARY_SQL} WHERE c.id IN ({marks})", chunk).fetchall())
    summaries = [_summary(row, format_number) for row in rows]
    summaries.sort(
        key=lambda s: (s.last_message_at.timestamp() if s.last_message_at else 0.0, s.conversation_id),
        reverse=True,
    )
    return summaries


def unread_total(conn: sqlite3.Connection) -> int:
    stored = conn.execute(
        "SELECT COUNT(*) FROM sms_messages WHERE direction = 'inbound' AND is_read = 0"
    ).fetchone()[0]
    hidden = conn.execute("SELECT COALESCE(SUM(hidden_unread), 0) FROM sms_conversations").fetchone()[0]
    return int(stored) + int(hidden)


def delete_conversation(conn: sqlite3.Connection, conversation_id: str) -> bool:
    with _write(conn):
        conn.execute("DELETE FROM sms_outbox WHERE conversation_id = ?", (conversation_id,))
        conn.execute("DELETE FROM sms_messages WHERE conversation_id = ?", (conversation_id,))
        deleted = conn.execute("DELETE FROM sms_conversations WHERE id = ?", (conversation_id,)).rowcount
    return deleted > 0


def delete_conversations_except(conn: sqlite3.Connection, keep: set[str]) -> list[str]:
    """Drop the stored conversations the server no longer lists; returns their ids."""
    gone = [cid for cid in conversation_ids(conn) if cid not in keep]
    for cid in gone:
        delete_conversation(conn, cid)
    return gone


# ---------------------------------------------------------------------------------------
# Messages


def store_messages(
    conn: sqlite3.Connection, messages: Iterable[Message], *, advance_sync: bool = False
) -> StoredChanges:
    """Store messages from the server, de-duplicated by id.

    A message already stored is updated only where it changed (read mark). A message
    carrying the stamp_id of one of our outbox messages confirms it: the outbox row goes,
    the stored message takes the server's id and time and becomes SENT. With
    ``advance_sync`` (the live stream is trusted), each conversation's ``synced_through``
    moves up to its newest message.
    """
    changes = StoredChanges()
    newest: dict[str, int] = {}
    ensured: set[str] = set()
    with _write(conn):
        for message in messages:
            created = to_micros(message.created_at)
            cid = message.conversation_id
            if cid not in ensured:
                ensured.add(cid)
                if _ensure_conversation(conn, message):
                    changes.new_conversations.add(cid)
            if advance_sync:
                newest[cid] = max(newest.get(cid, 0), created)
            row = conn.execute(
                "SELECT seq, is_read, read_pending FROM sms_messages WHERE id = ?", (message.id,)
            ).fetchone()
            if row is not None:
                if message.is_read and (not row[1] or row[2]):
                    # The server has it read: ours may have been waiting to tell it.
                    conn.execute(
                        "UPDATE sms_messages SET is_read = 1, read_pending = 0 WHERE seq = ?", (row[0],)
                    )
                    if not row[1]:
                        updated = _message_where(conn, "m.seq = ?", (row[0],))
                        assert updated is not None
                        changes.updated.append(updated)
                        changes.conversations.add(cid)
                continue
            stamp = message.stamp_id or None
            if stamp is not None:
                confirmed = _confirm_outbox(conn, message, created)
                if confirmed is not None:
                    changes.updated.append(confirmed)
                    changes.conversations.add(confirmed.conversation_id)
                    continue
                if conn.execute("SELECT 1 FROM sms_messages WHERE stamp_id = ?", (stamp,)).fetchone():
                    stamp = None  # the server holds two messages with one stamp: keep both
            is_read = message.is_read or message.direction is Direction.OUTBOUND
            conn.execute(
                "INSERT INTO sms_messages (id, stamp_id, conversation_id, direction, from_number,"
                " to_number, text, created_at, sort_id, is_read, delivery, error, attachments)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', '', ?)",
                (
                    message.id,
                    stamp,
                    cid,
                    message.direction.value,
                    message.from_number,
                    message.to_number,
                    message.text,
                    created,
                    message.id,
                    int(is_read),
                    _attachments_json(message.attachments),
                ),
            )
            changes.added.append(
                dataclasses.replace(
                    message,
                    created_at=from_micros(created),
                    is_read=is_read,
                    stamp_id=stamp or "",
                    delivery=DeliveryState.SENT,
                    error="",
                )
            )
            changes.conversations.add(cid)
        for cid, micros in newest.items():
            # Only where a catch-up established a synced point: a conversation first seen
            # on the live stream gets one from its first catch-up.
            conn.execute(
                "UPDATE sms_conversations SET synced_through = MAX(synced_through, ?)"
                " WHERE id = ? AND synced_through IS NOT NULL",
                (micros, cid),
            )
    return changes


def _confirm_outbox(conn: sqlite3.Connection, message: Message, created: int) -> Message | None:
    row = conn.execute(
        "SELECT seq, id FROM sms_messages WHERE stamp_id = ?", (message.stamp_id,)
    ).fetchone()
    if row is None:
        return None
    seq, existing_id = row
    if existing_id and existing_id != message.id:
        # Another message already holds this stamp: not ours to merge; keep both by id.
        return None
    conn.execute(
        "UPDATE sms_messages SET id = ?, sort_id = ?, created_at = ?, delivery = 'sent', error = '',"
        " conversation_id = ?, attachments = ? WHERE seq = ?",
        (
            message.id,
            message.id,
            created,
            message.conversation_id,
            _attachments_json(message.attachments),
            seq,
        ),
    )
    conn.execute("DELETE FROM sms_outbox WHERE stamp_id = ?", (message.stamp_id,))
    return _message_where(conn, "m.seq = ?", (seq,))


def known_message_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    found = conn.execute(f"SELECT id FROM sms_messages WHERE id IN ({marks})", list(ids))
    return {str(row[0]) for row in found}


def thread_page(
    conn: sqlite3.Connection, conversation_id: str, before_key: str | None, limit: int
) -> list[Message] | None:
    """Up to ``limit`` messages just older than the message ``before_key`` (newest page when
    None), oldest first. None when ``before_key`` is not stored (deleted meanwhile)."""
    if before_key is None:
        rows = conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM sms_messages m WHERE m.conversation_id = ?"
            " ORDER BY m.created_at DESC, m.sort_id DESC LIMIT ?",
            (conversation_id, limit),
        ).fetchall()
    else:
        anchor = conn.execute(
            "SELECT created_at, sort_id FROM sms_messages WHERE conversation_id = ?1"
            " AND (id = ?2 OR stamp_id = ?2)",
            (conversation_id, before_key),
        ).fetchone()
        if anchor is None:
            return None
        rows = conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM sms_messages m WHERE m.conversation_id = ?"
            " AND (m.created_at < ? OR (m.created_at = ? AND m.sort_id < ?))"
            " ORDER BY m.created_at DESC, m.sort_id DESC LIMIT ?",
            (conversation_id, anchor[0], anchor[0], anchor[1], limit),
        ).fetchall()
    return [message_from_row(row) for row in reversed(rows)]


def server_message_count(conn: sqlite3.Connection, conversation_id: str) -> int:
    """How many of this conversation's stored messages the server has (have an id)."""
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM sms_messages WHERE conversation_id = ? AND id IS NOT NULL",
            (conversation_id,),
        ).fetchone()[0]
    )


def message_count(conn: sqlite3.Connection, conversation_id: str | None = None) -> int:
    if conversation_id is None:
        return int(conn.execute("SELECT COUNT(*) FROM sms_messages").fetchone()[0])
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM sms_messages WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]
    )


def unread_inbound_ids(conn: sqlite3.Connection, conversation_id: str) -> list[str]:
    return [
        str(row[0])
        for row in conn.execute(
            "SELECT id FROM sms_messages WHERE conversation_id = ? AND direction = 'inbound'"
            " AND is_read = 0 AND id IS NOT NULL ORDER BY created_at, seq",
            (conversation_id,),
        )
    ]


def apply_read(
    conn: sqlite3.Connection, conversation_id: str, ids: Sequence[str], *, pending: bool = False
) -> list[Message]:
    """Mark these messages read (as stored); returns those that changed. ``pending``: read
    here, the server is still to be told (see :func:`read_marks_pending`)."""
    changed: list[Message] = []
    with _write(conn):
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            seqs = [
                int(row[0])
                for row in conn.execute(
                    f"SELECT seq FROM sms_messages WHERE conversation_id = ? AND is_read = 0"
                    f" AND id IN ({marks})",
                    [conversation_id, *chunk],
                )
            ]
            for seq in seqs:
                conn.execute(
                    "UPDATE sms_messages SET is_read = 1, read_pending = ? WHERE seq = ?", (int(pending), seq)
                )
                message = _message_where(conn, "m.seq = ?", (seq,))
                assert message is not None
                changed.append(message)
    return changed


def oldest_unread_at(conn: sqlite3.Connection, conversation_id: str) -> int | None:
    """When the oldest stored unread inbound message of a conversation was created."""
    row = conn.execute(
        "SELECT MIN(created_at) FROM sms_messages WHERE conversation_id = ? AND direction = 'inbound'"
        " AND is_read = 0",
        (conversation_id,),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def read_marks_pending(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Messages read here whose read mark the server has not confirmed, by conversation."""
    pending: dict[str, list[str]] = {}
    for cid, mid in conn.execute(
        "SELECT conversation_id, id FROM sms_messages WHERE read_pending = 1 AND id IS NOT NULL"
        " ORDER BY conversation_id, created_at"
    ):
        pending.setdefault(str(cid), []).append(str(mid))
    return pending


def read_mark_delivered(conn: sqlite3.Connection, message_ids: Sequence[str]) -> None:
    with _write(conn):
        conn.executemany(
            "UPDATE sms_messages SET read_pending = 0 WHERE id = ?", [(mid,) for mid in message_ids]
        )


def unread_as_server_counts(conn: sqlite3.Connection, conversation_id: str) -> int:
    """How many unread messages the server should count for this conversation as stored:
    the unread ones, plus those read here that it has not heard of yet."""
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM sms_messages WHERE conversation_id = ? AND direction = 'inbound'"
            " AND (is_read = 0 OR read_pending = 1)",
            (conversation_id,),
        ).fetchone()[0]
    )


def recount_hidden_unread(conn: sqlite3.Connection, conversation_id: str) -> int:
    """Recount the server's unread messages that are not stored (after fetching some)."""
    row = conn.execute(
        "SELECT server_unread FROM sms_conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    if row is None:
        return 0
    set_hidden_unread(conn, conversation_id, int(row[0]))
    hidden = conn.execute(
        "SELECT hidden_unread FROM sms_conversations WHERE id = ?", (conversation_id,)
    ).fetchone()
    return int(hidden[0])


def clear_hidden_unread(conn: sqlite3.Connection, conversation_id: str) -> None:
    with _write(conn):
        conn.execute("UPDATE sms_conversations SET hidden_unread = 0 WHERE id = ?", (conversation_id,))


def delete_messages(conn: sqlite3.Connection, conversation_id: str, keys: Sequence[str]) -> list[str]:
    """Delete messages by id or stamp id; returns every key the deleted ones had."""
    removed: list[str] = []
    with _write(conn):
        for key in keys:
            row = conn.execute(
                "SELECT seq, id, stamp_id FROM sms_messages WHERE conversation_id = ?1"
                " AND (id = ?2 OR stamp_id = ?2)",
                (conversation_id, key),
            ).fetchone()
            if row is None:
                continue
            conn.execute("DELETE FROM sms_messages WHERE seq = ?", (row[0],))
            if row[2]:
                conn.execute("DELETE FROM sms_outbox WHERE stamp_id = ?", (row[2],))
            removed.extend(str(k) for k in (row[1], row[2]) if k)
    return removed


def delete_missing_messages(
    conn: sqlite3.Connection, conversation_id: str, present: set[str], above: int | None, below: int
) -> list[str]:
    """Delete the stored messages the server has (have an id) created strictly between
    ``above`` (None: from the first) and ``below`` whose id is not in ``present``: one
    page of the server's listing covered that span, so they were deleted there. Returns
    every key the deleted ones had."""
    sql = "SELECT id FROM sms_messages WHERE conversation_id = ? AND id IS NOT NULL AND created_at < ?"
    params: list[object] = [conversation_id, below]
    if above is not None:
        sql += " AND created_at > ?"
        params.append(above)
    missing = [str(row[0]) for row in conn.execute(sql, params) if str(row[0]) not in present]
    return delete_messages(conn, conversation_id, missing) if missing else []


# ---------------------------------------------------------------------------------------
# Outbox


def add_to_outbox(conn: sqlite3.Connection, message: Message) -> Message:
    """Store a new outbound message as PENDING with its outbox row (one transaction)."""
    created = to_micros(message.created_at)
    with _write(conn):
        _ensure_conversation(conn, message)
        conn.execute(
            "INSERT INTO sms_messages (id, stamp_id, conversation_id, direction, from_number,"
            " to_number, text, created_at, sort_id, is_read, delivery, error, attachments)"
            " VALUES (NULL, ?, ?, 'outbound', ?, ?, ?, ?, ?, 1, 'pending', '', '[]')",
            (
                message.stamp_id,
                message.conversation_id,
                message.from_number,
                message.to_number,
                message.text,
                created,
                PENDING_SORT_PREFIX + message.stamp_id,
            ),
        )
        conn.execute(
            "INSERT INTO sms_outbox (stamp_id, conversation_id, created_at) VALUES (?, ?, ?)",
            (message.stamp_id, message.conversation_id, created),
        )
    stored = _message_where(conn, "m.stamp_id = ?", (message.stamp_id,))
    assert stored is not None
    return stored


_OUTBOX_COLUMNS = (
    "o.stamp_id, o.conversation_id, m.text, o.created_at, o.attempts, o.uncertain,"
    " o.next_attempt_at, o.last_attempt_at, o.last_error"
)


def _entry(row: Sequence[object]) -> OutboxEntry:
    stamp, cid, text, created, attempts, uncertain, next_at, last_at, last_error = row
    return OutboxEntry(
        stamp_id=str(stamp),
        conversation_id=str(cid),
        text=str(text),
        created_at=int(created),  # type: ignore[call-overload]
        attempts=int(attempts),  # type: ignore[call-overload]
        uncertain=bool(uncertain),
        next_attempt_at=float(next_at),  # type: ignore[arg-type]
        last_attempt_at=float(last_at),  # type: ignore[arg-type]
        last_error=str(last_error),
    )


def outbox_entries(conn: sqlite3.Connection) -> list[OutboxEntry]:
    """Every message still to publish (not failed), oldest first."""
    rows = conn.execute(
        f"SELECT {_OUTBOX_COLUMNS} FROM sms_outbox o JOIN sms_messages m ON m.stamp_id = o.stamp_id"
        " WHERE m.delivery = 'pending' ORDER BY o.created_at, o.rowid"
    ).fetchall()
    return [_entry(row) for row in rows]


def outbox_entry(conn: sqlite3.Connection, stamp_id: str) -> OutboxEntry | None:
    row = conn.execute(
        f"SELECT {_OUTBOX_COLUMNS} FROM sms_outbox o JOIN sms_messages m ON m.stamp_id = o.stamp_id"
        " WHERE o.stamp_id = ? AND m.delivery = 'pending'",
        (stamp_id,),
    ).fetchone()
    return _entry(row) if row else None


def begin_attempt(conn: sqlite3.Connection, stamp_id: str, now: float) -> bool:
    """Written (and committed) before the publish request goes out: from here until the
    answer, the server may or may not have the message. False when the message is no
    longer waiting (confirmed meanwhile, failed or deleted): then nothing may be sent."""
    with _write(conn):
        cursor = conn.execute(
            "UPDATE sms_outbox SET attempts = attempts + 1, uncertain = 1, last_attempt_at = ?"
            " WHERE stamp_id = ? AND EXISTS (SELECT 1 FROM sms_messages m WHERE m.stamp_id = ?"
            " AND m.id IS NULL AND m.delivery = 'pending')",
            (now, stamp_id, stamp_id),
        )
    return cursor.rowcount > 0


def schedule_retry(
    conn: sqlite3.Connection, stamp_id: str, at: float, *, uncertain: bool, error: str = ""
) -> None:
    with _write(conn):
        conn.execute(
            "UPDATE sms_outbox SET next_attempt_at = ?, uncertain = ?,"
            " last_error = CASE WHEN ? != '' THEN ? ELSE last_error END WHERE stamp_id = ?",
            (at, int(uncertain), error, error, stamp_id),
        )


def mark_failed(conn: sqlite3.Connection, stamp_id: str, error: str) -> Message | None:
    """The outbox gave up: the message is FAILED with ``error`` (kept for Retry/Discard)."""
    with _write(conn):
        conn.execute(
            "UPDATE sms_messages SET delivery = 'failed', error = ? WHERE stamp_id = ? AND id IS NULL",
            (error, stamp_id),
        )
        conn.execute("UPDATE sms_outbox SET uncertain = 0 WHERE stamp_id = ?", (stamp_id,))
    return _message_where(conn, "m.stamp_id = ?", (stamp_id,))


def retry_failed(conn: sqlite3.Connection, stamp_id: str) -> Message | None:
    """Put a FAILED message back into the outbox as PENDING; None if it is not failed."""
    with _write(conn):
        changed = conn.execute(
            "UPDATE sms_messages SET delivery = 'pending', error = ''"
            " WHERE stamp_id = ? AND delivery = 'failed'",
            (stamp_id,),
        ).rowcount
        if not changed:
            return None
        conn.execute(
            "UPDATE sms_outbox SET attempts = 0, next_attempt_at = 0, last_error = '' WHERE stamp_id = ?",
            (stamp_id,),
        )
    return _message_where(conn, "m.stamp_id = ?", (stamp_id,))


def discard_failed(conn: sqlite3.Connection, stamp_id: str) -> str | None:
    """Drop a FAILED message; returns its conversation id, None if it is not failed."""
    with _write(conn):
        row = conn.execute(
            "SELECT conversation_id FROM sms_messages WHERE stamp_id = ? AND delivery = 'failed'", (stamp_id,)
        ).fetchone()
        if row is None:
            return None
        conn.execute("DELETE FROM sms_messages WHERE stamp_id = ?", (stamp_id,))
        conn.execute("DELETE FROM sms_outbox WHERE stamp_id = ?", (stamp_id,))
    return str(row[0])


def confirm_sent(conn: sqlite3.Connection, message: Message) -> Message | None:
    """The server has our message (publish answer, or found by its stamp_id)."""
    changes = store_messages(conn, [message])
    for changed in (*changes.updated, *changes.added):
        if changed.stamp_id == message.stamp_id:
            return changed
    return get_message(conn, message.stamp_id)


def find_message_with_text(conn: sqlite3.Connection, conversation_id: str, text: str) -> Message | None:
    """The newest stored message of a conversation whose text contains ``text`` (any case)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return _message_where(
        conn,
        "m.conversation_id = ? AND m.text LIKE ? ESCAPE '\\'"
        " ORDER BY m.created_at DESC, m.sort_id DESC LIMIT 1",
        (conversation_id, pattern),
    )


def conversations_matching(conn: sqlite3.Connection, text: str, limit: int = 200) -> list[str]:
    """Stored conversations with a message, name or number containing ``text``."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    digits = "".join(ch for ch in text if ch.isdigit())
    rows = conn.execute(
        "SELECT c.id FROM sms_conversations c WHERE c.contact_name LIKE ?1 ESCAPE '\\'"
        " OR (?2 != '' AND c.number LIKE '%' || ?2 || '%')"
        " OR EXISTS (SELECT 1 FROM sms_messages m WHERE m.conversation_id = c.id"
        " AND m.text LIKE ?1 ESCAPE '\\') LIMIT ?3",
        (pattern, digits, limit),
    ).fetchall()
    return [str(row[0]) for row in rows]


# ---------------------------------------------------------------------------------------
# Sending numbers and state


def save_texting_numbers(conn: sqlite3.Connection, numbers: Sequence[TextingNumber]) -> None:
    with _write(conn):
        conn.execute("DELETE FROM sms_numbers")
        conn.executemany(
            "INSERT INTO sms_numbers (position, id, number, ownership) VALUES (?, ?, ?, ?)",
            [(i, n.id, n.number, json.dumps(list(n.ownership))) for i, n in enumerate(numbers)],
        )


def texting_numbers(conn: sqlite3.Connection) -> list[TextingNumber]:
    return [
        TextingNumber(str(i), str(n), tuple(json.loads(str(o))))
        for i, n, o in conn.execute("SELECT id, number, ownership FROM sms_numbers ORDER BY position")
    ]


def get_state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sms_state WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    with _write(conn):
        conn.execute(
            "INSERT INTO sms_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
