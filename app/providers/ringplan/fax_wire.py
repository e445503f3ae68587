"""The Fax Message, File and fax statistics payloads, and their mapping to domain models.

The documented Fax Message object has no status; ``status``, ``status_detail``,
``send_at`` and ``emails`` are read when a server sends them (the embedded one does) and
left empty otherwise.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WrapValidator

from app.domain.fax import FaxBox, FaxFile, FaxMessage, FaxStatistics, FaxStatus
from app.domain.phone import to_e164
from app.providers.ringplan.wire import (
    Id,
    LenientText,
    OptionalDate,
    WireFile,
    WireModel,
    _lenient,
    _string_list,
)

LenientInt = Annotated[int, WrapValidator(_lenient(0))]


def _status(value: object) -> object:
    if isinstance(value, str):
        try:
            return FaxStatus(value.strip().lower())
        except ValueError:
            return None
    return None


def _emails(value: object) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return _string_list(value)


class WireFaxFileRef(WireModel):
    id: Id
    internal_id: Annotated[int | None, WrapValidator(_lenient(None))] = None


class WireFaxMessage(WireModel):
    id: Id
    created_at: OptionalDate = None
    file: Annotated[WireFaxFileRef | None, WrapValidator(_lenient(None))] = None
    frm: LenientText = Field("", alias="from")
    from_name: LenientText = ""
    to: LenientText = ""
    to_name: LenientText = ""
    subject: LenientText = ""
    pages: LenientInt = 0
    is_read: Annotated[bool, WrapValidator(_lenient(False))] = False
    status: Annotated[FaxStatus | None, BeforeValidator(_status)] = None
    status_detail: LenientText = ""
    send_at: OptionalDate = None
    emails: Annotated[list[str], BeforeValidator(_emails)] = []


class WireFaxStatistics(WireModel):
    inbound: LenientInt = 0
    inbound_hidden: LenientInt = 0
    outbound: LenientInt = 0


def fax_number(raw: str) -> str:
    """A number as the server wrote it, in E.164 when it is one ("" stays "")."""
    return to_e164(raw) or raw.strip() if raw.strip() else ""


def wire_number(number: str) -> str:
    """A number as the document writes them: US numbers as 10 digits, others E.164."""
    e164 = to_e164(number) or number
    if e164.startswith("+1") and len(e164) == 12:
        return e164[2:]
    return e164


def fax_message_from_wire(wire: WireFaxMessage, box: FaxBox) -> FaxMessage:
    return FaxMessage(
        id=wire.id,
        box=box,
        created_at=wire.created_at,
        file_id=wire.file.id if wire.file is not None else "",
        from_number=fax_number(wire.frm),
        from_name=wire.from_name,
        to_number=fax_number(wire.to),
        to_name=wire.to_name,
        subject=wire.subject,
        pages=max(0, wire.pages),
        is_read=wire.is_read,
        status=wire.status,
        status_detail=wire.status_detail,
        send_at=wire.send_at,
        emails=tuple(wire.emails),
    )


def fax_file_from_wire(wire: WireFile) -> FaxFile:
    return FaxFile(
        id=wire.id,
        name=wire.name,
        uploaded_name=wire.uploaded_name,
        mimetype=wire.mimetype,
        size=wire.size,
    )


def fax_statistics_from_wire(wire: WireFaxStatistics) -> FaxStatistics:
    return FaxStatistics(inbound=wire.inbound, inbound_hidden=wire.inbound_hidden, outbound=wire.outbound)
