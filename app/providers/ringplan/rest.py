"""The RingPlan REST API over one ``httpx.AsyncClient``.

Every public coroutine returns domain models (or :class:`~.paging.Page` of them) and raises
only :class:`app.providers.errors.ProviderError` subclasses. Requests are retried with
capped exponential backoff and full jitter: on 429 for any method (honouring
``Retry-After``), and on 5xx, timeouts and connection failures only for idempotent
methods, so that a POST is never sent twice because an answer was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Coroutine,
    Mapping,
    Sequence,
)
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from app.domain.account import Credentials, validate_server_url
from app.domain.company import Company
from app.domain.contacts import Contact
from app.domain.texting import Conversation, Message, TextingContact, TextingNumber
from app.domain.voicemail import Voicemail
from app.providers.errors import (
    ApiError,
    IncompleteDownload,
    MalformedResponse,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    ServerError,
    TimedOut,
    TlsError,
    TooLarge,
)
from app.providers.ringplan.backoff import Backoff, retry_after_from_header
from app.providers.ringplan.files import PartFile, same_origin
from app.providers.ringplan.paging import Page
from app.providers.ringplan.voicemail_wire import WireVoicemail, voicemail_from_wire
from app.providers.ringplan.wire import (
    Extension,
    PbxInstance,
    WireCompany,
    WireContact,
    WireConversation,
    WireExtension,
    WireInstance,
    WireLocation,
    WireMessage,
    WireTextingContact,
    WireTextingNumber,
    company_from_wire,
    contact_from_wire,
    conversation_from_wire,
    extension_from_wire,
    instance_from_wire,
    location_contact_from_wire,
    message_from_wire,
    summarize_validation_error,
    texting_contact_from_wire,
    texting_number_from_wire,
)

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
USER_AGENT = "RingDesk/0.1"
MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
DOWNLOAD_CHUNK = 64 * 1024
MAX_REDIRECTS = 5

W = TypeVar("W", bound=BaseModel)
D = TypeVar("D")
T = TypeVar("T")

Params = Mapping[str, str | int | Sequence[str]]


def _segment(value: str) -> str:
    """An id as one URL path segment (``/`` and friends escaped)."""
    return quote(str(value), safe="")


class RingPlanClient:
    """Async client of the RingPlan REST API; use it as ``async with RingPlanClient(...)``.

    ``max_retry_after`` is the longest ``Retry-After`` the client waits by itself; when the
    server asks for more, :class:`RateLimited` is raised at once with ``retry_after`` set.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float = 10.0,
        max_attempts: int = 4,
        backoff: Backoff | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retry_after: float = 60.0,
    ) -> None:
        self._base_url = validate_server_url(base_url)
        self._secret = credentials.api_key
        self._timeout = timeout
        self._max_attempts = max(1, max_attempts)
        self._backoff = backoff if backoff is not None else Backoff()
        self._max_retry_after = max_retry_after
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {credentials.api_key}",
                "X-User-Id": credentials.user_id,
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"RingPlanClient({self._base_url!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -----------------------------------------------------------------------------------
    # Company and users

    async def get_company(self) -> Company:
        """``GET /system/company``: the company of the acting user."""
        response = await self._request("GET", "/system/company")
        return company_from_wire(self._one(WireCompany, response))

    async def iter_company_contacts(self, items_per_page: int = 500) -> AsyncIterator[list[Contact]]:
        """``GET /system/company/contacts`` page by page: one list of contacts per page
        (stopping as :meth:`_pages_ahead` says)."""
        if items_per_page < 1:
            raise ValueError("items_per_page must be at least 1")

        async def fetch(page: int) -> httpx.Response:
            params = {"page": page, "items_per_page": items_per_page}
            return await self._request("GET", "/system/company/contacts", params=params)

        pages = self._pages_ahead("company contacts", fetch, self._company_contacts, items_per_page)
        async with contextlib.aclosing(pages):  # stopped early, it cancels the page asked ahead
            async for contacts in pages:
                yield contacts

    def _company_contacts(self, response: httpx.Response) -> tuple[list[Contact], str | None, int]:
        """A page's contacts, the first one's id, and how many the server sent."""
        wires, raw_count = self._many(WireContact, response)
        return [contact_from_wire(w) for w in wires], wires[0].id if wires else None, raw_count

    async def _pages_ahead(
        self,
        what: str,
        fetch: Callable[[int], Coroutine[Any, Any, httpx.Response | None]],
        decode: Callable[[httpx.Response], tuple[list[T], str | None, int]],
        page_size: int,
    ) -> AsyncGenerator[list[T]]:
        """A paged list, one list per page: ``decode`` gives a page's items, the first one's
        id and how many the server sent.

        Stops on a missing list (``fetch`` gives None), 204, an empty page, a page repeating
        the previous one, the last page by the ``X-Pagination-*`` headers, or a page shorter
        than the page size (the one the server says it used, when it caps the size asked
        for). When the headers say another page follows, it is requested before this one is
        decoded (on a worker thread: validating a page is CPU work the UI must not wait
        behind) and handed out, so the server prepares it while the caller stores this one.
        """
        loop = asyncio.get_running_loop()
        page = 1
        previous_first: str | None = None
        ahead: asyncio.Task[httpx.Response | None] | None = None
        response = await fetch(page)
        try:
            while True:
                if response is None or response.status_code == 204:
                    return
                page_count = Page.from_headers([], response.headers).page_count
                if page_count is not None and page < page_count:
                    ahead = loop.create_task(fetch(page + 1))
                    ahead.add_done_callback(_retrieve_exception)
                items, first, raw_count = await loop.run_in_executor(None, decode, response)
                if raw_count == 0:
                    return
                if first is not None and first == previous_first:
                    log.warning("%s: page %d repeats the previous page; stopping", what, page)
                    return
                previous_first = first
                yield items
                info = Page.from_headers(items, response.headers, requested_per_page=page_size)
                if info.page_count is not None and page >= info.page_count:
                    return
                if raw_count < min(page_size, info.per_page or page_size):
                    return
                page += 1
                if ahead is not None:
                    response, ahead = await ahead, None
                else:
                    response = await fetch(page)
        finally:
            if ahead is not None:
                ahead.cancel()

    # -----------------------------------------------------------------------------------
    # PBX instances and extensions

    async def list_locations(self) -> list[Contact]:
        """``GET /company/locations``: the company's offices, as contacts."""
        company = (await self.get_company()).name
        response = await self._request("GET", "/company/locations")
        wires, _ = self._many(WireLocation, response)
        return [location_contact_from_wire(w, company) for w in wires]

    async def list_instances(self) -> list[PbxInstance]:
        """``GET /instances``: the company's PBX instances."""
        response = await self._request("GET", "/instances")
        wires, _ = self._many(WireInstance, response)
        return [instance_from_wire(w) for w in wires]

    async def iter_extensions(
        self, instance_uuid: str, page_size: int = 100
    ) -> AsyncGenerator[list[Extension]]:
        """``GET /instances/{uuid}/bulks/extensions`` page by page: one list per page.

        Sends only ``page`` and ``page_size``. Stops on 204, an empty page, the last page
        by the ``X-Pagination-*`` headers, or a page shorter than the page size (the one
        the server says it used, when it caps the size asked for). A 404 (no extensions on
        this instance, or no such instance) is an empty list.

        When the headers say another page follows, it is requested before this one is
        handed out, so that the server prepares it while the caller stores this one.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        path = f"/instances/{_segment(instance_uuid)}/bulks/extensions"

        async def fetch(page: int) -> httpx.Response | None:
            try:
                return await self._request("GET", path, params={"page": page, "page_size": page_size})
            except NotFound:
                return None

        pages = self._pages_ahead("extensions", fetch, self._extensions, page_size)
        async with contextlib.aclosing(pages):
            async for extensions in pages:
                yield extensions

    def _extensions(self, response: httpx.Response) -> tuple[list[Extension], str | None, int]:
        wires, raw_count = self._many(WireExtension, response)
        return [extension_from_wire(w) for w in wires], wires[0].id if wires else None, raw_count

    # -----------------------------------------------------------------------------------
    # Texting: conversations

    async def list_conversations(self, page: int = 1, per_page: int = 50) -> Page[Conversation]:
        """``GET /texting/conversations`` (``page``, ``per_page``)."""
        response = await self._request(
            "GET", "/texting/conversations", params={"page": page, "per_page": per_page}
        )
        return self._page(WireConversation, conversation_from_wire, response, page, per_page)

    async def iter_conversations(self, per_page: int = 50) -> AsyncIterator[list[Conversation]]:
        """All conversations, one list per page, until the last page."""
        page = 1
        while True:
            result = await self.list_conversations(page, per_page)
            if result.raw_count == 0:
                return
            yield result.items
            if not result.has_next:
                return
            page += 1

    async def search_conversations(self, text: str) -> list[Conversation]:
        """``GET /texting/conversations/search?text=...``."""
        response = await self._request(
            "GET", "/texting/conversations/search", params={"text": text}
        )
        wires, _ = self._many(WireConversation, response)
        return [conversation_from_wire(w) for w in wires]

    async def create_conversation(self, contact_id: str, from_number: str) -> Conversation:
        """``POST /texting/conversations``; an existing conversation is returned as is."""
        response = await self._request(
            "POST",
            "/texting/conversations",
            json={"contact_id": contact_id, "from_number": from_number},
        )
        return conversation_from_wire(self._one(WireConversation, response))

    async def delete_conversation(self, conversation_id: str) -> None:
        """``DELETE /texting/conversations/{id}`` with all its messages."""
        await self._request("DELETE", f"/texting/conversations/{_segment(conversation_id)}")

    # -----------------------------------------------------------------------------------
    # Texting: messages

    async def list_messages(
        self, conversation_id: str, page: int = 1, per_page: int = 50
    ) -> Page[Message]:
        """``GET /texting/conversations/{id}/messages`` (``page``, ``per_page``)."""
        response = await self._request(
            "GET",
            f"/texting/conversations/{_segment(conversation_id)}/messages",
            params={"page": page, "per_page": per_page},
        )
        return self._page(WireMessage, message_from_wire, response, page, per_page)

    async def publish_message(self, conversation_id: str, text: str, stamp_id: str) -> Message:
        """``POST /texting/conversations/{id}/messages/publish``; ``stamp_id`` is the client's
        UUID for the message, which lets a retry be recognised."""
        response = await self._request(
            "POST",
            f"/texting/conversations/{_segment(conversation_id)}/messages/publish",
            json={"text": text, "stamp_id": stamp_id},
        )
        return message_from_wire(self._one(WireMessage, response))

    async def mark_message_read(
        self, conversation_id: str, message_id: str, is_read: bool = True
    ) -> Message | None:
        """``PATCH /texting/conversations/{cid}/messages/{mid}`` with ``{"is_read": ...}``.

        Setting a flag is idempotent, so this PATCH is retried like a PUT. Returns the
        updated message, or None when the server sent no body.
        """
        response = await self._request(
            "PATCH",
            f"/texting/conversations/{_segment(conversation_id)}/messages/{_segment(message_id)}",
            json={"is_read": is_read},
            idempotent=True,
        )
        if response.status_code == 204 or not response.content:
            return None
        return message_from_wire(self._one(WireMessage, response))

    async def delete_messages(self, conversation_id: str, ids: Sequence[str]) -> None:
        """``DELETE /texting/conversations/{id}/messages?ids=...&ids=...``.

        An empty ``ids`` sends nothing (the parameter is optional on the server, and we
        never want "no ids" to mean "everything").
        """
        if isinstance(ids, str):
            ids = [ids]
        if not ids:
            return
        await self._request(
            "DELETE",
            f"/texting/conversations/{_segment(conversation_id)}/messages",
            params={"ids": list(ids)},
        )

    # -----------------------------------------------------------------------------------
    # Texting: contacts and numbers

    async def create_texting_contact(
        self, number: str, first_name: str = "", last_name: str = ""
    ) -> TextingContact:
        """``POST /texting/contacts``; an existing contact with that number is returned."""
        body: dict[str, str] = {"number": number}
        if first_name:
            body["first_name"] = first_name
        if last_name:
            body["last_name"] = last_name
        response = await self._request("POST", "/texting/contacts", json=body)
        return texting_contact_from_wire(self._one(WireTextingContact, response))

    async def list_texting_contacts(self, search: str | None = None) -> list[TextingContact]:
        """``GET /texting/contacts`` (optionally ``search``); nothing found is an empty list."""
        params: dict[str, str] = {}
        if search is not None:
            params["search"] = search
        try:
            response = await self._request("GET", "/texting/contacts", params=params)
        except NotFound:
            return []
        wires, _ = self._many(WireTextingContact, response)
        return [texting_contact_from_wire(w) for w in wires]

    async def get_texting_contact(self, texting_contact_id: str) -> TextingContact:
        """``GET /texting/contacts/{id}``."""
        response = await self._request("GET", f"/texting/contacts/{_segment(texting_contact_id)}")
        return texting_contact_from_wire(self._one(WireTextingContact, response))

    async def list_texting_numbers(self) -> list[TextingNumber]:
        """``GET /texting/numbers``: the numbers the acting user may text from."""
        response = await self._request("GET", "/texting/numbers")
        wires, _ = self._many(WireTextingNumber, response)
        return [texting_number_from_wire(w) for w in wires]

    # -----------------------------------------------------------------------------------
    # Voicemails

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
    ) -> Page[Voicemail]:
        """``GET /voicemail/messages`` with the documented filters; ``sort`` names fields of
        the Voicemail object (``"-time_received"``: newest first), sent comma-separated."""
        params: dict[str, str | int] = {"page": page, "per_page": per_page}
        if from_date is not None:
            params["from_date"] = from_date.isoformat()
        if to_date is not None:
            params["to_date"] = to_date.isoformat()
        if sort:
            params["sort"] = ",".join(sort)
        if extension_source is not None:
            params["extension_source"] = extension_source
        if extension_destination is not None:
            params["extension_destination"] = extension_destination
        response = await self._request("GET", "/voicemail/messages", params=params)
        return self._page(WireVoicemail, voicemail_from_wire, response, page, per_page)

    # -----------------------------------------------------------------------------------
    # Files

    async def download(
        self,
        link: str,
        dest: Path,
        *,
        max_bytes: int = MAX_DOWNLOAD_BYTES,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> int:
        """Save the file at ``link`` (a URL, or a path on the API server) as ``dest``.

        Streamed to ``dest.part`` on a worker thread and renamed into place when complete;
        returns its size. The API key goes only to the API server's own origin (a link or
        a redirect elsewhere is fetched without it). Failures are retried like a GET;
        ``progress(received, total)`` follows the bytes. Raises :class:`TooLarge` beyond
        ``max_bytes``, other provider errors, or OSError for the local file.
        """
        url = httpx.URL(self._base_url).join(link)
        what = f"GET {url.path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._download_once(url, dest, max_bytes, progress)
            except (NetworkError, ServerError, RateLimited) as exc:
                wait = exc.retry_after if isinstance(exc, RateLimited) else None
                if attempt >= self._max_attempts or (wait is not None and wait > self._max_retry_after):
                    raise
                if wait is None:
                    wait = self._backoff.delay(attempt - 1)
                await self._pause(what, attempt, wait, type(exc).__name__)

    async def _download_once(
        self,
        url: httpx.URL,
        dest: Path,
        max_bytes: int,
        progress: Callable[[int, int | None], None] | None,
    ) -> int:
        anonymous: httpx.AsyncClient | None = None
        try:
            for _ in range(MAX_REDIRECTS + 1):
                own = same_origin(url, httpx.URL(self._base_url))
                if not own and anonymous is None:
                    anonymous = httpx.AsyncClient(
                        timeout=httpx.Timeout(self._timeout), headers={"User-Agent": USER_AGENT}
                    )
                client = self._http if own else anonymous
                assert client is not None
                what = f"GET {url.path}"
                try:
                    async with client.stream("GET", url, headers={"Accept": "*/*"}) as response:
                        if response.is_redirect and "Location" in response.headers:
                            url = url.join(response.headers["Location"])
                            continue
                        if response.status_code >= 300:
                            await response.aread()
                            raise self._api_error(response, what)
                        return await self._save_body(response, what, dest, max_bytes, progress)
                except httpx.TimeoutException as exc:
                    raise TimedOut(f"The server did not answer {what} within {self._timeout:g} s") from exc
                except httpx.TransportError as exc:
                    raise NetworkError(self._network_message(what, exc)) from exc
            raise NetworkError(f"Too many redirects for {url.path}")
        finally:
            if anonymous is not None:
                await anonymous.aclose()

    async def _save_body(
        self,
        response: httpx.Response,
        what: str,
        dest: Path,
        max_bytes: int,
        progress: Callable[[int, int | None], None] | None,
    ) -> int:
        declared: int | None = None
        length = response.headers.get("Content-Length", "")
        if length.strip().isdigit():
            declared = int(length)
        if declared is not None and declared > max_bytes:
            raise TooLarge(f"The file of {what} is {declared:,} bytes, more than the {max_bytes:,} allowed")
        async with PartFile(dest) as out:
            async for chunk in response.aiter_bytes(DOWNLOAD_CHUNK):
                if out.written + len(chunk) > max_bytes:
                    raise TooLarge(f"The file of {what} is more than the {max_bytes:,} bytes allowed")
                await out.write(chunk)
                if progress is not None:
                    progress(out.written, declared)
            if declared is not None and out.written != declared:
                raise IncompleteDownload(
                    f"The download of {what} stopped after {out.written:,} of {declared:,} bytes"
                )
            await out.commit()
            return out.written

    # -----------------------------------------------------------------------------------
    # Transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        content: Callable[[], AsyncIterable[bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request, retrying what may be retried; map failures to typed errors.

        ``content`` makes a fresh streamed body for each attempt (an upload).
        """
        method = method.upper()
        retry_failures = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        what = f"{method} {path}"
        attempt = 0
        while True:
            attempt += 1
            last_attempt = attempt >= self._max_attempts
            try:
                response = await self._http.request(
                    method,
                    path,
                    params=params,
                    json=json,
                    content=content() if content is not None else None,
                    headers=headers,
                )
            except httpx.TimeoutException as exc:
                error: ProviderError = TimedOut(
                    f"The server did not answer {what} within {self._timeout:g} s"
                )
                if retry_failures and not last_attempt:
                    await self._pause(what, attempt, self._backoff.delay(attempt - 1), "timeout")
                    continue
                raise error from exc
            except httpx.TransportError as exc:
                tls = _tls_failure(exc)
                if tls is not None:
                    # Retrying does not make a certificate trusted.
                    raise TlsError(self._tls_message(what, tls)) from exc
                error = NetworkError(self._network_message(what, exc))
                if retry_failures and not last_attempt:
                    await self._pause(
                        what, attempt, self._backoff.delay(attempt - 1), type(exc).__name__
                    )
                    continue
                raise error from exc

            status = response.status_code
            log.debug("%s -> %d", what, status)
            if status < 300:
                return response
            error = self._api_error(response, what)
            if isinstance(error, RateLimited):
                wait = error.retry_after
                if not last_attempt and (wait is None or wait <= self._max_retry_after):
                    if wait is None:
                        wait = self._backoff.delay(attempt - 1)
                    await self._pause(what, attempt, wait, "HTTP 429")
                    continue
                raise error
            if 500 <= status <= 599 and retry_failures and not last_attempt:
                await self._pause(what, attempt, self._backoff.delay(attempt - 1), f"HTTP {status}")
                continue
            raise error

    async def _pause(self, what: str, attempt: int, seconds: float, reason: str) -> None:
        log.info(
            "%s failed (%s); retrying in %.2f s (attempt %d of %d)",
            what,
            reason,
            seconds,
            attempt + 1,
            self._max_attempts,
        )
        await asyncio.sleep(seconds)

    def _api_error(self, response: httpx.Response, what: str) -> ApiError:
        retry_after = retry_after_from_header(response.headers.get("Retry-After"))
        error = ApiError.from_body(
            response.status_code,
            self._redact(response.content),
            request=what,
            retry_after=retry_after,
        )
        return error

    def _redact(self, body: bytes) -> str:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return ""
        if self._secret and len(self._secret) >= 4:
            text = text.replace(self._secret, "[redacted]")
        return text

    def _tls_message(self, what: str, failure: ssl.SSLError) -> str:
        host = httpx.URL(self._base_url).host
        if isinstance(failure, ssl.SSLCertVerificationError):
            reason = failure.verify_message or "certificate not trusted"
            return f"The server {host} sent a certificate this computer does not trust ({reason}) for {what}"
        return f"The secure connection to {host} failed for {what} ({failure.reason or 'TLS error'})"

    def _network_message(self, what: str, exc: httpx.TransportError) -> str:
        host = httpx.URL(self._base_url).host
        if isinstance(exc, httpx.ConnectError):
            reason = "could not connect"
        elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            reason = "the connection was dropped"
        else:
            reason = f"transport error: {type(exc).__name__}"
        return f"The server {host} could not be reached for {what} ({reason})"

    # -----------------------------------------------------------------------------------
    # Payloads

    def _json(self, response: httpx.Response) -> object:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponse(
                f"The server's answer to {_what(response)} was not valid JSON"
            ) from exc

    def _one(self, model: type[W], response: httpx.Response) -> W:
        data = self._json(response)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise MalformedResponse(
                f"The server's answer to {_what(response)} was not a valid "
                f"{_model_name(model)} ({summarize_validation_error(exc)})"
            ) from None

    def _many(self, model: type[W], response: httpx.Response) -> tuple[list[W], int]:
        """Validated items of a JSON array body and how many the server sent.

        A malformed item is logged and skipped; a body that is not an array raises.
        """
        data = self._json(response)
        if data is None:
            return [], 0
        if not isinstance(data, list):
            raise MalformedResponse(
                f"The server's answer to {_what(response)} was not a list of "
                f"{_model_name(model)} objects"
            )
        items: list[W] = []
        for index, item in enumerate(data):
            try:
                items.append(model.model_validate(item))
            except ValidationError as exc:
                log.warning(
                    "skipping malformed %s #%d in %s: %s",
                    _model_name(model),
                    index,
                    _what(response),
                    summarize_validation_error(exc),
                )
        return items, len(data)

    def _page(
        self,
        model: type[W],
        convert: Callable[[W], D],
        response: httpx.Response,
        page: int,
        per_page: int,
    ) -> Page[D]:
        wires, raw_count = self._many(model, response)
        return Page.from_headers(
            [convert(w) for w in wires],
            response.headers,
            raw_count=raw_count,
            requested_page=page,
            requested_per_page=per_page,
        )


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind a transport error, if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _retrieve_exception(task: asyncio.Task[Any]) -> None:
    # A request made ahead and then not needed may have failed: nobody awaits it.
    if not task.cancelled():
        task.exception()


def _what(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path}"


def _model_name(model: type[BaseModel]) -> str:
    return model.__name__.removeprefix("Wire")
