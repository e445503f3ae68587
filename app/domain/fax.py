"""Faxes: messages in the inbound, outbound and scheduled boxes, their files, the filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

PDF_MIMETYPE = "application/pdf"
TIFF_MIMETYPE = "image/tiff"
PDF_MAGIC = b"%PDF-"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")  # little- and big-endian


def fax_mimetype(head: bytes) -> str | None:
    """``application/pdf`` or ``image/tiff`` by a file's first bytes (its content, not its
    name); None for anything else."""
    if head.startswith(PDF_MAGIC):
        return PDF_MIMETYPE
    if head[:4] in TIFF_MAGICS:
        return TIFF_MIMETYPE
    return None


class FaxBox(StrEnum):
    """Where a fax is listed (the path segment of ``/fax/messages/{box}``)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    SCHEDULED = "scheduled"


class FaxStatus(StrEnum):
    """A fax's delivery state. Not in the documented Fax Message object: servers that send
    a ``status`` (the embedded one does) give one of these; others give nothing."""

    RECEIVED = "received"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SCHEDULED = "scheduled"


@dataclass(frozen=True, slots=True)
class FaxMessage:
    id: str
    box: FaxBox
    created_at: datetime | None
    file_id: str
    from_number: str
    from_name: str
    to_number: str
    to_name: str
    subject: str
    pages: int
    is_read: bool
    status: FaxStatus | None = None
    status_detail: str = ""
    send_at: datetime | None = None
    emails: tuple[str, ...] = ()

    @property
    def party_number(self) -> str:
        """The other side: the sender of an inbound fax, the recipient of the others."""
        return self.from_number if self.box is FaxBox.INBOUND else self.to_number

    @property
    def party_name(self) -> str:
        return self.from_name if self.box is FaxBox.INBOUND else self.to_name


@dataclass(frozen=True, slots=True)
class FaxFile:
    """An uploaded file (the document's File object, without its preview)."""

    id: str
    name: str
    uploaded_name: str
    mimetype: str
    size: int


@dataclass(frozen=True, slots=True)
class FaxStatistics:
    inbound: int
    inbound_hidden: int
    outbound: int


@dataclass(frozen=True, slots=True)
class FaxFilter:
    """The documented list filters; empty/None means "any". ``is_read`` and
    ``include_anonymous`` (the ``undefined`` parameter) apply to the inbound box only."""

    start: datetime | None = None
    end: datetime | None = None
    number: str = ""
    name: str = ""
    subject: str = ""
    search: str = ""
    is_read: bool | None = None
    include_anonymous: bool = False


@dataclass(frozen=True, slots=True)
class FaxDraft:
    """A fax to send: the uploaded file, the parties, and when (None: now)."""

    file_id: str
    to_number: str
    from_number: str
    to_name: str = ""
    from_name: str = ""
    subject: str = ""
    emails: tuple[str, ...] = field(default=())
    send_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FaxDestination:
    """Where the company's faxes are delivered by e-mail (the document's Destination)."""

    id: str
    emails: tuple[str, ...]
