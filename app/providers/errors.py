"""What can go wrong when talking to a provider, as a small typed tree.

Modelled on python-telegram-bot's ``telegram.error``: every failure a provider client
raises is a :class:`ProviderError`; HTTP error answers are :class:`ApiError` subclasses
chosen by status code; transport failures are :class:`NetworkError`; answers that do not
look like the documented payload are :class:`MalformedResponse`.

``str(error)`` is a sentence a user can read. It never contains credentials or request
headers: callers pass only a method, a path and the server's error text, and the client
redacts its secret from the latter before building the error.
"""

from __future__ import annotations

import json
from typing import ClassVar

__all__ = [
    "ApiError",
    "BadRequest",
    "Forbidden",
    "IncompleteDownload",
    "MalformedResponse",
    "NetworkError",
    "NotAcceptable",
    "NotFound",
    "ProviderError",
    "RateLimited",
    "ServerError",
    "TimedOut",
    "TlsError",
    "TooLarge",
    "Unauthorized",
    "api_error_for_status",
]

# Server-provided text shown in an error is cut to this many characters.
_MAX_SERVER_TEXT = 300


class ProviderError(Exception):
    """Base of every error a provider client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ApiError(ProviderError):
    """The server answered with an HTTP error status.

    ``title`` and ``detail`` come from the documented error body
    ``{"detail", "status", "title", "type"}`` (RFC 7807 style); both are "" when the body
    was missing or not JSON.
    """

    summary: ClassVar[str] = "The server refused the request"

    def __init__(
        self, status: int, title: str = "", detail: str = "", *, request: str = ""
    ) -> None:
        self.status = status
        self.title = _clip(title)
        self.detail = _clip(detail)
        self.request = request
        super().__init__(self._compose())

    def _compose(self) -> str:
        head = f"{self.summary} (HTTP {self.status}"
        if self.title:
            head += f" {self.title}"
        head += ")"
        if self.request:
            head += f" for {self.request}"
        if self.detail and self.detail != self.title:
            head += f": {self.detail}"
        return head

    @classmethod
    def from_body(
        cls,
        status: int,
        body: bytes | str,
        *,
        request: str = "",
        retry_after: float | None = None,
    ) -> ApiError:
        """Build the error class matching ``status`` from a (possibly non-JSON) body."""
        title, detail = parse_error_body(body)
        return api_error_for_status(status, title, detail, request=request, retry_after=retry_after)


class BadRequest(ApiError):
    """400: the request was invalid (a parameter or the payload was rejected)."""

    summary = "The server rejected the request as invalid"


class Unauthorized(ApiError):
    """401: the API key or the user id was not accepted."""

    summary = "The server did not accept the API key or user id; sign in again"


class Forbidden(ApiError):
    """403: this user may not do that."""

    summary = "This user is not allowed to do that"


class NotFound(ApiError):
    """404: no such item (or endpoint)."""

    summary = "The server has no such item"


class NotAcceptable(ApiError):
    """406: the server cannot answer in the requested format."""

    summary = "The server cannot answer in the requested format"


class RateLimited(ApiError):
    """429: too many requests. ``retry_after`` is the server's requested wait, if it gave one."""

    summary = "Too many requests; the server asked to slow down"

    def __init__(
        self,
        status: int = 429,
        title: str = "",
        detail: str = "",
        *,
        request: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status, title, detail, request=request)

    def _compose(self) -> str:
        text = super()._compose()
        if self.retry_after is not None:
            text += f" (try again in {self.retry_after:.0f} s)"
        return text


class ServerError(ApiError):
    """5xx: the server failed."""

    summary = "The server had a problem"


class NetworkError(ProviderError):
    """The server could not be reached or stopped answering (connect/read failure)."""

    def __init__(self, message: str = "The server could not be reached") -> None:
        super().__init__(message)


class TimedOut(NetworkError):
    """The server did not answer in time."""

    def __init__(self, message: str = "The server did not answer in time") -> None:
        super().__init__(message)


class TlsError(NetworkError):
    """The secure connection failed: a certificate that is not trusted, expired or for
    another host, or a TLS handshake the server broke off."""

    def __init__(self, message: str = "The secure connection to the server failed") -> None:
        super().__init__(message)


class IncompleteDownload(NetworkError):
    """A download ended before the size the server announced."""


class TooLarge(ProviderError):
    """A download is bigger than the caller accepts."""


class MalformedResponse(ProviderError):
    """The server answered, but not with the documented payload."""

    def __init__(self, message: str = "The server sent an answer that could not be read") -> None:
        super().__init__(message)


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    406: NotAcceptable,
    429: RateLimited,
}


def api_error_for_status(
    status: int,
    title: str = "",
    detail: str = "",
    *,
    request: str = "",
    retry_after: float | None = None,
) -> ApiError:
    """The :class:`ApiError` subclass instance for an HTTP status code."""
    if status == 429:
        return RateLimited(status, title, detail, request=request, retry_after=retry_after)
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if 500 <= status <= 599 else ApiError
    return cls(status, title, detail, request=request)


def parse_error_body(body: bytes | str) -> tuple[str, str]:
    """``(title, detail)`` from an error body; empty strings when it is not the documented JSON."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return "", ""
    try:
        data = json.loads(body) if body.strip() else None
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    title = data.get("title")
    detail = data.get("detail")
    return (
        title if isinstance(title, str) else "",
        detail if isinstance(detail, str) else "",
    )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_SERVER_TEXT:
        return text[: _MAX_SERVER_TEXT - 1] + "…"
    return text
