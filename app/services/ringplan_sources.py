"""RingPlan's contact sources besides the company users: offices and texting contacts.

Each is a ``ContactSource`` of its own in the contact book, so that a sync of one never
removes another's contacts; the views tell them apart by their source badge.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

from app.domain.contacts import LOCATION_SOURCE, TEXTING_SOURCE, Contact

if TYPE_CHECKING:
    from app.providers.ringplan.rest import RingPlanClient


class RingPlanLocations:
    """The company's locations (``/company/locations``): call or fax an office."""

    source_name = LOCATION_SOURCE

    def __init__(self, client: RingPlanClient) -> None:
        self._client = client

    async def iter_contacts(self) -> AsyncGenerator[list[Contact]]:
        yield await self._client.list_locations()


class RingPlanTextingContacts:
    """The people the company texts with (``/texting/contacts``), by name and mobile number."""

    source_name = TEXTING_SOURCE

    def __init__(self, client: RingPlanClient) -> None:
        self._client = client

    async def iter_contacts(self) -> AsyncGenerator[list[Contact]]:
        from app.providers.ringplan.wire import texting_contact_as_contact

        found = [texting_contact_as_contact(c) for c in await self._client.list_texting_contacts()]
        yield [contact for contact in found if contact is not None]
