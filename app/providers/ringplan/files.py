"""Helpers for downloads: whose credentials a link may see, and a file written off the loop.

A download is written to ``<dest>.part`` on a worker thread, chunk by chunk, and renamed
over ``dest`` only once complete: a failed or cancelled download leaves nothing behind,
and a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import httpx

T = TypeVar("T")
_CLEANUPS: set[asyncio.Future[None]] = set()


def same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    """Whether ``url`` is on the API server itself (scheme, host and port alike): only
    then may the request carry the account's API key."""
    return (url.scheme, url.host, url.port or _default_port(url)) == (
        base.scheme,
        base.host,
        base.port or _default_port(base),
    )


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _open(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("wb")


def _finish(handle: BinaryIO, part: Path, dest: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(part, dest)


def _discard(handle: BinaryIO, part: Path) -> None:
    handle.close()
    part.unlink(missing_ok=True)


class PartFile:
    """``async with PartFile(dest) as out: await out.write(chunk)``; ``await out.commit()``
    puts the file in place, leaving the block without it removes the partial file.

    Each file operation runs on a worker thread and is finished there even when the task is
    cancelled meanwhile; the clean-up waits for it, so nothing writes to a closed file and
    no handle is left open.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.part = dest.with_name(dest.name + ".part")
        self.written = 0
        self._handle: BinaryIO | None = None
        self._pending: asyncio.Future[Any] | None = None
        self._committed = False

    async def _on_worker(self, fn: Callable[..., T], *args: Any) -> T:
        future = asyncio.get_running_loop().run_in_executor(None, fn, *args)
        self._pending = future
        result: T = await asyncio.shield(future)
        self._pending = None
        return result

    async def __aenter__(self) -> PartFile:
        try:
            self._handle = await self._on_worker(_open, self.part)
        except asyncio.CancelledError:
            opening = self._pending
            if opening is not None:  # opened all the same: close and remove it once it is
                opening.add_done_callback(self._discard_when_opened)
            raise
        return self

    def _discard_when_opened(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and future.exception() is None:
            _discard(future.result(), self.part)

    async def write(self, chunk: bytes) -> None:
        assert self._handle is not None
        await self._on_worker(self._handle.write, chunk)
        self.written += len(chunk)

    async def commit(self) -> None:
        assert self._handle is not None
        await self._on_worker(_finish, self._handle, self.part, self.dest)
        self._committed = True

    async def __aexit__(self, *exc_info: object) -> None:
        if self._committed or self._handle is None:
            return
        handle, pending = self._handle, self._pending
        self._handle = None

        def clean_up() -> None:
            _discard(handle, self.part)

        async def after_pending() -> None:
            if pending is not None:
                with contextlib.suppress(Exception):
                    await pending
            await asyncio.get_running_loop().run_in_executor(None, clean_up)

        cleanup = asyncio.ensure_future(after_pending())
        _CLEANUPS.add(cleanup)  # kept alive even if nobody waits for it any more
        cleanup.add_done_callback(_CLEANUPS.discard)
        # Even when this task is being cancelled, the partial file goes.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(cleanup)
