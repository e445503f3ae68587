"""Voicemail figures: synthesising a recording, listing a page, naming its callers, fetching
a recording, over the embedded server on loopback.

    python -m tests.benchmarks.bench_voicemail [--contacts N] [--runs N]

Prints a table (median and worst of ``--runs``) and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from app.demo.server import DemoServer
from app.demo.voicemail_audio import samples_for, voicemail_wav
from app.domain.account import Credentials
from app.domain.voicemail import VoicemailFilter
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.session import RingPlanCompanyUsers
from app.services.voicemail import VoicemailService
from app.store.database import Store


async def timed(runs: int, make: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    times = []
    for run in range(runs):
        started = time.perf_counter()
        await make(run)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


async def main(contacts: int, runs: int) -> None:
    rows: list[tuple[str, float, float]] = []

    async def synth(run: int) -> None:
        voicemail_wav.cache_clear()
        voicemail_wav(run, samples_for(20.0))

    rows.append(("synthesise a 20 s recording (WAV, 8 kHz)", *(await timed(runs, synth))))
    with (
        tempfile.TemporaryDirectory() as tmp,
        DemoServer(Path(tmp) / "demo.sqlite3", contacts=contacts) as server,
    ):
        c = server.credentials
        bus = EventBus()
        store = Store(Path(tmp) / "cache.sqlite3")
        async with RingPlanClient(server.url, Credentials(c.api_key, c.user_id, c.user_email)) as client:
            await ContactBook(store, bus).sync(RingPlanCompanyUsers(client))
            service = VoicemailService(client, store, bus, Path(tmp) / "recordings", per_page=50)
            page = await client.list_voicemails(1, 50)

            async def list_page(_run: int) -> None:
                await client.list_voicemails(1, 50, sort=["-time_received"])

            async def described(_run: int) -> None:
                await service.page(VoicemailFilter(), 1)

            async def first_poll(_run: int) -> None:
                await client.list_voicemails(1, 20, sort=["-time_received"])

            async def download(run: int) -> None:
                voicemail = page.items[run % len(page.items)]
                assert voicemail.audio is not None
                await client.download(voicemail.audio.link, Path(tmp) / f"dl-{run}.wav")

            async def cached(run: int) -> None:
                await service.audio_file(page.items[0])

            rows.append(("GET /voicemail/messages, 50 a page", *(await timed(runs, list_page))))
            rows.append(("a poll (first page of 20)", *(await timed(runs, first_poll))))
            rows.append(("service page: 50 + callers named + new marks", *(await timed(runs, described))))
            rows.append(("download a recording (server makes it)", *(await timed(runs, download))))
            await service.audio_file(page.items[0])
            rows.append(("recording from the cache", *(await timed(runs, cached))))
            await service.close()
        store.close()
    print(f"{'what':<48} {'median ms':>10} {'worst ms':>10}")
    for name, median, worst in rows:
        print(f"{name:<48} {median:>10.1f} {worst:>10.1f}")
    print(f"contacts in the book: {contacts}; runs: {runs}; load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(main(args.contacts, args.runs))
