from __future__ import annotations

import random

import phonenumbers
import pytest

from app.domain.phone import _format_with_libphonenumber, format_for_display, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15554441234", "+15554441234"),  # RingPlan's own form
        ("9513360234", "+19513360234"),
        ("(619) 555-0123", "+16195550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 (760) 450-9400", "+17604509400"),
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert to_e164(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "12", "not a number", "+1 555"])
def test_implausible_numbers_are_rejected(raw: str) -> None:
    assert to_e164(raw) is None


def test_display_uses_national_format_at_home_and_international_abroad() -> None:
    assert format_for_display("+16195550123") == "(619) 555-0123"
    assert format_for_display("+442079460958") == "+44 20 7946 0958"
    assert format_for_display("garbage") == "garbage"


def _libphonenumber_e164(raw: str, region: str) -> str | None:
    """What to_e164 answered before its fast path: libphonenumber alone."""
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and len(digits) == 11 and digits.startswith("1"):
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _shapes(digits: str) -> list[str]:
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return [
        digits,
        "1" + digits,
        f"+1{digits}",
        f"({area}) {exchange}-{line}",
        f"+1 ({area}) {exchange}-{line}",
        f"1-{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"+1 {area} {exchange} {line}",
    ]


@pytest.mark.parametrize("region", ["US", "CA", "GB"])
def test_the_fast_path_answers_exactly_like_libphonenumber(region: str) -> None:
    rng = random.Random(region)
    # Few area codes and exchanges, many lines: most numbers hit a remembered display prefix.
    prefixes = [f"{rng.randint(0, 999):03d}{rng.randint(0, 9999):04d}" for _ in range(150)]
    for n in range(800):
        digits = (
            rng.choice(prefixes) + f"{rng.randint(0, 999):03d}"
            if n % 3
            else f"{rng.randint(0, 10**10 - 1):010d}"
        )
        for raw in _shapes(digits):
            e164 = to_e164(raw, region)
            assert e164 == _libphonenumber_e164(raw, region), raw
            if e164 is not None:
                assert format_for_display(e164, region) == _format_with_libphonenumber(e164, region), e164
