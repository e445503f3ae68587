"""Fixtures for the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture
def app_stays_up(qapp: QApplication) -> Iterator[None]:
    """As in RingDesk (it lives on in the tray): closing the last window (a dialog) must
    not quit the application, which would stop the test's qasync loop."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


@pytest.fixture
async def app_executor() -> AsyncIterator[None]:
    """The default executor RingDesk itself sets on its loop (``ui.application.run``): two
    worker threads of the standard library's pool, instead of qasync's QThread executor."""
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker")
    asyncio.get_running_loop().set_default_executor(executor)
    yield
    executor.shutdown(wait=True)
