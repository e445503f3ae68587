"""The embedded RingPlan server's REST API, checked against the API document over real HTTP."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.demo.server import DemoServer

ERROR_KEYS = {"detail", "status", "title", "type"}
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
PAGINATION = (
    "X-Pagination-Total-Count",
    "X-Pagination-Page-Count",
    "X-Pagination-Current-Page",
    "X-Pagination-Per-Page",
)
MESSAGE_KEYS = {
    "id",
    "campaign_info",
    "conversation_id",
    "conversation_type",
    "created_at",
    "direction",
    "files",
    "frm",
    "is_read",
    "is_visible",
    "source_conversation_type",
    "stamp_id",
    "success",
    "text",
    "timezone",
    "to",
}
CONVERSATION_KEYS = {
    "id",
    "company_id",
    "contact_id",
    "contactinfo",
    "contactsinfo",
    "conversation_type",
    "countunreadmessages",
    "from_number",
    "has_direct_msg",
    "has_hidden_msg",
    "last_message_created_at",
    "lastmessage",
    "recipients",
    "timezone",
    "unread_msg_count",
    "updated_at",
}


@pytest.fixture(scope="module", autouse=True)
def collect_garbage_here() -> None:
    """Collect cyclic garbage left by earlier modules (Qt objects of their qasync loops
    included) on this thread, before a demo server thread could: Qt crashes when they die
    on another thread. The tests here make no Qt objects themselves."""
    gc.collect()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """A server for the tests that only read."""
    with DemoServer(tmp_path_factory.mktemp("rest") / "demo.sqlite3", contacts=200) as server:
        yield server


def client_for(server: DemoServer, user_id: str | None = None, **kwargs: Any) -> httpx.Client:
    credentials = server.credentials
    headers = {
        "Authorization": f"Bearer {credentials.api_key}",
        "X-User-Id": user_id or credentials.user_id,
    }
    return httpx.Client(base_url=server.url, headers=headers, timeout=10, **kwargs)


@pytest.fixture
def api(demo_server: DemoServer) -> Iterator[httpx.Client]:
    with client_for(demo_server) as client:
        yield client


@pytest.fixture(scope="module")
def shared_api(shared_server: DemoServer) -> Iterator[httpx.Client]:
    with client_for(shared_server) as client:
        yield client


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["title"], str) and body["title"]
    return body


def parse_date(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, value
    return parsed


def pages(response: httpx.Response) -> tuple[int, int, int, int]:
    total, count, current, per_page = (int(response.headers[name]) for name in PAGINATION)
    return total, count, current, per_page


# -- authentication and errors ----------------------------------------------------------


def test_requests_without_valid_credentials_get_the_documented_401(
    shared_server: DemoServer,
) -> None:
    credentials = shared_server.credentials
    good = {"Authorization": f"Bearer {credentials.api_key}", "X-User-Id": credentials.user_id}
    cases = [
        {},
        {"X-User-Id": credentials.user_id},
        {"Authorization": "Bearer wrong-key", "X-User-Id": credentials.user_id},
        {"Authorization": credentials.api_key, "X-User-Id": credentials.user_id},
        {"Authorization": f"Bearer {credentials.api_key}"},
        {"Authorization": f"Bearer {credentials.api_key}", "X-User-Id": "0" * 24},
        {"Authorization": f"Bearer {credentials.api_key}", "X-User-Id": "nobody"},
    ]
    with httpx.Client(base_url=shared_server.url, timeout=10) as client:
        for headers in cases:
            for path in ("/system/company", "/texting/conversations", "/no/such/route"):
                body = assert_error(client.get(path, headers=headers), 401)
                assert body["title"] == "Unauthorized"
        assert client.get("/system/company", headers=good).status_code == 200
        primary = {**good, "X-User-Id": "primary"}
        assert client.get("/system/company", headers=primary).status_code == 200


def test_errors_use_the_documented_body(shared_api: httpx.Client) -> None:
    body = assert_error(shared_api.get("/no/such/route"), 404)
    assert body == {
        "detail": "The requested URL was not found on the server.",
        "status": 404,
        "title": "Not Found",
        "type": "about:blank",
    }
    response = shared_api.put("/system/company", json={})
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_error(shared_api.get("/system/company/contacts", params={"page": 0}), 400)
    assert_error(shared_api.get(f"/texting/conversations/{'0' * 24}/messages"), 404)
    assert_error(
        shared_api.post(
            "/texting/conversations", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        400,
    )


def test_a_trailing_slash_is_the_same_route(shared_api: httpx.Client) -> None:
    assert shared_api.get("/system/company/").json() == shared_api.get("/system/company").json()


# -- company and users ------------------------------------------------------------------


def test_company_object(shared_api: httpx.Client, shared_server: DemoServer) -> None:
    company = shared_api.get("/system/company").json()
    assert OBJECT_ID.match(company["id"])
    assert company["name"] == "Northwind Telecom"
    assert company["employees"] == 200
    assert company["status"] == "active"
    assert {"address", "billing_email", "created", "email", "phone", "updated", "website"} <= set(company)
    parse_date(company["created"])


def test_contacts_page_to_the_end_then_204(shared_api: httpx.Client) -> None:
    seen: list[dict[str, Any]] = []
    for page in range(1, 5):
        response = shared_api.get("/system/company/contacts", params={"items_per_page": 64, "page": page})
        assert response.status_code == 200
        assert pages(response) == (200, 4, page, 64)
        batch = response.json()
        assert len(batch) == (64 if page < 4 else 8)
        seen.extend(batch)
    after = shared_api.get("/system/company/contacts", params={"items_per_page": 64, "page": 5})
    assert after.status_code == 204
    assert after.content == b""
    assert len({contact["id"] for contact in seen}) == 200

    default = shared_api.get("/system/company/contacts")
    assert len(default.json()) == 50
    assert pages(default) == (200, 4, 1, 50)
    capped = shared_api.get("/system/company/contacts", params={"items_per_page": 5000})
    assert len(capped.json()) == 200
    assert pages(capped)[3] == 1000


def test_contacts_have_the_documented_shape(shared_api: httpx.Client) -> None:
    contacts = shared_api.get("/system/company/contacts", params={"items_per_page": 200}).json()
    extensions = [contact["extension"]["number"] for contact in contacts]
    assert extensions == list(range(1001, 1201))
    emails = [contact["contacts"]["email"] for contact in contacts]
    assert len(set(emails)) == 200
    assert any(contact["contacts"]["phones"]["home"] for contact in contacts)
    assert not all(contact["contacts"]["phones"]["home"] for contact in contacts)
    for contact in contacts:
        assert OBJECT_ID.match(contact["id"])
        assert OBJECT_ID.match(contact["company_id"])
        assert OBJECT_ID.match(contact["extension"]["id"])
        assert contact["first_name"] and contact["last_name"]
        assert contact["title"] in {"Mr", "Ms", "Dr"}
        assert re.match(r"^[a-z.]+\d*@northwindtelecom\.com$", contact["contacts"]["email"])
        phones = contact["contacts"]["phones"]
        for kind in ("work", "mobile"):
            assert re.match(r"^\+1[2-9]\d\d555\d{4}$", phones[kind]), phones
        assert contact["extension"]["name"] == f"{contact['first_name']} {contact['last_name']}"
        assert {"city", "state", "zip", "street", "country"} <= set(contact["address"])
        for key in ("created", "updated", "last_enter"):
            parse_date(contact[key])


def test_contacts_filters(shared_api: httpx.Client) -> None:
    everyone = shared_api.get("/system/company/contacts", params={"items_per_page": 200}).json()
    target = everyone[17]
    by_email = shared_api.get(
        "/system/company/contacts", params={"work_email": target["contacts"]["email"].upper()}
    )
    assert [c["id"] for c in by_email.json()] == [target["id"]]
    by_name = shared_api.get("/system/company/contacts", params={"first_name": target["first_name"]})
    expected = [c["id"] for c in everyone if c["first_name"] == target["first_name"]]
    assert [c["id"] for c in by_name.json()] == expected
    assert int(by_name.headers["X-Pagination-Total-Count"]) == len(expected)
    missing = shared_api.get("/system/company/contacts", params={"work_email": "nobody@example.com"})
    assert missing.status_code == 204


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": "x"},
        {"items_per_page": "abc"},
        {"items_per_page": 0},
        {"items_per_page": "1.5"},
    ],
)
def test_contacts_reject_invalid_parameters(shared_api: httpx.Client, params: dict[str, Any]) -> None:
    assert_error(shared_api.get("/system/company/contacts", params=params), 400)


def test_contact_changes_through_controls_and_rest(demo_server: DemoServer, api: httpx.Client) -> None:
    added = demo_server.add_contact(
        first_name="Zelda", last_name="Quintero", contacts={"email": "zelda@example.com"}
    )
    assert OBJECT_ID.match(added["id"])
    assert added["extension"]["number"] == 1201
    found = api.get("/system/company/contacts", params={"work_email": "zelda@example.com"}).json()
    assert found == [added]
    demo_server.update_contact(added["id"], title="Dr", contacts={"phones": {"work": "+16195550188"}})
    again = api.get("/system/company/contacts", params={"work_email": "zelda@example.com"}).json()[0]
    assert again["title"] == "Dr"
    assert again["contacts"]["phones"]["work"] == "+16195550188"
    assert again["contacts"]["email"] == "zelda@example.com"

    patched = api.patch(f"/company/contacts/{added['id']}", json={"last_name": "Smith"})
    assert patched.status_code == 200
    assert patched.json()["last_name"] == "Smith"
    assert_error(api.patch(f"/company/contacts/{'0' * 24}", json={"last_name": "X"}), 404)

    demo_server.delete_contact(added["id"])
    gone = api.get("/system/company/contacts", params={"work_email": "zelda@example.com"})
    assert gone.status_code == 204
    with pytest.raises(KeyError):
        demo_server.delete_contact(added["id"])

    created = api.post("/company/contacts", json={"first_name": "Jane", "contacts": {"email": "j@x.io"}})
    assert created.status_code == 201
    assert created.json()["first_name"] == "Jane"
    other = api.get("/system/company/contacts", params={"items_per_page": 2}).json()[1]["id"]
    with client_for(demo_server, user_id=other) as not_owner:
        assert_error(not_owner.post("/company/contacts", json={"first_name": "No"}), 403)
        assert_error(not_owner.delete(f"/company/contacts/{created.json()['id']}"), 403)
    assert api.delete(f"/company/contacts/{created.json()['id']}").status_code == 200


# -- texting ----------------------------------------------------------------------------


def test_conversations_list_with_pagination_headers(shared_api: httpx.Client) -> None:
    collected: list[dict[str, Any]] = []
    for page in range(1, 5):
        response = shared_api.get("/texting/conversations", params={"per_page": 10, "page": page})
        assert response.status_code == 200
        assert pages(response) == (36, 4, page, 10)
        collected.extend(response.json())
    assert len(collected) == 36
    beyond = shared_api.get("/texting/conversations", params={"per_page": 10, "page": 5})
    assert beyond.json() == []
    assert pages(beyond) == (36, 4, 5, 10)
    stamps = [parse_date(c["last_message_created_at"]) for c in collected]
    assert stamps == sorted(stamps, reverse=True)
    assert sum(1 for c in collected if c["countunreadmessages"]) >= 5
    for conversation in collected:
        assert set(conversation) == CONVERSATION_KEYS
        assert conversation["countunreadmessages"] == conversation["unread_msg_count"]
        assert conversation["contactinfo"]["id"] == conversation["contact_id"]
        assert conversation["recipients"] == [conversation["contact_id"]]
        assert re.match(r"^\d{10}$", conversation["from_number"])
        last = conversation["lastmessage"]
        assert set(last) == MESSAGE_KEYS
        assert last["created_at"] == conversation["last_message_created_at"]
    assert_error(shared_api.get("/texting/conversations", params={"per_page": "many"}), 400)


def test_messages_newest_first_with_pagination(shared_api: httpx.Client) -> None:
    conversation = shared_api.get("/texting/conversations", params={"per_page": 1}).json()[0]
    path = f"/texting/conversations/{conversation['id']}/messages"
    everything = shared_api.get(path, params={"per_page": 1000})
    messages = everything.json()
    total = len(messages)
    assert total >= 3
    assert pages(everything) == (total, 1, 1, 1000)
    assert messages[0] == conversation["lastmessage"]
    stamps = [parse_date(m["created_at"]) for m in messages]
    assert stamps == sorted(stamps, reverse=True)
    assert {m["direction"] for m in messages} == {"inbound", "outbound"}
    contact_number = conversation["contactinfo"]["number"]
    ours = "+1" + conversation["from_number"]
    for message in messages:
        assert set(message) == MESSAGE_KEYS
        assert message["conversation_id"] == conversation["id"]
        if message["direction"] == "inbound":
            assert (message["frm"], message["to"]) == (contact_number, ours)
        else:
            assert (message["frm"], message["to"]) == (ours, contact_number)
    second = shared_api.get(path, params={"per_page": 2, "page": 2})
    assert pages(second) == (total, -(-total // 2), 2, 2)
    assert second.json() == messages[2:4]


def test_publish_is_idempotent_by_stamp_id(api: httpx.Client) -> None:
    conversations = api.get("/texting/conversations", params={"per_page": 50}).json()
    conversation = conversations[-1]
    path = f"/texting/conversations/{conversation['id']}/messages"
    before = int(api.get(path).headers["X-Pagination-Total-Count"])
    stamp = "b44c10de-1d7b-4914-ac68-6af475bc3236"
    first = api.post(f"{path}/publish", json={"text": "Hello world!", "stamp_id": stamp})
    assert first.status_code == 201
    message = first.json()
    assert set(message) == MESSAGE_KEYS
    assert message["direction"] == "outbound"
    assert message["stamp_id"] == stamp
    assert message["text"] == "Hello world!"
    assert message["frm"] == "+1" + conversation["from_number"]
    assert message["to"] == conversation["contactinfo"]["number"]
    assert message["success"] is True
    again = api.post(f"{path}/publish", json={"text": "Hello world!", "stamp_id": stamp})
    assert again.status_code == 201
    assert again.json() == message
    assert int(api.get(path).headers["X-Pagination-Total-Count"]) == before + 1

    no_stamp = api.post(f"{path}/publish", json={"text": "Second"}).json()
    assert no_stamp["id"] != message["id"] and no_stamp["stamp_id"]
    top = api.get("/texting/conversations", params={"per_page": 1}).json()[0]
    assert top["id"] == conversation["id"]
    assert top["lastmessage"] == no_stamp

    assert_error(api.post(f"{path}/publish", json={"stamp_id": "x"}), 400)
    assert_error(api.post(f"{path}/publish", json={"text": 5}), 400)
    assert_error(api.post(f"/texting/conversations/{'0' * 24}/messages/publish", json={"text": "x"}), 404)


def test_mark_a_message_read(api: httpx.Client) -> None:
    conversations = api.get("/texting/conversations", params={"per_page": 50}).json()
    conversation = next(c for c in conversations if c["countunreadmessages"])
    path = f"/texting/conversations/{conversation['id']}/messages"
    unread = [m for m in api.get(path).json() if not m["is_read"]]
    assert len(unread) == conversation["countunreadmessages"]
    response = api.patch(f"{path}/{unread[0]['id']}", json={"is_read": True})
    assert response.status_code == 200
    assert response.json() == {**unread[0], "is_read": True}
    after = next(
        c
        for c in api.get("/texting/conversations", params={"per_page": 50}).json()
        if c["id"] == conversation["id"]
    )
    assert after["countunreadmessages"] == conversation["countunreadmessages"] - 1
    assert_error(api.patch(f"{path}/{unread[0]['id']}", json={"is_read": "yes"}), 400)
    assert_error(api.patch(f"{path}/{unread[0]['id']}", json={}), 400)
    assert_error(api.patch(f"{path}/{'0' * 24}", json={"is_read": True}), 404)


def test_delete_messages(api: httpx.Client) -> None:
    conversation = api.get("/texting/conversations", params={"per_page": 1}).json()[0]
    path = f"/texting/conversations/{conversation['id']}/messages"
    messages = api.get(path).json()
    ids = [messages[0]["id"], messages[1]["id"]]
    response = api.delete(path, params={"ids": ids})
    assert response.status_code == 204
    assert response.content == b""
    remaining = api.get(path).json()
    assert [m["id"] for m in remaining] == [m["id"] for m in messages[2:]]
    top = next(
        c
        for c in api.get("/texting/conversations", params={"per_page": 50}).json()
        if c["id"] == conversation["id"]
    )
    assert top["lastmessage"] == remaining[0]
    assert_error(api.delete(path, params={"ids": ids}), 404)
    assert_error(api.delete(path, params={"ids": [remaining[0]["id"], "0" * 24]}), 404)
    assert len(api.get(path).json()) == len(remaining)
    assert_error(api.delete(f"/texting/conversations/{'0' * 24}/messages", params={"ids": ids}), 404)


def test_texting_contacts_and_conversation_lifecycle(api: httpx.Client) -> None:
    created = api.post(
        "/texting/contacts", json={"number": "+12340009999", "first_name": "Jane", "last_name": "Roe"}
    )
    assert created.status_code == 201
    contact = created.json()
    assert set(contact) == {"id", "company_id", "first_name", "last_name", "number"}
    assert contact["number"] == "+12340009999"
    same = api.post("/texting/contacts", json={"number": "(234) 000-9999"})
    assert same.status_code == 200
    assert same.json() == contact
    assert_error(api.post("/texting/contacts", json={"number": "12"}), 400)

    assert api.get(f"/texting/contacts/{contact['id']}").json() == contact
    assert_error(api.get(f"/texting/contacts/{'0' * 24}"), 404)
    assert contact in api.get("/texting/contacts", params={"search": "Jane R"}).json()
    assert contact in api.get("/texting/contacts", params={"search": "0009999"}).json()
    replaced = api.put(f"/texting/contacts/{contact['id']}", json={"number": "12340009998"})
    assert replaced.status_code == 200
    assert replaced.json()["number"] == "+12340009998"
    contact = replaced.json()
    assert_error(api.put(f"/texting/contacts/{'0' * 24}", json={"number": "12340009997"}), 404)

    numbers = api.get("/texting/numbers").json()
    body = {"contact_id": contact["id"], "from_number": numbers[0]["number"]}
    first = api.post("/texting/conversations", json=body)
    assert first.status_code == 201
    conversation = first.json()
    assert set(conversation) == CONVERSATION_KEYS
    assert conversation["lastmessage"] is None
    assert conversation["countunreadmessages"] == 0
    assert conversation["contactinfo"] == contact
    second = api.post("/texting/conversations", json=body)
    assert second.status_code == 200
    assert second.json()["id"] == conversation["id"]
    assert api.get("/texting/conversations", params={"per_page": 1}).json()[0]["id"] == conversation["id"]
    assert_error(api.post("/texting/conversations", json={"from_number": "6195550100"}), 400)
    assert_error(
        api.post("/texting/conversations", json={"contact_id": "0" * 24, "from_number": "6195550100"}),
        404,
    )

    messages_path = f"/texting/conversations/{conversation['id']}/messages"
    assert api.get(messages_path).json() == []
    assert api.delete(f"/texting/conversations/{conversation['id']}").status_code == 204
    assert_error(api.delete(f"/texting/conversations/{conversation['id']}"), 404)
    assert_error(api.get(messages_path), 404)


def test_search_conversations(shared_api: httpx.Client) -> None:
    found = shared_api.get("/texting/conversations/search", params={"text": "tracking number"}).json()
    assert found
    for conversation in found:
        assert set(conversation) == CONVERSATION_KEYS
        path = f"/texting/conversations/{conversation['id']}/messages"
        texts = [m["text"] for m in shared_api.get(path).json()]
        assert any("tracking number" in text.lower() for text in texts)
    assert shared_api.get("/texting/conversations/search", params={"text": "zzqx-nothing"}).json() == []


def test_texting_numbers_and_ownership(demo_server: DemoServer, api: httpx.Client) -> None:
    international = api.get("/texting/numbers", params={"numformat": "international"}).json()
    national = api.get("/texting/numbers", params={"numformat": "national"}).json()
    assert len(international) == 3
    for wide, narrow in zip(international, national, strict=True):
        assert set(wide) == {"id", "company_id", "number", "ownership"}
        assert re.match(r"^\+1\d{10}$", wide["number"])
        assert wide["number"] == "+1" + narrow["number"]
        assert demo_server.credentials.user_email in wide["ownership"]
    assert_error(api.get("/texting/numbers", params={"numformat": "e164"}), 400)

    someone = api.get("/system/company/contacts", params={"items_per_page": 10}).json()[9]
    with client_for(demo_server, user_id=someone["id"]) as theirs:
        assert theirs.get("/texting/numbers").json() == []
        owners = [someone["contacts"]["email"], "janedoe@example.com"]
        updated = api.put(f"/texting/numbers/{national[1]['number']}", json=owners)
        assert updated.status_code == 200
        assert updated.json()["ownership"] == owners
        assert [n["id"] for n in theirs.get("/texting/numbers").json()] == [national[1]["id"]]
    assert_error(api.put("/texting/numbers/9999999999", json=[]), 404)
    assert_error(api.put(f"/texting/numbers/{national[0]['number']}", json={"a": 1}), 400)


# -- instances, extensions, locations ----------------------------------------------------


def test_instances_extensions_and_locations(demo_server: DemoServer, api: httpx.Client) -> None:
    instances = api.get("/instances").json()
    assert len(instances) == 1
    uuid = instances[0]["uuid"]
    assert {"_id", "uuid", "company_id", "fqdn", "channel_driver"} <= set(instances[0])
    locations = api.get("/company/locations").json()
    assert {loc["pbx_id"] for loc in locations} == {uuid}

    path = f"/instances/{uuid}/bulks/extensions"
    response = api.get(path, params={"page_size": 25, "page": 2})
    assert pages(response) == (200, 8, 2, 25)
    extensions = response.json()
    assert [e["data"]["extension"] for e in extensions] == list(range(1026, 1051))
    first = extensions[0]
    assert {"_id", "data", "location_id", "pbx", "subscriber", "user"} <= set(first)
    assert {"id", "extension", "name", "callerid", "description", "user"} <= set(first["data"])
    assert first["pbx"] == uuid
    assert first["location_id"] in {loc["id"] for loc in locations}
    assert first["user"]["extension"]["id"] == first["_id"]
    assert first["subscriber"]["extension_id"] == first["_id"]

    demo_server.set_user_status(first["user"]["id"], "dnd")
    again = api.get(path, params={"search": first["user"]["contacts"]["email"]}).json()
    assert [e["_id"] for e in again] == [first["_id"]]
    assert again[0]["subscriber"]["status"] == "dnd"

    by_user = api.get(path, params={"by_user": "on", "page_size": 200}).json()
    names = [(e["user"]["last_name"].lower(), e["user"]["first_name"].lower()) for e in by_user]
    assert names == sorted(names)
    assert api.get(path, params={"filter_by": "unassigned"}).json() == []
    assert_error(api.get(path, params={"filter_by": "bogus"}), 400)
    assert_error(api.get("/instances/00000000-0000-0000-0000-000000000000/bulks/extensions"), 404)


# -- fault injection ---------------------------------------------------------------------


def test_injected_429_with_retry_after_then_normal(demo_server: DemoServer, api: httpx.Client) -> None:
    demo_server.inject_faults("/texting", [429], retry_after=2)
    assert api.get("/system/company").status_code == 200  # other prefixes are untouched
    limited = api.get("/texting/conversations")
    assert_error(limited, 429)
    assert limited.headers["Retry-After"] == "2"
    assert api.get("/texting/conversations").status_code == 200


def test_injected_503s_are_consumed_in_order(demo_server: DemoServer, api: httpx.Client) -> None:
    demo_server.inject_faults("/system/company/contacts", [503, 500, 503])
    statuses = [api.get("/system/company/contacts").status_code for _ in range(4)]
    assert statuses == [503, 500, 503, 200]
    assert "Retry-After" not in api.get("/system/company/contacts").headers
    # Faults come before authentication, as from a gateway in front of the API.
    demo_server.inject_faults("/system", [502])
    with httpx.Client(base_url=demo_server.url) as anonymous:
        assert_error(anonymous.get("/system/company"), 502)


def test_injected_hang_times_out_then_answers(demo_server: DemoServer, api: httpx.Client) -> None:
    demo_server.inject_faults("/texting/conversations", [0], delay=1.0)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        api.get("/texting/conversations", timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert api.get("/texting/conversations").status_code == 200
    demo_server.inject_faults("/texting/numbers", [0], delay=0.2)
    started = time.monotonic()
    assert api.get("/texting/numbers").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_the_server_keeps_its_port_and_data_across_restarts(tmp_path: Path) -> None:
    with DemoServer(tmp_path / "demo.sqlite3", contacts=50) as server:
        port = server.port
        with client_for(server) as api:
            conversation = api.get("/texting/conversations").json()[0]
            path = f"/texting/conversations/{conversation['id']}/messages"
            sent = api.post(f"{path}/publish", json={"text": "before restart"}).json()
        server.stop()
        with pytest.raises(httpx.ConnectError), client_for(server) as api:
            api.get("/system/company")
        server.start()
        assert server.port == port
        with client_for(server) as api:
            assert api.get(path).json()[0] == sent
