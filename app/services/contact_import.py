"""Importing vCard and CSV files into our own contacts, and exporting the book to them.

An import runs in three steps, each safe to cancel:

1. :meth:`ContactImporter.inspect` looks at the start of the file: empty? text at all? vCard
   or CSV, which encoding, and for CSV the header with an automatic column mapping and a few
   sample rows (:meth:`ContactImporter.preview` shows what they become under any mapping).
2. :meth:`ContactImporter.plan` reads the whole file off the event loop (worker thread,
   streaming, progress by bytes), validates every contact with the rules of personal
   contacts, and stages the valid ones in the store, where duplicates against the book —
   any E.164 number or e-mail (case-insensitive) in common — are found with indexed joins.
   Nothing is in the book yet; the plan lists the duplicates and every problem by line.
3. :meth:`ContactImporter.apply` writes the staged contacts in batches: new ones as new
   personal contacts; for duplicates the user's choice (skip, merge into the matching
   personal contact, import as new). Cancelling stops between batches; what was written
   stays (``ContactsChanged`` is published either way), and importing the same file again
   finds those as duplicates.

Leniency: a row without a name or company, or one that is not a contact at all, is not
imported and is reported with its line. A number or e-mail that does not parse does not cost
the whole contact: the contact is imported, the text goes to its notes, and the problem is
reported — nothing in the file is silently lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO, TypeVar

from app.domain.contacts import Contact, PhoneKind
from app.domain.events import ContactsChanged
from app.domain.region import DEFAULT_REGION
from app.services import contacts_csv, vcard
from app.services.contact_book import update_search_index
from app.services.contacts_csv import CsvLayout, CsvMapping, TextSource
from app.services.event_bus import EventBus
from app.services.personal_contacts import (
    LOCAL_SOURCE,
    BadNumber,
    ContactDraft,
    DraftEntry,
    InvalidContact,
    UnreadableEntry,
    build_contact,
    new_source_id,
    now_stamp,
    parse_number,
)
from app.store import contact_lookup
from app.store import contacts as contact_rows
from app.store.database import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 500
MAX_LISTED = 1000  # problems and duplicates a plan lists one by one (the rest are counted)
MAX_HEADER_CHARS = 1_000_000

KIND_WORDS = {
    PhoneKind.WORK: "Work phone",
    PhoneKind.MOBILE: "Mobile phone",
    PhoneKind.HOME: "Home phone",
    PhoneKind.FAX: "Fax",
    PhoneKind.OTHER: "Phone",
    PhoneKind.EXTENSION: "Extension",
}


class ImportFormat(StrEnum):
    VCARD = "vcard"
    CSV = "csv"


class ImportFileError(Exception):
    """The file cannot be imported at all; the message says why, in words."""


class DuplicateAction(StrEnum):
    SKIP = "skip"
    MERGE = "merge"  # into the matching personal contact (only personal contacts can change)
    NEW = "new"


@dataclass(frozen=True, slots=True)
class FileInspection:
    path: Path
    format: ImportFormat
    size: int
    encoding: str
    csv: CsvLayout | None = None


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something about one row: ``skipped`` rows are not imported; otherwise the row is, and
    the message says what was set aside (kept in the notes)."""

    line: int
    message: str
    skipped: bool

    def __str__(self) -> str:
        where = f"Line {self.line}: " if self.line else ""
        return where + self.message


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A contact of the file that shares a number or e-mail with one already in the book."""

    row_id: int
    line: int
    incoming: Contact
    existing: Contact
    reason: str
    others: int = 0  # further book contacts it also matches

    @property
    def can_merge(self) -> bool:
        return self.existing.source == LOCAL_SOURCE


@dataclass(frozen=True, slots=True)
class ImportPlan:
    id: int
    inspection: FileInspection
    contacts: int  # contacts ready to import (duplicates included)
    duplicates_total: int
    duplicates: tuple[Duplicate, ...]  # the first MAX_LISTED
    problems_total: int
    problems: tuple[ImportProblem, ...]  # the first MAX_LISTED
    skipped_rows: int  # rows that cannot be imported

    @property
    def new_contacts(self) -> int:
        return self.contacts - self.duplicates_total


@dataclass(frozen=True, slots=True)
class ImportProgress:
    stage: str  # "reading", "checking", "importing" or "exporting"
    done: int  # bytes read, or contacts written
    total: int
    contacts: int  # contacts found / written so far


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    merged: int
    skipped: int
    total: int  # contacts in the book afterwards


@dataclass(frozen=True, slots=True)
class PreviewRow:
    draft: ContactDraft
    contact: Contact | None  # None: the row would not be imported
    problems: tuple[str, ...]


ProgressCallback = Callable[[ImportProgress], None]


# -- from a file's entry to a contact, leniently -----------------------------------------------


def contact_from_entry(
    entry: DraftEntry, *, source_id: str, region: str = DEFAULT_REGION, updated_at: str = ""
) -> tuple[Contact | None, list[ImportProblem]]:
    """The contact an entry of a file gives, and what was odd about it.

    Numbers and e-mails that break the rules are set aside into the notes (and reported);
    an entry without a name or company gives no contact.
    """
    line = entry.line
    problems = [ImportProblem(line, w, skipped=False) for w in entry.warnings]
    draft = entry.draft
    try:
        return build_contact(draft, source_id=source_id, region=region, updated_at=updated_at), problems
    except InvalidContact as exc:
        if any(p.field == "name" for p in exc.problems):
            who = _who(draft)
            problems.append(
                ImportProblem(line, f"no name or company{who}, so it was not imported", skipped=True)
            )
            return None, problems
        bad_emails = {p.index for p in exc.problems if p.field == "emails"}
        bad_phones = {p.index for p in exc.problems if p.field == "phones"}
    set_aside: list[str] = []
    emails = []
    for index, email in enumerate(draft.emails):
        if index in bad_emails:
            set_aside.append(f"E-mail: {email.strip()}")
            problems.append(
                ImportProblem(
                    line, f"“{email.strip()}” is not a valid e-mail address; kept in the notes", False
                )
            )
        else:
            emails.append(email)
    phones: list[tuple[PhoneKind, str]] = []
    for index, (kind, raw) in enumerate(draft.phones):
        if index not in bad_phones:
            phones.append((kind, raw))
            continue
        try:
            parsed = parse_number(raw, kind, region)
        except BadNumber as bad:
            set_aside.append(f"{KIND_WORDS[kind]}: {raw.strip()}")
            problems.append(ImportProblem(line, f"{bad} It was kept in the notes.", False))
            continue
        # A number with an "ext." of another phone system: the number is kept, the extension noted.
        phones.append((kind, parsed.number))
        set_aside.append(f"{KIND_WORDS[kind]}: {parsed.display} ext. {parsed.extension}")
        problems.append(ImportProblem(line, f"the extension of “{raw.strip()}” was kept in the notes", False))
    notes = "\n".join(x for x in (draft.notes, "\n".join(set_aside)) if x)
    tidy = dataclasses.replace(draft, emails=tuple(emails), phones=tuple(phones), notes=notes)
    try:
        contact = build_contact(tidy, source_id=source_id, region=region, updated_at=updated_at)
    except InvalidContact as exc:  # pragma: no cover - the set-aside values were the only problems
        problems.append(ImportProblem(line, str(exc), skipped=True))
        return None, problems
    return contact, problems


def _who(draft: ContactDraft) -> str:
    hint = next((e for e in draft.emails if e.strip()), "") or next(
        (raw for _kind, raw in draft.phones if raw.strip()), ""
    )
    return f" ({hint.strip()})" if hint else ""


def merge_contacts(existing: Contact, incoming: Contact, updated_at: str = "") -> Contact:
    """``existing`` with what ``incoming`` adds: empty fields filled, e-mails and numbers not
    yet there appended, different notes and address added to the notes."""
    emails = list(existing.emails)
    known = {e.casefold() for e in emails}
    emails += [e for e in incoming.emails if e.casefold() not in known]
    phones = list(existing.phones)
    numbers = {p.number for p in phones}
    phones += [p for p in incoming.phones if p.number not in numbers]
    notes = existing.notes
    if incoming.notes and incoming.notes not in notes:
        notes = "\n\n".join(x for x in (notes, incoming.notes) if x)
    address = existing.address or incoming.address
    if existing.address and incoming.address and incoming.address not in (existing.address, notes):
        notes = "\n\n".join(x for x in (notes, f"Other address:\n{incoming.address}") if x)
    extension = existing.extension or next((p.number for p in phones if p.kind is PhoneKind.EXTENSION), "")
    return dataclasses.replace(
        existing,
        first_name=existing.first_name or incoming.first_name,
        last_name=existing.last_name or incoming.last_name,
        company=existing.company or incoming.company,
        title=existing.title or incoming.title,
        emails=tuple(emails),
        phones=tuple(phones),
        extension=extension,
        address=address,
        notes=notes,
        updated_at=updated_at or existing.updated_at,
    )


# -- reading a file in batches on a worker thread ----------------------------------------------


@dataclass(slots=True)
class _Batch:
    contacts: list[tuple[int, Contact]]
    problems: list[ImportProblem]
    skipped: int
    bytes_read: int
    finished: bool


class _FileReader:
    """Turns a file into batches of contacts. ``take`` runs on a worker thread; a lock keeps
    ``close`` (also on a worker) from closing the file under a running ``take``."""

    def __init__(self, inspection: FileInspection, mapping: CsvMapping | None, region: str) -> None:
        self._lock = threading.Lock()
        self._region = region
        self._source = TextSource.open(inspection.path)
        self._entries: Iterator[DraftEntry | UnreadableEntry]
        if inspection.format is ImportFormat.VCARD:
            self._entries = vcard.read_vcard_entries(self._source.text)
        else:
            layout = inspection.csv
            assert layout is not None
            self._entries = contacts_csv.read_csv_entries(
                self._source, mapping or layout.mapping, layout.delimiter
            )

    def take(self, count: int) -> _Batch:
        with self._lock:
            stamp = now_stamp()
            batch = _Batch([], [], 0, 0, False)
            for entry in self._entries:
                if isinstance(entry, UnreadableEntry):
                    batch.problems.append(ImportProblem(entry.line, entry.message, skipped=True))
                    batch.skipped += 1
                else:
                    contact, problems = contact_from_entry(
                        entry, source_id=new_source_id(), region=self._region, updated_at=stamp
                    )
                    batch.problems.extend(problems)
                    if contact is None:
                        batch.skipped += 1
                    else:
                        batch.contacts.append((entry.line, contact))
                if len(batch.contacts) + len(batch.problems) >= count:
                    break
            else:
                batch.finished = True
            batch.bytes_read = self._source.bytes_read
            return batch

    def close(self) -> None:
        with self._lock:
            self._source.close()


# -- the service -------------------------------------------------------------------------------


class ContactImporter:
    """Imports vCard and CSV files into personal contacts (see the module docs)."""

    def __init__(self, store: Store, bus: EventBus, *, region: str = DEFAULT_REGION) -> None:
        self.store = store
        self.bus = bus
        self.region = region

    async def _off_loop(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    # 1. inspect ---------------------------------------------------------------------------
    async def inspect(self, path: Path) -> FileInspection:
        """What the file is; raises :class:`ImportFileError` when it cannot be imported."""
        return await self._off_loop(inspect_file, path)

    def preview(self, layout: CsvLayout, mapping: CsvMapping) -> list[PreviewRow]:
        """What the sample rows become under ``mapping`` (cheap: a few rows, no I/O)."""
        previews = []
        for row in layout.sample:
            draft, warnings = contacts_csv.row_to_draft(row, mapping)
            contact, problems = contact_from_entry(
                DraftEntry(0, draft, tuple(warnings)), source_id="", region=self.region
            )
            previews.append(PreviewRow(draft, contact, tuple(p.message for p in problems)))
        return previews

    # 2. plan ------------------------------------------------------------------------------
    async def plan(
        self,
        inspection: FileInspection,
        mapping: CsvMapping | None = None,
        progress: ProgressCallback | None = None,
    ) -> ImportPlan:
        """Read and check the whole file and find duplicates; nothing is imported yet."""
        plan_id = await self.store.call(contact_lookup.new_import_plan)
        reader: _FileReader | None = None
        problems: list[ImportProblem] = []
        problems_total = skipped = contacts = 0
        try:
            try:
                reader = await self._off_loop(_FileReader, inspection, mapping, self.region)
            except OSError as exc:
                raise ImportFileError(
                    f"“{inspection.path.name}” cannot be read: {exc.strerror or exc}."
                ) from exc
            while True:
                batch = await self._off_loop(reader.take, BATCH)
                if batch.contacts:
                    contacts += await self.store.call(contact_lookup.stage_rows, plan_id, batch.contacts)
                problems_total += len(batch.problems)
                skipped += batch.skipped
                problems.extend(batch.problems[: max(0, MAX_LISTED - len(problems))])
                if progress is not None:
                    progress(ImportProgress("reading", batch.bytes_read, inspection.size, contacts))
                if batch.finished:
                    break
            if progress is not None:
                progress(ImportProgress("checking", inspection.size, inspection.size, contacts))
            duplicates_total = await self.store.call(contact_lookup.find_import_duplicates, plan_id)
            staged = await self.store.call(
                contact_lookup.import_duplicates, plan_id, MAX_LISTED, LOCAL_SOURCE
            )
        except BaseException:
            await asyncio.shield(self.store.call(contact_lookup.drop_import_plan, plan_id))
            raise
        finally:
            if reader is not None:
                await asyncio.shield(self._off_loop(reader.close))
        duplicates = tuple(
            Duplicate(d.row_id, d.line, d.incoming, d.existing, d.reason, d.others) for d in staged
        )
        log.info(
            "import plan %d for %s: %d contacts, %d duplicates, %d problems",
            plan_id,
            inspection.path.name,
            contacts,
            duplicates_total,
            problems_total,
        )
        return ImportPlan(
            plan_id,
            inspection,
            contacts,
            duplicates_total,
            duplicates,
            problems_total,
            tuple(problems),
            skipped,
        )

    # 3. apply -----------------------------------------------------------------------------
    async def apply(
        self,
        plan: ImportPlan,
        default: DuplicateAction = DuplicateAction.SKIP,
        choices: Mapping[int, DuplicateAction] | None = None,
        progress: ProgressCallback | None = None,
    ) -> ImportResult:
        """Write the plan's contacts; ``choices`` (by :attr:`Duplicate.row_id`) override
        ``default`` for single duplicates. A merge whose match is not a personal contact
        (a directory contact cannot be changed here) is skipped."""
        choices = dict(choices or {})
        created = merged = skipped = 0
        after = 0
        written = False
        try:
            while True:
                rows = await self.store.call(contact_lookup.staged_page, plan.id, after, BATCH)
                if not rows:
                    break
                after = rows[-1].row_id
                candidates = {
                    m
                    for row in rows
                    if choices.get(row.row_id, default) is DuplicateAction.MERGE
                    for m in row.matches
                }
                existing = (
                    await self.store.call(contact_lookup.contacts_by_ids, candidates) if candidates else {}
                )
                stamp = now_stamp()
                merged_now: dict[int, Contact] = {}
                to_write: list[Contact] = []
                for row in rows:
                    action = choices.get(row.row_id, default) if row.matches else DuplicateAction.NEW
                    if action is DuplicateAction.NEW:
                        to_write.append(dataclasses.replace(row.contact, updated_at=stamp))
                        created += 1
                    elif action is DuplicateAction.MERGE:
                        target = next(
                            (m for m in row.matches if m in existing and existing[m].source == LOCAL_SOURCE),
                            None,
                        )
                        if target is None:
                            skipped += 1
                            continue
                        base = merged_now.get(target, existing[target])
                        merged_now[target] = merge_contacts(base, row.contact, stamp)
                        merged += 1
                    else:
                        skipped += 1
                to_write.extend(merged_now.values())

                done = created + merged
                status = ImportProgress("importing", done + skipped, plan.contacts, done)
                if to_write:
                    # A batch is written whole even when the import is cancelled meanwhile,
                    # and then reported, so that what the user is told got in did.
                    write = asyncio.ensure_future(self.store.call(contact_rows.upsert_contacts, to_write))
                    written = True
                    try:
                        await asyncio.shield(write)
                    except asyncio.CancelledError:
                        await write
                        if progress is not None:
                            progress(status)
                        raise
                if progress is not None:
                    progress(status)
        finally:
            await asyncio.shield(self.discard(plan))
            if written:
                await asyncio.shield(update_search_index(self.store))
            total = await asyncio.shield(self.store.call(contact_rows.count_contacts))
            if written:
                self.bus.publish(ContactsChanged(total))
        log.info(
            "imported %s: %d new, %d merged, %d skipped", plan.inspection.path.name, created, merged, skipped
        )
        return ImportResult(created, merged, skipped, total)

    async def discard(self, plan: ImportPlan) -> None:
        """Forget a plan that will not be applied (frees its staging rows)."""
        await self.store.call(contact_lookup.drop_import_plan, plan.id)


def inspect_file(path: Path) -> FileInspection:
    """What a file is (blocking: call it on a worker thread)."""
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImportFileError(f"“{name}” is not a file.")
        if size == 0:
            raise ImportFileError(f"“{name}” is empty: there are no contacts in it.")
        with TextSource.open(path) as source:
            head_text = source.head.decode(source.encoding.replace("-sig", ""), errors="replace")
            if contacts_csv.looks_binary(source.head, source.encoding):
                raise ImportFileError(
                    f"“{name}” is not a vCard or CSV file (it does not contain text). "
                    "Export your contacts as vCard (.vcf) or CSV and import that file."
                )
            is_vcard = "begin:vcard" in head_text.casefold()
            suffix = path.suffix.casefold()
            if is_vcard or (suffix in (".vcf", ".vcard") and "," not in head_text.split("\n", 1)[0]):
                return FileInspection(path, ImportFormat.VCARD, size, source.encoding)
            first = source.text.readline(MAX_HEADER_CHARS)
            if len(first) >= MAX_HEADER_CHARS:
                raise ImportFileError(f"“{name}” is not a vCard or CSV file (its first line is too long).")
            layout = contacts_csv.inspect_csv(contacts_csv.chain_first(first, source.text), source.encoding)
    except OSError as exc:
        raise ImportFileError(f"“{name}” cannot be read: {exc.strerror or exc}.") from exc
    if not any(h.strip() for h in layout.headers):
        raise ImportFileError(f"“{name}” is not a vCard or CSV file (it has no header row).")
    if len(layout.headers) == 1 and not contacts_csv.mapping_is_usable(layout.mapping):
        raise ImportFileError(
            f"“{name}” does not look like a contacts file: it is neither a vCard nor a CSV file "
            "with a header row naming its columns."
        )
    return FileInspection(path, ImportFormat.CSV, size, layout.encoding, layout)


# -- export ------------------------------------------------------------------------------------


class ContactExporter:
    """Writes the book, or a selection of it, to a vCard or CSV file.

    The file is written next to its destination and renamed into place at the end, so a
    failed or cancelled export never leaves half a file (nor clobbers an existing one).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    async def export(
        self,
        path: Path,
        fmt: ImportFormat,
        *,
        keys: Sequence[tuple[str, str]] | None = None,
        version: str = "3.0",
        progress: ProgressCallback | None = None,
    ) -> int:
        """Export every contact (``keys`` None) or those (source, source id)s; returns how many."""
        if fmt is ImportFormat.VCARD and version not in vcard.VERSIONS:
            raise ValueError(f"vCard version {version!r} is not supported")
        loop = asyncio.get_running_loop()
        shape = await self.store.call(contact_lookup.begin_export, keys)
        partial = path.with_name(path.name + ".part")
        out: TextIO = await loop.run_in_executor(None, _open_for_export, partial, fmt)
        count = 0
        try:
            csv_writer = (
                contacts_csv.CsvWriter(out, max_emails=shape.max_emails, max_phones=shape.max_phones)
                if fmt is ImportFormat.CSV
                else None
            )
            after = 0
            while True:
                page = await self.store.call(contact_lookup.export_page, after, BATCH, keys is not None)
                if not page:
                    break
                after = page[-1][0]
                contacts = [c for _id, c in page]
                if csv_writer is not None:
                    await loop.run_in_executor(None, _write_all, csv_writer.write, contacts)
                else:
                    await loop.run_in_executor(None, vcard.write_vcards, contacts, out, version)
                count += len(contacts)
                if progress is not None:
                    progress(ImportProgress("exporting", count, shape.count, count))
            await loop.run_in_executor(None, _finish_export, out, partial, path)
        except BaseException:
            await asyncio.shield(loop.run_in_executor(None, _abandon_export, out, partial))
            raise
        log.info("exported %d contacts to %s", count, path.name)
        return count


def _open_for_export(path: Path, fmt: ImportFormat) -> TextIO:
    encoding = "utf-8-sig" if fmt is ImportFormat.CSV else "utf-8"
    return path.open("w", encoding=encoding, newline="")


def _write_all(write: Callable[[Contact], None], contacts: Sequence[Contact]) -> None:
    for contact in contacts:
        write(contact)


def _finish_export(out: TextIO, partial: Path, path: Path) -> None:
    out.flush()
    os.fsync(out.fileno())
    out.close()
    os.replace(partial, path)


def _abandon_export(out: TextIO, partial: Path) -> None:
    with contextlib.suppress(OSError):
        out.close()
    with contextlib.suppress(OSError):
        partial.unlink()
