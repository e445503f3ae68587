"""Test fault injection: the next N HTTP requests under a path prefix get given statuses,
or (random faults) a share of the requests whose path matches a pattern fail.

A status of 0 (:data:`HANG`) means "hang for ``delay`` seconds, then answer normally" (a
timeout for a client with a shorter timeout; a client that gave up has closed the
connection, so the request is not processed). :data:`LATE_ANSWER` (-1) processes the
request at once and holds the answer back ``delay`` seconds: the server did the work, the
client timed out and never hears of it. Error statuses answer with the documented error
body, after ``delay`` seconds if one is given, with ``Retry-After`` when ``retry_after`` is
set.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections import deque
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.demo.errors import error_response

HANG = 0
LATE_ANSWER = -1


def _check_status(status: int) -> None:
    if status not in (HANG, LATE_ANSWER) and not 100 <= status <= 599:
        raise ValueError(f"not an HTTP status: {status}")


@dataclass(slots=True)
class FaultRule:
    path_prefix: str
    statuses: deque[int]
    retry_after: float | None = None
    delay: float = 0.0


@dataclass(slots=True)
class RandomFaultRule:
    """Each request whose path matches ``pattern`` fails with probability ``rate``, with one
    of ``statuses`` (0 = hang ``delay`` seconds, then answer normally)."""

    pattern: re.Pattern[str]
    rate: float
    statuses: tuple[int, ...]
    delay: float
    rng: random.Random
    hits: int = 0


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    retry_after: float | None
    delay: float


@dataclass(slots=True)
class FaultInjector:
    """Thread-safe queue of faults; survives server restarts."""

    _rules: list[FaultRule] = field(default_factory=list)
    _random: list[RandomFaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        path_prefix: str,
        statuses: list[int],
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> None:
        for status in statuses:
            _check_status(status)
        with self._lock:
            self._rules.append(FaultRule(path_prefix, deque(statuses), retry_after, delay))

    def add_random(
        self,
        path_pattern: str,
        rate: float,
        statuses: tuple[int, ...],
        delay: float = 0.0,
        seed: int | None = None,
    ) -> None:
        """Fail a ``rate`` share of the requests whose path matches ``path_pattern`` (a
        regular expression, searched) until :meth:`clear`."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if not statuses:
            raise ValueError("give at least one status")
        for status in statuses:
            _check_status(status)
        rule = RandomFaultRule(re.compile(path_pattern), rate, tuple(statuses), delay, random.Random(seed))
        with self._lock:
            self._random.append(rule)

    def random_hits(self) -> int:
        """How many requests the random rules failed so far."""
        with self._lock:
            return sum(rule.hits for rule in self._random)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._random.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(len(rule.statuses) for rule in self._rules)

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.statuses and path.startswith(rule.path_prefix):
                    status = rule.statuses.popleft()
                    if not rule.statuses:
                        self._rules.remove(rule)
                    return Fault(status, rule.retry_after, rule.delay)
            for chance in self._random:
                if chance.pattern.search(path) and chance.rng.random() < chance.rate:
                    chance.hits += 1
                    status = chance.rng.choice(chance.statuses)
                    return Fault(status, None, chance.delay if status in (HANG, LATE_ANSWER) else 0.0)
        return None


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class FaultMiddleware:
    """ASGI middleware in front of the REST app (not the Socket.IO endpoint)."""

    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            fault = self.injector.take(scope["path"])
            if fault is not None and fault.status == LATE_ANSWER:
                await self._answer_late(scope, receive, send, fault.delay)
                return
            if fault is not None:
                if fault.delay > 0:
                    await asyncio.sleep(fault.delay)
                if fault.status != 0:
                    headers = None
                    if fault.retry_after is not None:
                        headers = {"Retry-After": _seconds(fault.retry_after)}
                    response = error_response(fault.status, headers=headers)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer_late(self, scope: Scope, receive: Receive, send: Send, delay: float) -> None:
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        await asyncio.sleep(delay)
        try:
            for message in held:
                await send(message)
        except OSError:  # the client is gone: that is the point
            pass
