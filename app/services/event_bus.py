"""A small Qt-free publish/subscribe hub for domain events."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]


class EventBus:
    """Delivers each published event to the handlers subscribed to its type.

    A failing handler is logged and does not stop delivery to the others.
    """

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)
        self._any: list[Handler] = []

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        self._handlers[event_type].append(handler)
        return lambda: self._remove(self._handlers[event_type], handler)

    def subscribe_all(self, handler: Handler) -> Callable[[], None]:
        self._any.append(handler)
        return lambda: self._remove(self._any, handler)

    def publish(self, event: object) -> None:
        for handler in (*self._handlers.get(type(event), ()), *self._any):
            try:
                handler(event)
            except Exception:
                log.exception("event handler %r failed on %r", handler, type(event).__name__)

    @staticmethod
    def _remove(handlers: list[Handler], handler: Handler) -> None:
        if handler in handlers:
            handlers.remove(handler)
