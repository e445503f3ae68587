"""The RingPlan fax endpoints ("Fax - Destinations", "Fax - Messages", "Fax - Numbers") and
file upload/download, over a :class:`~app.providers.ringplan.rest.RingPlanClient`.

Uploads are not in the document (it refers to files by id only): ``upload_path`` (default
``/files``) takes a multipart ``file`` field and answers the File object; a file's bytes
are read from ``{upload_path}/{id}/content``. Both are what the embedded server serves.

An upload streams the file from disk in chunks read on a worker thread, reports progress
after each chunk, and stops (closing the connection) when its task is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from app.domain.fax import (
    FaxBox,
    FaxDestination,
    FaxDraft,
    FaxFile,
    FaxFilter,
    FaxMessage,
    FaxStatistics,
)
from app.providers.errors import ApiError, MalformedResponse, NotAcceptable
from app.providers.ringplan.fax_wire import (
    WireFaxMessage,
    WireFaxStatistics,
    fax_file_from_wire,
    fax_message_from_wire,
    fax_number,
    fax_statistics_from_wire,
    wire_number,
)
from app.providers.ringplan.paging import Page
from app.providers.ringplan.rest import RingPlanClient, _segment
from app.providers.ringplan.wire import WireFile, WireModel

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_PATH = "/files"
UPLOAD_CHUNK = 256 * 1024

Progress = Callable[[int, int], None]
"""Called with (bytes sent, bytes in all) as an upload goes."""


class OnlyForFailedFaxes(NotAcceptable):
    """406 on retry or update: the document allows these only for failed outbound faxes."""

    summary: ClassVar[str] = "Only a failed outbound fax can be retried or changed"


class WireDestination(WireModel):
    id: str = ""
    emails: list[str] = []


def _moment(value: datetime) -> str:
    """A date parameter as the document's examples write them (UTC, to the second)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def filter_params(box: FaxBox, fax_filter: FaxFilter) -> dict[str, str]:
    """The documented query parameters of a list request for this filter."""
    params: dict[str, str] = {}
    if fax_filter.start is not None:
        params["start_date"] = _moment(fax_filter.start)
    if fax_filter.end is not None:
        params["end_date"] = _moment(fax_filter.end)
    if fax_filter.number.strip():
        digits = "".join(ch for ch in fax_filter.number if ch.isdigit())
        params["number"] = digits or fax_filter.number.strip()
    for key, value in (
        ("name", fax_filter.name),
        ("subject", fax_filter.subject),
        ("search", fax_filter.search),
    ):
        if value.strip():
            params[key] = value.strip()
    if box is FaxBox.INBOUND:
        if fax_filter.is_read is not None:
            params["is_read"] = "true" if fax_filter.is_read else "false"
        if fax_filter.include_anonymous:
            params["undefined"] = "true"
    return params


def draft_body(draft: FaxDraft) -> dict[str, Any]:
    """The Fax Message object that creates (or schedules) a fax."""
    body: dict[str, Any] = {
        "file": {"id": draft.file_id},
        "from": wire_number(draft.from_number),
        "to": wire_number(draft.to_number),
        "from_name": draft.from_name,
        "to_name": draft.to_name,
        "subject": draft.subject,
    }
    if draft.emails:
        body["emails"] = list(draft.emails)
    if draft.send_at is not None:
        body["send_at"] = _moment(draft.send_at)
    return body


def _multipart_head(boundary: str, filename: str, mimetype: str) -> bytes:
    safe = filename.replace("\\", "_").replace('"', "'").replace("\r", " ").replace("\n", " ")
    return (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{safe}"\r\n'
        f"Content-Type: {mimetype}\r\n\r\n"
    ).encode()


class RingPlanFax:
    """Fax calls of one account; errors are the client's typed :class:`ProviderError` s,
    with 406 on retry/update as :class:`OnlyForFailedFaxes`."""

    def __init__(
        self,
        client: RingPlanClient,
        *,
        upload_path: str = DEFAULT_UPLOAD_PATH,
        chunk_size: int = UPLOAD_CHUNK,
    ) -> None:
        if not upload_path.startswith("/"):
            raise ValueError("upload_path must start with '/'")
        self._client = client
        self.upload_path = upload_path.rstrip("/") or DEFAULT_UPLOAD_PATH
        self._chunk_size = max(1024, chunk_size)

    # -- lists and statistics ------------------------------------------------------------

    async def list_messages(
        self,
        box: FaxBox,
        fax_filter: FaxFilter = FaxFilter(),  # noqa: B008 - frozen
        page: int = 1,
        per_page: int = 50,
        sort: tuple[str, ...] = (),
    ) -> Page[FaxMessage]:
        """``GET /fax/messages/{box}`` with the documented filters, one page."""
        params: dict[str, str | int | list[str]] = {**filter_params(box, fax_filter), "page": page}
        params["per_page"] = per_page
        if sort:
            params["sort"] = list(sort)
        response = await self._client._request("GET", f"/fax/messages/{box.value}", params=params)
        return self._client._page(
            WireFaxMessage, lambda w: fax_message_from_wire(w, box), response, page, per_page
        )

    async def statistics(self) -> FaxStatistics:
        """``GET /fax/statistics``."""
        response = await self._client._request("GET", "/fax/statistics")
        return fax_statistics_from_wire(self._client._one(WireFaxStatistics, response))

    async def numbers(self) -> list[str]:
        """``GET /fax/numbers``: the company's fax numbers (E.164 where they parse)."""
        response = await self._client._request("GET", "/fax/numbers")
        data = self._client._json(response)
        if not isinstance(data, list):
            raise MalformedResponse("The server's answer to GET /fax/numbers was not a list of numbers")
        return [fax_number(str(item)) for item in data if isinstance(item, str | int) and str(item).strip()]

    async def create_destination(self, emails: list[str]) -> FaxDestination:
        """``POST /fax/destinations``: deliver faxes to these e-mails (an existing one is returned)."""
        response = await self._client._request("POST", "/fax/destinations", json={"emails": emails})
        wire = self._client._one(WireDestination, response)
        return FaxDestination(id=wire.id, emails=tuple(wire.emails))

    # -- one fax -------------------------------------------------------------------------

    def _message(self, box: FaxBox, response: Any) -> FaxMessage:
        return fax_message_from_wire(self._client._one(WireFaxMessage, response), box)

    async def set_read(self, fax_id: str, is_read: bool) -> FaxMessage | None:
        """``PATCH /fax/messages/inbound/{id}`` with ``{"is_read": ...}`` (idempotent)."""
        response = await self._client._request(
            "PATCH", f"/fax/messages/inbound/{_segment(fax_id)}", json={"is_read": is_read}, idempotent=True
        )
        if response.status_code == 204 or not response.content:
            return None
        return self._message(FaxBox.INBOUND, response)

    async def delete(self, box: FaxBox, fax_id: str) -> None:
        """``DELETE /fax/messages/{box}/{id}``: delete an inbound fax, the local data of an
        outbound one, or cancel a scheduled one."""
        await self._client._request("DELETE", f"/fax/messages/{box.value}/{_segment(fax_id)}")

    async def send(self, draft: FaxDraft) -> FaxMessage:
        """``POST /fax/messages/outbound`` (now) or ``/fax/messages/scheduled`` (``send_at``)."""
        box = FaxBox.OUTBOUND if draft.send_at is None else FaxBox.SCHEDULED
        response = await self._client._request("POST", f"/fax/messages/{box.value}", json=draft_body(draft))
        return self._message(box, response)

    async def update_failed(self, fax_id: str, changes: dict[str, Any]) -> FaxMessage:
        """``PUT /fax/messages/outbound/{id}``: change a failed fax before it is resent."""
        body = {k: wire_number(v) if k in ("to", "from") else v for k, v in changes.items()}
        try:
            response = await self._client._request(
                "PUT", f"/fax/messages/outbound/{_segment(fax_id)}", json=body
            )
        except NotAcceptable as exc:
            raise _only_for_failed(exc) from None
        return self._message(FaxBox.OUTBOUND, response)

    async def retry(self, fax_id: str) -> FaxMessage | None:
        """``POST /fax/messages/outbound/{id}/retry`` (202: accepted for resending)."""
        try:
            response = await self._client._request("POST", f"/fax/messages/outbound/{_segment(fax_id)}/retry")
        except NotAcceptable as exc:
            raise _only_for_failed(exc) from None
        if not response.content:
            return None
        return self._message(FaxBox.OUTBOUND, response)

    async def update_scheduled(self, fax_id: str, changes: dict[str, Any]) -> FaxMessage:
        """``PUT /fax/messages/scheduled/{id}`` (``send_at`` a datetime, numbers any spelling)."""
        body: dict[str, Any] = {}
        for key, value in changes.items():
            if key in ("to", "from"):
                body[key] = wire_number(value)
            elif key == "send_at" and isinstance(value, datetime):
                body[key] = _moment(value)
            else:
                body[key] = value
        response = await self._client._request(
            "PUT", f"/fax/messages/scheduled/{_segment(fax_id)}", json=body
        )
        return self._message(FaxBox.SCHEDULED, response)

    # -- files ---------------------------------------------------------------------------

    async def upload(
        self, path: Path, *, mimetype: str | None = None, progress: Progress | None = None
    ) -> FaxFile:
        """``POST {upload_path}`` with the file as a streamed multipart body.

        The file is read in chunks on a worker thread; ``progress(sent, total)`` follows each
        chunk. Cancel the calling task to stop the upload.
        """
        loop = asyncio.get_running_loop()
        size = (await loop.run_in_executor(None, path.stat)).st_size
        kind = mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        boundary = f"ringdesk-{uuid.uuid4().hex}"
        head = _multipart_head(boundary, path.name, kind)
        tail = f"\r\n--{boundary}--\r\n".encode()
        total = len(head) + size + len(tail)
        chunk_size = self._chunk_size

        async def body() -> AsyncIterator[bytes]:
            sent = len(head)
            yield head
            handle: BinaryIO = await loop.run_in_executor(None, path.open, "rb")
            try:
                while chunk := await loop.run_in_executor(None, handle.read, chunk_size):
                    yield chunk
                    sent += len(chunk)
                    if progress is not None:
                        progress(sent, total)
            finally:
                handle.close()  # no await here: the generator may be closed by the collector
            yield tail
            if progress is not None:
                progress(total, total)

        response = await self._client._request(
            "POST",
            self.upload_path,
            content=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(total),
            },
        )
        return fax_file_from_wire(self._client._one(WireFile, response))

    async def download(self, file_id: str, target: Path) -> Path:
        """``GET {upload_path}/{id}/content`` written to ``target`` (on a worker thread)."""
        response = await self._client._request("GET", f"{self.upload_path}/{_segment(file_id)}/content")
        content = response.content
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _write_file, target, content)
        return target


def _write_file(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(content)
    partial.replace(target)


def _only_for_failed(exc: ApiError) -> OnlyForFailedFaxes:
    return OnlyForFailedFaxes(exc.status, exc.title, exc.detail, request=exc.request)
