"""One signed-in RingPlan account at work: live listener, contact sync, notifications.

This is the core's composition root for an account; the UI builds one and talks to it and
to the event bus only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

from app.domain.account import Credentials
from app.domain.contacts import Contact
from app.domain.events import ConnectionChanged, ConnectionState, ErrorRaised
from app.providers.errors import NetworkError, ProviderError, Unauthorized
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.memory import release_free_memory
from app.services.notifications import InboundMessageNotifier
from app.services.presence import PresenceTracker, RingPlanExtensionPresence
from app.services.ringplan_sources import RingPlanLocations, RingPlanTextingContacts
from app.services.tasks import TaskGroup
from app.store.database import Store, shrink_cache_memory

if TYPE_CHECKING:
    from app.providers.ringplan.realtime import RingPlanListener
    from app.providers.ringplan.rest import RingPlanClient

log = logging.getLogger(__name__)

REFRESH_INTERVAL = 300.0
# Small pages keep the memory a sync leaves behind small (measured: 500/page leaves ~13 MB,
# 100/page ~7 MB at 10,000 contacts) for a few ms more per 1,000 contacts.
CONTACTS_PER_PAGE = 100


def _import_provider_modules() -> None:
    importlib.import_module("app.providers.ringplan.rest")
    importlib.import_module("app.providers.ringplan.realtime")


class RingPlanCompanyUsers:
    """The company's users as a contact source."""

    source_name = "ringplan"

    def __init__(self, client: RingPlanClient) -> None:
        self._client = client

    async def iter_contacts(self) -> AsyncGenerator[list[Contact]]:
        company = (await self._client.get_company()).name
        async for page in self._client.iter_company_contacts(items_per_page=CONTACTS_PER_PAGE):
            yield [dataclasses.replace(contact, company=company) for contact in page]


class Session:
    def __init__(
        self,
        server_url: str,
        credentials: Credentials,
        store: Store,
        bus: EventBus,
        contacts: ContactBook,
        *,
        refresh_interval: float = REFRESH_INTERVAL,
    ) -> None:
        self.server_url = server_url
        self._credentials = credentials
        self._bus = bus
        self._store = store
        self._refresh_interval = refresh_interval
        self._tasks = TaskGroup("session")
        self.contacts = contacts
        self._notifier = InboundMessageNotifier(bus, self.contacts, self._tasks)
        self._presence = PresenceTracker(bus, store, self._tasks)
        self._client: RingPlanClient | None = None
        self._listener: RingPlanListener | None = None
        self._sync_lock = asyncio.Lock()
        self._sync_again = False
        self._sync_cancelled = False
        self._was_online = False
        self.first_sync_done = asyncio.Event()
        """Set once the first contact sync of this session has finished (or failed)."""
        self._unsubscribe = bus.subscribe(ConnectionChanged, self._on_connection_changed)

    async def start(self) -> None:
        # httpx, socketio, aiohttp and pydantic take ~0.5 s to import: do it on a worker
        # thread, after the first paint, so the window stays responsive meanwhile.
        await asyncio.get_running_loop().run_in_executor(None, _import_provider_modules)
        from app.providers.ringplan.realtime import RingPlanListener
        from app.providers.ringplan.rest import RingPlanClient

        self._client = RingPlanClient(self.server_url, self._credentials)
        await self._client.__aenter__()
        self._listener = RingPlanListener(self.server_url, self._credentials, self._bus.publish)
        self._listener.start()
        self._tasks.start(self._refresh_periodically(), name="contacts-refresh")

    async def wait_start_up_done(self) -> None:
        """Until the first contact sync and the presence refresh after it are over."""
        await self.first_sync_done.wait()
        await self._presence.wait_refreshed()

    @property
    def client(self) -> RingPlanClient:
        """The account's REST client, for the features built on this session (after start)."""
        if self._client is None:
            raise RuntimeError("the session is not started")
        return self._client

    @property
    def listener(self) -> RingPlanListener:
        """The account's live listener, for features that send client events (after start)."""
        if self._listener is None:
            raise RuntimeError("the session is not started")
        return self._listener

    async def stop(self) -> None:
        """Stop the listener, cancel work in flight, close the HTTP client."""
        self._unsubscribe()
        self._notifier.close()
        self._presence.close()
        if self._listener is not None:
            await self._listener.stop()
        await self._tasks.cancel_all()
        if self._client is not None:
            await self._client.__aexit__(None, None, None)
            self._client = None

    async def sync_contacts(self) -> None:
        """Refresh the contact book; errors reported in words.

        One sync runs at a time; a request made while one runs is served by one more pass
        right after it (and returns once that pass is done), so a catch-up asked for mid-sync
        is not lost.
        """
        if self._client is None:
            return
        if self._sync_lock.locked():
            self._sync_again = True
            async with self._sync_lock:  # the running sync makes one more pass before letting go
                return
        async with self._sync_lock:
            self._sync_again = True
            while self._sync_again and self._client is not None:
                self._sync_again = False
                self._sync_cancelled = False
                await self._sync_once(self._client)

    def cancel_sync(self) -> None:
        """Stop a running contact sync; what it wrote stays, nothing is removed."""
        self._sync_again = False
        self._sync_cancelled = True

    async def _sync_once(self, client: RingPlanClient) -> None:
        try:
            await self.contacts.sync(RingPlanCompanyUsers(client), cancelled=lambda: self._sync_cancelled)
            await self._store.call(shrink_cache_memory)
            await asyncio.get_running_loop().run_in_executor(None, release_free_memory)
            if not self._sync_cancelled:
                # In the background: the next contact sync need not wait for it.
                self._presence.refresh(RingPlanExtensionPresence(client))
            for source in (RingPlanLocations(client), RingPlanTextingContacts(client)):
                if not self._sync_cancelled:
                    await self.contacts.sync(source, cancelled=lambda: self._sync_cancelled)
        except Unauthorized:
            self._bus.publish(
                ErrorRaised("The server refused the API key. Sign in again to refresh contacts.")
            )
        except NetworkError as exc:
            log.warning("contact sync failed, keeping the cached book: %s", exc)
        except ProviderError as exc:
            log.warning("contact sync failed: %s", exc)
            self._bus.publish(ErrorRaised(f"Could not refresh contacts: {exc}"))

    async def _refresh_periodically(self) -> None:
        while True:
            await self.sync_contacts()
            self.first_sync_done.set()
            await asyncio.sleep(self._refresh_interval)

    def _on_connection_changed(self, event: ConnectionChanged) -> None:
        if event.state is ConnectionState.ONLINE:
            if self._was_online:
                # Back after a drop: catch up over REST before trusting the stream again.
                self._tasks.start(self.sync_contacts(), name="contacts-catch-up")
            self._was_online = True
