"""Phone number parsing and formatting (libphonenumber), E.164 everywhere inside."""

from __future__ import annotations

import phonenumbers

from app.domain.region import DEFAULT_REGION


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Parse a number as a user or server wrote it; None when it is not a plausible number."""
    text = raw.strip()
    if not text:
        return None
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


def format_for_display(e164: str, region: str = DEFAULT_REGION) -> str:
    """National format for numbers of the user's region, international otherwise."""
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
