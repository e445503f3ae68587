from __future__ import annotations

import pytest

from app.domain.phone import format_for_display, to_e164


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
