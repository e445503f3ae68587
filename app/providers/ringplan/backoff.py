"""How long to wait before trying again: capped exponential backoff with full jitter.

Pure arithmetic, no I/O and no sleeping: callers sleep for what :meth:`Backoff.delay`
returns. ``Retry-After`` header values are parsed by :func:`retry_after_from_header`.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Beyond this many attempts the exponential term is already far above any sane cap.
_MAX_EXPONENT = 64


def retry_after_from_header(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date.

    Returns None when the header is absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or math.isinf(seconds):
            return None
        return max(seconds, 0.0)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:  # older Pythons returned None for unparsable dates
        return None  # type: ignore[unreachable]
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max((when - current).total_seconds(), 0.0)


class Backoff:
    """Capped exponential backoff: attempt ``n`` (from 0) waits up to ``base * factor**n``.

    With ``jitter`` (the default) the delay is drawn uniformly from ``[0, ceiling]``
    ("full jitter"), which spreads out clients that failed at the same moment.
    """

    __slots__ = ("base", "cap", "factor", "jitter", "rng")

    def __init__(
        self,
        base: float = 0.5,
        factor: float = 2.0,
        cap: float = 30.0,
        jitter: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        if base < 0 or cap < 0:
            raise ValueError("backoff base and cap must not be negative")
        if factor < 1:
            raise ValueError("backoff factor must be at least 1")
        self.base = float(base)
        self.factor = float(factor)
        self.cap = float(cap)
        self.jitter = jitter
        self.rng = rng if rng is not None else random.Random()

    def ceiling(self, attempt: int) -> float:
        """The longest wait for ``attempt`` (0 for the first retry), never above ``cap``."""
        exponent = min(max(attempt, 0), _MAX_EXPONENT)
        return min(self.cap, self.base * self.factor**exponent)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (counted from 0)."""
        ceiling = self.ceiling(attempt)
        if not self.jitter:
            return ceiling
        return self.rng.uniform(0.0, ceiling)

    retry_after_from_header = staticmethod(retry_after_from_header)

    def __repr__(self) -> str:
        return (
            f"Backoff(base={self.base}, factor={self.factor}, cap={self.cap}, "
            f"jitter={self.jitter})"
        )
