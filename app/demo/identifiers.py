"""Object ids in the RingPlan style: 24 lower-case hex characters (a MongoDB ObjectId)."""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
import time

_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")
_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_process_part = os.urandom(5).hex()
_lock = threading.Lock()


def new_id() -> str:
    """A fresh id for an object created at run time: timestamp, process part, counter."""
    with _lock:
        count = next(_counter) & 0xFFFFFF
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{_process_part}{count:06x}"


def seeded_id(rng: random.Random, timestamp: float) -> str:
    """A deterministic id for seeded data: the creation time, then 64 random bits."""
    return f"{int(timestamp) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


def is_object_id(value: str) -> bool:
    return bool(_ID_PATTERN.match(value))
