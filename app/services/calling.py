"""Click-to-call: the links a call, text or e-mail action hands to whatever places it.

Until a provider's own click-to-call (RingOut and the like) is wired in, calls go to the
system's handler for ``tel:`` links (a softphone, or the desk phone's companion app).
"""

from __future__ import annotations

from urllib.parse import quote

from app.domain.contacts import Contact, PhoneKind


class NotDialable(ValueError):
    """The text is not a number we can dial."""


def _dialable(number: str) -> str:
    cleaned = "".join(ch for ch in number.strip() if ch.isdigit() or ch in "+*#")
    if not cleaned or not any(ch.isdigit() for ch in cleaned) or "+" in cleaned[1:]:
        raise NotDialable(f"{number!r} is not a phone number or extension")
    return cleaned


def tel_uri(number: str) -> str:
    """``tel:+15551234567`` for an E.164 number, ``tel:1001`` for an extension."""
    return f"tel:{_dialable(number)}"


def sms_uri(number: str, body: str = "") -> str:
    uri = f"sms:{_dialable(number)}"
    return f"{uri}?body={quote(body)}" if body else uri


def mailto_uri(address: str) -> str:
    address = address.strip()
    if "@" not in address or any(ch in address for ch in ' <>"\r\n'):
        raise ValueError(f"{address!r} is not an e-mail address")
    return f"mailto:{quote(address, safe='@.+-_')}"


def preferred_call_number(contact: Contact) -> str | None:
    """What one click on "Call" dials: a colleague's extension, else work, mobile, any."""
    return _first_of(
        contact, (PhoneKind.EXTENSION, PhoneKind.WORK, PhoneKind.MOBILE, PhoneKind.OTHER, PhoneKind.HOME)
    )


def preferred_text_number(contact: Contact) -> str | None:
    """What one click on "Text" writes to: a mobile first; never an extension or a fax."""
    return _first_of(contact, (PhoneKind.MOBILE, PhoneKind.WORK, PhoneKind.OTHER, PhoneKind.HOME))


def _first_of(contact: Contact, kinds: tuple[PhoneKind, ...]) -> str | None:
    for kind in kinds:
        for phone in contact.phones:
            if phone.kind is kind:
                return phone.number
    return None
