"""vCard reading (2.1 / 3.0 / 4.0 as real programs write them) and writing (3.0 / 4.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.services.contacts_csv import TextSource
from app.services.personal_contacts import ContactDraft, DraftEntry, UnreadableEntry, build_contact
from app.services.vcard import (
    Card,
    contact_to_vcard,
    parse_card,
    read_vcard_entries,
    split_cards,
    unescape,
    write_vcards,
)

DATA = Path(__file__).parent.parent / "data" / "contacts"


def read(name: str) -> list[DraftEntry | UnreadableEntry]:
    with TextSource.open(DATA / name) as source:
        return list(read_vcard_entries(source.text))


def drafts(entries: list[DraftEntry | UnreadableEntry]) -> list[ContactDraft]:
    return [e.draft for e in entries if isinstance(e, DraftEntry)]


def card(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCARD", *lines, "END:VCARD"]) + "\r\n"


def one(text: str) -> ContactDraft:
    entry = parse_card(text)
    assert isinstance(entry, DraftEntry), entry
    return entry.draft


# -- files as programs write them ---------------------------------------------------------------


def test_an_iphone_export_with_photos_and_grouped_labels() -> None:
    entries = read("iphone_contacts.vcf")
    assert all(isinstance(e, DraftEntry) and not e.warnings for e in entries)
    john, coffee, yamada = drafts(entries)
    assert (john.first_name, john.last_name, john.company, john.title) == (
        "John",
        "Appleseed",
        "Apple Inc.",
        "Product Manager",
    )
    assert john.emails == ("john.appleseed@apple.example", "johnny@icloud.example")
    assert john.phones == (
        (PhoneKind.MOBILE, "(408) 555-0199"),
        (PhoneKind.WORK, "+1 408-555-0142"),
        (PhoneKind.MOBILE, "+1 (408) 555-0111"),  # item1.TEL + X-ABLabel _$!<Mobile>!$_
        (PhoneKind.WORK, "+44 20 7946 0958"),  # a custom label: "London office"
    )
    # The preferred (work) address is the address; the home one is kept in the notes.
    assert john.address == "1 Apple Park Way\nCupertino, CA 95014\nUnited States"
    assert john.notes == (
        "Met at WWDC.\nPrefers e-mail, not calls.\n\n"
        "Home address:\n2 Infinite Loop\nApt 5\nCupertino, CA 95014\nUnited States"
    )
    # X-ABShowAs:COMPANY: a business card, no person's name.
    assert (coffee.first_name, coffee.last_name, coffee.company) == ("", "", "Blue Bottle Coffee")
    assert coffee.phones == ((PhoneKind.WORK, "(510) 555-0123"), (PhoneKind.FAX, "(510) 555-0124"))
    # UTF-8, a two-part ORG, and a NOTE folded across lines in the middle of multibyte text.
    assert (yamada.first_name, yamada.last_name, yamada.company) == (
        "太郎",
        "山田",
        "株式会社サンプル, 営業部",
    )
    assert yamada.notes.endswith("— 日本語のテキストも含む。")
    assert "\n" not in yamada.notes


def test_the_photo_is_dropped_before_parsing() -> None:
    with TextSource.open(DATA / "iphone_contacts.vcf") as source:
        cards = [c for c in split_cards(source.text) if isinstance(c, Card)]
    assert "PHOTO" not in cards[0].text and "/9j/" not in cards[0].text
    assert "X-ABUID" in cards[0].text  # the line after the photo is kept
    assert cards[0].line == 1 and cards[1].line == 45


def test_a_vcard_4_file() -> None:
    entries = read("rfc6350_contacts.vcf")
    simon, ingrid, coffee = drafts(entries)
    assert (simon.first_name, simon.last_name, simon.company) == (
        "Simon",
        "Perreault ing. jr, M.Sc.",
        "Viagenie",
    )
    # VALUE=uri with tel: URIs, TYPE as a quoted list, ;ext= kept for the import to note.
    assert simon.phones == (
        (PhoneKind.WORK, "+1-418-656-9254;ext=102"),
        (PhoneKind.MOBILE, "+1-418-262-6501"),
    )
    assert simon.address == "2875 boul. Laurier, suite D2-630\nQuebec, QC G1V 2M2\nCanada"
    # Thunderbird's 4.0: TYPE=cell;VALUE=TEXT, two e-mails, escaped newline in NOTE.
    assert ingrid.phones == (
        (PhoneKind.WORK, "+46 8 123 456 78"),
        (PhoneKind.MOBILE, "070-123 45 67"),
        (PhoneKind.FAX, "+46 8 123 456 79"),
    )
    assert ingrid.emails == ("ingrid.bergstrom@example.se", "Ingrid@Home.Example")
    assert ingrid.notes == "Prefers Swedish.\nCall via the switchboard."
    assert (coffee.company, coffee.first_name) == ("Fourth Coffee", "")  # KIND:org


def test_an_android_2_1_export_with_quoted_printable() -> None:
    juergen, giulia = drafts(read("android_contacts.vcf"))
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert juergen.company == "Bäckerei Müller GmbH"
    # A soft line break in the middle of a word, and an unescaped comma (2.1 has no escaping).
    assert (
        juergen.notes == "Brötchen jeden Samstag um 7 Uhr. Bitte die Hintertür benutzen, vorne ist noch zu."
    )
    assert juergen.phones == (
        (PhoneKind.MOBILE, "+49 170 1234567"),
        (PhoneKind.WORK, "+49 89 1234567"),
        (PhoneKind.HOME, "+49 89 7654321"),
    )
    # Android's TEL;X-Custom(CHARSET=...,Ufficio): is not valid vCard, yet the number is kept.
    assert giulia.phones == ((PhoneKind.MOBILE, "+39 347 123 4567"), (PhoneKind.OTHER, "+39 02 1234 5678"))


def test_a_damaged_file_keeps_every_readable_card_and_says_where_the_damage_is() -> None:
    entries = read("broken.vcf")
    good = [e for e in entries if isinstance(e, DraftEntry)]
    bad = [e for e in entries if isinstance(e, UnreadableEntry)]
    assert [(e.line, e.draft.first_name) for e in good] == [(1, "Gwen"), (7, "Mark")]
    assert good[1].draft.phones == ((PhoneKind.WORK, "+1 617 555 0102"),)
    assert good[1].warnings == (
        "line 11 (“this line is not a property at all”) is not a vCard property and was skipped",
    )
    assert [(e.line, e.message) for e in bad] == [
        (14, "lines 14 to 15 are not part of any card and were skipped"),
        (16, "the card is not closed (END:VCARD is missing)"),
    ]


def test_text_without_any_card() -> None:
    entries = list(read_vcard_entries(["hello\n", "world\n"]))
    assert entries == [UnreadableEntry(1, "the file does not contain any vCard (no BEGIN:VCARD line)")]


def test_several_cards_on_lf_line_ends_with_a_blank_line_between() -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEND:VCARD\n\nBEGIN:VCARD\nVERSION:3.0\nFN:Bo Ek\nEND:VCARD\n"
    )
    entries = list(read_vcard_entries(text.splitlines(keepends=True)))
    assert [
        (e.line, e.draft.first_name, e.draft.last_name) for e in entries if isinstance(e, DraftEntry)
    ] == [
        (1, "Ann", "Lee"),
        (6, "Bo", "Ek"),
    ]


# -- single properties ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tel", "kind"),
    [
        ("TEL;TYPE=CELL:1", PhoneKind.MOBILE),
        ("TEL;type=WORK;type=VOICE:1", PhoneKind.WORK),
        ("TEL;TYPE=HOME,VOICE:1", PhoneKind.HOME),
        ("TEL;TYPE=WORK,FAX:1", PhoneKind.FAX),
        ("TEL;TYPE=HOME;TYPE=FAX:1", PhoneKind.FAX),
        ("TEL;TYPE=IPHONE:1", PhoneKind.MOBILE),
        ("TEL;TYPE=MAIN:1", PhoneKind.WORK),
        ("TEL;TYPE=PAGER:1", PhoneKind.OTHER),
        ("TEL:1", PhoneKind.OTHER),
        ("TEL;CELL;VOICE:1", PhoneKind.MOBILE),  # 2.1
        ('TEL;VALUE=uri;TYPE="voice,home":tel:1', PhoneKind.HOME),  # 4.0
        ("TEL;TYPE=x-extension:1", PhoneKind.EXTENSION),
    ],
)
def test_number_kinds(tel: str, kind: PhoneKind) -> None:
    assert one(card("VERSION:3.0", "FN:A B", tel)).phones == ((kind, "1"),)


def test_apple_labels_name_the_kind_of_grouped_numbers() -> None:
    draft = one(
        card(
            "VERSION:3.0",
            "FN:A B",
            "item1.TEL:1",
            "item1.X-ABLabel:_$!<HomeFAX>!$_",
            "item2.TEL:2",
            "item2.X-ABLabel:_$!<Home>!$_",
            "item3.TEL:3",
            "item3.X-ABLabel:Extension",
        )
    )
    assert draft.phones == ((PhoneKind.FAX, "1"), (PhoneKind.HOME, "2"), (PhoneKind.EXTENSION, "3"))


def test_names_from_n_and_from_fn() -> None:
    assert (one(card("FN:Ada King Lovelace")).first_name, one(card("FN:Ada King Lovelace")).last_name) == (
        "Ada King",
        "Lovelace",
    )
    draft = one(card("N:Lovelace;Ada;King;Countess;", "FN:Countess Ada King Lovelace"))
    assert (draft.first_name, draft.last_name) == ("Ada King", "Lovelace")  # prefix dropped
    assert one(card("FN:Contoso", "ORG:Contoso")).company == "Contoso"
    assert one(card("FN:Contoso", "ORG:Contoso")).first_name == ""


def test_escapes_and_unescaped_commas() -> None:
    draft = one(card("VERSION:3.0", "FN:X Y", "NOTE:one\\ntwo\\, three\\; four \\\\ five, six", "TITLE:A, B"))
    assert draft.notes == "one\ntwo, three; four \\ five, six"
    assert draft.title == "A, B"  # vobject alone would keep only "A"
    assert unescape("a\\Nb") == "a\nb"


def test_a_card_that_is_all_garbage() -> None:
    entry = parse_card(card("%%%", "???"))
    assert isinstance(entry, UnreadableEntry)
    assert entry.message == "the card is empty"


def test_an_oversized_card_is_refused_without_reading_it_all_into_memory() -> None:
    lines = ["BEGIN:VCARD\n", "FN:Big\n"] + ["NOTE:" + "x" * 1000 + "\n"] * 1100 + ["END:VCARD\n"]
    lines += ["BEGIN:VCARD\n", "FN:Small One\n", "END:VCARD\n"]
    entries = list(read_vcard_entries(lines))
    assert isinstance(entries[0], UnreadableEntry) and "too large" in entries[0].message
    assert [e.draft.first_name for e in entries if isinstance(e, DraftEntry)] == ["Small"]


# -- writing ------------------------------------------------------------------------------------


def sample_contact() -> Contact:
    draft = ContactDraft(
        first_name="Jürgen",
        last_name="Müller; Jr.",
        company="Acme, Inc.",
        title="CTO",
        emails=("j@acme.example", "J.Mueller@Home.Example"),
        phones=(
            (PhoneKind.MOBILE, "+1 415 555 0101"),
            (PhoneKind.EXTENSION, "1001"),
            (PhoneKind.FAX, "+44 20 7946 0958"),
            (PhoneKind.HOME, "(415) 555-0102"),
            (PhoneKind.WORK, "415-555-0103"),
            (PhoneKind.OTHER, "+49 89 1234567"),
        ),
        address="1 Main St\nSuite 5\nSpringfield, IL 62701",
        notes="Line one\nLine two; with, punctuation \\ and a long tail that the writer has to fold",
    )
    return build_contact(draft, source_id="abc")


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_written_cards_read_back_the_same(version: str) -> None:
    contact = sample_contact()
    text = contact_to_vcard(contact, version)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:" + version + "\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    back = one(text)
    assert back == ContactDraft(
        first_name=contact.first_name,
        last_name=contact.last_name,
        company=contact.company,
        title=contact.title,
        emails=contact.emails,
        phones=tuple((p.kind, p.number) for p in contact.phones),
        address=contact.address,
        notes=contact.notes,
    )


def test_version_specific_number_forms() -> None:
    contact = Contact("local", "x", "A", phones=(PhoneNumber(PhoneKind.MOBILE, "+14155550101"),))
    assert "TEL;TYPE=CELL,VOICE:+14155550101" in contact_to_vcard(contact, "3.0")
    assert "TEL;TYPE=cell,voice;VALUE=uri:tel:+14155550101" in contact_to_vcard(contact, "4.0")
    with pytest.raises(ValueError, match=r"2\.1"):
        contact_to_vcard(contact, "2.1")


def test_a_company_card_is_marked_as_one() -> None:
    company = Contact("local", "x", company="Northwind")
    assert "X-ABSHOWAS:COMPANY" in contact_to_vcard(company, "3.0")
    assert "KIND:org" in contact_to_vcard(company, "4.0")
    assert one(contact_to_vcard(company)).company == "Northwind"
    assert one(contact_to_vcard(company)).first_name == ""


def test_write_several_cards(tmp_path: Path) -> None:
    path = tmp_path / "out.vcf"
    contacts = [sample_contact(), Contact("local", "y", "Bo", "Ek")]
    with path.open("w", encoding="utf-8", newline="") as out:
        assert write_vcards(contacts, out) == 2
    with TextSource.open(path) as source:
        entries = list(read_vcard_entries(source.text))
    assert [e.draft.first_name for e in entries if isinstance(e, DraftEntry)] == ["Jürgen", "Bo"]
