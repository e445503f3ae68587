"""Shared fixtures: a qasync loop for async tests, the embedded demo server on loopback."""

from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pytest

if TYPE_CHECKING:
    from app.demo.server import DemoServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the developer's real keyring unless they set one up themselves.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


# Every qasync loop stays referenced for the whole session. A closed QEventLoop still owns a
# QObject (its timer) with Qt timers registered (e.g. cancelled 45 s engineio read timeouts);
# when the garbage collector frees it (most likely while collecting on another thread, such as
# the demo server's), Qt later delivers a timer event to the freed object and the process
# segfaults in QCoreApplication::notifyInternal2 (about half the runs of the RingPlan client
# tests did before this). The app itself makes one loop and never hits this.
_LOOPS: list[asyncio.AbstractEventLoop] = []


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Run every async test on a qasync loop, so Qt timers and signals work while it awaits."""
    import qasync
    from PySide6.QtWidgets import QApplication

    def make_loop() -> asyncio.AbstractEventLoop:
        app = QApplication.instance() or QApplication([])
        loop = qasync.QEventLoop(app)
        _LOOPS.append(loop)
        return loop

    return {"qasync": make_loop}


# A test stuck while holding the GIL (a Qt call that waits for a thread that itself needs the
# GIL) is never reported by pytest-timeout, whose thread needs the GIL too. faulthandler
# needs none: past this deadline it writes every thread's stack and ends the run. The stacks
# go to the file scripts/run-tests names and prints (pytest captures stderr), else stderr.
HARD_DEADLINE_S = 300


def _open_hang_dump() -> TextIO | None:
    path = os.environ.get("RINGDESK_TEST_HANG_DUMP")
    return open(path, "a") if path else None  # kept open: faulthandler writes to it late


_HANG_DUMP = _open_hang_dump()


@pytest.fixture(autouse=True)
def hard_deadline() -> Iterator[None]:
    faulthandler.dump_traceback_later(HARD_DEADLINE_S, exit=True, file=_HANG_DUMP or sys.stderr)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def no_nested_qt_loop_in_a_coroutine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail at once when a coroutine spins a nested Qt event loop (``processEvents``,
    ``qtbot.wait``/``waitUntil``/``waitSignal``, ``QEventLoop.exec``). Inside it qasync runs
    other callbacks while this task is still the current one; a task woken there cannot be
    entered ("Cannot enter into task ... while another task is being executed") and never
    wakes again, so whoever awaits it (a teardown's cancel-and-gather) hangs for good. That
    happened now and then in the desktop-integration tests, with a start-up executor job
    finishing during a ``processEvents()`` in the test body. Await instead (``asyncio.sleep``
    lets the qasync loop process Qt's events)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    def refuse_in_a_task(name: str, original: Callable[..., object]) -> Callable[..., object]:
        def guarded(*args: object, **kwargs: object) -> object:
            try:
                task = asyncio.current_task()
            except RuntimeError:  # no running loop
                task = None
            if task is not None:
                raise AssertionError(f"{name} inside the coroutine {task.get_name()}: await instead")
            return original(*args, **kwargs)

        return guarded

    monkeypatch.setattr(
        QCoreApplication,
        "processEvents",
        staticmethod(refuse_in_a_task("processEvents()", QCoreApplication.processEvents)),
    )
    monkeypatch.setattr(QEventLoop, "exec", refuse_in_a_task("a nested QEventLoop", QEventLoop.exec))


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded database file reused by the session's servers (reseeding is skipped)."""
    return tmp_path_factory.mktemp("demo") / "demo.sqlite3"


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    """A fresh embedded RingPlan server (200 contacts, no traffic) on 127.0.0.1."""
    from app.demo.server import DemoServer

    with DemoServer(tmp_path / "demo.sqlite3", contacts=200, traffic=False) as server:
        yield server
