"""People, extensions and queues from any source, as one plain model."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PERSONAL_SOURCE = "local"
# RingPlan's other contact sources (the company's users are "ringplan"): its offices, and
# the people the company texts with.
LOCATION_SOURCE = "ringplan-location"
TEXTING_SOURCE = "ringplan-texting"
"""The source of the contacts the user keeps in RingDesk itself."""


class PhoneKind(StrEnum):
    WORK = "work"
    MOBILE = "mobile"
    HOME = "home"
    FAX = "fax"
    OTHER = "other"
    EXTENSION = "extension"


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """One number of a contact: E.164 (``+15551234567``) or, for extensions, the digits.

    ``display`` is the number formatted for the user's region, computed once when the
    contact is stored so that showing a list never parses numbers.
    """

    kind: PhoneKind
    number: str
    display: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        return self.display or self.number


@dataclass(frozen=True, slots=True)
class Contact:
    """A person (or extension, or queue) as RingDesk shows it.

    ``key`` is unique across sources: ``"<source>:<source_id>"``.
    """

    source: str
    source_id: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[PhoneNumber, ...] = ()
    extension: str = ""
    address: str = ""
    notes: str = ""
    updated_at: str = ""

    @property
    def key(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        if name:
            return name
        if self.emails:
            return self.emails[0]
        if self.phones:
            return self.phones[0].number
        return self.extension or self.source_id

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        if not parts:
            parts = self.display_name.split()[:2]
        return "".join(p[0] for p in parts).upper()[:2] or "?"
