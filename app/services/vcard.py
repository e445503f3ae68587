"""Contacts as vCard: reading 2.1 / 3.0 / 4.0 files (with ``vobject``), writing 3.0 or 4.0.

Reading streams the file: it is split into cards line by line (so one broken card is reported
with its line number and the others still read), binary properties (PHOTO, LOGO, SOUND, KEY)
are dropped before parsing (an iPhone export is mostly photos), and each card is parsed with
``vobject`` — folded lines, quoted-printable (2.1), escaped text, structured N / ADR / ORG.

What becomes of each property:

- ``N`` given (+ additional) -> first name, family (+ suffix) -> last name; without ``N`` the
  ``FN`` is split; a card whose ``FN`` is its ``ORG`` (Apple's ``X-ABShowAs:COMPANY``, 4.0
  ``KIND:org``) is a company with no person's name.
- ``ORG`` -> company (organisation, units joined with ", "); ``TITLE`` (else ``ROLE``) -> title.
- ``EMAIL`` -> e-mails. ``TEL`` -> numbers, the kind from ``TYPE`` (3.0 ``TYPE=CELL,VOICE``,
  2.1 bare ``;CELL;WORK``, 4.0 ``TYPE="work,cell"`` with ``VALUE=uri:tel:...``) or from Apple's
  ``itemN.X-ABLabel`` of the same group; ``x-extension`` marks an extension.
- ``ADR`` -> address (the preferred one, else the first), other addresses go to the notes with
  their label; 3.0 ``LABEL`` is used when there is no ``ADR``. ``NOTE`` -> notes.

Writing: ``N``, ``FN``, ``ORG``, ``TITLE``, ``EMAIL``, ``TEL`` (3.0 ``TYPE=CELL``; 4.0
``VALUE=uri`` with ``tel:`` and lowercase types), ``ADR`` (the address as the street lines),
``NOTE``. Export then import gives back the same contact.
"""

from __future__ import annotations

import io
import logging
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

import vobject
from vobject.base import ParseError, VObjectError, getLogicalLines, parseLine

from app.domain.contacts import Contact, PhoneKind
from app.services.contacts_csv import FALLBACK_ERRORS, kind_from_label, split_full_name
from app.services.personal_contacts import ContactDraft, DraftEntry, UnreadableEntry

log = logging.getLogger(__name__)

VERSIONS = ("3.0", "4.0")

# Binary payloads we do not keep; dropping them early keeps memory flat on photo-heavy files.
_BINARY = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
_BEGIN = "BEGIN:VCARD"
_END = "END:VCARD"
MAX_CARD_CHARS = 1_000_000
MAX_PROBLEMS = 1000


def split_cards(lines: Iterable[str]) -> Iterator[Card | UnreadableEntry]:
    """Each card of a stream, or an :class:`UnreadableEntry` for text that is not a card
    (reported once per stretch of stray lines) and for cards never closed."""
    current: list[str] | None = None
    numbers: list[int] = []
    size = 0
    depth = 0
    dropping = False  # inside a binary property's continuation lines
    stray_from = 0
    stray_to = 0
    cards = 0
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if current is None:
            if line.strip().upper() == _BEGIN:
                if stray_from:
                    yield _stray(stray_from, stray_to)
                    stray_from = 0
                current, numbers, size, depth, dropping = [line], [number], len(line), 1, False
            elif line.strip():
                stray_from = stray_from or number
                stray_to = number
            continue
        folded = line[:1] in (" ", "\t")
        if dropping and (folded or not line.strip()):
            continue
        dropping = False
        upper = line.strip().upper()
        if upper == _BEGIN:
            if current[-1].upper().rstrip().endswith("AGENT:"):
                depth += 1  # a 2.1 AGENT card nested in this one
            else:
                yield UnreadableEntry(numbers[0], "the card is not closed (END:VCARD is missing)")
                current, numbers, size, depth = [line], [number], len(line), 1
                continue
        elif upper == _END:
            depth -= 1
            if depth == 0:
                current.append(line)
                numbers.append(number)
                cards += 1
                yield Card("\r\n".join(current) + "\r\n", tuple(numbers))
                current = None
                continue
        if depth > 1:
            continue  # nested AGENT card: not kept
        if not folded and _BINARY.match(line):
            dropping = True
            continue
        if not line.strip():
            continue
        size += len(line)
        if size > MAX_CARD_CHARS:
            yield UnreadableEntry(numbers[0], "the card is too large to be a contact (over 1 MB of text)")
            current = None
            continue
        current.append(line)
        numbers.append(number)
    if current is not None:
        yield UnreadableEntry(numbers[0], "the card is not closed (END:VCARD is missing)")
    if stray_from:
        if cards == 0 and current is None:
            yield UnreadableEntry(1, "the file does not contain any vCard (no BEGIN:VCARD line)")
        else:
            yield _stray(stray_from, stray_to)


@dataclass(frozen=True, slots=True)
class Card:
    """One card's text as kept (binary properties dropped) and the file line of each of its lines."""

    text: str
    lines: tuple[int, ...]

    @property
    def line(self) -> int:
        return self.lines[0]

    def file_line(self, offset: int) -> int:
        """The file line of the card's ``offset``-th line (1-based)."""
        return self.lines[min(max(offset, 1), len(self.lines)) - 1]


def _stray(first: int, last: int) -> UnreadableEntry:
    if first == last:
        return UnreadableEntry(first, f"line {first} is not part of any card and was skipped")
    return UnreadableEntry(first, f"lines {first} to {last} are not part of any card and were skipped")


def read_vcard_entries(lines: Iterable[str]) -> Iterator[DraftEntry | UnreadableEntry]:
    """Every card of a vCard stream as a draft, or why it could not be read."""
    problems = 0
    for item in split_cards(lines):
        if isinstance(item, UnreadableEntry):
            problems += 1
            yield item
        else:
            entry = parse_card(item)
            if isinstance(entry, UnreadableEntry):
                problems += 1
            yield entry
        if problems >= MAX_PROBLEMS:
            yield UnreadableEntry(0, f"stopped reading after {MAX_PROBLEMS} problems")
            return


@dataclass(frozen=True, slots=True)
class _Property:
    """One content line as written: name, group, parameters and the raw (escaped) value."""

    name: str
    group: str
    params: dict[str, list[str]]
    singles: tuple[str, ...]
    value: str

    @property
    def types(self) -> list[str]:
        """TYPE values, whichever way the version writes them, upper-cased: 3.0
        ``TYPE=CELL,VOICE`` or ``type=CELL;type=VOICE``, 4.0 ``TYPE="work,cell"``, 2.1 ``;CELL``."""
        found: list[str] = []
        for value in self.params.get("TYPE", []):
            found.extend(part.strip().strip('"') for part in value.split(","))
        found.extend(self.singles)
        return [t.upper() for t in found if t]

    @property
    def preferred(self) -> bool:
        return "PREF" in self.types or bool(self.params.get("PREF"))

    @property
    def text(self) -> str:
        return unescape(self.value).strip()

    @property
    def parts(self) -> list[str]:
        """The components of a structured value (N, ADR, ORG), unescaped."""
        return [unescape(part) for part in _split_unescaped(self.value, ";")]


# Android writes custom labels as TEL;X-Custom(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,Label):...
_ANDROID_CUSTOM = re.compile(
    r"^(?:(?P<group>[\w-]+)\.)?(?P<name>[\w-]+);X-Custom\((?P<inside>[^)]*)\):(?P<value>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _property(line: str, number: int) -> _Property:
    custom = _ANDROID_CUSTOM.match(line)
    if custom:
        inside = custom["inside"].split(",")
        label = inside[-1] if inside else ""
        if any(p.upper() == "ENCODING=QUOTED-PRINTABLE" for p in inside):
            label = quopri.decodestring(label.encode("ascii", "replace")).decode("utf-8", "replace")
        return _Property(
            custom["name"].upper(), custom["group"] or "", {"X-LABEL": [label]}, (), custom["value"]
        )
    name, raw_params, value, group = parseLine(line, number)  # vobject's tokenizer
    params: dict[str, list[str]] = {}
    singles: list[str] = []
    for entry in raw_params:
        if len(entry) == 1:
            singles.append(str(entry[0]))  # 2.1: ";CELL;WORK" without "TYPE="
        else:
            params.setdefault(str(entry[0]).upper(), []).extend(str(v) for v in entry[1:])
    encodings = [v.upper() for v in params.get("ENCODING", [])] + [s.upper() for s in singles]
    if "QUOTED-PRINTABLE" in encodings:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        data = quopri.decodestring(str(value).encode("utf-8"))
        try:
            value = data.decode(charset, errors=FALLBACK_ERRORS)
        except LookupError:  # a charset Python does not know
            value = data.decode("utf-8", errors=FALLBACK_ERRORS)
        singles = [s for s in singles if s.upper() != "QUOTED-PRINTABLE"]
        params.pop("ENCODING", None)
    return _Property(str(name).upper(), str(group or ""), params, tuple(singles), str(value))


def unescape(text: str) -> str:
    """vCard text unescaping (``\\n``, ``\\,``, ``\\;``, ``\\\\``). Unescaped commas stay as
    they are: 2.1 never escapes them and many 3.0 writers forget to."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts = re.split(r"(?<!\\)((?:\\\\)*)" + re.escape(separator), text)
    # re.split keeps the captured backslash pairs: glue them back onto the part before.
    joined: list[str] = []
    for index in range(0, len(parts), 2):
        piece = parts[index]
        if index + 1 < len(parts):
            piece += parts[index + 1]
        joined.append(piece)
    return joined


def parse_card(card: Card | str) -> DraftEntry | UnreadableEntry:
    """One card (BEGIN:VCARD ... END:VCARD) as a draft."""
    if isinstance(card, str):
        card = Card(card, tuple(range(1, card.count("\n") + 2)))
    text, line = card.text, card.line
    warnings: list[str] = []
    properties: list[_Property] = []
    try:
        logical = list(getLogicalLines(io.StringIO(text), allowQP=True))
    except (ValueError, UnicodeError) as exc:
        return UnreadableEntry(line, f"the card cannot be read ({_reason(exc)})")
    for content, offset in logical:
        try:
            prop = _property(content, offset)
        except (ParseError, VObjectError, ValueError, UnicodeError, LookupError):
            shown = content if len(content) < 60 else content[:57] + "..."
            where = card.file_line(offset)
            warnings.append(f"line {where} (“{shown}”) is not a vCard property and was skipped")
            continue
        if prop.name in ("BEGIN", "END", "VERSION"):
            continue
        properties.append(prop)
    if not properties:
        return UnreadableEntry(line, "the card is empty")
    try:
        return DraftEntry(line, card_to_draft(properties), tuple(warnings))
    except (IndexError, ValueError) as exc:  # pragma: no cover - defensive: a shape unlike the spec
        log.debug("card at line %d: %r", line, exc)
        return UnreadableEntry(line, f"the card cannot be read ({exc})")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


_AB_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


def _kind_of_tel(types: list[str], label: str) -> PhoneKind:
    words = set(types)
    if "FAX" in words:
        return PhoneKind.FAX
    if words & {"CELL", "MOBILE", "IPHONE"}:
        return PhoneKind.MOBILE
    if words & {"X-EXTENSION", "EXTENSION", "X-EXT"}:
        return PhoneKind.EXTENSION
    if label:
        return kind_from_label(label)
    if "HOME" in words:
        return PhoneKind.HOME
    if words & {"WORK", "MAIN", "X-MAIN", "COMPANY", "X-WORK"}:
        return PhoneKind.WORK
    return PhoneKind.OTHER


def format_adr(parts: list[str]) -> str:
    """ADR components (box, extended, street, city, region, code, country) as lines: street
    lines, "City, Region Code", country."""
    box, extended, street, city, region, code, country = (parts + [""] * 7)[:7]
    lines = [x.strip() for part in (box, extended, street) for x in part.splitlines() if x.strip()]
    region_code = " ".join(x for x in (region.strip(), code.strip()) if x)
    locality = ", ".join(x for x in (city.strip(), region_code) if x)
    if locality:
        lines.append(locality)
    if country.strip():
        lines.append(country.strip())
    return "\n".join(lines)


def _words(component: str, glue: str = " ") -> str:
    """A name component; several values in it (comma-separated) joined with ``glue``."""
    return glue.join(x.strip() for x in _split_unescaped(component, ",") if x.strip())


def card_to_draft(properties: list[_Property]) -> ContactDraft:
    """The contact a card's properties describe."""
    by_name: dict[str, list[_Property]] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)

    def first_text(*names: str) -> str:
        for name in names:
            for prop in by_name.get(name, []):
                if prop.text:
                    return prop.text
        return ""

    ab_labels: dict[str, str] = {}
    for prop in by_name.get("X-ABLABEL", []):
        if prop.group:
            match = _AB_LABEL.match(prop.text)
            ab_labels[prop.group.lower()] = match.group(1) if match else prop.text

    company = ""
    if by_name.get("ORG"):
        company = ", ".join(x.strip() for x in by_name["ORG"][0].parts if x.strip())

    first = last = ""
    if by_name.get("N"):
        raw = _split_unescaped(by_name["N"][0].value, ";") + [""] * 5
        family, given, additional, _prefix, suffix = (
            unescape(_words(x)) if i != 4 else unescape(_words(x, ", ")) for i, x in enumerate(raw[:5])
        )
        first = " ".join(x for x in (given, additional) if x)
        last = " ".join(x for x in (family, suffix) if x)
    full = first_text("FN")
    is_company = first_text("X-ABSHOWAS").upper() == "COMPANY" or first_text("KIND").lower() == "org"
    if not (first or last) and full and not is_company and full != company:
        first, last = split_full_name(full)
    if not (first or last or company) and full:  # a company card without ORG
        company = full

    emails = [p.text for p in by_name.get("EMAIL", []) if p.text]

    phones: list[tuple[PhoneKind, str]] = []
    for tel in by_name.get("TEL", []):
        number = tel.text
        if number.lower().startswith("tel:"):
            number = number[4:]
        if not number:
            continue
        label = ab_labels.get(tel.group.lower(), "") or next(iter(tel.params.get("X-LABEL", [])), "")
        phones.append((_kind_of_tel(tel.types, label), number))

    addresses: list[tuple[bool, str, str]] = []  # (preferred, label, text)
    for adr in by_name.get("ADR", []):
        text = format_adr(adr.parts)
        if not text:
            text = unescape(next(iter(adr.params.get("LABEL", [])), "")).strip()
        if text:
            label = ab_labels.get(adr.group.lower(), "")
            kinds = [t for t in adr.types if t not in ("PREF", "POSTAL", "PARCEL", "DOM", "INTL")]
            addresses.append((adr.preferred, label or (kinds[0].title() if kinds else ""), text))
    if not addresses:
        addresses = [(p.preferred, "", p.text) for p in by_name.get("LABEL", []) if p.text]
    addresses.sort(key=lambda a: not a[0])  # the preferred one first, otherwise in file order

    notes = "\n".join(p.text for p in by_name.get("NOTE", []) if p.text)
    address = addresses[0][2] if addresses else ""
    for _preferred, label, text in addresses[1:]:
        notes = "\n\n".join(x for x in (notes, f"{label or 'Other'} address:\n{text}") if x)

    return ContactDraft(
        first_name=first,
        last_name=last,
        company=company,
        title=first_text("TITLE", "ROLE"),
        emails=tuple(emails),
        phones=tuple(phones),
        address=address,
        notes=notes,
    )


# -- writing -----------------------------------------------------------------------------------

_TYPES_30 = {
    PhoneKind.WORK: ["WORK", "VOICE"],
    PhoneKind.MOBILE: ["CELL", "VOICE"],
    PhoneKind.HOME: ["HOME", "VOICE"],
    PhoneKind.FAX: ["WORK", "FAX"],
    PhoneKind.OTHER: ["OTHER", "VOICE"],
    PhoneKind.EXTENSION: ["X-EXTENSION"],
}
_TYPES_40 = {
    PhoneKind.WORK: ["work", "voice"],
    PhoneKind.MOBILE: ["cell", "voice"],
    PhoneKind.HOME: ["home", "voice"],
    PhoneKind.FAX: ["work", "fax"],
    PhoneKind.OTHER: ["voice"],
    PhoneKind.EXTENSION: ["x-extension"],
}


def contact_to_vcard(contact: Contact, version: str = "3.0") -> str:
    """One contact as a vCard (CRLF line ends, folded at 75 octets)."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version!r} is not supported (3.0 or 4.0)")
    card = vobject.vCard()
    card.add("version").value = version
    card.add("prodid").value = "-//RingDesk//Contacts//EN"
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    person = f"{contact.first_name} {contact.last_name}".strip()
    card.add("fn").value = person or contact.company or contact.display_name
    if not person and contact.company:
        if version == "4.0":
            card.add("kind").value = "org"
        else:
            card.add("x-abshowas").value = "COMPANY"
    if contact.company:
        card.add("org").value = [contact.company]
    if contact.title:
        card.add("title").value = contact.title
    for email in contact.emails:
        line = card.add("email")
        line.value = email
        if version == "3.0":
            line.params["TYPE"] = ["INTERNET"]
    for phone in contact.phones:
        line = card.add("tel")
        line.value = phone.number
        if version == "3.0":
            line.params["TYPE"] = list(_TYPES_30[phone.kind])
        else:
            line.params["TYPE"] = list(_TYPES_40[phone.kind])
            if phone.kind is not PhoneKind.EXTENSION:
                line.value = f"tel:{phone.number}"
                line.params["VALUE"] = ["uri"]
    if contact.address:
        card.add("adr").value = vobject.vcard.Address(street=contact.address)
    if contact.notes:
        card.add("note").value = contact.notes
    return str(card.serialize())


def write_vcards(contacts: Iterable[Contact], out: TextIO, version: str = "3.0") -> int:
    """Write contacts one card after another; returns how many."""
    count = 0
    for contact in contacts:
        out.write(contact_to_vcard(contact, version))
        count += 1
    return count
