"""Faxes: the lists and their filters, read state, deletions, retries, edits, sending, files,
and notifications of new inbound faxes.

The rules live here: a fax file must be a PDF or a TIFF by its content (not its name),
not empty and at most 50 MB; a recipient must be a real number (``phonenumbers``); an
outbound fax deleted locally stays hidden even if the server still lists it; every
failure the user can act on becomes a :class:`FaxError` in words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.domain.events import FaxesChanged, NotificationRequested
from app.domain.fax import (
    FaxBox,
    FaxDestination,
    FaxDraft,
    FaxFile,
    FaxFilter,
    FaxMessage,
    FaxStatistics,
    fax_mimetype,
)
from app.domain.phone import format_for_display, to_valid_e164
from app.providers.errors import ApiError, NotAcceptable, NotFound, ProviderError
from app.providers.ringplan.paging import Page
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.inbox_poller import InboxPoller, SeenMarkers
from app.store.database import Store
from app.store.fax_hidden import hidden_among, hide_fax

log = logging.getLogger(__name__)

MAX_FAX_BYTES = 50 * 1024 * 1024
INBOX = "fax-inbound"
NOTIFY_ONE_BY_ONE = 3  # more new faxes than this at once: one summary notification
POLL_PAGE = 20

Progress = Callable[[int, int], None]


class FaxError(Exception):
    """Something about a fax the user should read, in words."""


class FaxApi(Protocol):
    """What the service needs from a provider (``RingPlanFax`` implements it)."""

    async def list_messages(
        self,
        box: FaxBox,
        fax_filter: FaxFilter = ...,
        page: int = ...,
        per_page: int = ...,
        sort: tuple[str, ...] = ...,
    ) -> Page[FaxMessage]: ...

    async def statistics(self) -> FaxStatistics: ...

    async def numbers(self) -> list[str]: ...

    async def set_read(self, fax_id: str, is_read: bool) -> FaxMessage | None: ...

    async def delete(self, box: FaxBox, fax_id: str) -> None: ...

    async def send(self, draft: FaxDraft) -> FaxMessage: ...

    async def update_failed(self, fax_id: str, changes: dict[str, Any]) -> FaxMessage: ...

    async def retry(self, fax_id: str) -> FaxMessage | None: ...

    async def update_scheduled(self, fax_id: str, changes: dict[str, Any]) -> FaxMessage: ...

    async def upload(
        self, path: Path, *, mimetype: str | None = ..., progress: Progress | None = ...
    ) -> FaxFile: ...

    async def download(self, file_id: str, target: Path) -> Path: ...

    async def create_destination(self, emails: list[str]) -> FaxDestination: ...


@dataclass(frozen=True, slots=True)
class FaxDocument:
    """A local file checked to be sendable as a fax."""

    path: Path
    mimetype: str
    size: int


@dataclass(frozen=True, slots=True)
class OutgoingFax:
    """What the send dialog collects; numbers as the user typed them."""

    document: FaxDocument
    to_number: str
    from_number: str
    to_name: str = ""
    from_name: str = ""
    subject: str = ""
    emails: tuple[str, ...] = ()
    send_at: datetime | None = None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_fax_file(path: Path) -> FaxDocument:
    """Whether ``path`` can be faxed, by its content; FaxError saying why not. Blocking: run
    it on a worker thread."""
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise FaxError(f"{name} is not a file.")
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise FaxError(f"Cannot read {name}: {exc.strerror or exc}.") from None
    if size == 0:
        raise FaxError(f"{name} is empty: there is nothing to fax.")
    if size > MAX_FAX_BYTES:
        raise FaxError(f"{name} is {_megabytes(size)}; a fax can be at most {_megabytes(MAX_FAX_BYTES)}.")
    mimetype = fax_mimetype(head)
    if mimetype is not None:
        return FaxDocument(path, mimetype, size)
    raise FaxError(
        f"{name} is not a PDF or TIFF document (its content is neither, whatever its name says). "
        "Save or print it as PDF first."
    )


def parse_emails(text: str) -> tuple[str, ...]:
    """Addresses separated by commas or semicolons; FaxError naming the first bad one."""
    emails = tuple(e.strip() for e in text.replace(";", ",").split(",") if e.strip())
    for email in emails:
        local, at, domain = email.partition("@")
        if not (local and at and "." in domain) or " " in email:
            raise FaxError(f"{email} is not an e-mail address.")
    return emails


def recipient_number(raw: str) -> str:
    """The recipient as E.164; FaxError when it is not a real fax number."""
    number = to_valid_e164(raw)
    if number is None:
        shown = raw.strip() or "(nothing)"
        raise FaxError(f"{shown} is not a valid fax number. Type it with its area code, e.g. (858) 555-0123.")
    return number


def explain(exc: ProviderError, action: str) -> FaxError:
    """A provider error as a sentence about what the user tried."""
    if isinstance(exc, NotAcceptable):
        return FaxError(
            f"Cannot {action}: the server only allows this for faxes that failed to send, and this fax "
            "has not failed (it may have been sent already, or still be sending). Refresh to see its state."
        )
    if isinstance(exc, NotFound):
        return FaxError(f"Cannot {action}: the fax is no longer on the server (deleted elsewhere?).")
    if isinstance(exc, ApiError) and exc.status == 413:
        return FaxError(f"Cannot {action}: the server refused the file as too large.")
    if isinstance(exc, ApiError) and exc.detail:
        return FaxError(f"Cannot {action}: {exc.detail}")
    return FaxError(f"Cannot {action}: {exc}")


class FaxService:
    def __init__(
        self,
        api: FaxApi,
        store: Store,
        bus: EventBus,
        contacts: ContactBook,
        *,
        files_dir: Path,
    ) -> None:
        self._api = api
        self._store = store
        self._bus = bus
        self._contacts = contacts
        self._files_dir = files_dir
        self._poller: InboxPoller[FaxMessage] | None = None

    # -- lists ---------------------------------------------------------------------------

    async def page(self, box: FaxBox, fax_filter: FaxFilter, page: int, per_page: int) -> Page[FaxMessage]:
        """One page of a box; outbound faxes deleted locally are left out."""
        try:
            result = await self._api.list_messages(box, fax_filter, page, per_page)
        except ProviderError as exc:
            raise explain(exc, "load the faxes") from None
        if box is not FaxBox.OUTBOUND or not result.items:
            return result
        hidden = await self._store.call(hidden_among, [m.id for m in result.items])
        if not hidden:
            return result
        return replace(result, items=[m for m in result.items if m.id not in hidden])

    async def statistics(self) -> FaxStatistics:
        try:
            return await self._api.statistics()
        except ProviderError as exc:
            raise explain(exc, "count the faxes") from None

    async def scheduled_count(self) -> int | None:
        """How many faxes wait to be sent (statistics have no such number: the list's total)."""
        try:
            first = await self._api.list_messages(FaxBox.SCHEDULED, FaxFilter(), 1, 1)
        except ProviderError as exc:
            raise explain(exc, "count the scheduled faxes") from None
        return first.total_count

    async def numbers(self) -> list[str]:
        try:
            return await self._api.numbers()
        except ProviderError as exc:
            raise explain(exc, "list the fax numbers") from None

    # -- one fax -------------------------------------------------------------------------

    async def set_read(self, fax: FaxMessage, is_read: bool) -> FaxMessage:
        try:
            updated = await self._api.set_read(fax.id, is_read)
        except ProviderError as exc:
            raise explain(exc, "mark the fax read" if is_read else "mark the fax unread") from None
        return updated or replace(fax, is_read=is_read)

    async def delete_inbound(self, fax: FaxMessage) -> None:
        try:
            await self._api.delete(FaxBox.INBOUND, fax.id)
        except NotFound:
            pass  # already gone: what the user wanted
        except ProviderError as exc:
            raise explain(exc, "delete the fax") from None
        self._bus.publish(FaxesChanged(FaxBox.INBOUND))

    async def delete_outbound(self, fax: FaxMessage) -> None:
        """Delete an outbound fax locally: hidden here at once, its local data dropped on the
        server (``DELETE /fax/messages/outbound/{id}``); a server failure keeps it hidden."""
        await self._store.call(hide_fax, fax.id)
        try:
            await self._api.delete(FaxBox.OUTBOUND, fax.id)
        except NotFound:
            pass
        except ProviderError as exc:
            log.warning("outbound fax %s hidden locally; the server kept it: %s", fax.id, exc)
        self._bus.publish(FaxesChanged(FaxBox.OUTBOUND))

    async def retry(self, fax: FaxMessage) -> FaxMessage:
        try:
            resent = await self._api.retry(fax.id)
        except ProviderError as exc:
            raise explain(exc, "retry the fax") from None
        self._bus.publish(FaxesChanged(FaxBox.OUTBOUND))
        return resent or fax

    async def change_recipient(self, fax: FaxMessage, number: str, name: str) -> FaxMessage:
        """Give a failed fax a new recipient (then retry it to send it there)."""
        changes = {"to": recipient_number(number), "to_name": name.strip()}
        try:
            updated = await self._api.update_failed(fax.id, changes)
        except ProviderError as exc:
            raise explain(exc, "change the recipient") from None
        self._bus.publish(FaxesChanged(FaxBox.OUTBOUND))
        return updated

    async def update_scheduled(
        self,
        fax: FaxMessage,
        *,
        to_number: str | None = None,
        to_name: str | None = None,
        subject: str | None = None,
        send_at: datetime | None = None,
    ) -> FaxMessage:
        changes: dict[str, Any] = {}
        if to_number is not None:
            changes["to"] = recipient_number(to_number)
        if to_name is not None:
            changes["to_name"] = to_name.strip()
        if subject is not None:
            changes["subject"] = subject.strip()
        if send_at is not None:
            if send_at <= datetime.now(UTC):
                raise FaxError("The new send time has passed: pick a time in the future.")
            changes["send_at"] = send_at
        try:
            updated = await self._api.update_scheduled(fax.id, changes)
        except ProviderError as exc:
            raise explain(exc, "change the scheduled fax") from None
        self._bus.publish(FaxesChanged(FaxBox.SCHEDULED))
        return updated

    async def cancel_scheduled(self, fax: FaxMessage) -> None:
        try:
            await self._api.delete(FaxBox.SCHEDULED, fax.id)
        except ProviderError as exc:
            raise explain(exc, "cancel the scheduled fax") from None
        self._bus.publish(FaxesChanged(FaxBox.SCHEDULED))

    async def deliver_by_email(self, text: str) -> FaxDestination:
        """Have the company's faxes delivered to these addresses too (a fax destination)."""
        emails = parse_emails(text)
        if not emails:
            raise FaxError("Type at least one e-mail address.")
        try:
            return await self._api.create_destination(list(emails))
        except ProviderError as exc:
            raise explain(exc, "set up e-mail delivery") from None

    # -- sending -------------------------------------------------------------------------

    async def check_file(self, path: Path) -> FaxDocument:
        """The file checked on a worker thread (FaxError: why it cannot be faxed)."""
        return await asyncio.get_running_loop().run_in_executor(None, check_fax_file, path)

    async def send(self, outgoing: OutgoingFax, progress: Progress | None = None) -> FaxMessage:
        """Check, upload (progress; cancel the task to stop), then send or schedule."""
        to_number = recipient_number(outgoing.to_number)
        if not outgoing.from_number:
            raise FaxError("Choose the number to send the fax from.")
        if outgoing.send_at is not None and outgoing.send_at <= datetime.now(UTC):
            raise FaxError("The send time has passed: pick a time in the future, or send now.")
        document = await self.check_file(outgoing.document.path)
        try:
            uploaded = await self._api.upload(document.path, mimetype=document.mimetype, progress=progress)
        except ProviderError as exc:
            raise explain(exc, f"upload {document.path.name}") from None
        draft = FaxDraft(
            file_id=uploaded.id,
            to_number=to_number,
            from_number=outgoing.from_number,
            to_name=outgoing.to_name.strip(),
            from_name=outgoing.from_name.strip(),
            subject=outgoing.subject.strip(),
            emails=tuple(e.strip() for e in outgoing.emails if e.strip()),
            send_at=outgoing.send_at,
        )
        try:
            sent = await self._api.send(draft)
        except ProviderError as exc:
            raise explain(exc, "schedule the fax" if draft.send_at else "send the fax") from None
        self._bus.publish(FaxesChanged(sent.box))
        return sent

    async def open_file(self, fax: FaxMessage) -> Path:
        """The fax's document on disk (downloaded once into the profile's fax folder)."""
        if not fax.file_id:
            raise FaxError("This fax has no document attached.")
        safe = "".join(ch for ch in fax.file_id if ch.isalnum() or ch in "-_") or "fax"
        target = self._files_dir / safe
        loop = asyncio.get_running_loop()
        if await loop.run_in_executor(None, target.is_file):
            return target
        try:
            return await self._api.download(fax.file_id, target)
        except ProviderError as exc:
            raise explain(exc, "open the fax") from None

    # -- new inbound faxes ---------------------------------------------------------------

    def watch_inbound(self, markers: SeenMarkers) -> InboxPoller[FaxMessage]:
        """Poll the inbound box's first page; new faxes raise notifications (until close)."""

        async def first_page() -> Sequence[FaxMessage]:
            return (await self._api.list_messages(FaxBox.INBOUND, FaxFilter(), 1, POLL_PAGE)).items

        self._poller = InboxPoller(
            INBOX, first_page, lambda m: m.id, self._announce, markers=markers, bus=self._bus
        )
        self._poller.start()
        return self._poller

    async def close(self) -> None:
        if self._poller is not None:
            await self._poller.stop()
            self._poller = None

    async def _announce(self, faxes: list[FaxMessage]) -> None:
        self._bus.publish(FaxesChanged(FaxBox.INBOUND))
        if len(faxes) > NOTIFY_ONE_BY_ONE:
            self._bus.publish(NotificationRequested(f"{len(faxes)} new faxes", "Open RingDesk to read them."))
            return
        for fax in reversed(faxes):  # oldest first
            sender = await self.sender_name(fax)
            pages = f"{fax.pages} page{'s' if fax.pages != 1 else ''}" if fax.pages else ""
            body = " · ".join(part for part in (fax.subject, pages) if part) or "A new fax arrived."
            self._bus.publish(NotificationRequested(f"New fax from {sender}", body))

    async def sender_name(self, fax: FaxMessage) -> str:
        """Who sent an inbound fax: a contact's name, else the name on the fax, else the number."""
        if not fax.from_number:
            return fax.from_name or "an anonymous sender"
        contact = await self._contacts.contact_for_number(fax.from_number)
        if contact is not None:
            return contact.display_name
        return fax.from_name or format_for_display(fax.from_number)
