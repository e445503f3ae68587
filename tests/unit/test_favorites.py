"""Favorites on a real SQLite cache: star, unstar, reorder, availability order, resyncs."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.domain.contacts import Contact
from app.domain.events import FavoritesChanged
from app.domain.presence import PresenceState
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.favorites import Favorites, FavoritesOrder
from app.store import contacts as contact_rows
from app.store import favorites as favorite_rows
from app.store.database import Store

SOURCE = "ringplan"


def person(source_id: str, first: str, last: str = "", source: str = SOURCE) -> Contact:
    return Contact(source, source_id, first, last, emails=(f"{first.lower()}@example.com",))


PEOPLE = [
    person("u1", "Alice", "Archer"),
    person("u2", "Bob", "Baker"),
    person("u3", "Carol", "Cole"),
    person("u4", "Dave", "Dunn"),
    person("u5", "Erin", "Eads"),
]


class ListSource:
    """A contact source serving a fixed list (one page)."""

    source_name = SOURCE

    def __init__(self, contacts: Sequence[Contact]) -> None:
        self.contacts = list(contacts)

    async def iter_contacts(self) -> AsyncGenerator[list[Contact]]:
        yield self.contacts


class World:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus
        self.events: list[Any] = []
        bus.subscribe_all(self.events.append)
        self.book = ContactBook(store, bus)
        self.favorites = Favorites(store, bus)

    async def sync(self, contacts: Sequence[Contact]) -> None:
        await self.book.sync(ListSource(contacts))

    async def names(self, order: FavoritesOrder = FavoritesOrder.MANUAL) -> list[str]:
        return [s.contact.first_name for s in await self.favorites.list(order)]

    async def star(self, *ids: str) -> None:
        for source_id in ids:
            assert await self.favorites.star(SOURCE, source_id)

    async def positions(self) -> list[tuple[str, int]]:
        def read(conn: sqlite3.Connection) -> list[tuple[str, int]]:
            rows = conn.execute("SELECT source_id, position FROM favorites ORDER BY position").fetchall()
            return [(str(a), int(b)) for a, b in rows]

        return await self.store.call(read)

    def changes(self) -> int:
        return sum(isinstance(e, FavoritesChanged) for e in self.events)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = Store(tmp_path / "cache.sqlite3")
    w = World(store, EventBus())
    await w.sync(PEOPLE)
    yield w
    store.close()


async def assert_dense(world: World) -> None:
    positions = [p for _, p in await world.positions()]
    assert positions == list(range(len(positions)))


# -- star and unstar ---------------------------------------------------------------------


async def test_starred_contacts_are_listed_in_the_order_they_were_starred(world: World) -> None:
    assert await world.favorites.list() == []
    await world.star("u3", "u1", "u5")
    listed = await world.favorites.list()
    assert [s.contact.first_name for s in listed] == ["Carol", "Alice", "Erin"]
    assert all(s.is_favorite for s in listed)
    assert all(s.row_id > 0 for s in listed)
    assert await world.favorites.count() == 3
    assert await world.favorites.is_starred(SOURCE, "u3")
    assert not await world.favorites.is_starred(SOURCE, "u2")
    await assert_dense(world)


async def test_each_change_publishes_favorites_changed_and_a_no_op_does_not(world: World) -> None:
    await world.star("u1")
    assert world.changes() == 1
    assert not await world.favorites.star(SOURCE, "u1")  # already starred
    assert world.changes() == 1
    assert await world.favorites.unstar(SOURCE, "u1")
    assert world.changes() == 2
    assert not await world.favorites.unstar(SOURCE, "u1")
    assert world.changes() == 2


async def test_a_contact_not_in_the_book_cannot_be_starred(world: World) -> None:
    assert not await world.favorites.star(SOURCE, "nobody")
    assert not await world.favorites.star("local", "u1")  # same id, other source
    assert await world.favorites.list() == []
    assert world.changes() == 0


async def test_unstarring_keeps_the_others_in_order_with_dense_positions(world: World) -> None:
    await world.star("u1", "u2", "u3", "u4")
    assert await world.favorites.unstar(SOURCE, "u2")
    assert await world.names() == ["Alice", "Carol", "Dave"]
    await assert_dense(world)
    await world.star("u2")  # comes back last
    assert await world.names() == ["Alice", "Carol", "Dave", "Bob"]
    await assert_dense(world)


async def test_set_starred_from_a_contact(world: World) -> None:
    carol = PEOPLE[2]
    assert await world.favorites.set_starred(carol, True)
    assert not await world.favorites.set_starred(carol, True)
    assert await world.names() == ["Carol"]
    assert await world.favorites.set_starred(carol, False)
    assert await world.names() == []


async def test_the_contact_list_shows_the_star(world: World) -> None:
    await world.star("u2")
    page = await world.store.call(contact_rows.contacts_page, 0, 10)
    assert {s.contact.source_id: s.is_favorite for s in page} == {
        "u1": False,
        "u2": True,
        "u3": False,
        "u4": False,
        "u5": False,
    }


# -- reorder ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moved", "index", "expected"),
    [
        ("u4", 0, ["Dave", "Alice", "Bob", "Carol", "Erin"]),  # to the front
        ("u1", 4, ["Bob", "Carol", "Dave", "Erin", "Alice"]),  # to the end
        ("u1", 99, ["Bob", "Carol", "Dave", "Erin", "Alice"]),  # past the end: last
        ("u5", -3, ["Erin", "Alice", "Bob", "Carol", "Dave"]),  # before the start: first
        ("u2", 3, ["Alice", "Carol", "Dave", "Bob", "Erin"]),  # down
        ("u4", 1, ["Alice", "Dave", "Bob", "Carol", "Erin"]),  # up
    ],
)
async def test_a_favorite_moves_to_its_new_index(
    world: World, moved: str, index: int, expected: list[str]
) -> None:
    await world.star("u1", "u2", "u3", "u4", "u5")
    before = world.changes()
    assert await world.favorites.move(SOURCE, moved, index)
    assert await world.names() == expected
    assert world.changes() == before + 1
    await assert_dense(world)


async def test_the_order_is_stable(world: World) -> None:
    await world.star("u1", "u2", "u3", "u4", "u5")
    await world.favorites.move(SOURCE, "u5", 1)
    await world.favorites.move(SOURCE, "u1", 3)
    expected = ["Erin", "Bob", "Carol", "Alice", "Dave"]
    assert await world.names() == expected
    # Reading, resyncing and starring/unstarring others leave the order alone.
    for _ in range(3):
        assert await world.names() == expected
    await world.sync(PEOPLE)
    assert await world.names() == expected
    await world.favorites.unstar(SOURCE, "u2")
    assert await world.names() == ["Erin", "Carol", "Alice", "Dave"]
    await assert_dense(world)


async def test_moving_to_the_same_place_is_no_change(world: World) -> None:
    await world.star("u1", "u2", "u3")
    before = world.changes()
    assert not await world.favorites.move(SOURCE, "u2", 1)
    assert world.changes() == before
    assert not await world.favorites.move(SOURCE, "u4", 0)  # not a favorite
    assert await world.names() == ["Alice", "Bob", "Carol"]


# -- availability -------------------------------------------------------------------------------


async def test_sort_by_availability_groups_states_and_breaks_ties_by_name(world: World) -> None:
    extra = [person("u6", "Fay", "Finch"), person("u7", "Gus", "Gray"), person("u8", "Hal", "Hunt")]
    await world.sync([*PEOPLE, *extra])
    # Starred in an order unrelated to names or states.
    await world.star("u8", "u5", "u3", "u1", "u7", "u2", "u6", "u4")
    states = {
        "u1": PresenceState.OFFLINE,
        "u2": PresenceState.ON_CALL,
        "u3": PresenceState.AVAILABLE,
        "u4": PresenceState.AWAY,
        "u5": PresenceState.DO_NOT_DISTURB,
        "u6": PresenceState.AVAILABLE,
        "u7": PresenceState.BUSY,
        # u8: no presence at all (unknown)
    }
    for user_id, state in states.items():
        await world.store.call(contact_rows.set_presence, user_id, state, "")
    by_availability = await world.favorites.list(FavoritesOrder.AVAILABILITY)
    assert [s.contact.first_name for s in by_availability] == [
        "Carol",  # available
        "Fay",  # available
        "Dave",  # away
        "Bob",  # on a call  \
        "Erin",  # dnd        > one group, by name
        "Gus",  # busy       /
        "Alice",  # offline
        "Hal",  # unknown
    ]
    assert [s.presence for s in by_availability][:3] == [
        PresenceState.AVAILABLE,
        PresenceState.AVAILABLE,
        PresenceState.AWAY,
    ]
    assert by_availability[-1].presence is PresenceState.UNKNOWN
    # The manual order is untouched by the sorted view.
    assert await world.names() == ["Hal", "Erin", "Carol", "Alice", "Gus", "Bob", "Fay", "Dave"]


async def test_favorites_carry_their_presence(world: World) -> None:
    await world.star("u1", "u2")
    await world.store.call(contact_rows.set_presence, "u2", PresenceState.ON_CALL, "")
    listed = await world.favorites.list()
    assert [(s.contact.first_name, s.presence) for s in listed] == [
        ("Alice", PresenceState.UNKNOWN),
        ("Bob", PresenceState.ON_CALL),
    ]


# -- resyncs -------------------------------------------------------------------------------------


async def test_favorites_survive_a_resync_and_follow_edits(world: World) -> None:
    await world.star("u2", "u1")
    renamed = [person("u1", "Alicia", "Archer"), *PEOPLE[1:]]
    await world.sync(renamed)
    assert await world.names() == ["Bob", "Alicia"]


async def test_a_gone_contact_leaves_the_list_but_keeps_its_place(world: World) -> None:
    await world.star("u1", "u2", "u3", "u4")
    without_bob = [p for p in PEOPLE if p.source_id != "u2"]
    await world.sync(without_bob)
    assert await world.names() == ["Alice", "Carol", "Dave"]
    assert await world.favorites.count() == 3
    assert await world.favorites.is_starred(SOURCE, "u2")  # still in the table
    assert [k for k, _ in await world.positions()] == ["u1", "u2", "u3", "u4"]
    # Reordering the listed ones keeps the hidden one between its neighbours.
    assert await world.favorites.move(SOURCE, "u4", 0)
    assert await world.names() == ["Dave", "Alice", "Carol"]
    assert [k for k, _ in await world.positions()] == ["u4", "u1", "u2", "u3"]
    await assert_dense(world)
    # Bob comes back in the next sync, at his place.
    await world.sync(PEOPLE)
    assert await world.names() == ["Dave", "Alice", "Bob", "Carol"]


async def test_a_gone_favorite_can_be_unstarred(world: World) -> None:
    await world.star("u1", "u2", "u3")
    await world.sync([p for p in PEOPLE if p.source_id != "u2"])
    assert await world.favorites.unstar(SOURCE, "u2")
    await world.sync(PEOPLE)
    assert await world.names() == ["Alice", "Carol"]
    await assert_dense(world)


async def test_moving_to_the_end_past_a_hidden_favorite(world: World) -> None:
    await world.star("u1", "u2", "u3")
    await world.sync([p for p in PEOPLE if p.source_id != "u3"])
    assert await world.favorites.move(SOURCE, "u1", 1)  # the last listed place
    assert await world.names() == ["Bob", "Alice"]
    assert [k for k, _ in await world.positions()] == ["u2", "u1", "u3"]


async def test_store_functions_directly(world: World) -> None:
    def run(conn: sqlite3.Connection) -> list[str]:
        assert favorite_rows.star(conn, SOURCE, "u5")
        assert favorite_rows.star(conn, SOURCE, "u4")
        assert favorite_rows.move_favorite(conn, SOURCE, "u4", 0)
        return [s.contact.source_id for s in favorite_rows.list_favorites(conn)]

    assert await world.store.call(run) == ["u4", "u5"]
