"""Personal contacts on a real SQLite cache: create / edit / delete, the rules, importing the
files other programs write (duplicates, bad rows, huge files, cancelling), export -> import."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.events import ContactsChanged
from app.services.contact_import import (
    ContactExporter,
    ContactImporter,
    DuplicateAction,
    ImportFileError,
    ImportFormat,
    ImportProgress,
)
from app.services.contacts_csv import Column, ColumnMapping
from app.services.event_bus import EventBus
from app.services.personal_contacts import (
    LOCAL_SOURCE,
    ContactDraft,
    ContactNotFound,
    InvalidContact,
    PersonalContacts,
)
from app.store import contact_lookup
from app.store import contacts as contact_rows
from app.store.database import Store

DATA = Path(__file__).parent.parent / "data" / "contacts"


@dataclasses.dataclass
class Book:
    store: Store
    bus: EventBus
    personal: PersonalContacts
    importer: ContactImporter
    exporter: ContactExporter
    changes: list[int]

    async def all(self) -> list[Contact]:
        rows = await self.store.call(contact_rows.contacts_page, 0, 1_000_000)
        return [r.contact for r in rows]

    async def count(self) -> int:
        return await self.store.call(contact_rows.count_contacts)

    async def import_file(
        self, path: Path, default: DuplicateAction = DuplicateAction.SKIP, **kwargs: Any
    ) -> tuple[Any, Any]:
        plan = await self.importer.plan(await self.importer.inspect(path), **kwargs)
        return plan, await self.importer.apply(plan, default)


@pytest.fixture
async def book(tmp_path: Path) -> AsyncIterator[Book]:
    store = Store(tmp_path / "cache.sqlite3")
    bus = EventBus()
    changes: list[int] = []
    bus.subscribe(ContactsChanged, lambda e: changes.append(e.total))
    yield Book(
        store, bus, PersonalContacts(store, bus), ContactImporter(store, bus), ContactExporter(store), changes
    )
    store.close()


def full_draft(**changes: Any) -> ContactDraft:
    draft = ContactDraft(
        first_name="Ada",
        last_name="Lovelace",
        company="Analytical Engines",
        title="Programmer",
        emails=("ada@engines.example", " ADA@Home.Example "),
        phones=(
            (PhoneKind.MOBILE, "(415) 555-0101"),
            (PhoneKind.WORK, "+44 20 7946 0958"),
            (PhoneKind.EXTENSION, "1001"),
        ),
        address="12 St James's Square\nLondon SW1Y 4JH\nUnited Kingdom",
        notes="Prefers letters.\nCall after 10.",
    )
    return dataclasses.replace(draft, **changes)


# -- create / edit / delete -------------------------------------------------------------------


async def test_create_edit_and_delete(book: Book) -> None:
    created = await book.personal.create(full_draft())
    assert created.source == LOCAL_SOURCE and len(created.source_id) == 32
    int(created.source_id, 16)  # a uuid4 in hex
    assert created.emails == ("ada@engines.example", "ADA@Home.Example")
    assert created.phones == (
        PhoneNumber(PhoneKind.MOBILE, "+14155550101", "(415) 555-0101"),
        PhoneNumber(PhoneKind.WORK, "+442079460958", "+44 20 7946 0958"),
        PhoneNumber(PhoneKind.EXTENSION, "1001", "1001"),
    )
    assert [p.display for p in created.phones] == ["(415) 555-0101", "+44 20 7946 0958", "1001"]
    assert created.extension == "1001" and created.updated_at
    assert await book.personal.get(created.source_id) == created
    assert await book.all() == [created]
    # the number is found the way incoming calls look callers up
    assert await book.store.call(contact_rows.contact_for_number, "+14155550101") == created

    edited = await book.personal.update(
        created.source_id, full_draft(first_name="Augusta Ada", phones=((PhoneKind.HOME, "415 555 0199"),))
    )
    assert edited.source_id == created.source_id
    assert (await book.personal.get(created.source_id)) == edited
    assert edited.phones == (PhoneNumber(PhoneKind.HOME, "+14155550199", "(415) 555-0199"),)
    assert edited.extension == ""
    assert await book.store.call(contact_rows.contact_for_number, "+14155550101") is None
    assert await book.count() == 1

    assert await book.personal.delete([created.source_id]) == 1
    assert await book.count() == 0
    assert await book.personal.delete([created.source_id]) == 0  # already gone: no event
    assert book.changes == [1, 1, 0]
    with pytest.raises(ContactNotFound):
        await book.personal.update(created.source_id, full_draft())


async def test_synced_contacts_cannot_be_deleted_as_personal_ones(book: Book) -> None:
    synced = Contact("ringplan", "u1", "Sam", "Synced")
    await book.store.call(contact_rows.upsert_contacts, [synced])
    assert await book.personal.delete(["u1"]) == 0
    with pytest.raises(ContactNotFound):
        await book.personal.update("u1", full_draft())
    assert await book.count() == 1


@pytest.mark.parametrize(
    ("draft", "field", "message"),
    [
        (ContactDraft(emails=("a@b.example",)), "name", "Enter a first name, a last name or a company."),
        (ContactDraft(first_name="  ", company=" "), "name", "Enter a first name, a last name or a company."),
        (full_draft(emails=("good@x.example", "not an e-mail")), "emails", "“not an e-mail” is not a valid"),
        (full_draft(emails=("a@@b.example",)), "emails", "“a@@b.example” is not a valid e-mail address."),
        (full_draft(emails=("a@localhost",)), "emails", "“a@localhost” is not a valid"),
        (full_draft(emails=("a..b@x.example",)), "emails", "“a..b@x.example” is not a valid"),
        (full_draft(phones=((PhoneKind.WORK, "12"),)), "phones", "“12” is not a complete phone number."),
        (full_draft(phones=((PhoneKind.WORK, "call me"),)), "phones", "“call me” is not a phone number."),
        (
            full_draft(phones=((PhoneKind.WORK, "555-123-4567"),)),
            "phones",
            "“555-123-4567” is not a valid number",
        ),
        (
            full_draft(phones=((PhoneKind.EXTENSION, "12a"),)),
            "phones",
            "Extension “12a” should be digits only.",
        ),
        (
            full_draft(phones=((PhoneKind.WORK, "(415) 555-0101 ext. 12"),)),
            "phones",
            "“(415) 555-0101 ext. 12” has an extension (ext. 12)",
        ),
    ],
)
async def test_the_rules_name_each_problem(book: Book, draft: ContactDraft, field: str, message: str) -> None:
    problems = book.personal.check(draft)
    assert [p.field for p in problems] == [field]
    assert problems[0].message.startswith(message)
    with pytest.raises(InvalidContact) as raised:
        await book.personal.create(draft)
    assert raised.value.problems == tuple(problems)
    assert message in str(raised.value)
    assert await book.count() == 0 and book.changes == []


async def test_every_problem_is_named_with_its_position(book: Book) -> None:
    draft = ContactDraft(
        emails=("ok@x.example", "bad", "", "also bad"),
        phones=((PhoneKind.WORK, "+1 415 555 0101"), (PhoneKind.MOBILE, "nope"), (PhoneKind.HOME, "  ")),
    )
    assert [(p.field, p.index) for p in book.personal.check(draft)] == [
        ("name", -1),
        ("emails", 1),
        ("emails", 3),
        ("phones", 1),
    ]


async def test_valid_unusual_input_is_accepted(book: Book) -> None:
    draft = ContactDraft(
        company="Zürich Versicherung",
        emails=("jörg@zürich.example", "o'neil+tag@sub.example.co.uk", "mailto:x@y.example"),
        phones=(
            (PhoneKind.MOBILE, "15554441234"),  # RingPlan's own form of a US number
            (PhoneKind.FAX, "tel:+41-44-668-18-00"),
            (PhoneKind.WORK, "+41 44 668 18 00"),  # the same number again: kept once
        ),
        address="  Mythenquai 2\r\n8002 Zürich  \r\n",
    )
    contact = await book.personal.create(draft)
    assert contact.emails == ("jörg@zürich.example", "o'neil+tag@sub.example.co.uk", "x@y.example")
    assert [p.number for p in contact.phones] == ["+15554441234", "+41446681800"]
    assert contact.address == "  Mythenquai 2\n8002 Zürich"


# -- importing files other programs wrote -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "contacts", "skipped_lines"),
    [
        ("iphone_contacts.vcf", 3, []),
        ("rfc6350_contacts.vcf", 3, []),
        ("android_contacts.vcf", 2, []),
        ("google_contacts.csv", 5, [11]),  # the row with only an e-mail: no name or company
        ("google_contacts_legacy.csv", 2, []),
        ("outlook_contacts.csv", 4, []),
        ("outlook_contacts_unicode.csv", 4, []),
        ("generic_semicolon.csv", 2, []),
        ("broken.vcf", 2, [14, 16]),  # stray lines; the card cut off before END:VCARD
    ],
)
async def test_files_from_other_programs_import(
    book: Book, name: str, contacts: int, skipped_lines: list[int]
) -> None:
    plan, result = await book.import_file(DATA / name)
    assert plan.contacts == contacts
    assert [p.line for p in plan.problems if p.skipped] == skipped_lines
    assert plan.skipped_rows == len(skipped_lines)
    assert (result.created, result.merged, result.skipped, result.total) == (contacts, 0, 0, contacts)
    stored = await book.all()
    assert all(c.source == LOCAL_SOURCE for c in stored)
    assert all(p.number.startswith("+") or p.kind is PhoneKind.EXTENSION for c in stored for p in c.phones)
    assert all(p.display for c in stored for p in c.phones)
    assert book.changes == [contacts]


async def test_what_does_not_parse_is_kept_in_the_notes_and_reported(book: Book) -> None:
    plan, _ = await book.import_file(DATA / "google_contacts.csv")
    messages = [str(p) for p in plan.problems]
    assert messages == [
        "Line 7: “020 7946 0018” is not a complete phone number. It was kept in the notes.",
        "Line 10: “not a number” is not a phone number. It was kept in the notes.",
        "Line 11: no name or company (lonely@example.net), so it was not imported",
    ]
    by_name = {c.first_name: c for c in await book.all()}
    assert by_name["Søren"].notes == "Mobile phone: not a number"
    assert by_name["Søren"].phones == (PhoneNumber(PhoneKind.WORK, "+4532123456", "+45 32 12 34 56"),)
    assert by_name["Wei"].notes == "Home phone: 020 7946 0018"
    # vCard 4.0's tel:...;ext=102: the number is kept, the extension noted.
    await book.import_file(DATA / "rfc6350_contacts.vcf")
    simon = next(c for c in await book.all() if c.first_name == "Simon")
    assert simon.phones[0].number == "+14186569254"
    assert simon.notes == "Work phone: +1 418-656-9254 ext. 102"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.vcf", "“empty.vcf” is empty: there are no contacts in it."),
        ("garbage.csv", "“garbage.csv” is not a vCard or CSV file (it does not contain text)."),
        ("missing.vcf", "“missing.vcf” cannot be read: No such file or directory."),
    ],
)
async def test_files_that_cannot_be_imported_say_why(book: Book, name: str, message: str) -> None:
    with pytest.raises(ImportFileError) as raised:
        await book.importer.inspect(DATA / name)
    assert str(raised.value).startswith(message)
    assert await book.count() == 0


async def test_text_that_is_not_contacts(book: Book, tmp_path: Path) -> None:
    prose = tmp_path / "letter.txt"
    prose.write_text("Dear Ada\nthank you for the letter.\n")
    with pytest.raises(ImportFileError, match="does not look like a contacts file"):
        await book.importer.inspect(prose)
    fake = tmp_path / "notes.vcf"
    fake.write_text("just some text\nnothing else\n")
    plan = await book.importer.plan(await book.importer.inspect(fake))
    assert plan.contacts == 0
    assert [str(p) for p in plan.problems] == [
        "Line 1: the file does not contain any vCard (no BEGIN:VCARD line)"
    ]
    await book.importer.discard(plan)


async def test_one_bad_row_among_a_thousand(book: Book, tmp_path: Path) -> None:
    rows = [f"Person {i:04d},Example,+1 415 555 {i:04d},p{i}@example.com" for i in range(1000)]
    rows[600] = ",,+1 415 555 0600,"  # no name, no company
    path = tmp_path / "people.csv"
    path.write_text("First Name,Last Name,Mobile Phone,E-mail Address\n" + "\n".join(rows) + "\n")
    plan, result = await book.import_file(path)
    assert (plan.contacts, plan.skipped_rows) == (999, 1)
    assert [str(p) for p in plan.problems] == [
        "Line 602: no name or company (+1 415 555 0600), so it was not imported"
    ]
    assert (result.created, result.total) == (999, 999)


async def test_a_mapping_chosen_by_the_user(book: Book, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Kunde,Rufnummer,Bemerkung\nMüller AG,+49 89 1234567,VIP\n", encoding="utf-8")
    inspection = await book.importer.inspect(path)
    assert inspection.csv is not None
    assert [m.column for m in inspection.csv.mapping] == [Column.IGNORE, Column.IGNORE, Column.IGNORE]
    mapping = (ColumnMapping(Column.COMPANY), ColumnMapping(Column.PHONE_WORK), ColumnMapping(Column.NOTES))
    [preview] = book.importer.preview(inspection.csv, mapping)
    assert preview.contact is not None and preview.contact.company == "Müller AG" and not preview.problems
    plan = await book.importer.plan(inspection, mapping)
    await book.importer.apply(plan)
    [stored] = await book.all()
    assert (stored.company, stored.phones[0].number, stored.notes) == ("Müller AG", "+49891234567", "VIP")


# -- duplicates ---------------------------------------------------------------------------------


async def test_duplicates_by_number_or_e_mail_skip_merge_or_new(book: Book, tmp_path: Path) -> None:
    mine = await book.personal.create(
        ContactDraft(first_name="Maria", last_name="Garcia", phones=((PhoneKind.MOBILE, "303.555.0147"),))
    )
    by_mail = await book.personal.create(ContactDraft(first_name="Olu", emails=("olu@initech.example",)))
    synced = Contact("ringplan", "u7", "Acme", "Desk", phones=(PhoneNumber(PhoneKind.WORK, "+18005550199"),))
    await book.store.call(contact_rows.upsert_contacts, [synced])

    inspection = await book.importer.inspect(DATA / "google_contacts.csv")
    plan = await book.importer.plan(inspection)
    assert (plan.contacts, plan.duplicates_total, plan.new_contacts) == (5, 3, 2)
    found = {d.incoming.first_name or d.incoming.company: d for d in plan.duplicates}
    assert found["Maria"].existing == mine and found["Maria"].reason == "+13035550147"
    assert found["Maria"].line == 2 and found["Maria"].can_merge
    assert found["Olumide"].existing == by_mail  # OLU@Initech.example: e-mails match whatever the case
    assert found["Acme Plumbing"].existing == synced and not found["Acme Plumbing"].can_merge

    # Default skip; merge Maria; import Olumide as a new contact; "merge" into a synced
    # contact is impossible and counts as skipped.
    choices = {
        found["Maria"].row_id: DuplicateAction.MERGE,
        found["Olumide"].row_id: DuplicateAction.NEW,
        found["Acme Plumbing"].row_id: DuplicateAction.MERGE,
    }
    result = await book.importer.apply(plan, DuplicateAction.SKIP, choices)
    assert (result.created, result.merged, result.skipped) == (3, 1, 1)
    assert result.total == 3 + 3
    merged = await book.personal.get(mine.source_id)
    assert merged is not None
    assert (merged.first_name, merged.last_name, merged.company) == (
        "Maria",
        "Garcia",
        "Globex Corporation, Purchasing",
    )
    assert [p.number for p in merged.phones] == ["+13035550147", "+13035550100", "+13035550101"]
    assert merged.emails == ("maria.garcia@globex.example", "mgarcia84@gmail.example")
    assert merged.address.startswith("1200 Market St") and merged.notes.startswith("Met at the Denver")
    assert await book.store.call(contact_lookup.contact_by_key, "ringplan", "u7") == synced

    # Importing the same file again: everything is a duplicate now.
    plan = await book.importer.plan(inspection)
    assert plan.duplicates_total == 5
    result = await book.importer.apply(plan, DuplicateAction.MERGE)
    assert (result.created, result.merged, result.skipped) == (0, 4, 1)
    assert result.total == 6


async def test_a_plan_that_is_discarded_changes_nothing(book: Book) -> None:
    plan = await book.importer.plan(await book.importer.inspect(DATA / "iphone_contacts.vcf"))
    await book.importer.discard(plan)
    assert await book.count() == 0 and book.changes == []
    assert await book.store.call(contact_lookup.staged_page, plan.id, 0, 10) == []


# -- export -> import round trips ---------------------------------------------------------------


async def make_varied_book(book: Book) -> list[Contact]:
    drafts = [
        full_draft(),
        ContactDraft(company="Northwind Traders", phones=((PhoneKind.FAX, "+1 206 555 0109"),)),
        ContactDraft(first_name="Cher"),
        ContactDraft(last_name="Only-Last", emails=("x@y.example",)),
        ContactDraft(
            first_name="Jürgen",
            last_name="Müller; Jr.",
            company='Bäckerei "Zum Glück", Filiale 2',
            title="Meister\\Chef",
            emails=("j@b.example",),
            phones=(
                (PhoneKind.OTHER, "+49 89 1234567"),
                (PhoneKind.HOME, "+49 89 7654321"),
                (PhoneKind.MOBILE, "+49 170 1234567"),
                (PhoneKind.WORK, "+49 89 1111111"),
                (PhoneKind.FAX, "+49 89 2222222"),
                (PhoneKind.EXTENSION, "42"),
            ),
            address="Marienplatz 1\n80331 München",
            notes="Line 1\nLine 2; with, all: the \\ special ::: characters\n\nAnd a blank line above.",
        ),
        ContactDraft(first_name="山田", last_name="太郎", notes="=begins with an equals sign\n+and a plus"),
    ]
    return [await book.personal.create(d) for d in drafts]


def comparable(contact: Contact) -> Contact:
    return dataclasses.replace(contact, source_id="", updated_at="")


@pytest.mark.parametrize(
    ("fmt", "version", "suffix"),
    [
        (ImportFormat.VCARD, "3.0", ".vcf"),
        (ImportFormat.VCARD, "4.0", ".vcf"),
        (ImportFormat.CSV, "", ".csv"),
    ],
)
async def test_export_then_import_loses_nothing(
    book: Book, tmp_path: Path, fmt: ImportFormat, version: str, suffix: str
) -> None:
    originals = await make_varied_book(book)
    path = tmp_path / f"export{suffix}"
    progress: list[ImportProgress] = []
    kwargs: dict[str, Any] = {"version": version} if version else {}
    assert await book.exporter.export(path, fmt, progress=progress.append, **kwargs) == len(originals)
    assert progress[-1].done == progress[-1].total == len(originals)
    assert not path.with_name(path.name + ".part").exists()

    await book.personal.delete([c.source_id for c in originals])
    plan, result = await book.import_file(path)
    assert plan.problems == () and result.created == len(originals)
    again = sorted(map(comparable, await book.all()), key=lambda c: c.display_name)
    assert again == sorted(map(comparable, originals), key=lambda c: c.display_name)


async def test_export_a_selection(book: Book, tmp_path: Path) -> None:
    originals = await make_varied_book(book)
    path = tmp_path / "two.vcf"
    keys = [(c.source, c.source_id) for c in originals[:2]]
    assert await book.exporter.export(path, ImportFormat.VCARD, keys=keys) == 2
    assert path.read_text(encoding="utf-8").count("BEGIN:VCARD") == 2


async def test_a_cancelled_export_leaves_no_file(book: Book, tmp_path: Path) -> None:
    await book.store.call(
        contact_rows.upsert_contacts, [Contact(LOCAL_SOURCE, f"id{i}", f"P{i}") for i in range(3000)]
    )
    path = tmp_path / "big.csv"
    path.write_text("an older export that must survive\n")
    started = asyncio.Event()

    def on_progress(_p: ImportProgress) -> None:
        started.set()

    task = asyncio.ensure_future(book.exporter.export(path, ImportFormat.CSV, progress=on_progress))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert path.read_text() == "an older export that must survive\n"
    assert not path.with_name("big.csv.part").exists()


# -- large files --------------------------------------------------------------------------------


def write_photo_heavy_vcard(path: Path, cards: int, photo_bytes: int) -> None:
    """An iPhone-style export: most of the file is base64 photos folded at 75 octets."""
    photo = base64.b64encode(os.urandom(photo_bytes)).decode()
    folded = "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    with path.open("w", encoding="utf-8", newline="") as out:
        for i in range(cards):
            out.write(
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"N:Person{i:05d};Photo;;;\r\nFN:Photo Person{i:05d}\r\n"
                f"TEL;type=CELL:+1 415 555 {i % 10000:04d}\r\n"
                f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}\r\nEND:VCARD\r\n"
            )


async def test_a_50_mb_file_streams_with_progress(book: Book, tmp_path: Path) -> None:
    path = tmp_path / "iCloud export.vcf"
    write_photo_heavy_vcard(path, cards=500, photo_bytes=75_000)
    size = path.stat().st_size
    assert size > 50_000_000
    progress: list[ImportProgress] = []
    plan = await book.importer.plan(await book.importer.inspect(path), progress=progress.append)
    reading = [p for p in progress if p.stage == "reading"]
    assert len(reading) >= 2
    assert [p.done for p in reading] == sorted(p.done for p in reading)
    assert reading[-1].done == size and reading[-1].total == size
    assert plan.contacts == 500 and plan.problems == ()
    result = await book.importer.apply(plan)
    assert result.created == 500


async def test_cancelling_a_plan_keeps_the_book_as_it_was(book: Book, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Mobile\n")
        for i in range(20_000):
            out.write(f"Person {i},+1 415 555 {i % 10000:04d}\n")
    first_batch = asyncio.Event()
    task = asyncio.ensure_future(
        book.importer.plan(await book.importer.inspect(path), progress=lambda _p: first_batch.set())
    )
    await first_batch.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await book.count() == 0
    rows = await book.store.call(
        lambda conn: conn.execute("SELECT COUNT(*) FROM temp.import_rows").fetchone()[0]
    )
    assert rows == 0
    # The file was closed: it can be moved away (and read again) at once.
    shutil.move(path, tmp_path / "moved.csv")


async def test_cancelling_an_import_keeps_what_was_written_and_says_so(book: Book, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Mobile\n")
        for i in range(3000):
            out.write(f"Person {i},+1 415 555 {i % 10000:04d}\n")
    plan = await book.importer.plan(await book.importer.inspect(path))
    first_batch = asyncio.Event()
    task = asyncio.ensure_future(book.importer.apply(plan, progress=lambda _p: first_batch.set()))
    await first_batch.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    written = await book.count()
    assert 0 < written < 3000
    assert book.changes == [written]  # the views hear about what did get in
