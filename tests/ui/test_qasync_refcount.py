"""Regression: PySide6 6.12.0's killTimer() leaks references to None, which kills Python 3.11
under qasync after a few thousand callbacks (see shared/TESTING.md). Our pin must hold."""

from __future__ import annotations

import asyncio
import gc
import sys

import PySide6


async def test_many_qasync_callbacks_do_not_eat_references_to_none() -> None:
    loop = asyncio.get_running_loop()
    assert type(loop).__module__.startswith("qasync"), "async tests must run on a qasync loop"
    # The bug loses one reference per callback (10,000 here); unrelated churn is far smaller,
    # and the garbage collector is kept out of the way while we count.
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(None)
        for _ in range(10_000):
            await asyncio.sleep(0)
            loop.call_later(0, lambda: None)
        await asyncio.sleep(0.05)
        after = sys.getrefcount(None)
    finally:
        gc.enable()
    assert after > before - 3000, (PySide6.__version__, before, after)
