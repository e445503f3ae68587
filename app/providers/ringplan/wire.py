"""RingPlan payloads as the API document describes them, and their mapping to domain models.

Every model ignores fields it does not know and tolerates missing optional ones. Only
what an object cannot exist without (its id, a message's conversation and time, ...) is
required; a payload without it fails validation and is dropped by the caller.

REST items are read leniently (an odd optional field becomes empty rather than losing
the whole contact); live-stream payloads are read strictly, so junk never becomes an
event.
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from app.domain.company import Company
from app.domain.contacts import LOCATION_SOURCE, TEXTING_SOURCE, Contact, PhoneKind, PhoneNumber
from app.domain.phone import format_for_display, to_e164
from app.domain.presence import Presence, PresenceState
from app.domain.texting import (
    Attachment,
    Conversation,
    Direction,
    Message,
    TextingContact,
    TextingNumber,
)

SOURCE = "ringplan"

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------------------------------
# Field types


def _number_to_str(value: object) -> object:
    """Ids and numbers sometimes arrive as JSON integers (``"number": 1001``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _stripped(value: object) -> object:
    """Ids: integers become strings, surrounding whitespace goes."""
    value = _number_to_str(value)
    return value.strip() if isinstance(value, str) else value


def _none_to_empty(value: object) -> object:
    if value is None:
        return ""
    return _number_to_str(value)


def _lenient(default: Any) -> Callable[[Any, ValidatorFunctionWrapHandler], Any]:
    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            return default

    return validate


Id = Annotated[
    str,
    BeforeValidator(_stripped),
    StringConstraints(min_length=1, max_length=128),
]
"""An object id: a non-empty string (integers are accepted and turned into strings)."""

Text = Annotated[str, BeforeValidator(_none_to_empty)]
"""An optional string: null becomes "", a number becomes its digits, anything else fails."""

LenientText = Annotated[str, BeforeValidator(_none_to_empty), WrapValidator(_lenient(""))]
"""Like :data:`Text`, but a value of the wrong type becomes "" instead of failing."""

StatusText = Annotated[
    str,
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    StringConstraints(min_length=1, max_length=64),
]


def parse_datetime(value: object) -> datetime:
    """An aware datetime from the document's date strings.

    Accepts ``"2021-10-01T17:14:55.613000+0300"``, ``"...Z"``, naive ISO strings (taken
    as UTC), datetimes and Unix timestamps (seconds, or milliseconds when large).
    Raises ValueError for anything else.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if math.isnan(seconds) or math.isinf(seconds):
            raise ValueError("timestamp is not a number")
        if abs(seconds) > 1e11:  # milliseconds
            seconds /= 1000.0
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError("timestamp out of range") from exc
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            raise ValueError("not a date")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError("not an ISO 8601 date") from exc
    else:
        raise ValueError("not a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _optional_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


RequiredDate = Annotated[datetime, BeforeValidator(parse_datetime)]
OptionalDate = Annotated[datetime | None, BeforeValidator(_optional_datetime)]


def _direction(value: object) -> object:
    if value is None or value == "":
        return Direction.INBOUND
    if isinstance(value, str):
        return value.strip().lower()
    return value


WireDirection = Annotated[Direction, BeforeValidator(_direction)]


def _string_list(value: object) -> list[str]:
    """A list of strings, keeping only the string items of whatever was sent."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _ids_list(value: object) -> object:
    # A lone id where a list is expected is read as a one-item list.
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [value]
    return value


class WireModel(BaseModel):
    """Base of all payload models: unknown fields ignored, values not mutated."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# ---------------------------------------------------------------------------------------
# REST objects


class WireCompany(WireModel):
    id: Id
    name: LenientText = ""
    email: LenientText = ""
    phone: LenientText = ""


class WireStreet(WireModel):
    name: LenientText = ""
    number: LenientText = ""
    type: LenientText = ""


class WireAddress(WireModel):
    street: Annotated[WireStreet | None, WrapValidator(_lenient(None))] = None
    number: LenientText = ""
    address2: LenientText = ""
    city: LenientText = ""
    state: LenientText = ""
    zip: LenientText = ""
    country: LenientText = ""

    def one_line(self) -> str:
        street = ""
        if self.street is not None:
            s = self.street
            street = " ".join(p for p in (s.number, s.name, s.type) if p)
        if self.number and self.number not in street:
            street = f"{self.number} {street}".strip()
        state_zip = " ".join(p for p in (self.state, self.zip) if p)
        parts = (street, self.address2, self.city, state_zip, self.country)
        return ", ".join(p for p in parts if p)


class WireLocation(WireAddress):
    """A company ``location`` (an office): its numbers, e-mail and address."""

    id: Id
    name: LenientText = ""
    phone: LenientText = ""
    fax: LenientText = ""
    callerid: LenientText = ""
    email: LenientText = ""


class WirePhones(WireModel):
    work: LenientText = ""
    mobile: LenientText = ""
    home: LenientText = ""
    other: LenientText = ""


class WireContactDetails(WireModel):
    """The ``contacts`` object of a company user: email, fax and phones."""

    email: LenientText = ""
    fax: LenientText = ""
    phones: Annotated[WirePhones | None, WrapValidator(_lenient(None))] = None


class WireExtensionRef(WireModel):
    """The ``extension`` object embedded in a company user."""

    id: LenientText = ""
    number: LenientText = ""
    name: LenientText = ""
    description: LenientText = ""


class WireContact(WireModel):
    """A company user (``contact`` object)."""

    id: Id
    first_name: LenientText = ""
    last_name: LenientText = ""
    title: LenientText = ""
    description: LenientText = ""
    company_id: LenientText = ""
    timezone: LenientText = ""
    contacts: Annotated[WireContactDetails | None, WrapValidator(_lenient(None))] = None
    extension: Annotated[WireExtensionRef | None, WrapValidator(_lenient(None))] = None
    address: Annotated[WireAddress | str | None, WrapValidator(_lenient(None))] = None
    activated: Annotated[bool | None, WrapValidator(_lenient(None))] = None
    updated: OptionalDate = None


class WirePreview(WireModel):
    """A File's ``preview``: the whole preview image in base64."""

    base64: LenientText = ""
    filename: LenientText = ""
    mimetype: LenientText = ""


class WireFile(WireModel):
    id: Id
    name: LenientText = ""
    uploaded_name: LenientText = ""
    mimetype: LenientText = ""
    size: Annotated[int, WrapValidator(_lenient(0))] = 0
    preview: Annotated[WirePreview | None, WrapValidator(_lenient(None))] = None


def _files(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Attachments are read one by one: a broken file entry is dropped, not the message."""
    if value is None:
        return []
    if not isinstance(value, list):
        return handler(value)  # fails: not a list
    good = []
    for item in value:
        try:
            good.append(WireFile.model_validate(item))
        except ValidationError:
            continue
    return handler(good)


class WireMessage(WireModel):
    """A texting ``message`` object (REST item and ``texting.message.new`` payload)."""

    id: Id
    conversation_id: Id
    created_at: RequiredDate
    direction: WireDirection = Direction.INBOUND
    frm: Text = ""
    to: Text = ""
    text: Text = ""
    is_read: bool | None = None
    stamp_id: Text = ""
    files: Annotated[list[WireFile], WrapValidator(_files)] = Field(default_factory=list)


class WireTextingContact(WireModel):
    id: Id
    number: Text = ""
    first_name: LenientText = ""
    last_name: LenientText = ""
    company_id: LenientText = ""


class WireConversation(WireModel):
    """A texting ``conversation`` object (REST item and ``texting.chat.new`` payload)."""

    id: Id
    from_number: Text = ""
    contact_id: LenientText = ""
    contactinfo: Annotated[WireTextingContact | None, WrapValidator(_lenient(None))] = None
    countunreadmessages: Annotated[int | None, WrapValidator(_lenient(None))] = None
    unread_msg_count: Annotated[int | None, WrapValidator(_lenient(None))] = None
    last_message_created_at: OptionalDate = None
    lastmessage: Annotated[WireMessage | None, WrapValidator(_lenient(None))] = None
    updated_at: OptionalDate = None

    @model_validator(mode="before")
    @classmethod
    def _last_message_belongs_here(cls, data: Any) -> Any:
        # The embedded last message may omit its conversation id; it is this one.
        if isinstance(data, dict):
            last = data.get("lastmessage")
            if isinstance(last, dict) and "conversation_id" not in last and "id" in data:
                data = {**data, "lastmessage": {**last, "conversation_id": data["id"]}}
        return data


class WireTextingNumber(WireModel):
    id: LenientText = ""
    number: Annotated[
        str,
        BeforeValidator(_stripped),
        StringConstraints(min_length=1, max_length=64),
    ]
    ownership: Annotated[list[str], BeforeValidator(_string_list)] = Field(default_factory=list)


class WireInstance(WireModel):
    """A PBX ``instance`` of the company; it is referred to by its ``uuid``."""

    uuid: Id
    company_name: LenientText = ""
    fqdn: LenientText = ""
    hostname: LenientText = ""


# Extensions come by the hundred thousand and carry their user's whole contact object: their
# models read only what presence needs, each field with one cheap validator.


def _text_or_empty(value: object) -> str:
    """A string as is, an integer as its digits, anything else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _object_or_none(value: object) -> object:
    return value if isinstance(value, dict) else None


LooseText = Annotated[str, BeforeValidator(_text_or_empty)]


class WireSubscriber(WireModel):
    """The ``subscriber`` object of an extension: its device registration and call state.

    ``status`` is not in the document; some servers (the embedded demo among them) send
    the user's presence status string there, and it wins when present.
    """

    state: LooseText = ""
    call_status: LooseText = ""
    status: LooseText = ""


class WireExtensionData(WireModel):
    """The few ``data`` fields of an extension that RingDesk reads."""

    id: LooseText = ""
    extension: LooseText = ""
    name: LooseText = ""


class WireExtensionUser(WireModel):
    """The ``user`` an extension is assigned to (a company user's Contact object): only its
    id is read; the contact itself comes from the company contacts."""

    id: LooseText = ""


class WireExtension(WireModel):
    """An ``extension`` object of ``/instances/{uuid}/bulks/extensions``; every field is
    optional and a field of the wrong type reads as empty."""

    id: LooseText = Field(default="", alias="_id")
    data: Annotated[WireExtensionData | None, BeforeValidator(_object_or_none)] = None
    subscriber: Annotated[WireSubscriber | None, BeforeValidator(_object_or_none)] = None
    user: Annotated[WireExtensionUser | None, BeforeValidator(_object_or_none)] = None


# ---------------------------------------------------------------------------------------
# Socket.IO payloads (server -> client)


class WireMessageDeleted(WireModel):
    """``texting.message.delete``."""

    id: Id
    conversation_id: Id


class WireMessagesRead(WireModel):
    """``texting.message.markAsRead`` (server event)."""

    conversation_id: Id
    messagesIds: Annotated[list[Id], BeforeValidator(_ids_list)]  # the wire name
    timezone: LenientText = ""


class WireChatDeleted(WireModel):
    """``texting.chat.delete``."""

    id: Id


class WireStatus(WireModel):
    status: StatusText
    action_type: LenientText = ""


def _status_object(value: object) -> object:
    # Tolerate a bare status string where the document has {"status": ...}.
    if isinstance(value, str):
        return {"status": value}
    return value


class WireUserStatus(WireModel):
    """``user_status_updated``."""

    user_id: Id
    status: Annotated[WireStatus, BeforeValidator(_status_object)]
    user_email: LenientText = ""
    company_id: LenientText = ""
    id: LenientText = ""
    created_at: OptionalDate = None
    updated_at: OptionalDate = None
    deleted_at: OptionalDate = None


# ---------------------------------------------------------------------------------------
# Validation helpers


def validate(model: type[M], data: object) -> M:
    """``model.model_validate(data)``; raises pydantic's ValidationError."""
    return model.model_validate(data)


def summarize_validation_error(exc: ValidationError, limit: int = 200) -> str:
    """One short line naming the failed fields, without echoing the payload."""
    parts = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        where = ".".join(str(p) for p in error.get("loc", ())) or "payload"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    text = f"{exc.error_count()} error(s): " + "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_payload(data: object, limit: int = 200) -> str:
    """A short, single-line sketch of a payload for a log line (never a full dump)."""
    if isinstance(data, dict):
        keys = ", ".join(_clip_one(repr(k), 30) for k in list(data)[:8])
        more = ", …" if len(data) > 8 else ""
        text = f"object with {len(data)} field(s): {keys}{more}"
    elif isinstance(data, list | tuple):
        text = f"array of {len(data)} item(s)"
    elif isinstance(data, str):
        text = repr(data[:80]) + (f" ({len(data)} chars)" if len(data) > 80 else "")
    elif isinstance(data, bytes):
        text = f"{len(data)} bytes"
    elif data is None or isinstance(data, bool | int | float):
        text = repr(data)
    else:
        text = f"<{type(data).__name__}>"
    return _clip_one(text, limit)


def _clip_one(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------
# Mapping to domain models

_STATUS_ALIASES: dict[str, PresenceState] = {
    "available": PresenceState.AVAILABLE,
    "online": PresenceState.AVAILABLE,
    "busy": PresenceState.BUSY,
    "oncall": PresenceState.ON_CALL,
    "onhold": PresenceState.ON_CALL,
    "away": PresenceState.AWAY,
    "dnd": PresenceState.DO_NOT_DISTURB,
    "donotdisturb": PresenceState.DO_NOT_DISTURB,
    "offline": PresenceState.OFFLINE,
}


def presence_state_from_wire(status: str) -> PresenceState:
    """RingPlan status strings ("available", "on_call", "dnd", ...) to a PresenceState."""
    key = "".join(ch for ch in status.casefold() if ch.isalnum())
    return _STATUS_ALIASES.get(key, PresenceState.UNKNOWN)


def company_from_wire(wire: WireCompany) -> Company:
    return Company(id=wire.id, name=wire.name, email=wire.email, phone=wire.phone)


def _phone(kind: PhoneKind, raw: str) -> PhoneNumber | None:
    e164 = to_e164(raw) if raw else None
    if e164 is None:
        return None
    return PhoneNumber(kind, e164, format_for_display(e164))


def location_contact_from_wire(wire: WireLocation, company_name: str = "") -> Contact:
    """A location as a contact of the book (its main and fax numbers: call or fax the office)."""
    phones = [
        number
        for number in (_phone(PhoneKind.WORK, wire.phone), _phone(PhoneKind.FAX, wire.fax))
        if number is not None
    ]
    if not phones:
        caller_id = _phone(PhoneKind.WORK, wire.callerid)
        phones = [caller_id] if caller_id is not None else []
    return Contact(
        source=LOCATION_SOURCE,
        source_id=wire.id,
        first_name=wire.name.strip() or wire.city.strip() or "Location",
        company=company_name,
        title="Office",
        emails=(wire.email.strip(),) if wire.email.strip() else (),
        phones=tuple(phones),
        address=wire.one_line(),
    )


def texting_contact_as_contact(contact: TextingContact) -> Contact | None:
    """Someone the company texts with, as a contact of the book (None without a usable number)."""
    e164 = to_e164(contact.number) if contact.number else None
    if e164 is None:
        return None
    return Contact(
        source=TEXTING_SOURCE,
        source_id=contact.id,
        first_name=contact.first_name.strip(),
        last_name=contact.last_name.strip(),
        phones=(PhoneNumber(PhoneKind.MOBILE, e164, format_for_display(e164)),),
    )


def contact_from_wire(wire: WireContact, company_name: str = "") -> Contact:
    """A company user as a domain Contact; numbers that do not parse are dropped."""
    details = wire.contacts
    phones: list[PhoneNumber] = []
    emails: tuple[str, ...] = ()
    if details is not None:
        if details.email.strip():
            emails = (details.email.strip(),)
        if details.phones is not None:
            p = details.phones
            for kind, raw in (
                (PhoneKind.WORK, p.work),
                (PhoneKind.MOBILE, p.mobile),
                (PhoneKind.HOME, p.home),
                (PhoneKind.OTHER, p.other),
            ):
                number = _phone(kind, raw)
                if number is not None:
                    phones.append(number)
        fax = _phone(PhoneKind.FAX, details.fax)
        if fax is not None:
            phones.append(fax)
    extension = ""
    if wire.extension is not None:
        extension = wire.extension.number.strip()
        if extension:
            phones.append(PhoneNumber(PhoneKind.EXTENSION, extension))
    if isinstance(wire.address, WireAddress):
        address = wire.address.one_line()
    else:
        address = (wire.address or "").strip()
    return Contact(
        source=SOURCE,
        source_id=wire.id,
        first_name=wire.first_name.strip(),
        last_name=wire.last_name.strip(),
        company=company_name,
        # RingPlan's ``title`` is an honorific ("Ms"), not a job title: not shown as one.
        title="",
        emails=emails,
        phones=tuple(phones),
        extension=extension,
        address=address,
        notes=wire.description.strip(),
        updated_at=wire.updated.isoformat() if wire.updated is not None else "",
    )


# A preview bigger than this (decoded) is dropped: it is a thumbnail, not the file.
MAX_PREVIEW_BYTES = 4 * 1024 * 1024


def preview_from_wire(preview: WirePreview | None) -> tuple[bytes, str]:
    """(image bytes, MIME type) of a File's preview; (b"", "") when absent, not base64 or
    too big."""
    if preview is None or not preview.base64:
        return b"", ""
    text = preview.base64.strip()
    if len(text) > MAX_PREVIEW_BYTES * 4 // 3 + 4:
        return b"", ""
    try:
        data = binascii.a2b_base64(text.encode("ascii"), strict_mode=False)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return b"", ""
    return data, preview.mimetype or "image/jpeg"


def attachment_from_wire(wire: WireFile) -> Attachment:
    preview, preview_mimetype = preview_from_wire(wire.preview)
    return Attachment(
        id=wire.id,
        name=wire.name or wire.uploaded_name,
        mimetype=wire.mimetype,
        size=max(wire.size, 0),
        preview=preview,
        preview_mimetype=preview_mimetype,
    )


def message_from_wire(wire: WireMessage) -> Message:
    return Message(
        id=wire.id,
        conversation_id=wire.conversation_id,
        direction=wire.direction,
        from_number=wire.frm,
        to_number=wire.to,
        text=wire.text,
        created_at=wire.created_at,
        is_read=bool(wire.is_read),
        stamp_id=wire.stamp_id,
        attachments=tuple(attachment_from_wire(f) for f in wire.files),
    )


def texting_contact_from_wire(wire: WireTextingContact) -> TextingContact:
    return TextingContact(
        id=wire.id, number=wire.number, first_name=wire.first_name, last_name=wire.last_name
    )


def conversation_from_wire(wire: WireConversation) -> Conversation:
    contact: TextingContact | None = None
    if wire.contactinfo is not None:
        contact = texting_contact_from_wire(wire.contactinfo)
    elif wire.contact_id:
        contact = TextingContact(id=wire.contact_id, number="")
    unread = wire.countunreadmessages
    if unread is None:
        unread = wire.unread_msg_count
    last_message = message_from_wire(wire.lastmessage) if wire.lastmessage is not None else None
    last_at = wire.last_message_created_at
    if last_at is None and last_message is not None:
        last_at = last_message.created_at
    return Conversation(
        id=wire.id,
        from_number=wire.from_number,
        contact=contact,
        unread_count=max(unread or 0, 0),
        last_message_at=last_at,
        last_message=last_message,
    )


def texting_number_from_wire(wire: WireTextingNumber) -> TextingNumber:
    return TextingNumber(id=wire.id, number=wire.number, ownership=tuple(wire.ownership))


def presence_from_wire(wire: WireUserStatus) -> Presence:
    changed = wire.updated_at or wire.created_at
    return Presence(
        user_id=wire.user_id,
        state=presence_state_from_wire(wire.status.status),
        email=wire.user_email,
        raw_status=wire.status.status,
        changed_at=changed.isoformat() if changed is not None else "",
    )


# ---------------------------------------------------------------------------------------
# Instances and extensions

# How the app sees what the client lists here. Plain slotted dataclasses like the domain
# models; they live with the provider because only RingPlan has PBX instances so far.


@dataclass(frozen=True, slots=True)
class PbxInstance:
    """A PBX instance of the company (``uuid`` names it in every instance URL)."""

    uuid: str
    name: str = ""
    fqdn: str = ""


@dataclass(frozen=True, slots=True)
class Extension:
    """An extension on a PBX instance and, when it is assigned to a user, that user's
    presence as the extension shows it (``presence.user_id`` is the user's contact id)."""

    id: str
    number: str = ""
    name: str = ""
    user_id: str = ""
    presence: Presence | None = None


def _status_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# ``subscriber.call_status``: what the extension is doing with a call. Asterisk device
# states ("INUSE", "RINGINUSE", "ONHOLD") and the document's "on_hold" alike.
_CALL_STATUS: dict[str, PresenceState] = {
    **dict.fromkeys(
        (
            "oncall",
            "incall",
            "inuse",
            "onhold",
            "hold",
            "held",
            "ringing",
            "ring",
            "ringinuse",
            "dialing",
            "dialling",
            "calling",
            "talking",
            "active",
            "up",
            "connected",
        ),
        PresenceState.ON_CALL,
    ),
    "busy": PresenceState.BUSY,
}

# ``subscriber.state``: the device's registration (SIP/PJSIP contact and device states).
_SUBSCRIBER_STATE: dict[str, PresenceState] = {
    **dict.fromkeys(
        (
            "unauthenticated",
            "unregistered",
            "unavailable",
            "unreachable",
            "invalid",
            "offline",
            "removed",
            "expired",
            "rejected",
            "failed",
        ),
        PresenceState.OFFLINE,
    ),
    **dict.fromkeys(
        (
            "registered",
            "authenticated",
            "available",
            "reachable",
            "online",
            "ok",
            "notinuse",
            "idle",
        ),
        PresenceState.AVAILABLE,
    ),
    **dict.fromkeys(("busy", "inuse"), PresenceState.BUSY),
    **dict.fromkeys(("dnd", "donotdisturb"), PresenceState.DO_NOT_DISTURB),
    "away": PresenceState.AWAY,
    **dict.fromkeys(("ringing", "ringinuse", "onhold", "oncall", "incall"), PresenceState.ON_CALL),
}


def presence_from_extension(ext: WireExtension) -> Presence | None:
    """The presence of the user an extension is assigned to, or None when it has no user.

    ``subscriber.status`` (a presence string, where the server sends one) wins; otherwise a
    call in progress (``call_status``: in_call, on_hold, ringing, ...) means on a call, and
    else the registration ``state`` decides (UNAUTHENTICATED/unregistered -> offline,
    registered/available -> available). Nothing recognisable gives UNKNOWN.
    """
    user = ext.user
    if user is None or not user.id.strip():
        return None
    state = PresenceState.UNKNOWN
    raw = ""
    sub = ext.subscriber
    if sub is not None:
        if sub.status.strip():
            state = presence_state_from_wire(sub.status)
            raw = sub.status.strip()
        if state is PresenceState.UNKNOWN and sub.call_status.strip():
            state = _CALL_STATUS.get(_status_key(sub.call_status), PresenceState.UNKNOWN)
            raw = sub.call_status.strip()
        if state is PresenceState.UNKNOWN and sub.state.strip():
            state = _SUBSCRIBER_STATE.get(_status_key(sub.state), PresenceState.UNKNOWN)
            raw = sub.state.strip()
    return Presence(user_id=user.id.strip(), state=state, raw_status=raw)


def instance_from_wire(wire: WireInstance) -> PbxInstance:
    return PbxInstance(uuid=wire.uuid, name=wire.company_name or wire.hostname, fqdn=wire.fqdn)


def extension_from_wire(wire: WireExtension) -> Extension:
    data = wire.data
    number = ""
    name = ""
    if data is not None:
        number = (data.extension or data.id).strip()
        name = data.name.strip()
    presence = presence_from_extension(wire)
    return Extension(
        id=wire.id.strip(),
        number=number,
        name=name,
        user_id=presence.user_id if presence is not None else "",
        presence=presence,
    )
