"""The per-profile SQLite cache, reached only from one worker thread.

Every query runs on a single dedicated thread that owns the connection, so callers on the
asyncio (Qt) thread never block on disk: ``await store.call(fn, *args)`` runs ``fn(conn, *args)``
there and returns its result.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from app.store.schema import migrate

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the cache at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    started_from = migrate(conn)
    if started_from == 0:
        log.info("created cache %s", path)
    return conn


def shrink_cache_memory(conn: sqlite3.Connection) -> None:
    """Drop SQLite's page cache after a burst of writes (it refills on demand)."""
    conn.execute("PRAGMA shrink_memory")


class Store:
    """Owns the cache connection and the one thread allowed to use it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
        return self._conn

    def _run(
        self, fn: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return fn(self._connection(), *args, **kwargs)

    async def call(
        self, fn: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(conn, *args, **kwargs)`` on the store thread."""
        if self._closed:
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        future = self._executor.submit(self._run, fn, *args, **kwargs)  # type: ignore[arg-type]
        return await asyncio.wrap_future(future, loop=loop)

    def call_blocking(
        self, fn: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """For scripts and tests outside an event loop."""
        return self._executor.submit(self._run, fn, *args, **kwargs).result()  # type: ignore[arg-type]

    def close(self) -> None:
        """Finish queued work, then close the connection (idempotent)."""
        if self._closed:
            return
        self._closed = True

        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        self._executor.submit(_close).result()
        self._executor.shutdown(wait=True)
