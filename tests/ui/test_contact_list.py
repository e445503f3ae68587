"""The lazy contact list model and the Contacts pane, on real Qt widgets over a real cache."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.store.contacts import StoredContact
from app.store.database import Store
from ui.contact_details import ContactDetails
from ui.contact_list_model import BLOCK_SIZE, ContactListModel, ContactRole
from ui.contacts_pane import ContactsPane
from ui.elided_label import ElidedLabel
from ui.style import STYLE_SHEET


class CountingPages:
    """The real contact book, counting how many rows the model asked the store for."""

    def __init__(self, book: ContactBook) -> None:
        self.book = book
        self.rows_read = 0

    async def count(self) -> int:
        return await self.book.count()

    async def page(self, offset: int, limit: int) -> list:  # type: ignore[type-arg]
        rows = await self.book.page(offset, limit)
        self.rows_read += len(rows)
        return rows


class ListSource:
    source_name = "ringplan"

    def __init__(self, contacts: list[Contact]) -> None:
        self.contacts = contacts

    async def iter_contacts(self) -> AsyncGenerator[list[Contact]]:
        for start in range(0, len(self.contacts), 500):
            yield self.contacts[start : start + 500]


def people(n: int) -> list[Contact]:
    return [
        Contact(
            "ringplan",
            f"id{i}",
            f"First{i:05d}",
            "Last",
            emails=(f"p{i}@example.com",),
            phones=(PhoneNumber(PhoneKind.WORK, f"+1619555{i:04d}"),),
        )
        for i in range(n)
    ]


@pytest.fixture
async def book(tmp_path: Path) -> AsyncIterator[ContactBook]:
    store = Store(tmp_path / "cache.sqlite3")
    book = ContactBook(store, EventBus())
    await book.sync(ListSource(people(1000)))
    yield book
    store.close()


async def wait_until_loaded(model: ContactListModel, row: int) -> None:
    for _ in range(200):
        if model.is_loaded(row):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"row {row} never loaded")


async def test_model_passes_the_model_tester_and_reads_only_what_is_shown(
    book: ContactBook,
) -> None:
    pages = CountingPages(book)
    model = ContactListModel(pages)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    await model.reload()
    assert model.rowCount() == 1000
    assert pages.rows_read == BLOCK_SIZE  # the first screen only
    assert model.index(0).data() == "First00000 Last"
    # A row far down is not loaded until asked for, then arrives by itself.
    assert model.index(750).data() is None
    await wait_until_loaded(model, 750)
    assert model.index(750).data() == "First00750 Last"
    assert model.index(750).data(ContactRole).contact.emails == ("p750@example.com",)
    assert pages.rows_read == 2 * BLOCK_SIZE
    assert model.rowCount(model.index(0)) == 0 and not model.index(1000).isValid()
    assert model.data(QModelIndex()) is None
    await model.close()


async def test_pane_paints_contacts_and_shows_details(qtbot: QtBot, book: ContactBook) -> None:
    model = ContactListModel(book)
    pane = ContactsPane(model)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    painted: list[int] = []
    first_paint = asyncio.Event()
    pane.contacts_painted.connect(lambda total: (painted.append(total), first_paint.set()))
    await model.reload()
    pane.list.viewport().update()
    await asyncio.wait_for(first_paint.wait(), 5)
    assert painted == [1000]
    assert "1,000" in pane.summary.text()
    pane.list.setCurrentIndex(model.index(3))
    assert pane.details.name.text() == "First00003 Last"
    fields = pane.details.findChildren(type(pane.details.name))
    assert any(label.text() == "(619) 555-0003" for label in fields)
    await model.close()


async def test_scrolling_to_the_end_loads_the_last_rows(qtbot: QtBot, book: ContactBook) -> None:
    model = ContactListModel(book)
    pane = ContactsPane(model)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    await model.reload()
    pane.list.scrollToBottom()
    await wait_until_loaded(model, 999)
    assert model.index(999).data() == "First00999 Last"
    await model.close()


async def test_a_selection_spanning_rows_never_loaded_exports_exactly_those_contacts(
    qtbot: QtBot, book: ContactBook, tmp_path: Path
) -> None:
    from app.services.contact_import import ContactExporter, ImportFormat

    model = ContactListModel(book)
    pane = ContactsPane(model)
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    await model.reload()
    await wait_until_loaded(model, 0)
    selection = pane.list.selectionModel()
    flags = selection.SelectionFlag
    selection.select(model.index(2), flags.Select | flags.Rows)
    selection.select(
        QItemSelection(model.index(BLOCK_SIZE * 3 + 5), model.index(BLOCK_SIZE * 3 + 9)),
        flags.Select | flags.Rows,
    )
    assert not model.is_loaded(BLOCK_SIZE * 3 + 5)
    assert pane.export_selection.text() == "Export 6 selected contacts…"
    exported: list[list[StoredContact]] = []
    pane.export_selection_requested.connect(exported.append)
    pane.export_selection.trigger()
    for _ in range(200):
        if exported:
            break
        await asyncio.sleep(0.01)
    wanted = [2, *range(BLOCK_SIZE * 3 + 5, BLOCK_SIZE * 3 + 10)]
    assert [s.contact.first_name for s in exported[0]] == [f"First{i:05d}" for i in wanted]
    path = tmp_path / "some.csv"
    keys = [(s.contact.source, s.contact.source_id) for s in exported[0]]
    assert await ContactExporter(book._store).export(path, ImportFormat.CSV, keys=keys) == 6
    text = path.read_text()
    assert all(f"First{i:05d}" in text for i in wanted) and "First00003" not in text
    await model.close()


def test_long_values_elide_and_the_row_buttons_stay_in_view(qtbot: QtBot) -> None:
    email = "aaliyah.shaw-montgomery.regional.operations@northwindtelecommunications.example.com"
    contact = Contact(
        "ringplan", "1", "Aaliyah", "Shaw", emails=(email,),
        phones=(PhoneNumber(PhoneKind.WORK, "+12065550101", "(206) 555-0101"),),
        address="7426 Washington Lane, Seattle, WA 98101, United States",
    )
    details = ContactDetails()
    details.setStyleSheet(STYLE_SHEET)  # as inside the main window
    qtbot.addWidget(details)
    details.resize(300, 500)  # what the pane gets in a 1100-pixel window
    details.show()
    details.show_contact(StoredContact(1, contact))
    qtbot.wait(50)
    viewport = details._scroll.viewport()
    shown = next(label for label in details.findChildren(ElidedLabel) if label.full_text() == email)
    assert "…" in shown.text() and shown.toolTip() == email and shown.accessibleName() == email
    buttons = [b for b in details.findChildren(QPushButton) if b.text() in ("E-mail", "Call", "SMS", "Copy")]
    assert len(buttons) == 6  # Call, SMS, Copy; E-mail, Copy; Copy (the address)
    for button in buttons:
        right = button.mapTo(viewport, button.rect().topRight()).x()
        assert button.isVisible() and right <= viewport.width(), button.text()
    assert not details._scroll.horizontalScrollBar().isVisible()
    details.resize(1400, 500)  # room enough: the whole e-mail, unelided
    qtbot.wait(50)
    assert shown.text() == email
