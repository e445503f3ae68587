"""The import dialog on real widgets over a real cache: vCard and CSV files, column mapping
with preview, duplicates with a choice, problems by line, progress and cancelling."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.contacts import PhoneKind
from app.domain.events import ContactsChanged
from app.services.contact_import import ContactImporter, DuplicateAction, ImportResult
from app.services.contacts_csv import Column
from app.services.event_bus import EventBus
from app.services.personal_contacts import ContactDraft, PersonalContacts
from app.store import contacts as contact_rows
from app.store.database import Store
from ui.import_dialog import ImportDialog

DATA = Path(__file__).parent.parent / "data" / "contacts"


@pytest.fixture(autouse=True)
def app_stays_up(qapp: QApplication) -> Iterator[None]:
    """As in RingDesk (it lives on in the tray): closing the last window (this dialog) must
    not quit the application, which would stop the test's qasync loop."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


class Book:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus
        self.importer = ContactImporter(store, bus)
        self.personal = PersonalContacts(store, bus)
        self.changes: list[int] = []
        bus.subscribe(ContactsChanged, lambda e: self.changes.append(e.total))

    async def count(self) -> int:
        return await self.store.call(contact_rows.count_contacts)

    async def staged_rows(self) -> int:
        def count(conn: object) -> int:
            try:
                return int(conn.execute("SELECT COUNT(*) FROM temp.import_rows").fetchone()[0])  # type: ignore[attr-defined]
            except Exception:
                return 0

        return await self.store.call(count)


@pytest.fixture
async def book(tmp_path: Path) -> AsyncIterator[Book]:
    store = Store(tmp_path / "cache.sqlite3")
    yield Book(store, EventBus())
    store.close()


async def until(predicate: Callable[[], object], within: float = 10.0) -> None:
    """Let the event loop run (tasks included) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


async def no_staged_rows(book: Book) -> None:
    for _ in range(500):
        if await book.staged_rows() == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the plan's staged rows were not dropped")


def open_dialog(qtbot: QtBot, book: Book) -> ImportDialog:
    dialog = ImportDialog(book.importer)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def table_texts(table: object, column: int) -> list[str]:
    return [table.item(row, column).text() for row in range(table.rowCount())]  # type: ignore[attr-defined]


async def test_a_vcard_file_is_reviewed_then_imported(qtbot: QtBot, book: Book) -> None:
    dialog = open_dialog(qtbot, book)
    assert dialog.page == "choose"
    results: list[ImportResult] = []
    dialog.imported.connect(results.append)
    dialog.open_file(DATA / "iphone_contacts.vcf")
    await until(lambda: dialog.page == "review")
    assert dialog.review_title.text() == "iphone_contacts.vcf: 3 contacts"
    assert dialog.summary.text() == "3 new."
    assert dialog.duplicates_box.isHidden() and dialog.problems_box.isHidden()
    assert dialog.next_button.text() == "Import" and not dialog.back_button.isVisible()
    assert await book.count() == 0  # nothing is in the book before the user says so

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "done")
    assert dialog.done_title.text() == "Import finished"
    assert dialog.done_text.text() == "3 new contacts added."
    assert [(r.created, r.total) for r in results] == [(3, 3)]
    assert await book.count() == 3 and book.changes == [3]
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted


async def test_a_csv_file_with_columns_preview_duplicates_and_problems(qtbot: QtBot, book: Book) -> None:
    maria = await book.personal.create(
        ContactDraft(first_name="Maria", last_name="Garcia", phones=((PhoneKind.MOBILE, "303-555-0147"),))
    )
    dialog = open_dialog(qtbot, book)
    dialog.open_file(DATA / "google_contacts.csv")
    await until(lambda: dialog.page == "columns")
    assert dialog.columns_title.text() == "google_contacts.csv: 38 columns"
    headers = table_texts(dialog.mapping_table, 0)
    assert headers[:3] == ["First Name", "Middle Name", "Last Name"]
    company = headers.index("Organization Name")
    notes = headers.index("Notes")
    assert dialog.mapping_combo(company).currentData() == Column.COMPANY
    assert dialog.mapping_table.item(company, 2).text() == "Globex Corporation · Initech · Acme Plumbing"
    assert dialog.mapping_table.item(notes, 2).text().startswith("Met at the Denver trade show. ⏎ Prefers")

    # The preview shows what the first rows become, problems included.
    assert table_texts(dialog.preview_table, 0)[:3] == ["Maria García", "Wei Chen PhD", "Olumide Adeyemi"]
    assert table_texts(dialog.preview_table, 3)[0] == "(303) 555-0147, (303) 555-0100, (303) 555-0101"
    assert "kept in the notes" in table_texts(dialog.preview_table, 4)[1]

    # Changing a column's field updates the preview; without any name or company column the
    # file cannot be checked.
    dialog.mapping_combo(company).setCurrentIndex(dialog.mapping_combo(company).findData(Column.IGNORE))
    assert table_texts(dialog.preview_table, 1)[0] == "Purchasing"  # the department column is left
    for name_column in ("First Name", "Middle Name", "Last Name"):
        combo = dialog.mapping_combo(headers.index(name_column))
        combo.setCurrentIndex(combo.findData(Column.IGNORE))
    assert dialog.mapping_warning.isVisible() and not dialog.next_button.isEnabled()
    combo = dialog.mapping_combo(headers.index("First Name"))
    combo.setCurrentIndex(combo.findData(Column.FULL_NAME))
    combo = dialog.mapping_combo(company)
    combo.setCurrentIndex(combo.findData(Column.COMPANY))
    assert not dialog.mapping_warning.isVisible() and dialog.next_button.isEnabled()
    assert table_texts(dialog.preview_table, 0)[0] == "Maria"

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "review")
    assert dialog.summary.text() == "4 new · 1 already in your contacts · 1 cannot be imported."
    assert dialog.duplicates_table.rowCount() == 1
    assert [dialog.duplicates_table.item(0, c).text() for c in range(4)] == [
        "2",
        "Maria",
        "Maria Garcia",
        "(303) 555-0147",
    ]
    problems = [dialog.problems_list.item(i).text() for i in range(dialog.problems_list.count())]
    assert problems == [
        "Line 7: “020 7946 0018” is not a complete phone number. It was kept in the notes.",
        "Line 10: “not a number” is not a phone number. It was kept in the notes.",
        "Line 11: no name or company (lonely@example.net), so it was not imported",
    ]
    # "For all" sets each row; a single row can differ.
    dialog.all_duplicates.setCurrentIndex(dialog.all_duplicates.findData(DuplicateAction.NEW))
    assert dialog.duplicate_combo(0).currentData() == DuplicateAction.NEW
    dialog.duplicate_combo(0).setCurrentIndex(dialog.duplicate_combo(0).findData(DuplicateAction.MERGE))

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "done")
    assert dialog.done_text.text() == "4 new contacts added, 1 merged into existing ones."
    merged = await book.personal.get(maria.source_id)
    assert merged is not None and merged.company == "Globex Corporation, Purchasing"
    assert await book.count() == 5


async def test_back_from_the_review_forgets_the_checked_file(qtbot: QtBot, book: Book) -> None:
    dialog = open_dialog(qtbot, book)
    dialog.open_file(DATA / "outlook_contacts.csv")
    await until(lambda: dialog.page == "columns")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "review")
    assert await book.staged_rows() == 4
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    assert dialog.page == "columns"
    await no_staged_rows(book)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert await book.count() == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.vcf", "“empty.vcf” is empty: there are no contacts in it."),
        ("garbage.csv", "“garbage.csv” is not a vCard or CSV file (it does not contain text)."),
    ],
)
async def test_files_that_cannot_be_imported_say_why(
    qtbot: QtBot, book: Book, name: str, message: str
) -> None:
    dialog = open_dialog(qtbot, book)
    dialog.open_file(DATA / name)
    await until(dialog.choose_error.isVisible)
    assert dialog.choose_error.text().startswith(message)
    assert dialog.page == "choose" and dialog.choose_button.isEnabled()


async def test_a_damaged_file_lists_its_problems_and_imports_the_rest(qtbot: QtBot, book: Book) -> None:
    dialog = open_dialog(qtbot, book)
    dialog.open_file(DATA / "broken.vcf")
    await until(lambda: dialog.page == "review")
    assert dialog.summary.text() == "2 new · 2 cannot be imported."
    assert [dialog.problems_list.item(i).text() for i in range(dialog.problems_list.count())] == [
        "Line 7: line 11 (“this line is not a property at all”) is not a vCard property and was skipped",
        "Line 14: lines 14 to 15 are not part of any card and were skipped",
        "Line 16: the card is not closed (END:VCARD is missing)",
    ]
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "done")
    assert await book.count() == 2


def big_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Mobile,Email\n")
        for i in range(rows):
            out.write(f"Person {i},+1 415 555 {i % 10000:04d},p{i}@example.com\n")
    return path


async def test_reading_a_large_file_shows_progress_keeps_the_ui_alive_and_can_be_cancelled(
    qtbot: QtBot, book: Book, tmp_path: Path
) -> None:
    path = big_csv(tmp_path / "big.csv", 60_000)
    dialog = open_dialog(qtbot, book)
    dialog.open_file(path)
    await until(lambda: dialog.page == "columns")
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.page == "working" and dialog.cancel_button.isEnabled()
    await until(lambda: 100 < dialog.progress.value() < 900)
    assert "contacts found" in dialog.progress_label.text()
    assert len(ticks) > 3  # the Qt thread kept running timers while the file was read
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "columns")
    timer.stop()
    assert dialog.isVisible()
    assert await book.count() == 0 and await book.staged_rows() == 0
    shutil.move(path, tmp_path / "moved.csv")  # the file is closed again


async def test_cancelling_the_import_says_what_got_in(qtbot: QtBot, book: Book, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, book)
    dialog.open_file(big_csv(tmp_path / "big.csv", 20_000))
    await until(lambda: dialog.page == "columns")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "review", within=60)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.progress.value() > 0)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.page == "done")
    written = await book.count()
    assert 0 < written < 20_000
    assert dialog.done_title.text() == "Import cancelled"
    assert dialog.done_text.text().startswith(f"{written:,} contacts were added before you cancelled.")
    assert book.changes == [written]


@pytest.mark.parametrize("stage", ["reading", "importing"])
async def test_closing_the_dialog_while_it_works_stops_cleanly(
    qtbot: QtBot, book: Book, tmp_path: Path, caplog: pytest.LogCaptureFixture, stage: str
) -> None:
    dialog = ImportDialog(book.importer)  # as the app opens it: deleted when closed
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.open_file(big_csv(tmp_path / "big.csv", 60_000 if stage == "reading" else 20_000))
    await until(lambda: dialog.page == "columns")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    if stage == "importing":
        await until(lambda: dialog.page == "review", within=60)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    await until(lambda: dialog.progress.value() > 0)
    destroyed: list[bool] = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    dialog.close()
    await until(lambda: destroyed)
    await no_staged_rows(book)
    await asyncio.sleep(0.1)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    if stage == "reading":
        assert await book.count() == 0
