"""Contacts as CSV: reading what other programs export, writing our own simple header.

Reading
-------
- **Encoding** is sniffed from the first bytes: a BOM (UTF-8, UTF-16 as Outlook writes its
  "Unicode" exports, UTF-32), BOM-less UTF-16 (NUL bytes every other byte), otherwise UTF-8
  when the start decodes as UTF-8, else Windows-1252. A UTF-8 file with a stray Windows-1252
  byte further down still reads: just those bytes are taken as Windows-1252.
- **Delimiter**: comma, semicolon (Excel in many European locales), tab or pipe, whichever the
  header line uses most.
- **Columns** are mapped from the header (:func:`auto_mapping`): Google Contacts (both the
  current "Phone 1 - Label / Phone 1 - Value" and the older "Given Name / Phone 1 - Type"
  exports, with ``:::`` between several values in one cell), Outlook (desktop and Outlook.com:
  "Business Phone", "Mobile Phone", "E-mail Address", "Business Street", ...; its "Title" is
  the honorific, "Job Title" the title), Thunderbird, Apple/iCloud CSV exporters and generic
  files ("Name,Phone,Email", "Mobile", "Work Phone", "Organization", ...). The mapping is a
  plain value the user can change column by column before reading.
- Reading streams the file row by row; a malformed row is reported with its line number and
  the others are read.

Writing
-------
:func:`write_csv` writes UTF-8 (with a BOM, so Excel opens it right) and this header, which
Google Contacts and RingDesk both import::

    First Name, Last Name, Organization Name, Organization Title,
    E-mail 1 - Value ... E-mail N - Value,
    Phone 1 - Label, Phone 1 - Value ... Phone M - Label, Phone M - Value,
    Address 1 - Formatted, Notes

Phone labels are ``Work``, ``Mobile``, ``Home``, ``Work Fax``, ``Other`` and ``Extension``;
numbers are E.164 (extensions their digits). N and M are the most e-mails and numbers any
exported contact has (at least 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, TextIO

from app.domain.contacts import Contact, PhoneKind
from app.services.personal_contacts import ContactDraft, DraftEntry, UnreadableEntry

# -- decoding files as other programs wrote them ----------------------------------------------

SNIFF_BYTES = 64 * 1024
FALLBACK_ERRORS = "ringdesk-cp1252"


def _decode_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not valid in the file's encoding are Windows-1252
    (the bytes cp1252 leaves undefined are taken as Latin-1)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    text = []
    for byte in bad:
        try:
            text.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            text.append(chr(byte))
    return "".join(text), exc.end


codecs.register_error(FALLBACK_ERRORS, _decode_as_cp1252)


def sniff_encoding(head: bytes) -> str:
    """The encoding of a text file, from its first bytes."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
            return "utf-16-le"
        if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def looks_binary(head: bytes, encoding: str) -> bool:
    """True for files that are not text at all (images, archives, ...)."""
    if encoding.startswith(("utf-16", "utf-32")):
        return False
    sample = head[:8192]
    if b"\0" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls > len(sample) * 0.05


class TextSource:
    """A contact file opened for streaming text in its sniffed encoding.

    ``bytes_read`` tells how far reading has got, for progress bars. Lines keep their line
    endings (as ``open(newline="")`` gives them), which is what :mod:`csv` wants.
    """

    def __init__(self, raw: BinaryIO, size: int | None = None) -> None:
        self._raw = io.BufferedReader(raw, buffer_size=SNIFF_BYTES)  # type: ignore[type-var]
        self.size = size
        self.head = self._raw.peek(SNIFF_BYTES)[:SNIFF_BYTES]
        self.encoding = sniff_encoding(self.head)
        errors = FALLBACK_ERRORS if self.encoding.startswith("utf-8") else "strict"
        if self.encoding == "cp1252":
            errors = FALLBACK_ERRORS
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, errors=errors, newline="")

    @classmethod
    def from_bytes(cls, data: bytes) -> TextSource:
        return cls(io.BytesIO(data), len(data))

    @classmethod
    def open(cls, path: Path) -> TextSource:
        raw = path.open("rb", buffering=0)
        try:
            return cls(raw, path.stat().st_size)
        except BaseException:
            raw.close()
            raise

    @property
    def bytes_read(self) -> int:
        return self._raw.tell()

    @property
    def text(self) -> TextIO:
        return self._text

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> TextSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# -- what a column holds --------------------------------------------------------------------


class Column(StrEnum):
    IGNORE = "ignore"
    FULL_NAME = "full_name"
    FIRST_NAME = "first_name"
    MIDDLE_NAME = "middle_name"
    LAST_NAME = "last_name"
    NAME_SUFFIX = "name_suffix"
    COMPANY = "company"
    DEPARTMENT = "department"
    TITLE = "title"
    EMAIL = "email"
    PHONE_WORK = "phone_work"
    PHONE_MOBILE = "phone_mobile"
    PHONE_HOME = "phone_home"
    PHONE_FAX = "phone_fax"
    PHONE_OTHER = "phone_other"
    PHONE_EXTENSION = "phone_extension"
    PHONE = "phone"  # its kind comes from the LABEL column of the same group
    LABEL = "label"  # "Mobile", "Work Fax", ... for the PHONE / EMAIL / address of its group
    ADDRESS = "address"  # a whole formatted address
    STREET = "street"
    CITY = "city"
    REGION = "region"
    POSTAL_CODE = "postal_code"
    COUNTRY = "country"
    NOTES = "notes"

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self]


COLUMN_LABELS: dict[Column, str] = {
    Column.IGNORE: "Don't import",
    Column.FULL_NAME: "Full name",
    Column.FIRST_NAME: "First name",
    Column.MIDDLE_NAME: "Middle name",
    Column.LAST_NAME: "Last name",
    Column.NAME_SUFFIX: "Name suffix",
    Column.COMPANY: "Company",
    Column.DEPARTMENT: "Department",
    Column.TITLE: "Job title",
    Column.EMAIL: "E-mail",
    Column.PHONE_WORK: "Work phone",
    Column.PHONE_MOBILE: "Mobile phone",
    Column.PHONE_HOME: "Home phone",
    Column.PHONE_FAX: "Fax",
    Column.PHONE_OTHER: "Other phone",
    Column.PHONE_EXTENSION: "Extension",
    Column.PHONE: "Phone (kind from its label column)",
    Column.LABEL: "Label of a phone, e-mail or address",
    Column.ADDRESS: "Address (whole)",
    Column.STREET: "Street",
    Column.CITY: "City",
    Column.REGION: "State / region",
    Column.POSTAL_CODE: "Postal code",
    Column.COUNTRY: "Country",
    Column.NOTES: "Notes",
}

_FIXED_KIND = {
    Column.PHONE_WORK: PhoneKind.WORK,
    Column.PHONE_MOBILE: PhoneKind.MOBILE,
    Column.PHONE_HOME: PhoneKind.HOME,
    Column.PHONE_FAX: PhoneKind.FAX,
    Column.PHONE_OTHER: PhoneKind.OTHER,
    Column.PHONE_EXTENSION: PhoneKind.EXTENSION,
}

_ADDRESS_PARTS = {
    Column.ADDRESS,
    Column.STREET,
    Column.CITY,
    Column.REGION,
    Column.POSTAL_CODE,
    Column.COUNTRY,
}


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """What one column holds. Columns with the same ``group`` belong together: a label and
    its value ("Phone 1 - Label", "Phone 1 - Value"), or the parts of one address."""

    column: Column
    group: str = ""


CsvMapping = tuple[ColumnMapping, ...]


def kind_from_label(label: str) -> PhoneKind:
    """The kind of number a label such as "Mobile", "* Work Fax" or "_$!<Home>!$_" names."""
    text = label.casefold()
    if "fax" in text:
        return PhoneKind.FAX
    if any(word in text for word in ("mobile", "cell", "iphone", "handy", "portable")):
        return PhoneKind.MOBILE
    if re.search(r"\bext(ension)?\b", text):
        return PhoneKind.EXTENSION
    if "home" in text or "private" in text or "personal" in text:
        return PhoneKind.HOME
    if any(word in text for word in ("work", "business", "office", "main", "company", "direct")):
        return PhoneKind.WORK
    return PhoneKind.OTHER


def _normalise(header: str) -> str:
    text = header.replace("\ufeff", "").casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# Exact headers of known exports (normalised), where keywords alone would guess wrong.
_KNOWN: dict[str, Column] = {
    # Google Contacts (current and older export)
    "name": Column.FULL_NAME,
    "given name": Column.FIRST_NAME,
    "additional name": Column.MIDDLE_NAME,
    "family name": Column.LAST_NAME,
    "name prefix": Column.IGNORE,
    "name suffix": Column.NAME_SUFFIX,
    "organization name": Column.COMPANY,
    "organization title": Column.TITLE,
    "organization department": Column.DEPARTMENT,
    "organization 1 name": Column.COMPANY,
    "organization 1 title": Column.TITLE,
    "organization 1 department": Column.DEPARTMENT,
    "organization 1 type": Column.IGNORE,
    "organization 1 location": Column.IGNORE,
    "organization 1 job description": Column.IGNORE,
    "organization 1 symbol": Column.IGNORE,
    "organization 1 yomi name": Column.IGNORE,
    "file as": Column.IGNORE,
    "labels": Column.IGNORE,
    "group membership": Column.IGNORE,
    "photo": Column.IGNORE,
    "initials": Column.IGNORE,
    "occupation": Column.TITLE,
    # Outlook
    "suffix": Column.NAME_SUFFIX,
    "job title": Column.TITLE,
    "company": Column.COMPANY,
    "department": Column.DEPARTMENT,
    "primary phone": Column.PHONE_WORK,
    "company main phone": Column.PHONE_WORK,
    "assistant s phone": Column.PHONE_OTHER,
    "callback": Column.PHONE_OTHER,
    "car phone": Column.PHONE_MOBILE,
    "radio phone": Column.PHONE_OTHER,
    "isdn": Column.PHONE_OTHER,
    "pager": Column.PHONE_OTHER,
    "tty tdd phone": Column.PHONE_OTHER,
    "telex": Column.IGNORE,
    "e mail type": Column.IGNORE,
    "e mail 2 type": Column.IGNORE,
    "e mail 3 type": Column.IGNORE,
    "e mail display name": Column.IGNORE,
    "e mail 2 display name": Column.IGNORE,
    "e mail 3 display name": Column.IGNORE,
    "office location": Column.IGNORE,
    "location": Column.IGNORE,
    "notes": Column.NOTES,
    "note": Column.NOTES,
    # Thunderbird and generic
    "display name": Column.FULL_NAME,
    "full name": Column.FULL_NAME,
    "contact name": Column.FULL_NAME,
    "contact": Column.FULL_NAME,
    "organization": Column.COMPANY,
    "organisation": Column.COMPANY,
    "org": Column.COMPANY,
    "employer": Column.COMPANY,
    "position": Column.TITLE,
    "role": Column.TITLE,
    "primary email": Column.EMAIL,
    "secondary email": Column.EMAIL,
    "fax number": Column.PHONE_FAX,
    "pager number": Column.PHONE_OTHER,
    "mobile number": Column.PHONE_MOBILE,
    "comments": Column.NOTES,
    "comment": Column.NOTES,
    "description": Column.NOTES,
}

_IGNORED_WORDS = (
    "yomi",
    "phonetic",
    "nickname",
    "birthday",
    "anniversary",
    "web",
    "website",
    "url",
    "spouse",
    "children",
    "gender",
    "hobby",
    "language",
    "assistant s name",
    "manager s name",
    "screen name",
    "short name",
    "maiden name",
    "im address",
    "categories",
    "custom",
    "user 1",
    "user 2",
    "user 3",
    "user 4",
    "sensitivity",
    "priority",
    "private",
    "mileage",
    "billing",
    "directory server",
    "government id",
    "organizational id",
    "account",
    "referred by",
    "keywords",
    "internet free busy",
    "profession",
    "subject",
    "relation",
    "event",
    "schools",
)

_NUMBERED = re.compile(
    r"^(?P<what>e mail|email|phone|address|website|relation|event|im|custom field) "
    r"(?P<n>\d+) (?P<part>.+)$"
)
_ADDRESS_GROUP = re.compile(
    r"^(?P<group>business|work|home|other|private|postal|mailing|billing|shipping)"
    r" (?P<part>.+)$"
)


def _address_part(part: str) -> Column | None:
    part = re.sub(r"\s*\d+$", "", part)  # "Street 2", "Address 2"
    if part in ("formatted", "label"):
        return Column.ADDRESS
    if part in (
        "street",
        "address",
        "address line",
        "po box",
        "address po box",
        "extended address",
        "street address",
        "line",
    ):
        return Column.STREET
    if part in ("city", "town", "locality"):
        return Column.CITY
    if part in ("state", "region", "province", "county", "state province"):
        return Column.REGION
    if part in ("postal code", "zip", "zip code", "zipcode", "postcode", "post code"):
        return Column.POSTAL_CODE
    if part in ("country", "country region"):
        return Column.COUNTRY
    return None


def map_header(header: str, all_headers: Sequence[str] = ()) -> ColumnMapping:
    """What a column with this header most likely holds."""
    h = _normalise(header)
    if not h:
        return ColumnMapping(Column.IGNORE)
    if h == "title":
        # Outlook's "Title" is Mr./Ms.; with a "Job Title" next to it, it is not the job title.
        has_job_title = any(_normalise(other) == "job title" for other in all_headers)
        return ColumnMapping(Column.IGNORE if has_job_title else Column.TITLE)
    if h in _KNOWN:
        return ColumnMapping(_KNOWN[h])
    numbered = _NUMBERED.match(h)
    if numbered:
        what, n, part = numbered["what"], numbered["n"], numbered["part"]
        if what in ("e mail", "email"):
            group = f"email {n}"
            if part in ("value", "address"):
                return ColumnMapping(Column.EMAIL, group)
            if part in ("label", "type"):
                return ColumnMapping(Column.LABEL, group)
            return ColumnMapping(Column.IGNORE)
        if what == "phone":
            group = f"phone {n}"
            if part in ("value", "number"):
                return ColumnMapping(Column.PHONE, group)
            if part in ("label", "type"):
                return ColumnMapping(Column.LABEL, group)
            return ColumnMapping(Column.IGNORE)
        if what == "address":
            group = f"address {n}"
            if part in ("label", "type"):
                return ColumnMapping(Column.LABEL, group)
            column = _address_part(part)
            return ColumnMapping(column or Column.IGNORE, group if column else "")
        return ColumnMapping(Column.IGNORE)
    if any(word in h for word in _IGNORED_WORDS):
        return ColumnMapping(Column.IGNORE)
    words = set(h.split())
    # e-mails: "E-mail Address", "E-mail 2 Address", "Email (Work)", "Mail"
    if words & {"email", "mail", "emails"} or h.startswith("e mail"):
        if words & {"type", "label", "display"}:
            return ColumnMapping(Column.IGNORE)
        return ColumnMapping(Column.EMAIL)
    grouped = _ADDRESS_GROUP.match(h)
    if grouped:
        column = _address_part(grouped["part"])
        if column is not None:
            return ColumnMapping(column, grouped["group"])
        if "address" in grouped["part"] and not words & {"phone", "fax"}:
            return ColumnMapping(Column.STREET, grouped["group"])
    phoneish = words & {"phone", "tel", "telephone", "number", "mobile", "cell", "fax", "iphone", "handy"}
    if phoneish or h.startswith(("phone", "tel")):
        if words & {"type", "label"}:
            return ColumnMapping(Column.IGNORE)
        if words & {"ext", "extension"}:
            return ColumnMapping(Column.PHONE_EXTENSION)
        return ColumnMapping(_phone_column(kind_from_label(h)))
    if words & {"extension", "ext"}:
        return ColumnMapping(Column.PHONE_EXTENSION)
    column = _address_part(h)
    if column is not None:
        return ColumnMapping(column)
    if words & {"first", "given", "forename", "firstname"}:
        return ColumnMapping(Column.FIRST_NAME)
    if words & {"last", "family", "surname", "lastname"}:
        return ColumnMapping(Column.LAST_NAME)
    if words & {"middle"}:
        return ColumnMapping(Column.MIDDLE_NAME)
    if words & {"company", "organization", "organisation", "business"} and "name" in words:
        return ColumnMapping(Column.COMPANY)
    if "title" in words:
        return ColumnMapping(Column.TITLE)
    if words & {"note", "notes"}:
        return ColumnMapping(Column.NOTES)
    return ColumnMapping(Column.IGNORE)


def _phone_column(kind: PhoneKind) -> Column:
    return {
        PhoneKind.WORK: Column.PHONE_WORK,
        PhoneKind.MOBILE: Column.PHONE_MOBILE,
        PhoneKind.HOME: Column.PHONE_HOME,
        PhoneKind.FAX: Column.PHONE_FAX,
        PhoneKind.EXTENSION: Column.PHONE_EXTENSION,
        PhoneKind.OTHER: Column.PHONE_OTHER,
    }[kind]


def auto_mapping(headers: Sequence[str]) -> CsvMapping:
    """A mapping for every column of a header row (see :func:`map_header`)."""
    return tuple(map_header(header, headers) for header in headers)


def mapping_is_usable(mapping: CsvMapping) -> bool:
    """Whether at least one column gives a name or a company."""
    return any(
        m.column in (Column.FULL_NAME, Column.FIRST_NAME, Column.LAST_NAME, Column.COMPANY) for m in mapping
    )


# -- rows to drafts ----------------------------------------------------------------------------

MULTI_VALUE_SEPARATOR = " ::: "  # Google Contacts puts several values of one label in one cell


def _values(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(":::") if v.strip()]


def row_to_draft(row: Sequence[str], mapping: CsvMapping) -> tuple[ContactDraft, list[str]]:
    """The contact one CSV row describes (under ``mapping``), and notes on what was odd."""
    warnings: list[str] = []
    singles: dict[Column, list[str]] = {}
    labels: dict[str, str] = {}
    for m, cell in zip(mapping, row, strict=False):
        if m.column is Column.LABEL and cell.strip():
            labels[m.group] = cell.strip()
    emails: list[str] = []
    phones: list[tuple[PhoneKind, str]] = []
    addresses: dict[str, dict[Column, list[str]]] = {}
    for m, cell in zip(mapping, row, strict=False):
        value = cell.strip()
        if not value or m.column in (Column.IGNORE, Column.LABEL):
            continue
        if m.column is Column.EMAIL:
            for email in _values(value):
                if email.startswith("/o="):  # Outlook's Exchange-internal (X.500) address
                    warnings.append(f"the Exchange address “{email[:40]}…” is not an e-mail address")
                else:
                    emails.append(email)
        elif m.column in _FIXED_KIND:
            phones.extend((_FIXED_KIND[m.column], v) for v in _values(value))
        elif m.column is Column.PHONE:
            kind = kind_from_label(labels.get(m.group, ""))
            phones.extend((kind, v) for v in _values(value))
        elif m.column in _ADDRESS_PARTS:
            addresses.setdefault(m.group, {}).setdefault(m.column, []).append(value)
        else:
            singles.setdefault(m.column, []).append(value)

    def one(column: Column) -> str:
        return " ".join(singles.get(column, []))

    first = " ".join(x for x in (one(Column.FIRST_NAME), one(Column.MIDDLE_NAME)) if x)
    last = " ".join(x for x in (one(Column.LAST_NAME), one(Column.NAME_SUFFIX)) if x)
    full = singles.get(Column.FULL_NAME, [""])[0]
    if not (first or last) and full:
        first, last = split_full_name(full)
    company = ", ".join(x for x in (one(Column.COMPANY), one(Column.DEPARTMENT)) if x)

    formatted = [
        (group, format_address(parts)) for group, parts in addresses.items() if format_address(parts)
    ]
    notes = "\n".join(singles.get(Column.NOTES, []))
    address = formatted[0][1] if formatted else ""
    for group, text in formatted[1:]:
        label = labels.get(group) or group.title() or "Other"
        notes = "\n\n".join(x for x in (notes, f"{_strip_number(label)} address:\n{text}") if x)
    draft = ContactDraft(
        first_name=first,
        last_name=last,
        company=company,
        title=one(Column.TITLE),
        emails=tuple(emails),
        phones=tuple(phones),
        address=address,
        notes=notes,
    )
    return draft, warnings


def _strip_number(label: str) -> str:
    return re.sub(r"\s*\d+$", "", label.lstrip("* ").strip()).capitalize()


def split_full_name(full: str) -> tuple[str, str]:
    """ "Ada King Lovelace" -> ("Ada King", "Lovelace"); "Lovelace, Ada" -> ("Ada", "Lovelace")."""
    text = " ".join(full.split())
    if "," in text and "@" not in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    parts = text.rsplit(" ", 1)
    if len(parts) == 1 or "@" in text:
        return text, ""
    return parts[0], parts[1]


def format_address(parts: dict[Column, list[str]]) -> str:
    """One address as lines: street(s), "City, Region Postal", country (or the whole formatted text)."""
    if parts.get(Column.ADDRESS):
        return "\n".join(parts[Column.ADDRESS]).strip()
    lines = [line for street in parts.get(Column.STREET, []) for line in street.splitlines() if line.strip()]
    city = " ".join(parts.get(Column.CITY, []))
    region_code = " ".join(
        x for x in (" ".join(parts.get(Column.REGION, [])), " ".join(parts.get(Column.POSTAL_CODE, []))) if x
    )
    locality = ", ".join(x for x in (city, region_code) if x)
    if locality:
        lines.append(locality)
    lines.extend(parts.get(Column.COUNTRY, []))
    return "\n".join(lines).strip()


# -- reading -----------------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t", "|")
MAX_PROBLEMS = 1000


def sniff_delimiter(first_line: str) -> str:
    """The delimiter the header line uses most (quoted text not counted); comma on a tie."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@dataclass(frozen=True, slots=True)
class CsvLayout:
    """What the start of a CSV file looks like: enough to map its columns and preview them."""

    encoding: str
    delimiter: str
    headers: tuple[str, ...]
    mapping: CsvMapping
    sample: tuple[tuple[str, ...], ...]


def _reader(text: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    return csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=False)


def inspect_csv(lines: Iterable[str], encoding: str, sample_rows: int = 5) -> CsvLayout:
    """Read the header and the first rows of CSV text; map the header automatically."""
    lines = iter(lines)
    first_line = next(lines, "")
    delimiter = sniff_delimiter(first_line)
    reader = _reader(chain_first(first_line, lines), delimiter)
    headers: tuple[str, ...] = ()
    sample: list[tuple[str, ...]] = []
    try:
        headers = tuple(h.replace("\ufeff", "").strip() for h in next(reader, []))
        for row in reader:
            if any(cell.strip() for cell in row):
                sample.append(tuple(row))
            if len(sample) >= sample_rows:
                break
    except csv.Error:
        pass  # the preview stops at the first malformed row; reading reports it with its line
    return CsvLayout(encoding, delimiter, headers, auto_mapping(headers), tuple(sample))


def chain_first(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def read_csv_entries(
    source: TextSource, mapping: CsvMapping, delimiter: str
) -> Iterator[DraftEntry | UnreadableEntry]:
    """Every data row as a draft (header skipped, blank rows skipped), or why it is unreadable.

    Line numbers count physical lines from 1 (the header); a row whose quoted cells span
    several lines gets the number of its first line.
    """
    reader = csv.reader(source.text, delimiter=delimiter, quotechar='"', doublequote=True)
    width = len(mapping)
    problems = 0
    last_line = 0
    header_seen = False
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last_line = reader.line_num
            problems += 1
            yield UnreadableEntry(start, f"the row cannot be read as CSV ({exc})")
            if problems >= MAX_PROBLEMS:
                yield UnreadableEntry(last_line, f"stopped reading after {MAX_PROBLEMS} problems")
                return
            continue
        last_line = reader.line_num
        if not header_seen:
            header_seen = True
            continue
        if not any(cell.strip() for cell in row):
            continue
        draft, warnings = row_to_draft(row, mapping)
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            warnings.append(f"the row has {len(row)} values but the header names {width} columns")
        yield DraftEntry(start, draft, tuple(warnings))


# -- writing -----------------------------------------------------------------------------------

KIND_LABELS: dict[PhoneKind, str] = {
    PhoneKind.WORK: "Work",
    PhoneKind.MOBILE: "Mobile",
    PhoneKind.HOME: "Home",
    PhoneKind.FAX: "Work Fax",
    PhoneKind.OTHER: "Other",
    PhoneKind.EXTENSION: "Extension",
}


def csv_header(max_emails: int, max_phones: int) -> list[str]:
    header = ["First Name", "Last Name", "Organization Name", "Organization Title"]
    header += [f"E-mail {n} - Value" for n in range(1, max(1, max_emails) + 1)]
    for n in range(1, max(1, max_phones) + 1):
        header += [f"Phone {n} - Label", f"Phone {n} - Value"]
    return [*header, "Address 1 - Formatted", "Notes"]


class CsvWriter:
    """Writes contacts under :func:`csv_header` (see the module docs)."""

    def __init__(self, out: TextIO, *, max_emails: int, max_phones: int) -> None:
        self._out = csv.writer(out, lineterminator="\r\n")
        self._emails = max(1, max_emails)
        self._phones = max(1, max_phones)
        self._out.writerow(csv_header(self._emails, self._phones))

    def write(self, contact: Contact) -> None:
        if len(contact.emails) > self._emails or len(contact.phones) > self._phones:
            raise ValueError(f"{contact.key} has more e-mails or numbers than the header has columns")
        row = [contact.first_name, contact.last_name, contact.company, contact.title]
        row += [*contact.emails, *[""] * (self._emails - len(contact.emails))]
        for phone in contact.phones:
            row += [KIND_LABELS[phone.kind], phone.number]
        row += ["", ""] * (self._phones - len(contact.phones))
        row += [contact.address, contact.notes]
        self._out.writerow(row)


def write_csv(contacts: Sequence[Contact], out: TextIO) -> int:
    """Write a list of contacts; returns how many."""
    writer = CsvWriter(
        out,
        max_emails=max((len(c.emails) for c in contacts), default=1),
        max_phones=max((len(c.phones) for c in contacts), default=1),
    )
    for contact in contacts:
        writer.write(contact)
    return len(contacts)
