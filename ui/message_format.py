"""How times, days, numbers and previews of messages read in the Messages pane."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, QLocale, QTime

PREVIEW_CHARS = 120
RECENT_DAYS = 6


def local(moment: datetime) -> datetime:
    """The moment in the computer's time zone (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def clock_time(moment: datetime) -> str:
    """``14:05`` or ``2:05 PM``, as the user's locale writes short times."""
    stamp = local(moment)
    return QLocale().toString(QTime(stamp.hour, stamp.minute), QLocale.FormatType.ShortFormat)


def _relative_day(day: date, today: date | None, today_text: str, short: bool) -> str:
    """ "Today"-ish, "Yesterday", a weekday within the week, else a date (shorter this year)."""
    today = today or datetime.now().astimezone().date()
    if day == today:
        return today_text
    if day == today - timedelta(days=1):
        return "Yesterday"
    locale = QLocale()
    if today - day <= timedelta(days=RECENT_DAYS) and day < today:
        kind = QLocale.FormatType.ShortFormat if short else QLocale.FormatType.LongFormat
        return locale.dayName(day.isoweekday(), kind)
    qdate = QDate(day.year, day.month, day.day)
    if day.year == today.year:
        return locale.toString(qdate, "d MMM" if short else "dddd, d MMMM")
    if short:
        return locale.toString(qdate, QLocale.FormatType.ShortFormat)
    return locale.toString(qdate, "dddd, d MMMM yyyy")


def list_time(moment: datetime | None, today: date | None = None) -> str:
    """A conversation row's time: the clock today, "Yesterday", a weekday, then a date."""
    if moment is None:
        return ""
    return _relative_day(local(moment).date(), today, clock_time(moment), short=True)


def day_label(day: date, today: date | None = None) -> str:
    """A thread's day separator: "Today", "Yesterday", "Tuesday", "Tuesday, 12 March 2024"."""
    return _relative_day(day, today, "Today", short=False)


def display_number(number: str) -> str:
    from app.domain.phone import format_for_display  # phonenumbers: not on the start-up path

    return format_for_display(number) if number else ""


def one_line(text: str, limit: int = PREVIEW_CHARS) -> str:
    """A message as one line of at most ``limit`` characters (newlines become spaces)."""
    flat = " ".join(text[: limit * 2].split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def initials(title: str) -> str:
    """Two letters for an avatar; a "#" for a number without a name."""
    words = [w for w in title.split() if w[:1].isalpha()]
    if not words:
        return "#"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def file_size(size: int) -> str:
    if size <= 0:
        return ""
    units = ("B", "KB", "MB", "GB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""
