"""Fixtures for the UI tests."""

from __future__ import annotations

from collections.abc import Iterator

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
