"""Our own contacts (source ``"local"``): the rules they follow, and create / edit / delete.

A :class:`ContactDraft` holds what a person typed (or an import file said), as text. The rules
turn it into a :class:`~app.domain.contacts.Contact` or name every problem:

- a first name, last name or company is required;
- e-mails must be syntactically valid (they are trimmed and de-duplicated, case-insensitively);
- numbers are parsed with ``phonenumbers`` into E.164 for the user's region, extensions are
  digits; a number that cannot be parsed is named in the error; ``display`` is filled in.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import phonenumbers

from app.domain.contacts import PERSONAL_SOURCE, Contact, PhoneKind, PhoneNumber
from app.domain.events import ContactsChanged
from app.domain.region import DEFAULT_REGION
from app.services.event_bus import EventBus
from app.store import contact_lookup
from app.store import contacts as contact_rows
from app.store.database import Store

log = logging.getLogger(__name__)

LOCAL_SOURCE = PERSONAL_SOURCE  # "local"

MAX_EXTENSION_DIGITS = 10


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A contact as typed: free text everywhere, numbers as written, each with its kind."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[tuple[PhoneKind, str], ...] = ()
    address: str = ""
    notes: str = ""

    @classmethod
    def from_contact(cls, contact: Contact) -> ContactDraft:
        return cls(
            first_name=contact.first_name,
            last_name=contact.last_name,
            company=contact.company,
            title=contact.title,
            emails=contact.emails,
            phones=tuple((p.kind, p.label) for p in contact.phones),
            address=contact.address,
            notes=contact.notes,
        )


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One broken rule. ``field`` is ``"name"``, ``"emails"`` or ``"phones"``; ``index`` is the
    position of the e-mail or number in the draft (-1 for the field as a whole)."""

    field: str
    message: str
    index: int = -1


class InvalidContact(ValueError):
    """The draft breaks the rules; ``problems`` names each one."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = tuple(problems)


class ContactNotFound(LookupError):
    """No personal contact with that id (deleted meanwhile, or not one of ours)."""


@dataclass(frozen=True, slots=True)
class DraftEntry:
    """One contact read from a file (vCard or CSV): the line it starts on, what it says, and
    anything the reader had to leave out or guess."""

    line: int
    draft: ContactDraft
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnreadableEntry:
    """A part of a file that is not a contact at all (broken card, malformed row)."""

    line: int
    message: str


# -- the rules (pure; used by the editor as you type and by imports) ---------------------------

_LOCAL_PART = re.compile(r"^[^\s@\"(),:;<>\[\]\\]+$")
_DOMAIN_LABEL = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$")


def is_valid_email(text: str) -> bool:
    """A practical syntax check: ``local@domain.tld`` without spaces or forbidden characters.

    Unicode is allowed on both sides (RFC 6531 addresses, international domain names).
    """
    if len(text) > 254 or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if not local or len(local) > 64 or not _LOCAL_PART.match(local):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    if len(labels) < 2 or len(labels[-1]) < 2 or labels[-1].isdigit():
        return False
    return all(len(label) <= 63 and _DOMAIN_LABEL.match(label) for label in labels)


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    number: str  # E.164, or the digits of an extension
    display: str
    extension: str = ""  # an "ext. 12" written after an outside number (not kept in E.164)


class BadNumber(ValueError):
    pass


def parse_number(raw: str, kind: PhoneKind, region: str = DEFAULT_REGION) -> ParsedNumber:
    """Parse one number as written; raises :class:`BadNumber` with a message naming it."""
    text = raw.strip()
    if kind is PhoneKind.EXTENSION:
        digits = re.sub(r"[\s\-.]", "", text)
        if not digits.isdigit() or not digits.isascii() or len(digits) > MAX_EXTENSION_DIGITS:
            raise BadNumber(f"Extension “{text}” should be digits only.")
        return ParsedNumber(digits, digits)
    if text.lower().startswith("tel:"):
        text = text[4:]
    digits = "".join(ch for ch in text if ch.isdigit())
    # As in app.domain.phone.to_e164: "15554441234" is a US number written without its plus.
    if not text.startswith("+") and len(digits) == 11 and digits.startswith("1"):
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        raise BadNumber(f"“{text}” is not a phone number.") from None
    if not phonenumbers.is_possible_number(parsed):
        raise BadNumber(f"“{text}” is not a complete phone number.")
    if (
        parsed.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
        and not phonenumbers.is_valid_number(parsed)
    ):
        # Written without a country code, and not a number of the user's own country: most
        # likely a foreign number in its national form ("020 7946 0018" in the US).
        raise BadNumber(
            f"“{text}” is not a valid number in {region}; add the country code (+…) if it is from abroad."
        )
    extension = parsed.extension or ""
    parsed.extension = None
    parsed.raw_input = None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    # As app.domain.phone.format_for_display: national at home, international abroad (the
    # country-code test first: finding the region of a +1 number is the slow part).
    at_home = parsed.country_code == phonenumbers.country_code_for_region(region) and (
        phonenumbers.region_code_for_number(parsed) == region
    )
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if at_home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return ParsedNumber(e164, phonenumbers.format_number(parsed, fmt), extension)


def check_draft(draft: ContactDraft, region: str = DEFAULT_REGION) -> list[FieldProblem]:
    """Every rule the draft breaks (empty when it can be saved)."""
    try:
        build_contact(draft, source_id="", region=region)
    except InvalidContact as exc:
        return list(exc.problems)
    return []


def build_contact(
    draft: ContactDraft,
    *,
    source_id: str,
    region: str = DEFAULT_REGION,
    source: str = LOCAL_SOURCE,
    updated_at: str = "",
) -> Contact:
    """The contact the draft describes; raises :class:`InvalidContact` naming each problem.

    Blank e-mail and number entries are ignored; repeated ones are kept once.
    """
    problems: list[FieldProblem] = []
    first, last, company = draft.first_name.strip(), draft.last_name.strip(), draft.company.strip()
    if not (first or last or company):
        problems.append(FieldProblem("name", "Enter a first name, a last name or a company."))

    emails: list[str] = []
    seen_emails: set[str] = set()
    for index, raw in enumerate(draft.emails):
        email = raw.strip()
        if not email:
            continue
        if email.lower().startswith("mailto:"):
            email = email[7:]
        if not is_valid_email(email):
            problems.append(FieldProblem("emails", f"“{email}” is not a valid e-mail address.", index))
        elif email.casefold() not in seen_emails:
            seen_emails.add(email.casefold())
            emails.append(email)

    phones: list[PhoneNumber] = []
    seen_numbers: set[str] = set()
    for index, (kind, raw) in enumerate(draft.phones):
        if not raw.strip():
            continue
        try:
            parsed = parse_number(raw, kind, region)
        except BadNumber as exc:
            problems.append(FieldProblem("phones", str(exc), index))
            continue
        if parsed.extension:
            problems.append(
                FieldProblem(
                    "phones",
                    f"“{raw.strip()}” has an extension (ext. {parsed.extension}): enter the number "
                    "without it and put the extension in the notes.",
                    index,
                )
            )
            continue
        if parsed.number not in seen_numbers:
            seen_numbers.add(parsed.number)
            phones.append(PhoneNumber(kind, parsed.number, parsed.display))

    if problems:
        raise InvalidContact(problems)
    extension = next((p.number for p in phones if p.kind is PhoneKind.EXTENSION), "")
    return Contact(
        source=source,
        source_id=source_id,
        first_name=first,
        last_name=last,
        company=company,
        title=draft.title.strip(),
        emails=tuple(emails),
        phones=tuple(phones),
        extension=extension,
        address=_tidy_block(draft.address),
        notes=_tidy_block(draft.notes),
        updated_at=updated_at,
    )


def _tidy_block(text: str) -> str:
    """Multi-line text with line endings normalised and trailing blanks removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def new_source_id() -> str:
    return uuid.uuid4().hex


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- the service ------------------------------------------------------------------------------


def is_personal(contact: Contact) -> bool:
    """Whether RingDesk may edit or delete the contact (it is one of ours, not a synced one)."""
    return contact.source == LOCAL_SOURCE


class PersonalContacts:
    """Create, edit and delete our own contacts in the store; publishes ``ContactsChanged``."""

    def __init__(self, store: Store, bus: EventBus, *, region: str = DEFAULT_REGION) -> None:
        self.store = store
        self.bus = bus
        self.region = region

    def check(self, draft: ContactDraft) -> list[FieldProblem]:
        """The problems of a draft, for showing as the user types (no I/O)."""
        return check_draft(draft, self.region)

    async def create(self, draft: ContactDraft) -> Contact:
        """Store a new personal contact; raises :class:`InvalidContact`."""
        contact = build_contact(draft, source_id=new_source_id(), region=self.region, updated_at=now_stamp())
        await self.store.call(contact_rows.upsert_contacts, [contact])
        log.info("created personal contact %s", contact.key)
        await self._changed()
        return contact

    async def update(self, source_id: str, draft: ContactDraft) -> Contact:
        """Replace a personal contact's fields; raises :class:`InvalidContact` or
        :class:`ContactNotFound`."""
        contact = build_contact(draft, source_id=source_id, region=self.region, updated_at=now_stamp())
        if await self.get(source_id) is None:
            raise ContactNotFound(f"The contact {source_id} is no longer in the address book.")
        await self.store.call(contact_rows.upsert_contacts, [contact])
        log.info("updated personal contact %s", contact.key)
        await self._changed()
        return contact

    async def delete(self, source_ids: Sequence[str]) -> int:
        """Delete personal contacts; returns how many there were."""
        removed = await self.store.call(contact_lookup.delete_contacts, LOCAL_SOURCE, list(source_ids))
        if removed:
            log.info("deleted %d personal contact(s)", removed)
            await self._changed()
        return removed

    async def get(self, source_id: str) -> Contact | None:
        return await self.store.call(contact_lookup.contact_by_key, LOCAL_SOURCE, source_id)

    async def _changed(self) -> None:
        total = await self.store.call(contact_rows.count_contacts)
        self.bus.publish(ContactsChanged(total))
