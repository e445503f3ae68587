"""Full first sync of 100,000 contacts, then everyone's presence, from a standalone demo server.

    /tmp/venv/bin/python -m tests.benchmarks.bench_sync [--contacts 100000] [--loop qasync]
                                                        [--db PATH] [--runs 1]

Spawns ``python -m app.demo --contacts N --no-traffic --json`` (its seeded database is kept
in --db and reused by later runs), then, in this process and on the loop the app runs on
(qasync over an offscreen QApplication; ``--loop asyncio`` for the plain loop), syncs into
an empty cache exactly as the session does: ``ContactBook.sync`` over the company users,
then ``PresenceTracker.sync`` over the extensions of every PBX instance, then the memory
give-back. Prints the wall time of each phase (target: <= 60 s in all), the longest stalls
of the event loop (a task that sleeps 5 ms and measures how late it wakes up; the UI must
stay responsive, so a frame is 16 ms), and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT = 0.005
FRAME_MS = 16.0


@dataclass
class Heartbeat:
    """Sleeps HEARTBEAT seconds in a loop; records how late each wake-up was (ms)."""

    lateness: list[float] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)

    async def run(self) -> None:
        clock = time.perf_counter
        while True:
            before = clock()
            await asyncio.sleep(HEARTBEAT)
            self.lateness.append(max(0.0, (clock() - before - HEARTBEAT) * 1000))

    def mark(self, name: str) -> None:
        self.marks[name] = len(self.lateness)

    def between(self, start: str, end: str) -> list[float]:
        return self.lateness[self.marks[start] : self.marks[end]]


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def start_server(contacts: int, db: Path) -> tuple[subprocess.Popen[str], dict[str, str], float]:
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.demo",
            "--contacts",
            str(contacts),
            "--no-traffic",
            "--json",
            "--db",
            str(db),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("the demo server did not start")
    return process, json.loads(line), time.perf_counter() - start


@dataclass
class Result:
    contacts_s: float
    presence_s: float
    release_s: float
    total_s: float
    in_book: int
    with_presence: int
    pages: int
    stalls: dict[str, list[float]]
    rss_after_mb: float
    peak_rss_mb: float


async def sync_once(info: dict[str, str], cache: Path, phases: frozenset[str]) -> Result:
    from app.domain.account import Credentials
    from app.domain.events import PresenceUpdated, SyncProgress
    from app.providers.ringplan.rest import RingPlanClient
    from app.services.contact_book import ContactBook
    from app.services.event_bus import EventBus
    from app.services.memory import release_free_memory
    from app.services.presence import PresenceTracker, RingPlanExtensionPresence
    from app.services.session import RingPlanCompanyUsers
    from app.services.tasks import TaskGroup
    from app.store.database import Store, shrink_cache_memory

    bus = EventBus()
    pages = 0
    users_announced = 0

    def on_progress(_: SyncProgress) -> None:
        nonlocal pages
        pages += 1

    def on_presence(event: PresenceUpdated) -> None:
        nonlocal users_announced
        users_announced += len(event.user_ids)

    bus.subscribe(SyncProgress, on_progress)
    bus.subscribe(PresenceUpdated, on_presence)
    store = Store(cache)
    tasks = TaskGroup("bench")
    book = ContactBook(store, bus)
    tracker = PresenceTracker(bus, store, tasks)
    credentials = Credentials(info["api_key"], info["user_id"], info["user_email"])
    beat = Heartbeat()
    beat_task = asyncio.get_running_loop().create_task(beat.run())
    try:
        async with RingPlanClient(info["url"], credentials) as client:
            await store.call(lambda conn: None)  # open and migrate the cache first
            await asyncio.sleep(0.05)
            beat.mark("start")
            t0 = time.perf_counter()
            if "contacts" in phases:
                await book.sync(RingPlanCompanyUsers(client))
            t1 = time.perf_counter()
            beat.mark("contacts")
            if "presence" in phases:
                await tracker.sync(RingPlanExtensionPresence(client))
            t2 = time.perf_counter()
            beat.mark("presence")
            await store.call(shrink_cache_memory)
            await asyncio.get_running_loop().run_in_executor(None, release_free_memory)
            t3 = time.perf_counter()
            beat.mark("end")
            in_book = await book.count()
    finally:
        beat_task.cancel()
        tracker.close()
        await tasks.cancel_all()
        store.close()
    return Result(
        contacts_s=t1 - t0,
        presence_s=t2 - t1,
        release_s=t3 - t2,
        total_s=t3 - t0,
        in_book=in_book,
        with_presence=users_announced,
        pages=pages,
        stalls={
            "contacts": beat.between("start", "contacts"),
            "presence": beat.between("contacts", "presence"),
            "whole sync": beat.between("start", "end"),
        },
        rss_after_mb=rss_mb(),
        peak_rss_mb=peak_rss_mb(),
    )


def make_runner(loop_kind: str) -> asyncio.Runner:
    """A runner for the loop the app runs on (kept for every run: a collected qasync loop
    still owns Qt timers)."""
    if loop_kind == "asyncio":
        return asyncio.Runner()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    return asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app))


async def as_in_the_app(coro: Coroutine[Any, Any, Result]) -> Result:
    # ui.application: two lazy worker threads, not qasync's ten QThreads.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker")
    )
    return await coro


def describe(values: list[float]) -> str:
    if not values:
        return "no samples"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    over = sum(v > FRAME_MS for v in values)
    return (
        f"max {ordered[-1]:7.1f} ms   p99 {p99:5.1f} ms   median {statistics.median(values):4.1f} ms"
        f"   {over} of {len(values)} beats later than a frame"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--loop", choices=("qasync", "asyncio"), default="qasync")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() before syncing (as the app could once started): no full collections",
    )
    parser.add_argument(
        "--only", choices=("contacts", "presence"), default=None, help="run one phase of the sync"
    )
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "ringdesk-bench-sync-demo.sqlite3"
    )
    args = parser.parse_args(argv)
    phases = frozenset([args.only] if args.only else ["contacts", "presence"])
    from ui.application import UI_SWITCH_INTERVAL

    sys.setswitchinterval(UI_SWITCH_INTERVAL)  # as the app runs

    server, info, started = start_server(args.contacts, args.db)
    print(f"demo server with {args.contacts:,} contacts up in {started:.1f} s at {info['url']}")
    runner = make_runner(args.loop)
    if args.gc_freeze:
        import app.providers.ringplan.rest
        import app.services.session  # noqa: F401

        gc.collect()
        gc.freeze()
    try:
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory() as tmp:
                cache = Path(tmp) / "cache.sqlite3"
                result = runner.run(as_in_the_app(sync_once(info, cache, phases)))
                size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
            print(f"\nrun {run} ({args.loop} loop)")
            print(f"  contacts (ContactBook.sync)     {result.contacts_s:7.1f} s   {result.in_book:,} stored")
            print(
                f"  presence (PresenceTracker.sync) {result.presence_s:7.1f} s   "
                f"{result.with_presence:,} users announced"
            )
            print(f"  memory give-back                {result.release_s:7.1f} s")
            print(f"  first sync in all               {result.total_s:7.1f} s   (target <= 60 s)")
            for phase, values in result.stalls.items():
                print(f"  loop stalls, {phase:<18} {describe(values)}")
            print(f"  RSS after the sync              {result.rss_after_mb:7.1f} MB")
            print(f"  peak RSS                        {result.peak_rss_mb:7.1f} MB")
            print(f"  cache file (+WAL)               {size_mb:7.1f} MB")
    finally:
        runner.close()
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
