"""Voicemails: a recording left on an extension's mailbox, and who left it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class VoicemailAudio:
    """The recording (``voicemail_file``). ``link`` is where to download it from."""

    id: str
    name: str
    link: str
    duration: float  # seconds
    size: int = 0


@dataclass(frozen=True, slots=True)
class Voicemail:
    """One voicemail. ``source`` is the caller's extension, or an outside caller's number
    as the PBX wrote it (digits only); ``source_name`` is the caller-id name it came with."""

    id: str
    received_at: datetime
    source: str
    destination: str
    source_name: str = ""
    email: str = ""
    audio: VoicemailAudio | None = None

    @property
    def duration(self) -> float:
        return self.audio.duration if self.audio is not None else 0.0


@dataclass(frozen=True, slots=True)
class VoicemailFilter:
    """What the list shows: a date range (inclusive days) and the two extensions."""

    from_date: date | None = None
    to_date: date | None = None
    source_extension: int | None = None
    destination_extension: int | None = None

    def __post_init__(self) -> None:
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise ValueError("the start date is after the end date")
        for value in (self.source_extension, self.destination_extension):
            if value is not None and value < 0:
                raise ValueError("an extension is a positive number")


def format_duration(seconds: float) -> str:
    """``0:42``, ``12:05``, ``1:02:03``; fractions round up to the next second (a 0.2 s
    recording is ``0:01``, never ``0:00``)."""
    whole = max(0, int(-(-seconds // 1))) if seconds > 0 else 0
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
