"""The RingPlan REST endpoints (document section "REST") as a Starlette app.

Every request needs ``Authorization: Bearer <api key>`` and ``X-User-Id: <contact id or
"primary">``; every error answers ``{"detail", "status", "title", "type": "about:blank"}``.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.demo.database import DemoDatabase
from app.demo.errors import ApiError, error_response
from app.demo.operations import DemoOperations

log = logging.getLogger(__name__)

USER_SCOPE_KEY = "ringplan.user_id"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000


def json_response(data: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def pagination_headers(total: int, page: int, per_page: int) -> dict[str, str]:
    return {
        "X-Pagination-Total-Count": str(total),
        "X-Pagination-Page-Count": str(math.ceil(total / per_page)),
        "X-Pagination-Current-Page": str(page),
        "X-Pagination-Per-Page": str(per_page),
    }


def int_param(request: Request, name: str, default: int, *, minimum: int = 1) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid value for query parameter '{name}': {raw!r}") from None
    if value < minimum:
        raise ApiError(400, f"Query parameter '{name}' must be at least {minimum}, not {value}")
    return value


def page_params(request: Request, size_name: str) -> tuple[int, int]:
    page = int_param(request, "page", 1)
    per_page = min(int_param(request, size_name, DEFAULT_PER_PAGE), MAX_PER_PAGE)
    return page, per_page


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "A JSON request body is required.")
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None


async def json_object(request: Request) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def acting_user(request: Request) -> str:
    return str(request.scope[USER_SCOPE_KEY])


class AuthGate:
    """ASGI middleware: the API key and acting user of every request, and path clean-up."""

    def __init__(self, app: ASGIApp, db: DemoDatabase) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self._check(headers)
        if isinstance(problem, str):
            await error_response(401, problem)(scope, receive, send)
            return
        scope = {**scope, USER_SCOPE_KEY: problem[0]}
        await self.app(scope, receive, send)

    def _check(self, headers: Mapping[str, str]) -> str | tuple[str]:
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if not authorization:
            return "Missing Authorization header: send 'Authorization: Bearer <API key>'."
        if scheme.lower() != "bearer" or not token.strip():
            return "Malformed Authorization header: expected 'Bearer <API key>'."
        if not hmac.compare_digest(token.strip().encode(), self.db.api_key.encode()):
            return "Invalid API key."
        user_header = headers.get("x-user-id", "").strip()
        if not user_header:
            return "Missing X-User-Id header: send a contact id or 'primary'."
        user_id = self.db.resolve_user(user_header)
        if user_id is None:
            return f"Unknown X-User-Id: {user_header!r} is not a user of this company."
        return (user_id,)


class RestApi:
    """Route handlers over the database and the operations that emit events."""

    def __init__(self, db: DemoDatabase, ops: DemoOperations) -> None:
        self.db = db
        self.ops = ops

    # -- company and users ---------------------------------------------------------------

    async def get_company(self, request: Request) -> Response:
        return json_response(self.db.company())

    async def patch_company(self, request: Request) -> Response:
        body = await json_object(request)
        if not self.db.is_owner(acting_user(request)):
            raise ApiError(403, "Requesting user is not the company owner.")
        return json_response(self.db.update_company(body))

    async def list_contacts(self, request: Request) -> Response:
        page = int_param(request, "page", 1)
        per_page = min(int_param(request, "items_per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
        contacts, total = self.db.list_contacts_json(
            first_name=request.query_params.get("first_name"),
            work_email=request.query_params.get("work_email"),
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        headers = pagination_headers(total, page, per_page)
        if not contacts:
            return Response(status_code=204, headers=headers)
        body = ("[" + ",".join(contacts) + "]").encode()
        return Response(body, headers=headers, media_type="application/json")

    async def add_contact(self, request: Request) -> Response:
        body = await json_object(request)
        if not self.db.is_owner(acting_user(request)):
            raise ApiError(403, "User is not the owner of this company.")
        for key in ("first_name", "last_name"):
            if key in body and not isinstance(body[key], str):
                raise ApiError(400, f"'{key}' must be a string.")
        return json_response(self.db.add_contact(body), status=201)

    async def patch_contact(self, request: Request) -> Response:
        contact_id = request.path_params["contact_id"]
        body = await json_object(request)
        user = acting_user(request)
        if self.db.get_contact(contact_id) is None:
            raise ApiError(404, f"Contact {contact_id} does not exist.")
        if user != contact_id and not self.db.is_owner(user):
            raise ApiError(403, "Requesting user is neither the one being updated nor the owner.")
        updated = self.db.update_contact(contact_id, body)
        if updated is None:
            raise ApiError(404, f"Contact {contact_id} does not exist.")
        return json_response(updated)

    async def delete_contact(self, request: Request) -> Response:
        contact_id = request.path_params["contact_id"]
        if not self.db.is_owner(acting_user(request)):
            raise ApiError(403, "Requesting user is not the company owner.")
        try:
            deleted = self.db.delete_contact(contact_id)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        if not deleted:
            raise ApiError(404, f"Contact {contact_id} does not exist.")
        return json_response({"id": contact_id, "deleted": True})

    # -- locations, instances, extensions ------------------------------------------------

    async def list_locations(self, request: Request) -> Response:
        return json_response(self.db.locations())

    async def list_instances(self, request: Request) -> Response:
        return json_response(self.db.instances())

    async def list_extensions(self, request: Request) -> Response:
        instance_uuid = request.path_params["instance_uuid"]
        if not self.db.has_instance(instance_uuid):
            raise ApiError(404, f"Instance {instance_uuid} does not exist.")
        filter_by = request.query_params.get("filter_by")
        if filter_by not in (None, "", "unassigned", "softphone"):
            raise ApiError(400, f"Invalid value for 'filter_by': {filter_by!r}")
        by_user = request.query_params.get("by_user")
        if by_user not in (None, "", "on"):
            raise ApiError(400, f"Invalid value for 'by_user': {by_user!r}")
        page, per_page = page_params(request, "page_size")
        if filter_by == "unassigned":  # every demo extension is assigned to a user
            extensions: list[dict[str, Any]] = []
            total = 0
        else:
            extensions, total = self.db.list_extensions(
                search=request.query_params.get("search") or None,
                by_user=by_user == "on",
                limit=per_page,
                offset=(page - 1) * per_page,
            )
        return json_response(extensions, headers=pagination_headers(total, page, per_page))

    # -- texting: conversations ----------------------------------------------------------

    async def list_conversations(self, request: Request) -> Response:
        page, per_page = page_params(request, "per_page")
        conversations, total = self.db.list_conversations(limit=per_page, offset=(page - 1) * per_page)
        return json_response(conversations, headers=pagination_headers(total, page, per_page))

    async def search_conversations(self, request: Request) -> Response:
        text = request.query_params.get("text", "").strip()
        return json_response(self.db.search_conversations(text))

    async def create_conversation(self, request: Request) -> Response:
        body = await json_object(request)
        contact_id = body.get("contact_id")
        if not isinstance(contact_id, str) or not contact_id:
            raise ApiError(400, "'contact_id' (a texting contact id) is required.")
        from_number = body.get("from_number")
        if from_number is None:
            from_number = self.db.company_texting_numbers()[0]
        if not isinstance(from_number, str):
            raise ApiError(400, "'from_number' must be a string.")
        try:
            result = await self.ops.create_conversation(contact_id, from_number)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        if result is None:
            raise ApiError(404, f"Texting contact {contact_id} does not exist.")
        conversation, created = result
        return json_response(conversation, status=201 if created else 200)

    async def delete_conversation(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        if not await self.ops.delete_conversation(conversation_id):
            raise ApiError(404, f"Conversation {conversation_id} does not exist.")
        return Response(status_code=204)

    # -- texting: messages ---------------------------------------------------------------

    async def list_messages(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        page, per_page = page_params(request, "per_page")
        result = self.db.list_messages(conversation_id, limit=per_page, offset=(page - 1) * per_page)
        if result is None:
            raise ApiError(404, f"Conversation {conversation_id} does not exist.")
        messages, total = result
        return json_response(messages, headers=pagination_headers(total, page, per_page))

    async def patch_message(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        message_id = request.path_params["message_id"]
        body = await json_object(request)
        is_read = body.get("is_read")
        if not isinstance(is_read, bool):
            raise ApiError(400, "'is_read' (a boolean) is required.")
        marked = await self.ops.mark_read(conversation_id, [message_id], is_read, acting_user(request))
        if not marked:
            raise ApiError(404, f"Message {message_id} does not exist in this conversation.")
        message = self.db.get_message(conversation_id, message_id)
        if message is None:  # deleted in between
            raise ApiError(404, f"Message {message_id} does not exist in this conversation.")
        return json_response(message)

    async def publish_message(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        body = await json_object(request)
        text = body.get("text", "")
        files = body.get("files") or []
        stamp_id = body.get("stamp_id")
        if not isinstance(text, str):
            raise ApiError(400, "'text' must be a string.")
        if not isinstance(files, list):
            raise ApiError(400, "'files' must be an array.")
        if not text.strip() and not files:
            raise ApiError(400, "A message needs 'text' or 'files'.")
        if stamp_id is not None and (not isinstance(stamp_id, str) or not stamp_id):
            raise ApiError(400, "'stamp_id' must be a non-empty string.")
        result = await self.ops.publish(conversation_id, text, stamp_id, files)
        if result is None:
            raise ApiError(404, f"Conversation {conversation_id} does not exist.")
        return json_response(result[0], status=201)

    async def delete_messages(self, request: Request) -> Response:
        conversation_id = request.path_params["conversation_id"]
        ids = [
            part.strip()
            for value in request.query_params.getlist("ids")
            for part in value.split(",")
            if part.strip()
        ]
        deleted = await self.ops.delete_messages(conversation_id, ids)
        if deleted is None:
            raise ApiError(404, "The conversation or some of the messages with the given ids do not exist.")
        return Response(status_code=204)

    # -- texting: contacts ---------------------------------------------------------------

    async def create_texting_contact(self, request: Request) -> Response:
        body = await json_object(request)
        number = body.get("number")
        if not isinstance(number, str) or not number.strip():
            raise ApiError(400, "'number' (a phone number) is required.")
        first_name = body.get("first_name") or ""
        last_name = body.get("last_name") or ""
        if not isinstance(first_name, str) or not isinstance(last_name, str):
            raise ApiError(400, "'first_name' and 'last_name' must be strings.")
        result = self.db.create_texting_contact(number, first_name, last_name)
        if result is None:
            raise ApiError(400, f"{number!r} is not a valid US phone number.")
        contact, created = result
        return json_response(contact, status=201 if created else 200)

    async def list_texting_contacts(self, request: Request) -> Response:
        search = request.query_params.get("search", "").strip() or None
        return json_response(self.db.list_texting_contacts(search))

    async def get_texting_contact(self, request: Request) -> Response:
        contact_id = request.path_params["texting_contact_id"]
        contact = self.db.get_texting_contact(contact_id)
        if contact is None:
            raise ApiError(404, f"Texting contact {contact_id} does not exist.")
        return json_response(contact)

    async def put_texting_contact(self, request: Request) -> Response:
        contact_id = request.path_params["texting_contact_id"]
        body = await json_object(request)
        for key in ("number", "first_name", "last_name"):
            if key in body and not isinstance(body[key], str):
                raise ApiError(400, f"'{key}' must be a string.")
        try:
            contact = self.db.update_texting_contact(contact_id, body)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        except Exception as exc:  # the number belongs to another texting contact
            if "UNIQUE" in str(exc):
                raise ApiError(400, "Another texting contact has this number.") from None
            raise
        if contact is None:
            raise ApiError(404, f"Texting contact {contact_id} does not exist.")
        return json_response(contact)

    # -- texting: numbers ----------------------------------------------------------------

    async def list_texting_numbers(self, request: Request) -> Response:
        numformat = request.query_params.get("numformat") or None
        if numformat not in (None, "international", "national"):
            raise ApiError(400, f"Invalid value for 'numformat': {numformat!r}")
        email = self.db.user_email(acting_user(request)) or ""
        return json_response(self.db.list_texting_numbers(email, numformat))

    async def put_texting_number(self, request: Request) -> Response:
        number = request.path_params["number"]
        body = await json_body(request)
        if not isinstance(body, list) or not all(isinstance(e, str) for e in body):
            raise ApiError(400, "The body must be an array of e-mail addresses.")
        updated = self.db.set_texting_number_ownership(number, body)
        if updated is None:
            raise ApiError(404, f"Texting number {number} does not exist.")
        return json_response(updated)

    # -- the app -------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        conv = "/texting/conversations/{conversation_id}"
        return [
            Route("/system/company", self.get_company, methods=["GET"]),
            Route("/company", self.patch_company, methods=["PATCH"]),
            Route("/system/company/contacts", self.list_contacts, methods=["GET"]),
            Route("/company/contacts", self.add_contact, methods=["POST"]),
            Route("/company/contacts/{contact_id}", self.patch_contact, methods=["PATCH"]),
            Route("/company/contacts/{contact_id}", self.delete_contact, methods=["DELETE"]),
            Route("/company/locations", self.list_locations, methods=["GET"]),
            Route("/instances", self.list_instances, methods=["GET"]),
            Route(
                "/instances/{instance_uuid}/bulks/extensions",
                self.list_extensions,
                methods=["GET"],
            ),
            Route("/texting/conversations", self.list_conversations, methods=["GET"]),
            Route("/texting/conversations", self.create_conversation, methods=["POST"]),
            Route("/texting/conversations/search", self.search_conversations, methods=["GET"]),
            Route(conv, self.delete_conversation, methods=["DELETE"]),
            Route(f"{conv}/messages", self.list_messages, methods=["GET"]),
            Route(f"{conv}/messages", self.delete_messages, methods=["DELETE"]),
            Route(f"{conv}/messages/publish", self.publish_message, methods=["POST"]),
            Route(f"{conv}/messages/{{message_id}}", self.patch_message, methods=["PATCH"]),
            Route("/texting/contacts", self.create_texting_contact, methods=["POST"]),
            Route("/texting/contacts", self.list_texting_contacts, methods=["GET"]),
            Route("/texting/contacts/{texting_contact_id}", self.get_texting_contact, methods=["GET"]),
            Route("/texting/contacts/{texting_contact_id}", self.put_texting_contact, methods=["PUT"]),
            Route("/texting/numbers", self.list_texting_numbers, methods=["GET"]),
            Route("/texting/numbers/{number}", self.put_texting_number, methods=["PUT"]),
        ]


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.detail)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = None if exc.status_code in (404, 405) else exc.detail
    return error_response(exc.status_code, detail, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ClientDisconnect):  # the client gave up (e.g. a test's hang fault)
        log.info("client left before %s %s was read", request.method, request.url.path)
        return error_response(400)
    log.exception("demo server error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500)


def build_rest_app(
    db: DemoDatabase, ops: DemoOperations, extra_routes: Sequence[BaseRoute] = ()
) -> ASGIApp:
    """The REST API as an ASGI app: authentication in front of the routes (the features'
    own modules, e.g. ``app.demo.fax``, add theirs as ``extra_routes``)."""
    api = RestApi(db, ops)
    app = Starlette(
        routes=[*api.routes(), *extra_routes],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.router.redirect_slashes = False
    return AuthGate(app, db)
