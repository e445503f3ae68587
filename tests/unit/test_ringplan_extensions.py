"""RingPlan instances and extensions: the Extension object -> a user's presence, and paging
through ``/instances/{uuid}/bulks/extensions`` (bodies and headers the demo server never
sends, over httpx.MockTransport; the demo server itself is used in
tests/integration/test_presence.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.domain.account import Credentials
from app.domain.presence import PresenceState
from app.providers.errors import ServerError
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.rest import RingPlanClient
from app.providers.ringplan.wire import (
    Extension,
    WireExtension,
    WireInstance,
    extension_from_wire,
    instance_from_wire,
    presence_from_extension,
)

USER_ID = "60190ce750fe88ed1a544a7a"


def extension(
    *,
    state: object = "REGISTERED",
    call_status: object = "idle",
    status: object = None,
    user: object = "default",
    number: int = 1001,
    ext_id: str | None = None,
) -> dict[str, Any]:
    """An Extension object shaped like the document's example (trimmed)."""
    subscriber: dict[str, Any] = {
        "call_status": call_status,
        "extension_id": "61254e7f884ca03e99ba0dfe",
        "state": state,
    }
    if status is not None:
        subscriber["status"] = status
    if user == "default":
        user = {
            "id": USER_ID,
            "first_name": "John",
            "last_name": "Smith",
            "contacts": {"email": "jsmith@example.com", "phones": {"work": "9513360234"}},
            "extension": {"id": "61254e7f884ca03e99ba0dfe", "number": str(number)},
        }
    return {
        "_id": ext_id or f"ext-{number}",
        "data": {
            "id": number,
            "callerid": f"John Smith <{number}>",
            "extension": number,
            "name": "John Smith",
            "voicemail_email": "jsmith@example.com",
        },
        "location_id": "61254e7ecbe793d0e26c7996",
        "pbx": "279951a6-4f51-5019-a897-0e7624828abf",
        "phone": [],
        "purpose": "ip-phone",
        "reserved": {"config_id": "61254e804b8fa062670a3df9", "to": "polycom"},
        "subscriber": subscriber,
        "user": user,
    }


def presence_of(payload: dict[str, Any]) -> PresenceState | None:
    presence = presence_from_extension(WireExtension.model_validate(payload))
    return None if presence is None else presence.state


# -- the Extension object -> presence -----------------------------------------------------


def test_the_documents_example_is_a_user_on_a_call() -> None:
    # The document's example: call_status "on_hold", state "UNAUTHENTICATED".
    wire = WireExtension.model_validate(extension(state="UNAUTHENTICATED", call_status="on_hold"))
    presence = presence_from_extension(wire)
    assert presence is not None
    assert presence.user_id == USER_ID
    assert presence.state is PresenceState.ON_CALL
    assert presence.raw_status == "on_hold"


@pytest.mark.parametrize(
    "call_status", ["on_hold", "in_call", "ringing", "INUSE", "RINGINUSE", "ONHOLD", "on-call"]
)
def test_a_call_in_progress_is_on_a_call(call_status: str) -> None:
    assert presence_of(extension(call_status=call_status)) is PresenceState.ON_CALL


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("UNAUTHENTICATED", PresenceState.OFFLINE),
        ("unregistered", PresenceState.OFFLINE),
        ("UNAVAILABLE", PresenceState.OFFLINE),
        ("Unreachable", PresenceState.OFFLINE),
        ("REGISTERED", PresenceState.AVAILABLE),
        ("available", PresenceState.AVAILABLE),
        ("NOT_INUSE", PresenceState.AVAILABLE),
        ("busy", PresenceState.BUSY),
        ("DND", PresenceState.DO_NOT_DISTURB),
        ("away", PresenceState.AWAY),
        ("something new", PresenceState.UNKNOWN),
        ("", PresenceState.UNKNOWN),
    ],
)
def test_without_a_call_the_registration_state_decides(state: str, expected: PresenceState) -> None:
    assert presence_of(extension(state=state, call_status="idle")) is expected


def test_a_busy_call_status_is_busy() -> None:
    assert presence_of(extension(call_status="busy")) is PresenceState.BUSY


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("available", PresenceState.AVAILABLE),
        ("away", PresenceState.AWAY),
        ("busy", PresenceState.BUSY),
        ("on_call", PresenceState.ON_CALL),
        ("dnd", PresenceState.DO_NOT_DISTURB),
        ("offline", PresenceState.OFFLINE),
    ],
)
def test_the_presence_status_wins_over_the_device_state(status: str, expected: PresenceState) -> None:
    # A registered phone while the user says "away" is away; an unregistered one while the
    # user says "available" (e.g. on the mobile app) is available.
    payload = extension(status=status, state="REGISTERED" if status == "away" else "UNAUTHENTICATED")
    assert presence_of(payload) is expected


def test_an_unknown_presence_status_falls_back_to_the_call_and_device_state() -> None:
    assert presence_of(extension(status="lunch", call_status="in_call")) is PresenceState.ON_CALL
    assert presence_of(extension(status="", state="REGISTERED")) is PresenceState.AVAILABLE


def test_an_extension_without_a_user_has_no_presence() -> None:
    assert presence_of(extension(user=None)) is None
    assert presence_of(extension(user={})) is None
    assert presence_of(extension(user={"id": "  "})) is None
    assert presence_of(extension(user="not an object")) is None


def test_odd_field_types_are_tolerated() -> None:
    payload = extension(state=42, call_status=["x"], user={"id": 1234, "contacts": "junk"})
    wire = WireExtension.model_validate(payload)
    presence = presence_from_extension(wire)
    assert presence is not None
    assert presence.user_id == "1234"
    assert presence.state is PresenceState.UNKNOWN  # "42" is no state we know


def test_a_missing_subscriber_is_unknown_presence() -> None:
    payload = extension()
    del payload["subscriber"]
    assert presence_of(payload) is PresenceState.UNKNOWN
    payload["subscriber"] = "junk"
    assert presence_of(payload) is PresenceState.UNKNOWN


def test_extension_from_wire() -> None:
    ext = extension_from_wire(WireExtension.model_validate(extension(number=1042, ext_id="e1")))
    assert ext.id == "e1"
    assert ext.number == "1042"
    assert ext.name == "John Smith"
    assert ext.user_id == USER_ID
    assert ext.presence is not None and ext.presence.state is PresenceState.AVAILABLE
    bare = extension_from_wire(WireExtension.model_validate({}))
    assert bare == Extension(id="")


def test_instance_from_wire() -> None:
    wire = WireInstance.model_validate(
        {
            "_id": "61254e7c4b8fa062670a3d9b",
            "uuid": "279951a6-4f51-5019-a897-0e7624828abf",
            "company_name": "My Company Inc",
            "fqdn": "foobar.testing.example.com",
            "hostname": "foobar",
        }
    )
    instance = instance_from_wire(wire)
    assert instance.uuid == "279951a6-4f51-5019-a897-0e7624828abf"
    assert instance.name == "My Company Inc"
    assert instance.fqdn == "foobar.testing.example.com"


# -- the client: instances and extension paging --------------------------------------------


UUID = "279951a6-4f51-5019-a897-0e7624828abf"


def _client_answering(handler: Callable[[httpx.Request], httpx.Response]) -> RingPlanClient:
    return RingPlanClient(
        "http://127.0.0.1:9",
        Credentials("secret-api-key-123", "primary"),
        transport=httpx.MockTransport(handler),
        backoff=Backoff(base=0.001, cap=0.002),
    )


def _headers(total: int, page: int, per_page: int) -> dict[str, str]:
    pages = -(-total // per_page)
    return {
        "X-Pagination-Total-Count": str(total),
        "X-Pagination-Page-Count": str(pages),
        "X-Pagination-Current-Page": str(page),
        "X-Pagination-Per-Page": str(per_page),
    }


def _server_with(
    total: int,
    *,
    headers: bool = True,
    cap: int | None = None,
    calls: list[httpx.Request] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A paged extension list of ``total`` items, optionally capping the page size."""

    def handler(request: httpx.Request) -> httpx.Response:
        if calls is not None:
            calls.append(request)
        assert request.url.path == f"/instances/{UUID}/bulks/extensions"
        page = int(request.url.params["page"])
        per_page = int(request.url.params["page_size"])
        if cap is not None:
            per_page = min(per_page, cap)
        start = (page - 1) * per_page
        body = [
            extension(number=1000 + i, ext_id=f"e{i}") for i in range(start, min(start + per_page, total))
        ]
        return httpx.Response(200, json=body, headers=_headers(total, page, per_page) if headers else None)

    return handler


async def _all_extensions(client: RingPlanClient, page_size: int) -> list[list[Extension]]:
    pages = []
    async with client:
        async for page in client.iter_extensions(UUID, page_size=page_size):
            pages.append(page)
    return pages


async def test_list_instances() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/instances"
        return httpx.Response(200, json=[{"uuid": UUID, "company_name": "Acme"}, {"no": "uuid"}])

    async with _client_answering(handler) as client:
        instances = await client.list_instances()
    assert [i.uuid for i in instances] == [UUID]


async def test_extensions_stop_on_the_last_page_by_the_headers() -> None:
    calls: list[httpx.Request] = []
    pages = await _all_extensions(_client_answering(_server_with(250, calls=calls)), 100)
    assert [len(p) for p in pages] == [100, 100, 50]
    assert len(calls) == 3
    # Only the documented parameters are sent.
    assert all(set(c.url.params) == {"page", "page_size"} for c in calls)
    assert [c.url.params["page"] for c in calls] == ["1", "2", "3"]
    ids = [e.id for p in pages for e in p]
    assert len(set(ids)) == 250


async def test_a_full_last_page_is_not_followed_by_an_empty_one() -> None:
    calls: list[httpx.Request] = []
    pages = await _all_extensions(_client_answering(_server_with(200, calls=calls)), 100)
    assert [len(p) for p in pages] == [100, 100]
    assert len(calls) == 2


async def test_without_headers_a_short_page_is_the_last() -> None:
    calls: list[httpx.Request] = []
    pages = await _all_extensions(_client_answering(_server_with(230, headers=False, calls=calls)), 100)
    assert [len(p) for p in pages] == [100, 100, 30]
    assert len(calls) == 3


async def test_without_headers_an_empty_page_ends_the_list() -> None:
    calls: list[httpx.Request] = []
    pages = await _all_extensions(_client_answering(_server_with(200, headers=False, calls=calls)), 100)
    assert [len(p) for p in pages] == [100, 100]
    assert len(calls) == 3  # the third answer was empty


async def test_a_server_that_caps_the_page_size_is_still_read_to_the_end() -> None:
    # Asked for 500 a page, the server sends 100 and says so in X-Pagination-Per-Page.
    pages = await _all_extensions(_client_answering(_server_with(350, cap=100)), 500)
    assert [len(p) for p in pages] == [100, 100, 100, 50]


async def test_a_server_ignoring_the_page_parameter_does_not_loop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[extension(number=1000 + i) for i in range(10)])

    pages = await _all_extensions(_client_answering(handler), 10)
    assert len(pages) == 1


async def test_404_is_no_extensions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"title": "Not Found", "detail": "no such instance"})

    assert await _all_extensions(_client_answering(handler), 100) == []


async def test_204_is_no_extensions() -> None:
    assert await _all_extensions(_client_answering(lambda r: httpx.Response(204)), 100) == []


async def test_malformed_extensions_are_dropped_and_paging_goes_on() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        body: list[Any] = [extension(number=1000 + page), "junk", 7] if page == 1 else []
        return httpx.Response(200, content=json.dumps(body), headers=_headers(6, page, 3))

    pages = await _all_extensions(_client_answering(handler), 3)
    assert [len(p) for p in pages] == [1]


async def test_a_server_error_is_raised_after_the_retries() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    with pytest.raises(ServerError):
        await _all_extensions(_client_answering(handler), 100)
    assert len(calls) == 4


async def test_the_instance_uuid_is_one_path_segment() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(200, json=[])

    async with _client_answering(handler) as client:
        assert [p async for p in client.iter_extensions("a/b?c", page_size=5)] == []
    assert seen[0].startswith("/instances/a%2Fb%3Fc/bulks/extensions?")


async def test_page_size_must_be_positive() -> None:
    async with _client_answering(lambda r: httpx.Response(200, json=[])) as client:
        with pytest.raises(ValueError):
            async for _ in client.iter_extensions(UUID, page_size=0):
                pass


async def test_the_next_page_is_requested_before_this_one_is_handed_out() -> None:
    calls: list[httpx.Request] = []
    seen_when_handed_out: list[int] = []
    async with _client_answering(_server_with(250, calls=calls)) as client:
        async for _page in client.iter_extensions(UUID, page_size=100):
            await asyncio.sleep(0.01)  # the caller stores the page meanwhile
            seen_when_handed_out.append(len(calls))
    # Page 2 was asked for while page 1 was being stored, page 3 while page 2 was; nothing
    # is asked for after the last page.
    assert seen_when_handed_out == [2, 3, 3]
    assert [c.url.params["page"] for c in calls] == ["1", "2", "3"]


async def test_without_page_count_nothing_is_requested_ahead() -> None:
    calls: list[httpx.Request] = []
    seen_when_handed_out: list[int] = []
    async with _client_answering(_server_with(250, headers=False, calls=calls)) as client:
        async for _page in client.iter_extensions(UUID, page_size=100):
            await asyncio.sleep(0.01)
            seen_when_handed_out.append(len(calls))
    assert seen_when_handed_out == [1, 2, 3]


async def test_stopping_early_drops_the_request_made_ahead(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.params["page"] == "2":
            return httpx.Response(503)  # would fail after retries: nobody must care
        return _server_with(1000)(request)

    async with _client_answering(handler) as client:
        pages = client.iter_extensions(UUID, page_size=100)
        first = await anext(pages)
        assert len(first) == 100
        await pages.aclose()
        await asyncio.sleep(0.05)
    assert "never retrieved" not in caplog.text


async def test_a_404_for_the_page_asked_ahead_ends_the_list() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "2":
            return httpx.Response(404, json={"title": "Not Found"})
        return _server_with(300)(request)

    pages = await _all_extensions(_client_answering(handler), 100)
    assert [len(p) for p in pages] == [100]


async def test_a_failed_page_asked_ahead_is_raised_when_it_is_needed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "2":
            return httpx.Response(500)
        return _server_with(300)(request)

    received: list[int] = []
    with pytest.raises(ServerError):
        async with _client_answering(handler) as client:
            async for page in client.iter_extensions(UUID, page_size=100):
                received.append(len(page))
    assert received == [100]
