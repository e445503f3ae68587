"""The traffic generator: makes the demo company look alive.

Every ``interval`` seconds (jittered) a customer texts the company (an existing or a new
conversation; now and then an MMS photo with a preview) and one user's presence changes;
now and then a fax comes in or someone leaves a voicemail. The first tick comes within ~1 s of start.
"""

from __future__ import annotations

import asyncio
import logging
import random

from app.demo.database import DemoDatabase
from app.demo.fax_database import FaxDatabase
from app.demo.media import photo_file
from app.demo.operations import DemoOperations
from app.demo.texts import INBOUND_TEXTS, STATUS_VALUES
from app.demo.voicemail import VoicemailTraffic

log = logging.getLogger(__name__)

FIRST_TICK_WITHIN = 1.0
NEW_CONVERSATION_SHARE = 0.2
PHOTO_SHARE = 0.15
PHOTO_CAPTIONS: tuple[str, ...] = (
    "Here's a photo of it",
    "This is what I see on the screen",
    "Photo attached",
    "",
)
INBOUND_FAX_SHARE = 0.12  # of ticks: an inbound fax now and then (every ~30 s at 4 s ticks)
# How often each status is picked: people are mostly available or on calls.
STATUS_WEIGHTS: tuple[float, ...] = (0.40, 0.12, 0.10, 0.20, 0.06, 0.12)


class TrafficGenerator:
    def __init__(
        self,
        db: DemoDatabase,
        ops: DemoOperations,
        *,
        interval: float = 4.0,
        seed: int = 1,
        faxes: FaxDatabase | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("traffic interval must be positive")
        self.db = db
        self.ops = ops
        self.faxes = faxes
        self.interval = interval
        self.rng = random.Random(f"ringdesk-demo:{seed}:traffic")
        # Its own generator, so that MMS do not change the rest of the traffic's sequence.
        self.media_rng = random.Random(f"ringdesk-demo:{seed}:media")
        self.ticks = 0
        self.voicemails = VoicemailTraffic(db, seed)

    async def run(self) -> None:
        await asyncio.sleep(self.rng.uniform(0.2, FIRST_TICK_WITHIN))
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("traffic generator tick failed")
            await asyncio.sleep(self.interval * self.rng.uniform(0.6, 1.4))

    async def tick(self) -> None:
        self.ticks += 1
        rng = self.rng
        text = rng.choice(INBOUND_TEXTS)
        files = []
        if self.media_rng.random() < PHOTO_SHARE:  # an MMS: a photo with a short caption
            text = self.media_rng.choice(PHOTO_CAPTIONS)
            files = [photo_file(self.media_rng, self.db.company_id, self.db.acting_user_id)]
        if rng.random() < NEW_CONVERSATION_SHARE:
            conversation = await self.ops.new_customer_conversation(rng)
            await self.ops.receive_inbound(text, conversation["id"], rng=rng, files=files)
        else:
            await self.ops.receive_inbound(text, rng=rng, files=files)
        user_id = self.db.random_user_id(rng)
        current = self.db.user_status(user_id)
        status = rng.choices(STATUS_VALUES, weights=STATUS_WEIGHTS)[0]
        if current is not None and current["status"]["status"] == status:
            status = "available" if status != "available" else "on_call"
        await self.ops.set_user_status(user_id, status, "auto")
        if self.faxes is not None and rng.random() < INBOUND_FAX_SHARE:
            self.faxes.receive(rng)
        self.voicemails.tick()
