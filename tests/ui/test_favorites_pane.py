"""The Favorites pane over a real cache: tiles, reorder by drop, availability order, actions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.presence import PresenceState
from app.services.event_bus import EventBus
from app.services.favorites import Favorites
from app.store import contacts as contact_rows
from app.store.database import Store
from app.store.favorites import FavoritesOrder
from ui.favorites_pane import FavoritesPane

NAMES = ("Ann Lee", "Ben Ode", "Cy Park")


@pytest.fixture
async def favorites(tmp_path: Path) -> AsyncIterator[Favorites]:
    store = Store(tmp_path / "cache.sqlite3")
    people = [
        Contact(
            "ringplan",
            f"u{i}",
            *name.split(),
            phones=(
                PhoneNumber(PhoneKind.MOBILE, f"+1619555010{i}"),
                PhoneNumber(PhoneKind.EXTENSION, f"100{i}"),
            ),
        )
        for i, name in enumerate(NAMES)
    ]
    generation = await store.call(contact_rows.begin_sync, "ringplan")
    await store.call(contact_rows.upsert_contacts, people, generation)
    await store.call(contact_rows.finish_sync, "ringplan", generation)
    favorites = Favorites(store, EventBus())
    for person in people:
        await favorites.set_starred(person, True)
    yield favorites
    store.close()


async def wait_until(condition: Callable[[], bool]) -> None:
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never became true")


def names(pane: FavoritesPane) -> list[str]:
    return [pane.model.index(row).data() for row in range(pane.model.rowCount())]


async def test_tiles_reorder_by_drop_and_by_availability(qtbot: QtBot, favorites: Favorites) -> None:
    pane = FavoritesPane(favorites)
    qtbot.addWidget(pane)
    QAbstractItemModelTester(pane.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    pane.resize(800, 500)
    pane.show()
    await pane.reload()
    assert names(pane) == list(NAMES)
    assert pane.stack.currentWidget() is pane.grid

    # Drop Ann onto Cy's tile: she moves to the end, and it is saved.
    data = pane.model.mimeData([pane.model.index(0)])
    accepted = pane.model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, pane.model.index(2))
    assert accepted is False  # the model never removes the dragged row itself
    await wait_until(lambda: names(pane) == ["Ben Ode", "Cy Park", "Ann Lee"])
    assert [s.contact.display_name for s in await favorites.list()] == names(pane)

    # By availability: Cy (available) first; reordering is off in that order.
    store_presence = favorites._store  # the same cache the app writes presence into
    await store_presence.call(contact_rows.set_presence, "u2", PresenceState.AVAILABLE, "")
    await store_presence.call(contact_rows.set_presence, "u0", PresenceState.OFFLINE, "")
    pane.order.setCurrentIndex(pane.order.findData(FavoritesOrder.AVAILABILITY))
    await pane.reload()
    assert names(pane) == ["Cy Park", "Ann Lee", "Ben Ode"]  # available, offline, unknown
    assert not pane.model.flags(pane.model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled


async def test_one_click_call_and_text_and_the_empty_state(qtbot: QtBot, favorites: Favorites) -> None:
    pane = FavoritesPane(favorites)
    qtbot.addWidget(pane)
    pane.resize(800, 500)
    pane.show()
    await pane.reload()
    calls: list[str] = []
    texts: list[str] = []
    pane.call_requested.connect(lambda s: calls.append(s.contact.display_name))
    pane.text_requested.connect(lambda s: texts.append(s.contact.display_name))
    rect = pane.grid.visualRect(pane.model.index(1))
    from ui.favorites_delegate import button_rects

    call, text = button_rects(rect.adjusted(6, 6, -6, -6))
    qtbot.mouseClick(pane.grid.viewport(), Qt.MouseButton.LeftButton, pos=call.center())
    qtbot.mouseClick(pane.grid.viewport(), Qt.MouseButton.LeftButton, pos=text.center())
    assert calls == ["Ben Ode"] and texts == ["Ben Ode"]

    for stored in await favorites.list():
        await favorites.set_starred(stored.contact, False)
    await pane.reload()
    assert pane.stack.currentWidget() is pane.empty
    assert pane.model.rowCount(QModelIndex()) == 0
