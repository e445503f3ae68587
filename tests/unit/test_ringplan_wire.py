"""RingPlan wire models: the document's example-shaped payloads -> domain models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.domain.account import Credentials
from app.domain.contacts import PhoneKind, PhoneNumber
from app.domain.presence import PresenceState
from app.domain.texting import Direction
from app.providers.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    MalformedResponse,
    NotAcceptable,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    api_error_for_status,
)
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.rest import RingPlanClient
from app.providers.ringplan.wire import (
    WireChatDeleted,
    WireCompany,
    WireContact,
    WireConversation,
    WireMessage,
    WireMessageDeleted,
    WireMessagesRead,
    WireTextingContact,
    WireTextingNumber,
    WireUserStatus,
    company_from_wire,
    contact_from_wire,
    conversation_from_wire,
    describe_payload,
    message_from_wire,
    parse_datetime,
    presence_from_wire,
    presence_state_from_wire,
    summarize_validation_error,
    texting_contact_from_wire,
    texting_number_from_wire,
)

COMPANY: dict[str, Any] = {
    "id": "611ced1255c44a89f8df7cc0",
    "address": {"city": "San Diego", "country": "United States"},
    "affiliate": False,
    "billing_email": "billing@example.com",
    "created": "2021-08-18T14:20:50.837000+0100",
    "email": "contact@example.com",
    "emergency_contact_number": "15554441234",
    "employees": 5,
    "name": "Example Corp",
    "phone": "15555554321",
    "status": "active",
    "updated": "2021-08-25T02:53:44.016000+0100",
    "website": "https://example.com",
}

CONTACT: dict[str, Any] = {
    "id": "611ced1355c44a89f8df7cc3",
    "activated": True,
    "address": {
        "address2": "",
        "city": "San Diego",
        "country": "United States",
        "number": "",
        "state": "CA",
        "street": {"name": "Foo Lane", "number": 23, "type": "Avenue"},
        "zip": "12345",
    },
    "birthdate": None,
    "company_id": "611ced1255c44a89f8df7cc0",
    "contacts": {
        "email": "janedoe@example.com",
        "fax": "13235551234",
        "phones": {"home": "", "mobile": "(619) 555-0134", "other": "not a number", "work": "15554441234"},
    },
    "created": "2021-08-18T11:20:51.510000Z",
    "description": "",
    "extension": {
        "id": "61254e7f884ca03e99ba0dfe",
        "description": "Megacorp Accountancy Department",
        "name": "MC Acc Dpt",
        "number": 1001,
    },
    "first_name": "Jane",
    "invitation": {"status": "accepted", "accepted_at": None},
    "last_enter": "2021-08-24T19:46:12Z",
    "last_name": "Doe",
    "primary_agent": None,
    "timezone": "UTC",
    "title": "Ms",
    "updated": "2021-08-25T00:05:44.201000Z",
    "some_future_field": {"nested": [1, 2, 3]},
}

MESSAGE: dict[str, Any] = {
    "id": "615717dfaea77fef6ace1bbf",
    "campaign_info": {"name": "NewCampaignCreate"},
    "conversation_id": "615717df4b8fa06267cd2f73",
    "conversation_type": "direct",
    "created_at": "2021-10-01T17:14:55.613000+0300",
    "direction": "inbound",
    "files": [
        {
            "id": "f4f2fdda269d44bc403de84a",
            "company_id": "5cd2d3384368b16e31c454ff",
            "description": "A cat on table",
            "mimetype": "image/jpeg",
            "name": "My Cat",
            "preview": {"base64": "...BDAAK3ALon//Z", "filename": "p.jpg", "mimetype": "image/jpeg"},
            "size": 284821,
            "uploaded_at": "2018-12-29T11:24:22.943306Z",
            "uploaded_name": "cat_picture.jpg",
            "user_id": "5cd2d338436ff8b16e31c454",
        }
    ],
    "frm": "+17604509400",
    "is_read": False,
    "is_visible": True,
    "source_conversation_type": "campaign",
    "stamp_id": "b44c10de-1d7b-4914-ac68-6af475bc3236",
    "success": True,
    "text": "Hello",
    "timezone": "Europe/Kiev",
    "to": "+19513360234",
}

TEXTING_CONTACT: dict[str, Any] = {
    "id": "61254ea64b8fa062670a3fc8",
    "company_id": "611ced1255c44a89f8df7cc0",
    "first_name": "John",
    "last_name": "Smith",
    "number": "+15555551234",
}

CONVERSATION: dict[str, Any] = {
    "id": "615717df4b8fa06267cd2f73",
    "company_id": "611ced1255c44a89f8df7cc0",
    "contact_id": "615717df4b8fa06267cd2f6f",
    "contactinfo": TEXTING_CONTACT,
    "contactsinfo": [TEXTING_CONTACT],
    "conversation_type": "direct",
    "countunreadmessages": 1,
    "from_number": "9513360234",
    "has_direct_msg": True,
    "has_hidden_msg": False,
    "last_message_created_at": "2021-10-01T17:14:55.591000+0300",
    "lastmessage": MESSAGE,
    "recipients": ["615717df4b8fa06267cd2f6f"],
    "timezone": "Europe/Kiev",
    "unread_msg_count": 1,
    "updated_at": "2022-08-10T12:31:37.164696",
}

USER_STATUS: dict[str, Any] = {
    "company_id": "611ced1255c44a89f8df7cc0",
    "user_id": "611ced1355c44a89f8df7cc3",
    "user_email": "janedoe@example.com",
    "status": {"status": "on_call", "action_type": "auto"},
    "id": "61656f0c29a740a320e7ff63",
    "created_at": "2021-10-12T11:10:04.123000Z",
    "updated_at": "2021-10-12T11:12:04.123000Z",
    "deleted_at": None,
}

PLUS3 = timezone(timedelta(hours=3))


# -- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-01T17:14:55.613000+0300", datetime(2021, 10, 1, 17, 14, 55, 613000, PLUS3)),
        ("2021-08-18T11:20:51.510000Z", datetime(2021, 8, 18, 11, 20, 51, 510000, UTC)),
        ("2021-08-24T19:46:12Z", datetime(2021, 8, 24, 19, 46, 12, tzinfo=UTC)),
        ("2022-08-10T12:31:37.164696", datetime(2022, 8, 10, 12, 31, 37, 164696, UTC)),
        ("2021-10-01 17:14:55+03:00", datetime(2021, 10, 1, 17, 14, 55, tzinfo=PLUS3)),
        (1633097695, datetime(2021, 10, 1, 14, 14, 55, tzinfo=UTC)),
        (1633097695000, datetime(2021, 10, 1, 14, 14, 55, tzinfo=UTC)),
    ],
)
def test_dates_become_aware(text: str | int, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None
    assert parsed == expected


@pytest.mark.parametrize(
    "bad", ["", "yesterday", "2021-13-45T00:00:00Z", "x" * 1000, None, True, {}, [], float("nan")]
)
def test_bad_dates_raise(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_datetime(bad)


# -- company and users -----------------------------------------------------------------


def test_company() -> None:
    company = company_from_wire(WireCompany.model_validate(COMPANY))
    assert (company.id, company.name, company.email, company.phone) == (
        "611ced1255c44a89f8df7cc0",
        "Example Corp",
        "contact@example.com",
        "15555554321",
    )


def test_company_user_maps_to_contact() -> None:
    contact = contact_from_wire(WireContact.model_validate(CONTACT), company_name="Example Corp")
    assert contact.source == "ringplan"
    assert contact.source_id == "611ced1355c44a89f8df7cc3"
    assert contact.key == "ringplan:611ced1355c44a89f8df7cc3"
    # RingPlan's title is an honorific ("Ms"), not a job title.
    assert (contact.first_name, contact.last_name, contact.title) == ("Jane", "Doe", "")
    assert contact.company == "Example Corp"
    assert contact.emails == ("janedoe@example.com",)
    assert contact.extension == "1001"
    assert [(p.kind, p.number) for p in contact.phones] == [
        (PhoneKind.WORK, "+15554441234"),
        (PhoneKind.MOBILE, "+16195550134"),
        (PhoneKind.FAX, "+13235551234"),
        (PhoneKind.EXTENSION, "1001"),
    ]
    assert PhoneNumber(PhoneKind.EXTENSION, "1001") in contact.phones
    mobile = contact.phones[1]
    assert mobile.display == "(619) 555-0134"
    assert contact.address == "23 Foo Lane Avenue, San Diego, CA 12345, United States"
    assert contact.updated_at == "2021-08-25T00:05:44.201000+00:00"


def test_contact_with_only_an_id() -> None:
    contact = contact_from_wire(WireContact.model_validate({"id": "abc"}))
    assert contact.source_id == "abc"
    assert contact.phones == ()
    assert contact.emails == ()
    assert contact.extension == ""
    assert contact.updated_at == ""
    assert contact.display_name == "abc"


def test_contact_tolerates_odd_optional_fields() -> None:
    odd = {
        **CONTACT,
        "title": {"not": "a string"},
        "contacts": {"email": None, "phones": ["not", "an", "object"], "fax": 42},
        "extension": "not an object",
        "address": "1 Main St, Springfield",
        "updated": "last tuesday",
        "activated": "maybe",
    }
    contact = contact_from_wire(WireContact.model_validate(odd))
    assert contact.title == ""
    assert contact.emails == ()
    assert contact.phones == ()  # 42 is no phone number
    assert contact.extension == ""
    assert contact.address == "1 Main St, Springfield"
    assert contact.updated_at == ""


@pytest.mark.parametrize(
    "bad", [{}, {"id": ""}, {"id": "   "}, {"id": None}, {"id": {"$oid": "x"}}, [], "x", None]
)
def test_contact_without_a_usable_id_is_malformed(bad: object) -> None:
    with pytest.raises(ValidationError):
        WireContact.model_validate(bad)


# -- texting ---------------------------------------------------------------------------


def test_message() -> None:
    message = message_from_wire(WireMessage.model_validate(MESSAGE))
    assert message.id == "615717dfaea77fef6ace1bbf"
    assert message.conversation_id == "615717df4b8fa06267cd2f73"
    assert message.direction is Direction.INBOUND
    assert (message.from_number, message.to_number) == ("+17604509400", "+19513360234")
    assert message.text == "Hello"
    assert message.created_at == datetime(2021, 10, 1, 14, 14, 55, 613000, UTC)
    assert message.is_read is False
    assert message.stamp_id == "b44c10de-1d7b-4914-ac68-6af475bc3236"
    assert len(message.attachments) == 1
    attachment = message.attachments[0]
    assert (attachment.id, attachment.name, attachment.mimetype, attachment.size) == (
        "f4f2fdda269d44bc403de84a",
        "My Cat",
        "image/jpeg",
        284821,
    )


def test_message_minimal_and_defaults() -> None:
    message = message_from_wire(
        WireMessage.model_validate(
            {
                "id": "m1",
                "conversation_id": "c1",
                "created_at": "2024-01-01T00:00:00Z",
                "direction": "OUTBOUND",
            }
        )
    )
    assert message.direction is Direction.OUTBOUND
    assert (message.text, message.from_number, message.to_number, message.stamp_id) == ("", "", "", "")
    assert message.attachments == ()


def test_message_drops_broken_attachments_only() -> None:
    payload = {**MESSAGE, "files": [{"name": "no id"}, "junk", MESSAGE["files"][0]]}
    message = message_from_wire(WireMessage.model_validate(payload))
    assert [a.id for a in message.attachments] == ["f4f2fdda269d44bc403de84a"]


@pytest.mark.parametrize(
    "change",
    [
        {"created_at": "not a date"},
        {"created_at": None},
        {"id": None},
        {"conversation_id": ""},
        {"direction": "sideways"},
        {"text": {"nested": "junk"}},
        {"is_read": "perhaps"},
    ],
)
def test_malformed_message(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        WireMessage.model_validate({**MESSAGE, **change})


def test_conversation() -> None:
    conversation = conversation_from_wire(WireConversation.model_validate(CONVERSATION))
    assert conversation.id == "615717df4b8fa06267cd2f73"
    assert conversation.from_number == "9513360234"
    assert conversation.unread_count == 1
    assert conversation.contact is not None
    assert conversation.contact.display_name == "John Smith"
    assert conversation.contact.number == "+15555551234"
    assert conversation.last_message is not None
    assert conversation.last_message.text == "Hello"
    assert conversation.last_message_at == datetime(2021, 10, 1, 17, 14, 55, 591000, PLUS3)


def test_conversation_minimal() -> None:
    conversation = conversation_from_wire(
        WireConversation.model_validate(
            {
                "id": "c1",
                "contact_id": "t1",
                "unread_msg_count": 3,
                "lastmessage": {"id": "m1", "created_at": "2024-02-03T04:05:06Z", "text": "hi"},
                "last_message_created_at": "garbage",
            }
        )
    )
    assert conversation.contact is not None and conversation.contact.id == "t1"
    assert conversation.unread_count == 3
    # the embedded message borrows the conversation id; its time stands in for the bad one
    assert conversation.last_message is not None
    assert conversation.last_message.conversation_id == "c1"
    assert conversation.last_message_at == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_texting_contact_and_number() -> None:
    contact = texting_contact_from_wire(WireTextingContact.model_validate(TEXTING_CONTACT))
    assert (contact.id, contact.number, contact.first_name, contact.last_name) == (
        "61254ea64b8fa062670a3fc8",
        "+15555551234",
        "John",
        "Smith",
    )
    number = texting_number_from_wire(
        WireTextingNumber.model_validate(
            {
                "company_id": "611ced1255c44a89f8df7cc0",
                "id": "61254e814b8fa062670a3e14",
                "number": "+18273717273",
                "ownership": ["janedoe@example.com", 7],
            }
        )
    )
    assert number.number == "+18273717273"
    assert number.ownership == ("janedoe@example.com",)
    with pytest.raises(ValidationError):
        WireTextingNumber.model_validate({"id": "x"})


# -- socket payloads -------------------------------------------------------------------


def test_socket_payloads() -> None:
    deleted = WireMessageDeleted.model_validate({"id": "m1", "conversation_id": "c1", "x": 1})
    assert (deleted.id, deleted.conversation_id) == ("m1", "c1")
    read = WireMessagesRead.model_validate(
        {"conversation_id": "c1", "messagesIds": ["m1", "m2"], "timezone": "UTC"}
    )
    assert read.messagesIds == ["m1", "m2"]
    assert WireChatDeleted.model_validate({"id": "c9"}).id == "c9"
    presence = presence_from_wire(WireUserStatus.model_validate(USER_STATUS))
    assert presence.user_id == "611ced1355c44a89f8df7cc3"
    assert presence.state is PresenceState.ON_CALL
    assert presence.email == "janedoe@example.com"
    assert presence.raw_status == "on_call"
    assert presence.changed_at == "2021-10-12T11:12:04.123000+00:00"


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        (WireMessageDeleted, {"id": "m1"}),
        (WireMessageDeleted, {"id": ["m1"], "conversation_id": "c1"}),
        (WireMessagesRead, {"conversation_id": "c1"}),
        (WireMessagesRead, {"conversation_id": "c1", "messagesIds": [None]}),
        (WireMessagesRead, {"conversation_id": "c1", "messagesIds": {"a": 1}}),
        (WireChatDeleted, {"id": True}),
        (WireChatDeleted, "c1"),
        (WireUserStatus, {"user_id": "u1"}),
        (WireUserStatus, {"user_id": "u1", "status": {"action_type": "manual"}}),
        (WireUserStatus, {"user_id": "u1", "status": "x" * 10_000}),
        (WireUserStatus, {"status": {"status": "away"}}),
    ],
)
def test_malformed_socket_payloads(model: type[Any], payload: object) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(payload)


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("available", PresenceState.AVAILABLE),
        ("online", PresenceState.AVAILABLE),
        ("Busy", PresenceState.BUSY),
        ("on_call", PresenceState.ON_CALL),
        ("on_hold", PresenceState.ON_CALL),
        ("oncall", PresenceState.ON_CALL),
        ("On Call", PresenceState.ON_CALL),
        ("away", PresenceState.AWAY),
        ("dnd", PresenceState.DO_NOT_DISTURB),
        ("do_not_disturb", PresenceState.DO_NOT_DISTURB),
        ("offline", PresenceState.OFFLINE),
        ("lunch", PresenceState.UNKNOWN),
        ("", PresenceState.UNKNOWN),
    ],
)
def test_presence_states(raw: str, state: PresenceState) -> None:
    assert presence_state_from_wire(raw) is state


def test_bare_status_string_is_tolerated() -> None:
    presence = presence_from_wire(WireUserStatus.model_validate({"user_id": "u1", "status": "dnd"}))
    assert presence.state is PresenceState.DO_NOT_DISTURB
    assert presence.changed_at == ""


# -- log helpers -----------------------------------------------------------------------


def test_log_helpers_stay_short_and_do_not_dump_payloads() -> None:
    huge = {"id": None, "conversation_id": "y" * 1_000_000, "created_at": "z" * 1_000_000}
    with pytest.raises(ValidationError) as info:
        WireMessage.model_validate(huge)
    summary = summarize_validation_error(info.value)
    assert len(summary) <= 200
    assert "yyyy" not in summary and "zzzz" not in summary
    sketch = describe_payload(huge)
    assert len(sketch) <= 200
    assert "yyyyyyyyyy" not in sketch
    assert len(describe_payload("q" * 100_000)) <= 200
    assert "\n" not in describe_payload({"a\nb": 1})


# -- error bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (406, NotAcceptable),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (418, ApiError),
    ],
)
def test_error_classes_by_status(status: int, cls: type[ApiError]) -> None:
    error = api_error_for_status(status)
    assert type(error) is cls
    assert error.status == status


def test_error_from_documented_body() -> None:
    body = (
        b'{"detail": "The requested URL was not found on the server.", "status": 404, '
        b'"title": "Not Found", "type": "about:blank"}'
    )
    error = ApiError.from_body(404, body, request="GET /texting/contacts/x")
    assert isinstance(error, NotFound)
    assert error.title == "Not Found"
    assert error.detail == "The requested URL was not found on the server."
    assert str(error) == (
        "The server has no such item (HTTP 404 Not Found) for GET /texting/contacts/x: "
        "The requested URL was not found on the server."
    )


@pytest.mark.parametrize("body", [b"<html>Bad Gateway</html>", b"", b"\xff\xfe", b"[1, 2]", b'{"title": 5}'])
def test_error_from_non_json_body(body: bytes) -> None:
    error = ApiError.from_body(502, body)
    assert isinstance(error, ServerError)
    assert (error.title, error.detail) == ("", "")
    assert str(error) == "The server had a problem (HTTP 502)"


def test_rate_limited_carries_retry_after() -> None:
    error = ApiError.from_body(429, b"{}", retry_after=12.0)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 12.0
    assert "12 s" in str(error)


# -- REST bodies the demo server never sends (httpx.MockTransport; the rest is tested
# -- against the real demo server in tests/integration/test_ringplan_rest.py) ----------


def _client_answering(handler: Callable[[httpx.Request], httpx.Response]) -> RingPlanClient:
    return RingPlanClient(
        "http://127.0.0.1:9",
        Credentials("secret-api-key-123", "primary"),
        transport=httpx.MockTransport(handler),
        backoff=Backoff(base=0.001, cap=0.002),
    )


async def test_malformed_items_are_skipped_but_paging_uses_the_raw_count() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        page = int(request.url.params["page"])
        if page == 1:
            return httpx.Response(200, json=[{"id": "a"}, {"id": None}, "junk"])
        return httpx.Response(200, json=[{"id": "d"}])

    async with _client_answering(handler) as client:
        pages = [page async for page in client.iter_company_contacts(items_per_page=3)]
    assert [[c.source_id for c in page] for page in pages] == [["a"], ["d"]]
    assert [r.url.params["items_per_page"] for r in calls] == ["3", "3"]
    assert calls[0].headers["Authorization"] == "Bearer secret-api-key-123"
    assert calls[0].headers["X-User-Id"] == "primary"
    assert calls[0].headers["Accept"] == "application/json"


async def test_a_page_repeated_by_the_server_ends_the_iteration() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"id": "same"}, {"id": "other"}])

    async with _client_answering(handler) as client:
        pages = [page async for page in client.iter_company_contacts(items_per_page=2)]
    assert len(pages) == 1


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>oops</html>"),
        httpx.Response(200, json={"not": "a list"}),
    ],
)
async def test_a_malformed_list_body_raises(response: httpx.Response) -> None:
    async with _client_answering(lambda request: response) as client:
        with pytest.raises(MalformedResponse) as info:
            await client.list_texting_numbers()
    assert "GET /texting/numbers" in str(info.value)


async def test_a_malformed_object_body_raises() -> None:
    big = "x" * 100_000
    answer = httpx.Response(200, json={"name": big})
    async with _client_answering(lambda request: answer) as client:
        with pytest.raises(MalformedResponse) as info:
            await client.get_company()
    assert "Company" in str(info.value)
    assert big[:300] not in str(info.value)


async def test_the_key_is_redacted_from_echoed_error_text() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        echoed = request.headers["Authorization"]
        return httpx.Response(401, json={"title": "Unauthorized", "detail": f"bad {echoed}"})

    async with _client_answering(handler) as client:
        with pytest.raises(Unauthorized) as info:
            await client.get_company()
    assert "secret-api-key-123" not in str(info.value)
    assert "[redacted]" in info.value.detail
