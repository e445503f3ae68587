"""Phone number parsing and formatting (libphonenumber), E.164 everywhere inside.

A sync parses and formats hundreds of thousands of numbers, and libphonenumber takes ~100 µs
a number; so North American numbers in the usual shapes take a fast path that gives exactly
libphonenumber's answers (tests compare them): plain ten-digit numbers are E.164 by
arithmetic, and a number is displayed like the last one formatted with the same first seven
national digits (which decide its region and format pattern), with its last three digits.
"""

from __future__ import annotations

import phonenumbers

from app.domain.region import DEFAULT_REGION

_NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_PUNCTUATION = frozenset(" -().")
_AREA_CODE_FIRST = frozenset("23456789")
# (region, "+1" and the first 7 national digits) -> the display up to the last 3 digits.
_DISPLAY_PREFIXES: dict[tuple[str, str], str] = {}
_PREFIX_LENGTH = 9
_MAX_PREFIXES = 100_000


def _nanp_e164(text: str, region: str) -> str | None:
    """E.164 of a plainly written North American number; None when libphonenumber must decide."""
    plus = text.startswith("+")
    digits = []
    for ch in text[1:] if plus else text:
        if ch.isascii() and ch.isdigit():
            digits.append(ch)
        elif ch not in _PUNCTUATION:
            return None
    number = "".join(digits)
    if len(number) == 11 and number[0] == "1" and number[1] in _AREA_CODE_FIRST:
        return "+" + number
    if not plus and len(number) == 10 and number[0] in _AREA_CODE_FIRST and region in _NANP_REGIONS:
        return "+1" + number
    return None


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Parse a number as a user or server wrote it; None when it is not a plausible number."""
    text = raw.strip()
    if not text:
        return None
    fast = _nanp_e164(text, region)
    if fast is not None:
        return fast
    digits = "".join(ch for ch in text if ch.isdigit())
    # RingPlan sends US numbers as "15554441234" or "9513360234" without a plus.
    if not text.startswith("+") and len(digits) == 11 and digits.startswith("1"):
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _format_with_libphonenumber(e164: str, region: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(parsed) == region:
        fmt = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, fmt)


def to_valid_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Like :func:`to_e164`, but only for numbers that exist in the numbering plan (a number
    to dial or fax to, not just one that looks plausible)."""
    e164 = to_e164(raw, region)
    if e164 is None or not phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        return None
    return e164


def format_for_display(e164: str, region: str = DEFAULT_REGION) -> str:
    """National format for numbers of the user's region, international otherwise."""
    nanp = len(e164) == 12 and e164.startswith("+1") and e164[1:].isdigit() and e164.isascii()
    if not nanp:
        return _format_with_libphonenumber(e164, region)
    key = (region, e164[:_PREFIX_LENGTH])
    head = _DISPLAY_PREFIXES.get(key)
    if head is not None:
        return head + e164[_PREFIX_LENGTH:]
    shown = _format_with_libphonenumber(e164, region)
    if shown.endswith(e164[_PREFIX_LENGTH:]) and len(_DISPLAY_PREFIXES) < _MAX_PREFIXES:
        _DISPLAY_PREFIXES[key] = shown[: len(shown) - (len(e164) - _PREFIX_LENGTH)]
    return shown
