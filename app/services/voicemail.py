"""Voicemails: pages of the mailbox with callers named, the audio, "new" marks, notifications.

- :meth:`VoicemailService.page` lists one page (newest first) under a
  :class:`~app.domain.voicemail.VoicemailFilter`; each caller is named from the contact
  book (by extension, or by number for outside callers), else by the caller-id name the
  voicemail came with, else by the extension or number itself.
- A voicemail is *new* until it is played; the marks live in the store.
- :meth:`VoicemailService.audio_file` downloads a recording once into the cache directory
  (streamed to disk off the event loop) and reuses it; :meth:`save_audio` copies it.
- :meth:`start_polling` watches the first page (:class:`~app.services.inbox_poller.InboxPoller`)
  and announces new voicemails: ``NotificationRequested`` ("Voicemail from X (0:42)") and
  ``VoicemailsArrived``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from app.domain.events import NotificationRequested, VoicemailsArrived
from app.domain.phone import format_for_display, to_e164
from app.domain.voicemail import Voicemail, VoicemailFilter, format_duration
from app.providers.ringplan.paging import Page
from app.services.event_bus import EventBus
from app.services.inbox_poller import InboxPoller, PollSchedule
from app.services.tasks import TaskGroup
from app.store.database import Store
from app.store.inbox_seen import StoredSeenMarkers
from app.store.voicemails import mark_played, voicemail_marks

log = logging.getLogger(__name__)

NEWEST_FIRST = ("-time_received",)
PAGE_SIZE = 50
POLL_PAGE_SIZE = 20
MAX_EXTENSION_DIGITS = 6
"""Longer sources are outside callers' numbers, shorter ones company extensions."""
MAX_AUDIO_BYTES = 50 * 1024 * 1024
CACHED_RECORDINGS = 200
NOTIFY_ONE_BY_ONE = 3
INBOX = "voicemail"


class VoicemailApi(Protocol):
    """What the service needs of a provider client (``RingPlanClient`` has it)."""

    async def list_voicemails(
        self,
        page: int = 1,
        per_page: int = 50,
        *,
        from_date: date | None = None,
        to_date: date | None = None,
        sort: Sequence[str] = (),
        extension_source: int | None = None,
        extension_destination: int | None = None,
    ) -> Page[Voicemail]: ...

    async def download(
        self,
        link: str,
        dest: Path,
        *,
        max_bytes: int = ...,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> int: ...


class NoRecording(Exception):
    """The voicemail has no audio file to play."""


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    """Who called, in words: a contact's name, else the caller-id name, else the number."""
    number: str
    """What Call back dials: extension digits or an E.164 number ("" when unknown)."""
    detail: str
    """How the caller reached us: ``ext. 1027`` or ``(619) 555-0142``."""


@dataclass(frozen=True, slots=True)
class VoicemailItem:
    voicemail: Voicemail
    caller: Caller
    is_new: bool

    @property
    def id(self) -> str:
        return self.voicemail.id


@dataclass(frozen=True, slots=True)
class VoicemailPage:
    items: list[VoicemailItem]
    page: int
    total: int | None
    has_next: bool


def caller_number(voicemail: Voicemail) -> tuple[str, str]:
    """``(number to look up and dial, how to show it)`` for a voicemail's source."""
    digits = "".join(ch for ch in voicemail.source if ch.isdigit())
    if not digits:
        return "", ""
    if len(digits) <= MAX_EXTENSION_DIGITS:
        return digits, f"ext. {digits}"
    e164 = to_e164(voicemail.source)
    if e164 is None:
        return digits, digits
    return e164, format_for_display(e164)


def readable_caller_id(name: str) -> str:
    """Carriers send caller-id names in capitals ("WIRELESS CALLER", "SAN DIEGO CA"): shown
    as "Wireless Caller", "San Diego CA" (a closing two-letter word is a state)."""
    name = " ".join(name.split())
    if not name.isupper():
        return name
    words = name.split(" ")
    return " ".join(
        word if len(word) == 2 and i == len(words) - 1 and len(words) > 1 else word.capitalize()
        for i, word in enumerate(words)
    )


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:80] or "voicemail"


def _cached_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _prune(directory: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used recordings."""
    try:
        files = [p for p in directory.iterdir() if p.suffix == ".wav"]
        files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def _copy(source: Path, dest: Path) -> int:
    part = dest.with_name(dest.name + ".part")
    shutil.copyfile(source, part)
    os.replace(part, dest)
    return dest.stat().st_size


def _touch(path: Path) -> None:
    path.touch(exist_ok=True)


class VoicemailService:
    def __init__(
        self,
        client: VoicemailApi,
        store: Store,
        bus: EventBus,
        cache_dir: Path,
        *,
        per_page: int = PAGE_SIZE,
        poll_schedule: PollSchedule | None = None,
    ) -> None:
        self._client = client
        self._store = store
        self._bus = bus
        self.cache_dir = cache_dir
        self.per_page = per_page
        self._tasks = TaskGroup("voicemail")
        self._downloads: dict[str, asyncio.Task[Path]] = {}
        self.poller: InboxPoller[Voicemail] = InboxPoller(
            INBOX,
            self._first_page,
            lambda voicemail: voicemail.id,
            self._announce,
            markers=StoredSeenMarkers(store),
            bus=bus,
            schedule=poll_schedule,
        )

    # -- listing --------------------------------------------------------------------------

    async def page(self, where: VoicemailFilter, page: int = 1) -> VoicemailPage:
        """One page of voicemails, newest first. Raises the client's ProviderErrors."""
        result = await self._client.list_voicemails(
            page,
            self.per_page,
            from_date=where.from_date,
            to_date=where.to_date,
            sort=NEWEST_FIRST,
            extension_source=where.source_extension,
            extension_destination=where.destination_extension,
        )
        items = await self.describe(result.items)
        return VoicemailPage(items, page, result.total_count, result.has_next)

    async def describe(self, voicemails: Sequence[Voicemail]) -> list[VoicemailItem]:
        """Callers named and new marks set, with one trip to the store."""
        numbers = [caller_number(v) for v in voicemails]
        marks = await self._store.call(voicemail_marks, [v.id for v in voicemails], [n for n, _ in numbers])
        items = []
        for voicemail, (number, shown) in zip(voicemails, numbers, strict=True):
            caller_id = readable_caller_id(voicemail.source_name)
            name = marks.names.get(number) or caller_id or shown or "Unknown caller"
            is_new = voicemail.id not in marks.played
            items.append(VoicemailItem(voicemail, Caller(name, number, shown), is_new))
        return items

    # -- new marks ------------------------------------------------------------------------

    async def mark_played(self, voicemail_id: str, played: bool = True) -> bool:
        """Played voicemails are no longer new (kept in the store); True if that changed."""
        return await self._store.call(mark_played, voicemail_id, played)

    # -- audio ----------------------------------------------------------------------------

    def audio_path(self, voicemail: Voicemail) -> Path:
        key = voicemail.audio.id if voicemail.audio is not None and voicemail.audio.id else voicemail.id
        return self.cache_dir / f"{_safe_name(key)}.wav"

    async def audio_file(self, voicemail: Voicemail) -> Path:
        """The recording on disk (downloaded once; concurrent asks share one download).

        Raises :class:`NoRecording`, the client's ProviderErrors, or OSError.
        """
        if voicemail.audio is None:
            caller = voicemail.source_name or voicemail.source
            raise NoRecording(f"The voicemail from {caller} has no recording.")
        path = self.audio_path(voicemail)
        loop = asyncio.get_running_loop()
        size = await loop.run_in_executor(None, _cached_size, path)
        if size is not None and size > 0 and (voicemail.audio.size <= 0 or size == voicemail.audio.size):
            await loop.run_in_executor(None, _touch, path)
            return path
        task = self._downloads.get(path.name)
        if task is None:
            task = self._tasks.start(self._download(voicemail, path), name=f"voicemail-audio-{path.stem}")
            self._downloads[path.name] = task
            task.add_done_callback(lambda _t: self._downloads.pop(path.name, None))
        # A caller that gives up (the user picked another voicemail) leaves the download running.
        return await asyncio.shield(task)

    async def _download(self, voicemail: Voicemail, path: Path) -> Path:
        assert voicemail.audio is not None
        size = await self._client.download(voicemail.audio.link, path, max_bytes=MAX_AUDIO_BYTES)
        log.info("voicemail %s: recording saved (%d bytes)", voicemail.id, size)
        await asyncio.get_running_loop().run_in_executor(None, _prune, self.cache_dir, CACHED_RECORDINGS)
        return path

    async def save_audio(self, voicemail: Voicemail, dest: Path) -> int:
        """Copy the recording to ``dest`` (downloading it first if needed); returns its size."""
        source = await self.audio_file(voicemail)
        return await asyncio.get_running_loop().run_in_executor(None, _copy, source, dest)

    # -- polling --------------------------------------------------------------------------

    def start_polling(self) -> None:
        self.poller.start()

    async def close(self) -> None:
        await self.poller.stop()
        await self._tasks.cancel_all()

    async def _first_page(self) -> list[Voicemail]:
        return (await self._client.list_voicemails(1, POLL_PAGE_SIZE, sort=NEWEST_FIRST)).items

    async def _announce(self, voicemails: list[Voicemail]) -> None:
        items = await self.describe(voicemails)
        self._bus.publish(VoicemailsArrived(tuple(voicemails)))
        if len(items) <= NOTIFY_ONE_BY_ONE:
            for item in items:
                self._bus.publish(NotificationRequested("New voicemail", notification_text(item)))
        else:
            latest = notification_text(items[0])
            self._bus.publish(NotificationRequested(f"{len(items)} new voicemails", f"Latest: {latest}"))


def notification_text(item: VoicemailItem) -> str:
    """``Voicemail from Leo Perry (0:42)``."""
    return f"Voicemail from {item.caller.name} ({format_duration(item.voicemail.duration)})"
