"""``tel:``, ``sip:``/``sips:``, ``callto:`` and ``sms:`` links, as other programs hand them over.

A browser or another app starts ``ringdesk tel:+15551234567``; the running RingDesk gets
the text and asks :func:`parse_link` what it means: a number to call (:class:`CallLink`)
or a text to write (:class:`SmsLink`). Anything else raises :class:`InvalidLink` with a
sentence a user can read. The parsing is strict about what is dialled (digits, a leading
``+``, and ``*``/``#`` for calls) and lenient about how it is written (visual separators,
``//`` after the scheme, percent-encoding, ``tel:`` parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

MAX_LINK_CHARS = 2048
MAX_BODY_CHARS = 1600
MAX_DIGITS = 15  # E.164
CALL_SCHEMES = ("tel", "callto", "sip", "sips")
SMS_SCHEMES = ("sms",)
SCHEMES = CALL_SCHEMES + SMS_SCHEMES

# Characters RFC 3966 calls visual separators, plus the space people paste.
_SEPARATORS = frozenset("-.() \t")


class InvalidLink(ValueError):
    """The text is not a link RingDesk can act on; ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class CallLink:
    """Call ``number`` (E.164 with ``+``, or an extension / feature code such as ``*72``)."""

    number: str
    source: str  # the scheme it came in with, e.g. "tel"


@dataclass(frozen=True, slots=True)
class SmsLink:
    """Write a text to ``number``, with ``body`` prefilled (possibly empty)."""

    number: str
    body: str = ""


Link = CallLink | SmsLink


def looks_like_link(text: str) -> bool:
    """Whether a command-line argument is meant as one of our links (scheme check only)."""
    scheme, sep, _rest = text.strip().partition(":")
    return bool(sep) and scheme.lower() in SCHEMES


def parse_link(text: str) -> Link:
    """What ``text`` asks for. Raises :class:`InvalidLink`."""
    if not isinstance(text, str):
        raise InvalidLink("a link must be text")
    text = text.strip()
    if not text:
        raise InvalidLink("the link is empty")
    if len(text) > MAX_LINK_CHARS:
        raise InvalidLink(f"the link is longer than {MAX_LINK_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidLink("the link contains control characters")
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise InvalidLink(f"{_shorten(text)!r} is not a tel:, sip:, callto: or sms: link")
    if rest.startswith("//"):
        rest = rest[2:]
    if scheme == "sms":
        return _parse_sms(rest)
    if scheme in ("sip", "sips"):
        return CallLink(_sip_user_number(rest, scheme), scheme)
    return CallLink(_number(_strip_parameters(rest), allow_codes=True, scheme=scheme), scheme)


def _parse_sms(rest: str) -> SmsLink:
    recipients, _, query = rest.partition("?")
    recipients = _strip_parameters(recipients)
    if "," in recipients:
        raise InvalidLink("the sms: link names several recipients; RingDesk writes to one at a time")
    number = _number(recipients, allow_codes=False, scheme="sms")
    body = ""
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        if key.lower() == "body":
            # RFC 5724: the body is percent-encoded; a "+" is a plus, not a space.
            body = unquote(value, errors="replace")
    body = "".join(ch for ch in body if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    if len(body) > MAX_BODY_CHARS:
        raise InvalidLink(f"the text in the sms: link is longer than {MAX_BODY_CHARS} characters")
    return SmsLink(number, body)


def _sip_user_number(rest: str, scheme: str) -> str:
    address = rest.partition("?")[0].partition(";")[0]
    user, at, host = address.rpartition("@")
    if not at:
        user, host = address, ""
    user = unquote(user.partition(":")[0])  # drop a "user:password" password
    if not user:
        raise InvalidLink(f"the {scheme}: link names no user")
    try:
        return _number(user, allow_codes=True, scheme=scheme)
    except InvalidLink:
        where = f"@{host}" if host else ""
        raise InvalidLink(
            f"{_shorten(user + where)} is a SIP user name, not a number or extension RingDesk can dial"
        ) from None


def _strip_parameters(rest: str) -> str:
    """``+1555;phone-context=...;ext=12`` -> ``+1555``; a query string is dropped too."""
    return rest.partition("?")[0].partition(";")[0]


def _number(raw: str, *, allow_codes: bool, scheme: str) -> str:
    text = unquote(raw, errors="replace").strip()
    kept: list[str] = []
    for index, ch in enumerate(text):
        if (ch.isascii() and ch.isdigit()) or (ch == "+" and index == 0) or (ch in "*#" and allow_codes):
            kept.append(ch)
        elif ch in _SEPARATORS:
            continue
        else:
            raise InvalidLink(f"{_shorten(text)!r} in the {scheme}: link is not a phone number")
    number = "".join(kept)
    digits = sum(ch.isdigit() for ch in number)
    if digits == 0:
        raise InvalidLink(f"the {scheme}: link has no number in it")
    if digits > MAX_DIGITS:
        raise InvalidLink(f"{_shorten(text)!r} has more digits than any phone number ({MAX_DIGITS})")
    return number


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
