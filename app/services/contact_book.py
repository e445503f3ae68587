"""The contact book: syncs sources into the cache and serves pages of it to the views."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncGenerator, Callable
from typing import Protocol, runtime_checkable

from app.domain.contacts import Contact, PhoneKind
from app.domain.events import ContactsChanged, SyncProgress
from app.domain.region import DEFAULT_REGION
from app.services.event_bus import EventBus
from app.store import contacts as contact_rows
from app.store.contacts import StoredContact
from app.store.database import Store
from app.store.search import search_contacts

log = logging.getLogger(__name__)


@runtime_checkable
class ContactSource(Protocol):
    """Anything that can list its contacts page by page."""

    @property
    def source_name(self) -> str: ...

    def iter_contacts(self) -> AsyncGenerator[list[Contact]]: ...


@dataclasses.dataclass(frozen=True, slots=True)
class SyncResult:
    source: str
    written: int
    removed: int
    total: int


class ContactBook:
    def __init__(self, store: Store, bus: EventBus, *, region: str = DEFAULT_REGION) -> None:
        self._store = store
        self._bus = bus
        self._region = region

    async def sync(
        self, source: ContactSource, *, cancelled: Callable[[], bool] = lambda: False
    ) -> SyncResult:
        """Copy every contact of ``source`` into the cache; drop the ones it no longer has.

        Pages are written as they arrive. If the source fails midway, or ``cancelled()``
        turns true between pages, nothing is removed and the previous book stays usable.
        """
        name = source.source_name
        generation = await self._store.call(contact_rows.begin_sync, name)
        written = 0
        self._bus.publish(SyncProgress(0, None))
        complete = True
        async with contextlib.aclosing(source.iter_contacts()) as pages:
            async for page in pages:
                contacts = [self._with_display(c) for c in page]
                written += await self._store.call(contact_rows.upsert_contacts, contacts, generation)
                self._bus.publish(SyncProgress(written, None))
                if cancelled():
                    log.info("sync of %s cancelled after %d contacts", name, written)
                    complete = False
                    break
        removed = await self._store.call(contact_rows.finish_sync, name, generation) if complete else 0
        total = await self.count()
        log.info("synced %s: %d written, %d removed, %d in book", name, written, removed, total)
        self._bus.publish(ContactsChanged(total))
        return SyncResult(name, written, removed, total)

    def _with_display(self, contact: Contact) -> Contact:
        # phonenumbers loads its metadata on import: kept off the start-up path.
        from app.domain.phone import format_for_display

        phones = tuple(
            p
            if p.kind is PhoneKind.EXTENSION or p.display
            else dataclasses.replace(p, display=format_for_display(p.number, self._region))
            for p in contact.phones
        )
        return dataclasses.replace(contact, phones=phones)

    async def count(self) -> int:
        return await self._store.call(contact_rows.count_contacts)

    async def page(self, offset: int, limit: int) -> list[StoredContact]:
        return await self._store.call(contact_rows.contacts_page, offset, limit)

    async def search(self, query: str, offset: int, limit: int) -> list[StoredContact]:
        """Ranked matches by name, company, e-mail, any digits of a number, or dial-pad letters."""
        return await self._store.call(search_contacts, query, offset, limit)

    async def contact_for_number(self, number: str) -> Contact | None:
        return await self._store.call(contact_rows.contact_for_number, number)
