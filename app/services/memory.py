"""Giving memory back to the operating system after a burst of work (glibc only)."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

log = logging.getLogger(__name__)


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018 - probe: absent outside glibc
    except (OSError, AttributeError):
        return None
    return libc


def release_free_memory() -> None:
    """Return freed heap pages to the OS (``malloc_trim``).

    A contact sync parses megabytes of JSON and frees it again; without this, glibc keeps
    those pages and the process looks ~10 MB bigger than it is for the rest of its life.
    Blocking for a few milliseconds: call it from a worker thread.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


# mallopt(3) parameter: the most malloc arenas (glibc creates up to 8 per core, on demand).
M_ARENA_MAX = -8


def limit_malloc_arenas(count: int = 1) -> None:
    """Have threads share ``count`` malloc arenas instead of one each (glibc only).

    RingDesk's threads (a store thread, a worker or two, Qt's X11 and D-Bus threads) take
    turns under the GIL or allocate little, so one arena costs no waiting; each arena a
    thread gets keeps its own free pages and leftovers: about 1.5 MB of RSS measured at
    start-up. Call before any thread starts.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, count)
