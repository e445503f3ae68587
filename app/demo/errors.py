"""The RingPlan error body, ``{"detail", "status", "title", "type"}``, for every error."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus

from starlette.responses import Response


class ApiError(Exception):
    """Raised by a route handler to answer with the documented error body."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


DEFAULT_DETAILS: dict[int, str] = {
    400: "The browser (or proxy) sent a request that this server could not understand.",
    401: "The server could not verify that you are authorized to access the URL requested.",
    403: "You don't have the permission to access the requested resource.",
    404: "The requested URL was not found on the server.",
    405: "The method is not allowed for the requested URL.",
    429: "Too many requests. Slow down and retry later.",
    500: "The server encountered an internal error and was unable to complete your request.",
    502: "The upstream server returned an invalid response.",
    503: "The server is temporarily unable to service your request. Please try again later.",
    504: "The upstream server did not answer in time.",
}


def error_body(status: int, detail: str | None = None) -> dict[str, object]:
    return {
        "detail": detail if detail is not None else DEFAULT_DETAILS.get(status, status_title(status)),
        "status": status,
        "title": status_title(status),
        "type": "about:blank",
    }


def error_response(
    status: int, detail: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(error_body(status, detail)).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")
