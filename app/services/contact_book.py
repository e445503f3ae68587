"""The contact book: syncs sources into the cache and serves pages of it to the views."""

from __future__ import annotations

import asyncio
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

# Contacts written to the cache in one transaction during a sync: fewer, bigger transactions
# write each index page once (measured at 100,000 contacts: 1,000 a batch 8.8 s, 100 a batch 19 s).
WRITE_BATCH = 1_000


async def update_search_index(store: Store) -> None:
    """Apply the waiting search index changes a step at a time (the views' queries run
    between the steps)."""
    while await store.call(contact_rows.index_backlog_step):
        pass


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
    def __init__(
        self, store: Store, bus: EventBus, *, region: str = DEFAULT_REGION, write_batch: int = WRITE_BATCH
    ) -> None:
        self._write_batch = write_batch
        self._store = store
        self._bus = bus
        self._region = region

    async def sync(
        self, source: ContactSource, *, cancelled: Callable[[], bool] = lambda: False
    ) -> SyncResult:
        """Copy every contact of ``source`` into the cache; drop the ones it no longer has.

        The next pages are fetched while the last ones are written, in batches of at least
        ``write_batch`` contacts (one transaction each); the search index is brought up to date at
        the end. If the source fails midway, or ``cancelled()`` turns true between pages,
        nothing is removed and the previous book stays usable.
        """
        name = source.source_name
        generation = await self._store.call(contact_rows.begin_sync, name)
        written = 0
        self._bus.publish(SyncProgress(0, None))
        batches: asyncio.Queue[list[Contact] | None] = asyncio.Queue(maxsize=2)
        fetching = asyncio.get_running_loop().create_task(
            self._fetch_batches(source, batches, cancelled), name=f"fetch-{name}"
        )
        try:
            while (batch := await batches.get()) is not None:
                written += await self._store.call(contact_rows.upsert_contacts, batch, generation)
                self._bus.publish(SyncProgress(written, None))
            complete = await fetching  # raises what the source raised
        finally:
            if not fetching.done():
                fetching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await fetching
            await self._store.call(contact_rows.end_sync_writes)
        if not complete:
            log.info("sync of %s cancelled after %d contacts", name, written)
        removed = await self._store.call(contact_rows.finish_sync, name, generation) if complete else 0
        await self.update_search_index()
        total = await self.count()
        log.info("synced %s: %d written, %d removed, %d in book", name, written, removed, total)
        self._bus.publish(ContactsChanged(total))
        return SyncResult(name, written, removed, total)

    async def _fetch_batches(
        self,
        source: ContactSource,
        batches: asyncio.Queue[list[Contact] | None],
        cancelled: Callable[[], bool],
    ) -> bool:
        """Put the source's contacts in ``batches`` (None last); False when cancelled."""
        batch: list[Contact] = []
        complete = True
        try:
            async with contextlib.aclosing(source.iter_contacts()) as pages:
                async for page in pages:
                    batch += [self._with_display(c) for c in page]
                    if cancelled():
                        complete = False
                        break
                    if len(batch) >= self._write_batch:
                        await batches.put(batch)
                        batch = []
            if batch:
                await batches.put(batch)
        except Exception:
            await batches.put(None)  # the writer stops, then sees the error
            raise
        await batches.put(None)
        return complete

    async def update_search_index(self) -> None:
        await update_search_index(self._store)

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
