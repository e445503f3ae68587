"""The contact book service over a real SQLite cache."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.events import ContactsChanged, SyncProgress
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.store.database import Store


class PagedSource:
    source_name = "ringplan"

    def __init__(self, contacts: list[Contact], per_page: int = 10) -> None:
        self.contacts = contacts
        self.per_page = per_page
        self.closed = False

    async def iter_contacts(self) -> AsyncGenerator[list[Contact]]:
        try:
            for start in range(0, len(self.contacts), self.per_page):
                yield self.contacts[start : start + self.per_page]
        finally:
            self.closed = True


def people(ids: range) -> list[Contact]:
    return [
        Contact(
            "ringplan",
            f"u{i}",
            f"Person{i:03d}",
            "X",
            phones=(PhoneNumber(PhoneKind.WORK, f"+1619555{i:04d}"),),
        )
        for i in ids
    ]


async def test_sync_formats_numbers_reports_progress_and_removes_vanished(tmp_path: Path) -> None:
    bus = EventBus()
    events: list[object] = []
    bus.subscribe_all(events.append)
    store = Store(tmp_path / "cache.sqlite3")
    book = ContactBook(store, bus, write_batch=10)
    first = await book.sync(PagedSource(people(range(25))))
    assert (first.written, first.removed, first.total) == (25, 0, 25)
    assert [e.done for e in events if isinstance(e, SyncProgress)] == [0, 10, 20, 25]
    assert events[-1] == ContactsChanged(25)
    (stored,) = await book.page(0, 1)
    assert stored.contact.phones[0].display == "(619) 555-0000"
    second = await book.sync(PagedSource(people(range(5, 25))))
    assert (second.removed, second.total) == (5, 20)
    store.close()


async def test_a_cancelled_sync_keeps_the_book_and_closes_the_source(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    book = ContactBook(store, EventBus())
    await book.sync(PagedSource(people(range(30))))
    source = PagedSource(people(range(100, 150)))
    result = await book.sync(source, cancelled=lambda: True)
    assert result.written == 10 and result.removed == 0
    assert await book.count() == 40  # nothing of the old book was dropped
    assert source.closed
    store.close()
