"""The SMS tables of the cache (app.store.texting) on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.texting import DeliveryState, Direction, Message
from app.store import texting as rows
from app.store.database import connect

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(tmp_path / "cache.sqlite3")
    yield connection
    connection.close()


def inbound(mid: str, at: datetime = T0, cid: str = "c1", text: str = "hi", read: bool = False) -> Message:
    return Message(mid, cid, Direction.INBOUND, "+16195550111", "+16195550100", text, at, is_read=read)


def pending(stamp: str, at: datetime = T0, cid: str = "c1") -> Message:
    return Message(
        "",
        cid,
        Direction.OUTBOUND,
        "+16195550100",
        "+16195550111",
        "out",
        at,
        is_read=True,
        stamp_id=stamp,
        delivery=DeliveryState.PENDING,
    )


def test_times_round_trip_to_the_microsecond() -> None:
    moment = datetime(2026, 3, 1, 12, 0, 0, 123457, tzinfo=UTC)
    assert rows.from_micros(rows.to_micros(moment)) == moment


def test_the_same_message_twice_is_stored_once(conn: sqlite3.Connection) -> None:
    first = rows.store_messages(conn, [inbound("a"), inbound("b")])
    again = rows.store_messages(conn, [inbound("a"), inbound("b", read=True)])
    assert [m.id for m in first.added] == ["a", "b"] and first.new_conversations == {"c1"}
    assert again.added == [] and [m.id for m in again.updated] == ["b"]
    assert rows.message_count(conn, "c1") == 2


def test_threads_page_oldest_first_with_ties_broken_by_id(conn: sqlite3.Connection) -> None:
    same = T0
    rows.store_messages(conn, [inbound("m3", same), inbound("m1", same), inbound("m2", same)])
    rows.add_to_outbox(conn, pending("s-1", same))
    newest = rows.thread_page(conn, "c1", None, 2)
    assert newest is not None and [m.key for m in newest] == ["m3", "s-1"]  # pending sorts last
    older = rows.thread_page(conn, "c1", newest[0].key, 10)
    assert older is not None and [m.id for m in older] == ["m1", "m2"]
    assert rows.thread_page(conn, "c1", "gone", 10) is None


def test_an_echo_with_our_stamp_confirms_the_outbox_message(conn: sqlite3.Connection) -> None:
    rows.add_to_outbox(conn, pending("s-1"))
    assert [e.stamp_id for e in rows.outbox_entries(conn)] == ["s-1"]
    echo = Message(
        "srv-1", "c1", Direction.OUTBOUND, "+16195550100", "+16195550111", "out", T0 + timedelta(seconds=2),
        is_read=True, stamp_id="s-1",
    )
    changes = rows.store_messages(conn, [echo])
    assert changes.added == [] and len(changes.updated) == 1
    confirmed = changes.updated[0]
    assert (confirmed.id, confirmed.stamp_id, confirmed.delivery) == ("srv-1", "s-1", DeliveryState.SENT)
    assert rows.outbox_entries(conn) == []
    assert not rows.begin_attempt(conn, "s-1", 0.0)  # nothing may be published any more


def test_two_server_messages_with_one_stamp_are_both_kept(conn: sqlite3.Connection) -> None:
    a = Message("a", "c1", Direction.OUTBOUND, "+1", "+2", "x", T0, stamp_id="dup")
    b = Message("b", "c1", Direction.OUTBOUND, "+1", "+2", "x", T0 + timedelta(seconds=1), stamp_id="dup")
    rows.store_messages(conn, [a, b])
    assert rows.message_count(conn, "c1") == 2


def test_failed_messages_can_be_retried_or_discarded(conn: sqlite3.Connection) -> None:
    rows.add_to_outbox(conn, pending("s-1"))
    failed = rows.mark_failed(conn, "s-1", "Not sent: no")
    assert failed is not None and failed.delivery is DeliveryState.FAILED
    assert failed.error == "Not sent: no"
    assert rows.outbox_entries(conn) == []  # a failed message waits for the user
    retried = rows.retry_failed(conn, "s-1")
    assert retried is not None and retried.delivery is DeliveryState.PENDING and retried.error == ""
    assert rows.retry_failed(conn, "s-1") is None
    rows.mark_failed(conn, "s-1", "again")
    assert rows.discard_failed(conn, "s-1") == "c1"
    assert rows.get_message(conn, "s-1") is None


def test_unread_counts_include_what_the_server_counted_beyond_the_store(conn: sqlite3.Connection) -> None:
    info = rows.ConversationInfo("c1", contact_name="Ann Lee", number="+16195550111")
    rows.upsert_conversations(conn, [info])
    rows.store_messages(conn, [inbound("a"), inbound("b"), inbound("c", read=True)])
    assert rows.set_hidden_unread(conn, "c1", 5)
    summary = rows.conversation_summaries(conn, str)[0]
    assert (summary.title, summary.unread_count) == ("Ann Lee", 5)
    assert rows.unread_total(conn) == 5
    changed = rows.apply_read(conn, "c1", ["a", "b"], pending=True)
    assert [m.id for m in changed] == ["a", "b"] and all(m.is_read for m in changed)
    assert rows.read_marks_pending(conn) == {"c1": ["a", "b"]}
    assert rows.unread_as_server_counts(conn, "c1") == 2  # the server has not heard yet
    rows.read_mark_delivered(conn, ["a"])
    rows.store_messages(conn, [inbound("b", read=True)])  # the server says b is read
    assert rows.read_marks_pending(conn) == {}


def test_summaries_use_the_book_name_then_the_number(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO contacts (id, source, source_id, first_name, last_name, sort_key)"
        " VALUES (1, 'x', '1', 'Bob', 'Stone', 'bob')"
    )
    conn.execute(
        "INSERT INTO contact_numbers (contact_id, number, kind) VALUES (1, '+16195550122', 'mobile')"
    )
    rows.upsert_conversations(
        conn,
        [
            rows.ConversationInfo("c1", number="+16195550122", last_message_at=T0),
            rows.ConversationInfo("c2", number="+16195550133", last_message_at=T0 + timedelta(hours=1)),
        ],
    )
    rows.store_messages(conn, [Message("f", "c2", Direction.INBOUND, "+1", "+2", "", T0, attachments=())])
    by_id = {s.conversation_id: s for s in rows.conversation_summaries(conn, lambda n: f"<{n}>")}
    assert by_id["c1"].title == "Bob Stone"
    assert by_id["c2"].title == "<+16195550133>"
    assert [s.conversation_id for s in rows.conversation_summaries(conn, str)] == ["c2", "c1"]


def test_deleting_a_conversation_takes_its_messages_and_outbox(conn: sqlite3.Connection) -> None:
    rows.store_messages(conn, [inbound("a")])
    rows.add_to_outbox(conn, pending("s-1"))
    assert rows.delete_conversation(conn, "c1")
    assert rows.message_count(conn) == 0 and rows.outbox_entries(conn) == []
    assert not rows.delete_conversation(conn, "c1")


def test_missing_messages_are_judged_only_strictly_inside_the_span(conn: sqlite3.Connection) -> None:
    at = [T0 + timedelta(minutes=n) for n in range(6)]
    stored = [inbound(f"m{n}", at[n]) for n in range(6)]
    rows.store_messages(conn, [*stored, inbound("other", at[2], cid="c2")])
    rows.add_to_outbox(conn, pending("s-1", at[3]))
    rows.add_to_outbox(conn, pending("s-2", at[5] + timedelta(minutes=1)))
    micros = [rows.to_micros(t) for t in at]
    stored = rows.stored_conversation(conn, "c1")
    assert stored is not None and stored.newest_message_at == micros[5]  # the unsent one is not counted
    # a page listed m1 and m4: m2 and m3 went; the bounds m1/m4 themselves and m0/m5 are
    # outside the span, the unsent message and the other conversation are never judged
    removed = rows.delete_missing_messages(conn, "c1", {"m1", "m4"}, micros[1], micros[4])
    assert removed == ["m2", "m3"]
    kept = [m.key for m in rows.thread_page(conn, "c1", None, 10) or []]
    assert kept == ["m0", "m1", "s-1", "m4", "m5", "s-2"]
    assert rows.get_message(conn, "other") is not None
    # the last page: everything older than its newest is judged
    assert rows.delete_missing_messages(conn, "c1", {"m4"}, None, micros[5]) == ["m0", "m1"]
    assert rows.delete_missing_messages(conn, "c1", {"m4"}, None, micros[5]) == []
