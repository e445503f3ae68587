from __future__ import annotations

import pytest

from app.domain.events import ContactsChanged, ErrorRaised
from app.services.event_bus import EventBus


def test_events_reach_only_their_subscribers_and_unsubscribe_works() -> None:
    bus = EventBus()
    seen: list[object] = []
    everything: list[object] = []
    unsubscribe = bus.subscribe(ContactsChanged, seen.append)
    bus.subscribe_all(everything.append)
    bus.publish(ContactsChanged(3))
    bus.publish(ErrorRaised("x"))
    unsubscribe()
    bus.publish(ContactsChanged(4))
    assert seen == [ContactsChanged(3)]
    assert everything == [ContactsChanged(3), ErrorRaised("x"), ContactsChanged(4)]


def test_a_failing_handler_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[object] = []

    def broken(_event: object) -> None:
        raise ValueError("boom")

    bus.subscribe(ContactsChanged, broken)
    bus.subscribe(ContactsChanged, seen.append)
    bus.publish(ContactsChanged(1))
    assert seen == [ContactsChanged(1)]
    assert "boom" in caplog.text
