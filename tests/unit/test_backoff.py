"""Backoff arithmetic and Retry-After parsing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from app.providers.ringplan.backoff import Backoff, retry_after_from_header


def test_ceiling_grows_exponentially_and_is_capped() -> None:
    backoff = Backoff(base=0.5, factor=2.0, cap=30.0, jitter=False)
    assert [backoff.delay(n) for n in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_huge_and_negative_attempts_are_safe() -> None:
    backoff = Backoff(base=0.5, factor=10.0, cap=5.0, jitter=False)
    assert backoff.delay(10_000) == 5.0
    assert backoff.delay(-3) == 0.5


def test_full_jitter_stays_within_zero_and_ceiling() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=8.0, rng=random.Random(42))
    for attempt in range(10):
        ceiling = backoff.ceiling(attempt)
        samples = [backoff.delay(attempt) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        # full jitter really spreads: both halves of the range are used
        assert min(samples) < ceiling / 2 < max(samples)


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    a = Backoff(rng=random.Random(7))
    b = Backoff(rng=random.Random(7))
    assert [a.delay(n) for n in range(6)] == [b.delay(n) for n in range(6)]


def test_tiny_bases_for_tests() -> None:
    backoff = Backoff(base=0.001, cap=0.01)
    assert all(backoff.delay(n) <= 0.01 for n in range(50))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"base": -1}, "negative"), ({"cap": -1}, "negative"), ({"factor": 0.5}, "factor")],
)
def test_invalid_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Backoff(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (" 0.1 ", 0.1),
        ("-5", 0.0),
        ("", None),
        ("   ", None),
        (None, None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_from_header(value) == expected


def test_retry_after_http_date() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_from_header(later, now=now) == pytest.approx(90.0)
    assert retry_after_from_header("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 0.0


def test_retry_after_is_reachable_from_the_class() -> None:
    assert Backoff.retry_after_from_header("3") == 3.0
