"""Helpers for downloads: whose credentials a link may see, and a file written off the loop.

A download is written to ``<dest>.part`` on a worker thread, chunk by chunk, and renamed
over ``dest`` only once complete: a failed or cancelled download leaves nothing behind,
and a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import BinaryIO

import httpx


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
    puts the file in place, leaving the block without it removes the partial file."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.part = dest.with_name(dest.name + ".part")
        self.written = 0
        self._handle: BinaryIO | None = None
        self._committed = False

    async def __aenter__(self) -> PartFile:
        self._handle = await asyncio.get_running_loop().run_in_executor(None, _open, self.part)
        return self

    async def write(self, chunk: bytes) -> None:
        assert self._handle is not None
        await asyncio.get_running_loop().run_in_executor(None, self._handle.write, chunk)
        self.written += len(chunk)

    async def commit(self) -> None:
        assert self._handle is not None
        await asyncio.get_running_loop().run_in_executor(None, _finish, self._handle, self.part, self.dest)
        self._committed = True

    async def __aexit__(self, *exc_info: object) -> None:
        if self._committed or self._handle is None:
            return
        cleanup = asyncio.get_running_loop().run_in_executor(None, _discard, self._handle, self.part)
        # Even when this task is being cancelled, the partial file goes.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(cleanup)
