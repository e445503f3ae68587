"""Regression: PySide6 6.12.0's killTimer() leaks references to None, which kills Python 3.11
under qasync after a few thousand callbacks (see shared/TESTING.md). Our pin must hold."""

from __future__ import annotations

import asyncio
import sys

import PySide6


async def test_many_qasync_callbacks_do_not_eat_references_to_none() -> None:
    loop = asyncio.get_running_loop()
    assert type(loop).__module__.startswith("qasync"), "async tests must run on a qasync loop"
    before = sys.getrefcount(None)
    for _ in range(5000):
        await asyncio.sleep(0)
        loop.call_later(0, lambda: None)
    await asyncio.sleep(0.05)
    after = sys.getrefcount(None)
    assert after > before - 1000, (PySide6.__version__, before, after)
