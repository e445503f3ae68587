"""CSV reading (encodings, delimiters, the headers of Google / Outlook / Thunderbird / generic
exports, bad rows) and writing."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from app.domain.contacts import Contact, PhoneKind
from app.services.contacts_csv import (
    Column,
    ColumnMapping,
    CsvWriter,
    TextSource,
    auto_mapping,
    csv_header,
    inspect_csv,
    kind_from_label,
    looks_binary,
    map_header,
    read_csv_entries,
    row_to_draft,
    sniff_delimiter,
    sniff_encoding,
    split_full_name,
    write_csv,
)
from app.services.personal_contacts import ContactDraft, DraftEntry, UnreadableEntry, build_contact

DATA = Path(__file__).parent.parent / "data" / "contacts"


def entries_of(data: bytes) -> list[DraftEntry | UnreadableEntry]:
    source = TextSource.from_bytes(data)
    layout = inspect_csv(source.text, source.encoding)
    source = TextSource.from_bytes(data)
    return list(read_csv_entries(source, layout.mapping, layout.delimiter))


def file_entries(name: str) -> list[DraftEntry | UnreadableEntry]:
    return entries_of((DATA / name).read_bytes())


def drafts(entries: list[DraftEntry | UnreadableEntry]) -> list[ContactDraft]:
    return [e.draft for e in entries if isinstance(e, DraftEntry)]


# -- encodings and delimiters -------------------------------------------------------------------

TEXT = "Name,Phone\r\nZoë Ångström,+46 8 555 123 45\r\nJosé Müller — Ünïcødé,1\r\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # BOM, as Outlook's "Unicode" exports
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_sniffed(encoded: bytes, encoding: str) -> None:
    assert sniff_encoding(encoded) == encoding
    source = TextSource.from_bytes(encoded)
    assert source.text.read() == TEXT
    assert not looks_binary(encoded, encoding)


def test_a_utf8_file_with_stray_windows_bytes_far_down_still_reads() -> None:
    start = "Name\r\n" + "Renée\r\n" * 20_000  # well past the sniffed start
    data = start.encode() + b"Caf\xe9 \x80 \x81\r\n"  # cp1252 é and €, and a byte cp1252 leaves undefined
    source = TextSource.from_bytes(data)
    assert source.encoding == "utf-8"
    assert source.text.read() == start + "Café € \x81\r\n"


def test_binary_files_are_recognised() -> None:
    assert looks_binary((DATA / "garbage.csv").read_bytes(), "utf-8")
    assert looks_binary(b"\x00\x01\x02\x03" * 100, "cp1252")


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("Name,Phone,Email", ","),
        ("Name;Phone;Email", ";"),
        ("Name\tPhone\tEmail", "\t"),
        ('"Last, First";Phone', ";"),  # the comma inside quotes does not count
        ("Name", ","),
    ],
)
def test_delimiters_are_sniffed(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


# -- header mapping ---------------------------------------------------------------------------


def test_google_contacts_headers() -> None:
    header = (DATA / "google_contacts.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    mapping = dict(zip(header, auto_mapping(header), strict=True))
    assert mapping["First Name"] == ColumnMapping(Column.FIRST_NAME)
    assert mapping["Name Prefix"] == ColumnMapping(Column.IGNORE)
    assert mapping["Organization Name"] == ColumnMapping(Column.COMPANY)
    assert mapping["Organization Title"] == ColumnMapping(Column.TITLE)
    assert mapping["Phone 2 - Label"] == ColumnMapping(Column.LABEL, "phone 2")
    assert mapping["Phone 2 - Value"] == ColumnMapping(Column.PHONE, "phone 2")
    assert mapping["E-mail 1 - Value"] == ColumnMapping(Column.EMAIL, "email 1")
    assert mapping["Address 1 - Formatted"] == ColumnMapping(Column.ADDRESS, "address 1")
    assert mapping["Address 1 - Postal Code"] == ColumnMapping(Column.POSTAL_CODE, "address 1")
    assert mapping["Website 1 - Value"] == ColumnMapping(Column.IGNORE)
    assert mapping["Labels"] == ColumnMapping(Column.IGNORE)
    assert mapping["Birthday"] == ColumnMapping(Column.IGNORE)


def test_outlook_headers() -> None:
    source = TextSource.open(DATA / "outlook_contacts.csv")
    with source:
        layout = inspect_csv(source.text, source.encoding)
    mapping = dict(zip(layout.headers, layout.mapping, strict=True))
    assert len(layout.headers) == 92
    assert mapping["Title"] == ColumnMapping(Column.IGNORE)  # Mr./Ms. next to "Job Title"
    assert mapping["Job Title"] == ColumnMapping(Column.TITLE)
    assert mapping["Business Phone"] == ColumnMapping(Column.PHONE_WORK)
    assert mapping["Mobile Phone"] == ColumnMapping(Column.PHONE_MOBILE)
    assert mapping["Home Fax"] == ColumnMapping(Column.PHONE_FAX)
    assert mapping["Car Phone"] == ColumnMapping(Column.PHONE_MOBILE)
    assert mapping["E-mail Address"] == ColumnMapping(Column.EMAIL)
    assert mapping["E-mail 2 Address"] == ColumnMapping(Column.EMAIL, "email 2")
    assert mapping["E-mail Display Name"] == ColumnMapping(Column.IGNORE)
    assert mapping["Business Street 2"] == ColumnMapping(Column.STREET, "business")
    assert mapping["Business Country/Region"] == ColumnMapping(Column.COUNTRY, "business")
    assert mapping["Home Postal Code"] == ColumnMapping(Column.POSTAL_CODE, "home")
    assert mapping["Assistant's Name"] == ColumnMapping(Column.IGNORE)
    assert mapping["Web Page"] == ColumnMapping(Column.IGNORE)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Name", Column.FULL_NAME),
        ("Full Name", Column.FULL_NAME),
        ("Display Name", Column.FULL_NAME),  # Thunderbird
        ("Given Name", Column.FIRST_NAME),
        ("Surname", Column.LAST_NAME),
        ("Phone", Column.PHONE_OTHER),
        ("Telephone", Column.PHONE_OTHER),
        ("Mobile", Column.PHONE_MOBILE),
        ("Cell phone", Column.PHONE_MOBILE),
        ("Work Phone", Column.PHONE_WORK),
        ("Phone (Home)", Column.PHONE_HOME),
        ("Fax Number", Column.PHONE_FAX),
        ("Extension", Column.PHONE_EXTENSION),
        ("Email", Column.EMAIL),
        ("E-mail (work)", Column.EMAIL),
        ("Primary Email", Column.EMAIL),
        ("Organization", Column.COMPANY),
        ("Company Name", Column.COMPANY),
        ("Title", Column.TITLE),  # no "Job Title" beside it
        ("Note", Column.NOTES),
        ("Zip", Column.POSTAL_CODE),
        ("Nickname", Column.IGNORE),
        ("Birthday", Column.IGNORE),
        ("", Column.IGNORE),
        ("\ufeffName", Column.FULL_NAME),
    ],
)
def test_generic_headers(header: str, expected: Column) -> None:
    assert map_header(header).column is expected


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Mobile", PhoneKind.MOBILE),
        ("* Work", PhoneKind.WORK),
        ("Work Fax", PhoneKind.FAX),
        ("Main", PhoneKind.WORK),
        ("Home", PhoneKind.HOME),
        ("Google Voice", PhoneKind.OTHER),
        ("Extension", PhoneKind.EXTENSION),
        ("", PhoneKind.OTHER),
    ],
)
def test_phone_labels(label: str, kind: PhoneKind) -> None:
    assert kind_from_label(label) is kind


@pytest.mark.parametrize(
    ("full", "split"),
    [
        ("Ada King Lovelace", ("Ada King", "Lovelace")),
        ("Lovelace, Ada", ("Ada", "Lovelace")),
        ("Cher", ("Cher", "")),
        ("  Ann   Lee ", ("Ann", "Lee")),
    ],
)
def test_full_names_are_split(full: str, split: tuple[str, str]) -> None:
    assert split_full_name(full) == split


# -- files as programs write them ---------------------------------------------------------------


def test_a_google_contacts_export() -> None:
    entries = file_entries("google_contacts.csv")
    maria, wei, olu, acme, soren, lonely = drafts(entries)
    assert (maria.first_name, maria.last_name, maria.company, maria.title) == (
        "Maria",
        "García",
        "Globex Corporation, Purchasing",
        "Head of Procurement",
    )
    assert maria.emails == ("maria.garcia@globex.example", "mgarcia84@gmail.example")
    assert maria.phones == (
        (PhoneKind.MOBILE, "+1 303-555-0147"),
        (PhoneKind.WORK, "(303) 555-0100"),
        (PhoneKind.FAX, "303-555-0101"),
    )
    assert maria.address == "1200 Market St\nSuite 400\nDenver, CO 80202\nUS"
    assert maria.notes == "Met at the Denver trade show.\nPrefers calls after 10am."
    # Two numbers in one cell (" ::: "), both with the cell's label.
    assert wei.phones[:2] == ((PhoneKind.MOBILE, "+44 7700 900123"), (PhoneKind.MOBILE, "+44 7700 900456"))
    assert (wei.first_name, wei.last_name) == ("Wei", "Chen PhD")
    assert olu.emails == ("OLU@Initech.example",)
    assert (acme.company, acme.first_name, acme.notes) == ("Acme Plumbing", "", "Emergency line, 24/7")
    assert soren.phones == ((PhoneKind.WORK, "+45 32 12 34 56"), (PhoneKind.MOBILE, "not a number"))
    assert lonely.emails == ("lonely@example.net",)
    # Line numbers count physical lines: Maria's quoted cells span lines 2-6.
    assert [e.line for e in entries] == [2, 7, 8, 9, 10, 11]


def test_the_older_google_export() -> None:
    hannah, tom = drafts(file_entries("google_contacts_legacy.csv"))
    assert (hannah.first_name, hannah.last_name, hannah.company, hannah.title) == (
        "Hannah",
        "Schmidt",
        "Bundesdruckerei",
        "Referentin",
    )
    assert hannah.phones == ((PhoneKind.MOBILE, "+49 151 23456789"), (PhoneKind.WORK, "+49 30 901820"))
    assert tom.phones == ((PhoneKind.HOME, "+353 1 555 0123"),)


@pytest.mark.parametrize("name", ["outlook_contacts.csv", "outlook_contacts_unicode.csv"])
def test_an_outlook_export(name: str) -> None:
    entries = file_entries(name)
    jose, zoe, pat, northwind = drafts(entries)
    assert (jose.first_name, jose.last_name, jose.company, jose.title) == (
        "José",
        "Müller",
        "Contoso Ltd., Sales",
        "Account Manager",
    )
    assert jose.phones == (
        (PhoneKind.FAX, "(425) 555-0109"),
        (PhoneKind.WORK, "(425) 555-0100"),
        (PhoneKind.HOME, "425.555.0133"),
        (PhoneKind.MOBILE, "+1 (425) 555-0177"),
    )
    assert jose.address == "One Microsoft Way\nRedmond, WA 98052\nUnited States of America"
    assert jose.notes == (
        "Renewal due in Q3 — call before the 15th.\r\nBudget: €12,000.\n\n"
        "Home address:\n12 Elm Row\nKirkland, WA 98033"
    )
    # The Exchange-internal second address is not an e-mail; it is reported.
    assert zoe.emails == ("zoe@fabrikam.example",)
    zoe_entry = next(e for e in entries if isinstance(e, DraftEntry) and e.draft is zoe)
    assert "Exchange address" in zoe_entry.warnings[0]
    assert pat.first_name in ("Pat", "Paweł")
    assert (northwind.company, northwind.phones) == (
        "Northwind Traders",
        ((PhoneKind.WORK, "(206) 555-0300"),),
    )


def test_a_semicolon_sheet_from_excel() -> None:
    renee, ada = drafts(file_entries("generic_semicolon.csv"))  # the blank ";;;" row is skipped
    assert (renee.first_name, renee.last_name, renee.emails) == (
        "Renée",
        "Dubois",
        ("renee.dubois@example.fr",),
    )
    assert (ada.first_name, ada.last_name, ada.company) == ("Ada", "Lovelace", "Analytical Engines")


# -- rows ---------------------------------------------------------------------------------------


def test_a_mapping_chosen_by_the_user_wins() -> None:
    mapping = (
        ColumnMapping(Column.COMPANY),
        ColumnMapping(Column.PHONE_MOBILE),
        ColumnMapping(Column.IGNORE),
    )
    draft, warnings = row_to_draft(["Initech", "555", "ignored@x.example"], mapping)
    assert (draft.company, draft.phones, draft.emails, warnings) == (
        "Initech",
        ((PhoneKind.MOBILE, "555"),),
        (),
        [],
    )


def test_address_parts_of_one_group_make_one_address_and_others_go_to_the_notes() -> None:
    header = ["First Name", "Home Street", "Home City", "Home ZIP", "Work Street", "Work City", "Work State"]
    draft, _ = row_to_draft(
        ["A", "1 Elm", "Oslo", "0150", "2 Pier", "Bergen", "Vestland"], auto_mapping(header)
    )
    assert draft.address == "1 Elm\nOslo, 0150"
    assert draft.notes == "Work address:\n2 Pier\nBergen, Vestland"


def test_short_rows_and_long_rows() -> None:
    entries = entries_of(b"Name,Phone\r\nAnn Lee\r\nBo Ek,1,surplus\r\n")
    ann, bo = entries
    assert isinstance(ann, DraftEntry) and ann.draft.first_name == "Ann" and not ann.warnings
    assert isinstance(bo, DraftEntry) and bo.warnings == (
        "the row has 3 values but the header names 2 columns",
    )


def test_a_malformed_row_is_reported_with_its_line_and_the_others_are_read() -> None:
    rows = [f"Person {i},+1 415 555 {i:04d}" for i in range(1, 1001)]
    rows[499] = 'Broken "quote,' + "x" * 200_000  # a field larger than the csv module allows
    data = ("Name,Phone\n" + "\n".join(rows) + "\n").encode()
    entries = entries_of(data)
    bad = [e for e in entries if isinstance(e, UnreadableEntry)]
    good = [e for e in entries if isinstance(e, DraftEntry)]
    assert [e.line for e in bad] == [501]
    assert "cannot be read as CSV" in bad[0].message
    assert len(good) == 999
    assert good[499].line == 502 and good[499].draft.first_name == "Person"


def test_reading_reports_progress_in_bytes() -> None:
    data = ("Name\n" + "".join(f"P{i} X\n" for i in range(50_000))).encode()
    source = TextSource.from_bytes(data)
    reader = read_csv_entries(source, (ColumnMapping(Column.FULL_NAME),), ",")
    next(reader)
    assert 0 < source.bytes_read < len(data)
    assert sum(1 for _ in reader) == 49_999
    assert source.bytes_read == len(data)


# -- writing ------------------------------------------------------------------------------------


def test_the_header_is_google_compatible_and_documented() -> None:
    assert csv_header(2, 1) == [
        "First Name",
        "Last Name",
        "Organization Name",
        "Organization Title",
        "E-mail 1 - Value",
        "E-mail 2 - Value",
        "Phone 1 - Label",
        "Phone 1 - Value",
        "Address 1 - Formatted",
        "Notes",
    ]


def test_written_csv_reads_back_the_same() -> None:
    contacts = [
        build_contact(
            ContactDraft(
                first_name="Zoë",
                last_name="O'Brien, Jr.",
                company='Fabrikam "North"',
                title="CFO",
                emails=("zoe@fabrikam.example", "z@home.example"),
                phones=(
                    (PhoneKind.HOME, "(415) 555-0102"),
                    (PhoneKind.EXTENSION, "1001"),
                    (PhoneKind.MOBILE, "+44 7700 900123"),
                    (PhoneKind.FAX, "+1 415 555 0109"),
                    (PhoneKind.OTHER, "+1 415 555 0110"),
                    (PhoneKind.WORK, "+1 415 555 0111"),
                ),
                address="1 Main St\nSpringfield, IL 62701",
                notes="Two\nlines; and, commas ::: too",
            ),
            source_id="a",
        ),
        build_contact(ContactDraft(company="Northwind"), source_id="b"),
    ]
    out = io.StringIO(newline="")
    assert write_csv(contacts, out) == 2
    data = out.getvalue().encode("utf-8")
    back = drafts(entries_of(data))
    for contact, draft in zip(contacts, back, strict=True):
        assert build_contact(draft, source_id=contact.source_id) == contact


def test_a_writer_refuses_a_contact_wider_than_its_header() -> None:
    writer = CsvWriter(io.StringIO(), max_emails=1, max_phones=1)
    with pytest.raises(ValueError, match="more e-mails"):
        writer.write(Contact("local", "x", "A", emails=("a@x.example", "b@x.example")))
