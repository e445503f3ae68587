"""The Messages pane's models on their own: the thread's rows (day separators, older pages,
pending -> sent by stamp, removals), the conversation list's diffs, notification grouping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.domain.events import NotificationRequested
from app.domain.texting import ConversationSummary, DeliveryState, Direction, Message
from ui.conversation_list_model import ConversationListModel, SummaryRole
from ui.message_notifications import MessageNotifications, group
from ui.messages_pane import merge_summaries
from ui.thread_model import ThreadModel

# noon UTC on a fixed day keeps "same local day" true in any time zone within +-11 h
DAY = datetime(2024, 3, 12, 12, 0, tzinfo=UTC)


def message(n: int, at: datetime, direction: Direction = Direction.INBOUND, **kw: object) -> Message:
    fields: dict[str, object] = {"id": f"m{n}", "text": f"text {n}"}
    fields.update(kw)
    return Message(
        conversation_id="c1",
        direction=direction,
        from_number="+16195550101",
        to_number="+18585550100",
        created_at=at,
        **fields,  # type: ignore[arg-type]
    )


def shape(model: ThreadModel) -> list[str]:
    """ "--" for a day separator, the message key otherwise."""
    out = []
    for r in range(model.rowCount()):
        row = model.row(r)
        assert row is not None
        out.append("--" if row.message is None else row.message.stamp_id or row.message.id)
    return out


def model_tester(model: ThreadModel | ConversationListModel) -> QAbstractItemModelTester:
    return QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)


def test_thread_rows_have_a_separator_per_day_and_older_pages_join_on_top(qtbot: QtBot) -> None:
    model = ThreadModel()
    tester = model_tester(model)
    newest = [message(3, DAY - timedelta(days=1)), message(4, DAY), message(5, DAY + timedelta(minutes=1))]
    model.reset("c1", newest, has_older=True)
    assert shape(model) == ["--", "m3", "--", "m4", "m5"]
    row5 = model.row(4)
    assert row5 is not None and row5.continued  # same side, a minute later

    # an older page ending on the day the loaded rows start with: one separator for that day
    added = model.prepend_older(
        [message(1, DAY - timedelta(days=3)), message(2, DAY - timedelta(days=1, hours=1))], has_older=False
    )
    assert shape(model) == ["--", "m1", "--", "m2", "m3", "--", "m4", "m5"]
    assert added == 3
    assert model.has_older is False
    # a page that repeats what is loaded adds nothing
    assert model.prepend_older([message(1, DAY - timedelta(days=3))], has_older=False) == 0
    del tester


def test_pending_becomes_sent_by_stamp_and_removals_take_empty_days_along(qtbot: QtBot) -> None:
    model = ThreadModel()
    tester = model_tester(model)
    model.reset("c1", [message(1, DAY - timedelta(days=1)), message(2, DAY)], has_older=False)
    pending = message(
        0,
        DAY + timedelta(minutes=5),
        Direction.OUTBOUND,
        id="",
        stamp_id="s1",
        delivery=DeliveryState.PENDING,
    )
    model.upsert([pending])
    assert shape(model) == ["--", "m1", "--", "m2", "s1"]
    sent = message(9, DAY + timedelta(minutes=6), Direction.OUTBOUND, id="srv9", stamp_id="s1")
    model.upsert([sent])
    assert shape(model) == ["--", "m1", "--", "m2", "s1"]  # the same row, now sent
    row = model.row(4)
    assert row is not None and row.message is not None and row.message.delivery is DeliveryState.SENT
    assert model.find("srv9") == model.find("s1") == 4
    # a late inbound message from yesterday goes in time order, under yesterday's separator
    model.upsert([message(7, DAY - timedelta(days=1) + timedelta(minutes=1))])
    assert shape(model) == ["--", "m1", "m7", "--", "m2", "s1"]
    # another conversation's message is not this thread's
    model.upsert([Message("x", "c2", Direction.INBOUND, "", "", "no", DAY)])
    assert model.find("x") == -1
    model.remove(["m1", "m7"])
    assert shape(model) == ["--", "m2", "s1"]
    model.remove(["srv9"])
    assert shape(model) == ["--", "m2"]
    assert model.set_highlighted("m2") == 1
    del tester


def summary(cid: str, minutes: int, unread: int = 0, preview: str = "") -> ConversationSummary:
    return ConversationSummary(
        cid,
        f"Person {cid}",
        "+16195550101",
        "+18585550100",
        unread,
        DAY + timedelta(minutes=minutes),
        preview or f"last of {cid}",
        Direction.INBOUND,
    )


def test_conversation_list_moves_changed_rows_keeping_the_selection(qtbot: QtBot) -> None:
    model = ConversationListModel()
    tester = model_tester(model)
    model.set_summaries([summary("a", 3), summary("b", 2), summary("c", 1)])
    selected = QPersistentModelIndex(model.index(1))  # b
    # c gets a message: it moves to the top; d is new; a is deleted
    shown = merge_summaries(model.summaries(), {"c", "d", "a"}, [summary("c", 9, 1, "new"), summary("d", 0)])
    model.set_summaries(shown)
    assert [model.index(r).data(SummaryRole).conversation_id for r in range(model.rowCount())] == [
        "c",
        "b",
        "d",
    ]
    assert selected.isValid() and selected.row() == 1 and selected.data(SummaryRole).conversation_id == "b"
    assert model.row_of("c") == 0 and model.row_of("a") == -1
    assert model.index(0).data(Qt.ItemDataRole.AccessibleTextRole).startswith("Person c, 1 unread, new")
    del tester


def test_notifications_skip_the_thread_in_front_and_group_a_burst(qtbot: QtBot) -> None:
    front = {"c1"}
    shown: list[NotificationRequested] = []
    notes = MessageNotifications(lambda cid: cid in front, window_ms=50)
    notes.ready.connect(shown.append)
    notes.add(NotificationRequested("Ann", "hi", "c1"))  # thread in front: nothing
    for cid, name in (("c2", "Bob"), ("c3", "Cy"), ("c2", "Bob"), ("c4", "Di"), ("c3", "Cy")):
        notes.add(NotificationRequested(name, f"from {name}", cid))
    qtbot.waitUntil(lambda: bool(shown), timeout=2000)
    assert len(shown) == 1
    assert shown[0].title == "5 new messages from 3 people"
    assert shown[0].conversation_id == "c3"  # the newest: clicking opens it
    assert shown[0].body.startswith("Cy, Di, Bob")
    # one person's burst names them
    one = group([NotificationRequested("Bob", "a", "c2"), NotificationRequested("Bob", "b", "c2")])
    assert (one.title, one.body, one.conversation_id) == ("Bob", "2 new messages\nb", "c2")
    # a notification about something else passes at once
    notes.add(NotificationRequested("Sync", "done"))
    assert shown[-1].title == "Sync"


def test_clicking_a_message_notification_asks_for_its_thread(qtbot: QtBot) -> None:
    from ui.tray import Tray

    tray = Tray()
    opened: list[str] = []
    windows: list[bool] = []
    tray.conversation_requested.connect(opened.append)
    tray.open_requested.connect(lambda: windows.append(True))
    tray.last_conversation_id = "c7"  # as notify() remembers it on a desktop with a tray
    tray.icon.messageClicked.emit()
    assert opened == ["c7"] and windows == [True]


def test_times_and_days_read_relative_to_today() -> None:
    from datetime import date

    from ui.message_format import day_label, initials, list_time, one_line

    today = date(2024, 3, 12)  # a Tuesday
    assert day_label(today, today) == "Today"
    assert day_label(date(2024, 3, 11), today) == "Yesterday"
    assert day_label(date(2024, 3, 8), today) == "Friday"
    assert day_label(date(2024, 1, 2), today) == "Tuesday, 2 January"
    assert day_label(date(2023, 1, 3), today) == "Tuesday, 3 January 2023"
    assert list_time(None) == ""
    assert list_time(datetime(2024, 3, 11, 12, tzinfo=UTC), today) == "Yesterday"
    assert list_time(datetime(2024, 1, 2, 12, tzinfo=UTC), today) == "2 Jan"
    assert initials("Ann Marie Lee") == "AL" and initials("+1 619-555-0100") == "#"
    assert one_line("a\nb   c", 80) == "a b c" and one_line("x" * 200, 10).endswith("…")


def test_trimming_keeps_the_newest_rows_with_their_day_separator(qtbot: QtBot) -> None:
    model = ThreadModel()
    tester = model_tester(model)
    day1 = [message(n, DAY - timedelta(days=1) + timedelta(minutes=n)) for n in range(5)]
    day2 = [message(10 + n, DAY + timedelta(minutes=n)) for n in range(5)]
    model.reset("c1", day1 + day2, has_older=False)
    assert shape(model) == ["--", "m0", "m1", "m2", "m3", "m4", "--", "m10", "m11", "m12", "m13", "m14"]
    assert model.trim_oldest(3) == 9
    assert shape(model) == ["--", "m12", "m13", "m14"]  # a separator put back for the day
    first = model.row(1)
    assert first is not None and not first.continued
    assert model.has_older and model.find("m3") == -1 and model.find("m12") == 1
    # the forgotten rows come back with the older pages
    assert model.prepend_older(day1 + day2[:2], has_older=False) == 8
    assert shape(model)[:3] == ["--", "m0", "m1"] and model.message_count() == 10
    del tester
