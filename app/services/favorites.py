"""Favorites: star any contact, list the starred ones with presence, reorder them.

Every change that took effect is followed by :class:`FavoritesChanged`; the Favorites pane
reloads its (short) list then, and on :class:`PresenceUpdated` refreshes the rows whose
presence changed.
"""

from __future__ import annotations

from app.domain.contacts import Contact
from app.domain.events import FavoritesChanged
from app.services.event_bus import EventBus
from app.store import favorites as favorite_rows
from app.store.contacts import StoredContact
from app.store.database import Store
from app.store.favorites import FavoritesOrder

__all__ = ["Favorites", "FavoritesOrder"]


class Favorites:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self._store = store
        self._bus = bus

    async def list(self, order: FavoritesOrder = FavoritesOrder.MANUAL) -> list[StoredContact]:
        """The favorites whose contact is in the book, in the user's order or by
        availability (available, away, busy/on a call/do not disturb, offline, unknown;
        ties by name)."""
        return await self._store.call(favorite_rows.list_favorites, order)

    async def count(self) -> int:
        return await self._store.call(favorite_rows.count_favorites)

    async def is_starred(self, source: str, source_id: str) -> bool:
        return await self._store.call(favorite_rows.is_favorite, source, source_id)

    async def star(self, source: str, source_id: str) -> bool:
        """Star a contact of the book (it goes last); False if it already was, or if the
        book has no such contact."""
        return self._changed(await self._store.call(favorite_rows.star, source, source_id))

    async def unstar(self, source: str, source_id: str) -> bool:
        """Unstar a contact; False if it was not starred."""
        return self._changed(await self._store.call(favorite_rows.unstar, source, source_id))

    async def set_starred(self, contact: Contact, starred: bool) -> bool:
        """Star or unstar ``contact`` (the details pane's star); True if that changed it."""
        if starred:
            return await self.star(contact.source, contact.source_id)
        return await self.unstar(contact.source, contact.source_id)

    async def move(self, source: str, source_id: str, index: int) -> bool:
        """Move a favorite to ``index`` of the listed (manual) order, e.g. after a drop;
        the others keep their relative order. True if the order changed."""
        moved = await self._store.call(favorite_rows.move_favorite, source, source_id, index)
        return self._changed(moved)

    def _changed(self, changed: bool) -> bool:
        if changed:
            self._bus.publish(FavoritesChanged())
        return changed
