"""Changes to the demo company that the sockets must hear about: store, then emit.

Used by the REST routes, the traffic generator and the test controls alike, so every path
emits the same documented events.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from app.demo.database import DemoDatabase
from app.demo.realtime import RealtimeHub
from app.demo.wire import JsonDict
from app.demo.wordlists import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, OTHER_PLACES


class DemoOperations:
    def __init__(self, db: DemoDatabase, hub: RealtimeHub) -> None:
        self.db = db
        self.hub = hub

    async def create_conversation(self, contact_id: str, from_number: str) -> tuple[JsonDict, bool] | None:
        result = self.db.create_conversation(contact_id, from_number)
        if result is not None and result[1]:
            await self.hub.emit_company("texting.chat.new", result[0])
        return result

    async def delete_conversation(self, conversation_id: str) -> bool:
        deleted = self.db.delete_conversation(conversation_id)
        if deleted:
            await self.hub.emit_company("texting.chat.delete", {"id": conversation_id})
        return deleted

    async def publish(
        self, conversation_id: str, text: str, stamp_id: str | None, files: list[Any]
    ) -> tuple[JsonDict, bool] | None:
        result = self.db.publish_outbound(conversation_id, text, stamp_id, files)
        if result is not None and result[1]:
            await self.hub.emit_company("texting.message.new", result[0])
        return result

    async def receive_inbound(
        self,
        text: str,
        conversation_id: str | None = None,
        rng: random.Random | None = None,
        files: Sequence[JsonDict] = (),
    ) -> JsonDict:
        """Store an inbound SMS (an MMS with ``files``: File objects) and emit it; a random
        existing conversation when none given.

        Raises KeyError for an unknown ``conversation_id``."""
        rng = rng or random.Random()
        if conversation_id is None:
            ids = self.db.conversation_ids()
            if ids:
                # Recent conversations are the likeliest to get a new message.
                conversation_id = ids[min(int(rng.expovariate(0.35)), len(ids) - 1)]
            else:
                conversation_id = (await self.new_customer_conversation(rng))["id"]
        message = self.db.add_inbound(conversation_id, text, files)
        if message is None:
            raise KeyError(conversation_id)
        await self.hub.emit_company("texting.message.new", message)
        return message

    async def receive_inbound_many(self, conversation_id: str, texts: Sequence[str]) -> list[JsonDict]:
        """Store many inbound SMS at once and emit each; KeyError for an unknown conversation."""
        messages = self.db.add_inbound_many(conversation_id, texts)
        if messages is None:
            raise KeyError(conversation_id)
        for message in messages:
            await self.hub.emit_company("texting.message.new", message)
        return messages

    async def new_customer_conversation(self, rng: random.Random) -> JsonDict:
        """A new customer texts the company's main number: texting contact + conversation."""
        names = FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES
        place = rng.choice(OTHER_PLACES)
        number = f"+1{place.area_code}555{rng.randint(100, 9999):04d}"
        created = self.db.create_texting_contact(number, rng.choice(names), rng.choice(LAST_NAMES))
        assert created is not None
        main_number = self.db.company_texting_numbers()[0]
        result = await self.create_conversation(created[0]["id"], main_number)
        assert result is not None
        return result[0]

    async def delete_messages(self, conversation_id: str, message_ids: Sequence[str]) -> list[str] | None:
        deleted = self.db.delete_messages(conversation_id, message_ids)
        for message_id in deleted or ():
            await self.hub.emit_company(
                "texting.message.delete", {"id": message_id, "conversation_id": conversation_id}
            )
        return deleted

    async def mark_read(
        self, conversation_id: str, message_ids: Sequence[str], is_read: bool, user_id: str
    ) -> list[str]:
        marked = self.db.set_read(conversation_id, message_ids, is_read)
        if marked and is_read:
            await self.hub.emit_company(
                "texting.message.markAsRead",
                {
                    "conversation_id": conversation_id,
                    "messagesIds": marked,
                    "timezone": self.db.user_timezone(user_id),
                },
            )
        return marked

    async def set_user_status(
        self, user_id: str, status: str, action_type: str = "manual"
    ) -> JsonDict | None:
        payload = self.db.set_user_status(user_id, status, action_type)
        if payload is not None:
            await self.hub.emit_company("user_status_updated", payload)
        return payload
