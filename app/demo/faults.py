"""Test fault injection: the next N HTTP requests under a path prefix get given statuses.

A status of 0 means "hang for ``delay`` seconds, then answer normally" (a timeout for a
client with a shorter timeout). Error statuses answer with the documented error body,
after ``delay`` seconds if one is given, with ``Retry-After`` when ``retry_after`` is set.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

from app.demo.errors import error_response


@dataclass(slots=True)
class FaultRule:
    path_prefix: str
    statuses: deque[int]
    retry_after: float | None = None
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Fault:
    status: int
    retry_after: float | None
    delay: float


@dataclass(slots=True)
class FaultInjector:
    """Thread-safe queue of faults; survives server restarts."""

    _rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        path_prefix: str,
        statuses: list[int],
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> None:
        for status in statuses:
            if status != 0 and not 100 <= status <= 599:
                raise ValueError(f"not an HTTP status: {status}")
        with self._lock:
            self._rules.append(FaultRule(path_prefix, deque(statuses), retry_after, delay))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

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
