"""Dates as the RingPlan API writes them: ISO-8601 with milliseconds and an offset,
e.g. ``"2021-10-01T17:14:55.613000+00:00"``."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return moment.isoformat(timespec="microseconds")


def utc_now() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return iso(utc_now())
