"""Helpers shared by the integration tests: an event recorder and the demo's credentials."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from app.domain.account import Credentials
from app.services.event_bus import EventBus

if TYPE_CHECKING:
    from app.demo.server import DemoServer


class Recorder:
    """Keeps every event published on a bus; waits for one that matches."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Any] = []
        bus.subscribe_all(self.events.append)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, predicate: Callable[[Any], bool], within: float = 10) -> Any:
        deadline = asyncio.get_running_loop().time() + within
        seen = 0
        while asyncio.get_running_loop().time() < deadline:
            for event in self.events[seen:]:
                if predicate(event):
                    return event
            seen = len(self.events)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no matching event; got {self.events[-10:]}")


def credentials_of(server: DemoServer) -> Credentials:
    c = server.credentials
    return Credentials(c.api_key, c.user_id, c.user_email)


def served(server: DemoServer, link: str) -> bytes:
    """The recording at ``link`` as the server sends it (fetched apart from the client)."""
    c = server.credentials
    with httpx.Client(headers={"Authorization": f"Bearer {c.api_key}", "X-User-Id": c.user_id}) as api:
        response = api.get(link)
    assert response.status_code == 200
    return response.content
