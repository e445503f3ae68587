"""RingPlanClient against the embedded demo server over loopback (no mocked HTTP)."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from app.demo.server import DemoServer
from app.domain.account import Credentials, InvalidServerUrl
from app.domain.contacts import PhoneKind
from app.domain.texting import Direction
from app.providers.errors import (
    BadRequest,
    NetworkError,
    NotFound,
    ProviderError,
    RateLimited,
    ServerError,
    TimedOut,
    Unauthorized,
)
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.rest import RingPlanClient

TINY = Backoff(base=0.01, factor=2.0, cap=0.05)

MakeClient = Callable[..., RingPlanClient]


def credentials_of(server: DemoServer) -> Credentials:
    c = server.credentials
    return Credentials(api_key=c.api_key, user_id=c.user_id, user_email=c.user_email)


@pytest.fixture
async def make_client(demo_server: DemoServer) -> AsyncIterator[MakeClient]:
    """Clients for the demo server (tiny backoff); all are closed after the test."""
    clients: list[RingPlanClient] = []

    def make(**kwargs: object) -> RingPlanClient:
        kwargs.setdefault("backoff", TINY)
        credentials = kwargs.pop("credentials", credentials_of(demo_server))
        client = RingPlanClient(demo_server.url, credentials, **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client: MakeClient) -> RingPlanClient:
    return make_client()


# -- basics and authentication ---------------------------------------------------------


async def test_company(client: RingPlanClient, demo_server: DemoServer) -> None:
    company = await client.get_company()
    assert company.id
    assert company.name


async def test_context_manager_closes_the_connection_pool(demo_server: DemoServer) -> None:
    async with RingPlanClient(demo_server.url, credentials_of(demo_server)) as client:
        assert (await client.get_company()).id
    with pytest.raises(RuntimeError):
        await client.get_company()


def test_plain_http_only_for_loopback(demo_server: DemoServer) -> None:
    with pytest.raises(InvalidServerUrl):
        RingPlanClient("http://example.com", credentials_of(demo_server))


async def test_wrong_key_is_unauthorized_without_leaking_it(
    make_client: MakeClient, demo_server: DemoServer
) -> None:
    wrong_key = "wrong-" + uuid.uuid4().hex
    client = make_client(credentials=Credentials(wrong_key, demo_server.credentials.user_id))
    with pytest.raises(Unauthorized) as info:
        await client.get_company()
    error = info.value
    assert error.status == 401
    for text in (str(error), repr(error), error.detail, *map(str, error.args)):
        assert wrong_key not in text
        assert demo_server.credentials.api_key not in text
        assert "Bearer" not in text
    assert "API key" in str(error)


async def test_unknown_user_is_unauthorized(make_client: MakeClient, demo_server: DemoServer) -> None:
    key = demo_server.credentials.api_key
    client = make_client(credentials=Credentials(key, "000000000000000000000000"))
    started = time.monotonic()
    with pytest.raises(Unauthorized) as info:
        await client.list_texting_numbers()
    assert time.monotonic() - started < 1.0  # a 401 is not retried
    assert key not in str(info.value)
    assert "X-User-Id" in info.value.detail


async def test_primary_user_is_accepted(make_client: MakeClient, demo_server: DemoServer) -> None:
    client = make_client(credentials=Credentials(demo_server.credentials.api_key, "primary"))
    assert (await client.get_company()).id


# -- paging ----------------------------------------------------------------------------


@pytest.mark.parametrize(("per_page", "pages"), [(30, 7), (50, 4), (500, 1), (1, 200)])
async def test_company_contacts_to_the_last_page(
    client: RingPlanClient, per_page: int, pages: int
) -> None:
    seen: list[str] = []
    page_sizes: list[int] = []
    async for page in client.iter_company_contacts(items_per_page=per_page):
        page_sizes.append(len(page))
        seen.extend(c.source_id for c in page)
    assert len(page_sizes) == pages
    assert len(seen) == 200
    assert len(set(seen)) == 200
    assert all(size == per_page for size in page_sizes[:-1])


async def test_company_contacts_are_mapped(client: RingPlanClient) -> None:
    contacts = [c async for page in client.iter_company_contacts() for c in page]
    assert all(c.source == "ringplan" for c in contacts)
    with_extension = [c for c in contacts if c.extension]
    assert len(with_extension) == len(contacts)
    for contact in with_extension:
        kinds = [p.kind for p in contact.phones]
        assert PhoneKind.EXTENSION in kinds
        for phone in contact.phones:
            if phone.kind is not PhoneKind.EXTENSION:
                assert phone.number.startswith("+")
    assert any(c.emails for c in contacts)


async def test_added_and_deleted_contacts_show_in_the_next_sync(
    client: RingPlanClient, demo_server: DemoServer
) -> None:
    added = demo_server.add_contact(first_name="Zelda", last_name="Quartz", title="Dr")
    contacts = {c.source_id: c async for page in client.iter_company_contacts(64) for c in page}
    assert len(contacts) == 201
    assert contacts[added["id"]].first_name == "Zelda"
    demo_server.delete_contact(added["id"])
    contacts = {c.source_id: c async for page in client.iter_company_contacts(64) for c in page}
    assert added["id"] not in contacts


async def test_conversation_pages_carry_the_pagination_headers(client: RingPlanClient) -> None:
    first = await client.list_conversations(page=1, per_page=5)
    assert first.current_page == 1
    assert first.per_page == 5
    assert first.total_count is not None and first.total_count > 5
    assert first.page_count == -(-first.total_count // 5)
    assert len(first.items) == 5
    assert first.has_next

    last = await client.list_conversations(page=first.page_count, per_page=5)
    assert last.current_page == first.page_count
    assert not last.has_next
    assert 1 <= len(last.items) <= 5

    ids = [c.id async for page in client.iter_conversations(per_page=7) for c in page]
    assert len(ids) == first.total_count
    assert len(set(ids)) == len(ids)


async def test_messages_page(client: RingPlanClient) -> None:
    conversation = (await client.list_conversations(1, 1)).items[0]
    page = await client.list_messages(conversation.id, page=1, per_page=3)
    assert page.total_count is not None and page.total_count >= 1
    assert page.per_page == 3
    assert all(m.conversation_id == conversation.id for m in page.items)
    assert all(m.created_at.tzinfo is not None for m in page.items)


# -- retries ---------------------------------------------------------------------------


async def test_429_is_retried_after_retry_after(client: RingPlanClient, demo_server: DemoServer) -> None:
    demo_server.inject_faults("/system/company", [429], retry_after=0.1)
    started = time.monotonic()
    company = await client.get_company()
    elapsed = time.monotonic() - started
    assert company.id
    assert elapsed >= 0.1
    assert demo_server.faults.pending() == 0


async def test_503_is_retried_for_get(client: RingPlanClient, demo_server: DemoServer) -> None:
    demo_server.inject_faults("/texting/numbers", [503, 502, 500])
    numbers = await client.list_texting_numbers()
    assert numbers
    assert demo_server.faults.pending() == 0


async def test_retries_give_up_after_max_attempts(
    make_client: MakeClient, demo_server: DemoServer
) -> None:
    client = make_client(max_attempts=3)
    demo_server.inject_faults("/system/company", [503, 503, 503, 503])
    with pytest.raises(ServerError) as info:
        await client.get_company()
    assert info.value.status == 503
    assert demo_server.faults.pending() == 1  # three attempts were made, not four
    demo_server.clear_faults()


async def test_long_retry_after_is_not_waited_for(
    make_client: MakeClient, demo_server: DemoServer
) -> None:
    client = make_client(max_retry_after=1.0)
    demo_server.inject_faults("/system/company", [429], retry_after=120)
    started = time.monotonic()
    with pytest.raises(RateLimited) as info:
        await client.get_company()
    assert time.monotonic() - started < 1.0
    assert info.value.retry_after == 120.0
    assert "120 s" in str(info.value)


async def _message_count(client: RingPlanClient, conversation_id: str) -> int:
    page = await client.list_messages(conversation_id, 1, 1)
    assert page.total_count is not None
    return page.total_count


async def test_post_is_not_retried_on_503_but_is_on_429(
    client: RingPlanClient, demo_server: DemoServer
) -> None:
    conversation = (await client.list_conversations(1, 1)).items[0]
    path = f"/texting/conversations/{conversation.id}/messages/publish"
    before = await _message_count(client, conversation.id)

    demo_server.inject_faults(path, [503, 503])
    with pytest.raises(ServerError):
        await client.publish_message(conversation.id, "not sent", str(uuid.uuid4()))
    assert demo_server.faults.pending() == 1  # exactly one attempt
    demo_server.clear_faults()
    assert await _message_count(client, conversation.id) == before

    demo_server.inject_faults(path, [429, 429], retry_after=0.05)
    stamp = str(uuid.uuid4())
    sent = await client.publish_message(conversation.id, "sent after 429s", stamp)
    assert demo_server.faults.pending() == 0
    assert sent.stamp_id == stamp
    assert await _message_count(client, conversation.id) == before + 1


async def test_a_hang_longer_than_the_timeout_is_a_network_error(
    make_client: MakeClient, demo_server: DemoServer
) -> None:
    client = make_client(timeout=0.2, max_attempts=2)
    demo_server.inject_faults("/system/company", [0, 0], delay=1.0)
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        await client.get_company()
    elapsed = time.monotonic() - started
    assert isinstance(info.value, TimedOut)
    assert demo_server.faults.pending() == 0  # both attempts were made
    assert 0.4 <= elapsed < 1.5
    assert demo_server.credentials.api_key not in str(info.value)
    # the server answers normally afterwards
    assert (await client.get_company()).id


async def test_a_hang_shorter_than_the_timeout_is_just_slow(
    make_client: MakeClient, demo_server: DemoServer
) -> None:
    client = make_client(timeout=2.0)
    demo_server.inject_faults("/system/company", [0], delay=0.2)
    assert (await client.get_company()).id


async def test_nothing_listening_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RingPlanClient(
        f"http://127.0.0.1:{port}", Credentials("k" * 20), backoff=TINY, max_attempts=2
    )
    async with client:
        with pytest.raises(NetworkError) as info:
            await client.get_company()
    assert "could not connect" in str(info.value)
    assert "k" * 20 not in str(info.value)


# -- error mapping ---------------------------------------------------------------------


async def test_not_found(client: RingPlanClient) -> None:
    with pytest.raises(NotFound) as info:
        await client.get_texting_contact("000000000000000000000000")
    assert info.value.status == 404
    assert info.value.title == "Not Found"
    assert "does not exist" in info.value.detail
    with pytest.raises(NotFound):
        await client.delete_conversation("000000000000000000000000")
    with pytest.raises(NotFound):
        await client.list_messages("000000000000000000000000")


async def test_bad_request(client: RingPlanClient) -> None:
    conversation = (await client.list_conversations(1, 1)).items[0]
    with pytest.raises(BadRequest) as info:
        await client.publish_message(conversation.id, "   ", str(uuid.uuid4()))
    assert isinstance(info.value, ProviderError)
    assert "text" in info.value.detail


# -- texting round trips ---------------------------------------------------------------


async def test_publish_then_list_shows_it(client: RingPlanClient) -> None:
    conversation = (await client.list_conversations(1, 1)).items[0]
    stamp = str(uuid.uuid4())
    sent = await client.publish_message(conversation.id, "Hello from the tests ✓", stamp)
    assert sent.direction is Direction.OUTBOUND
    assert sent.text == "Hello from the tests ✓"
    assert sent.conversation_id == conversation.id

    found = None
    page_number = 1
    while found is None:
        page = await client.list_messages(conversation.id, page_number, 50)
        found = next((m for m in page.items if m.id == sent.id), None)
        if not page.has_next:
            break
        page_number += 1
    assert found is not None
    assert found.stamp_id == stamp
    assert found.text == sent.text


async def test_texting_contact_conversation_lifecycle(client: RingPlanClient) -> None:
    number = (await client.list_texting_numbers())[0]
    created = await client.create_texting_contact("+16195550199", "Tess", "Ting")
    assert (created.number, created.first_name, created.last_name) == ("+16195550199", "Tess", "Ting")
    again = await client.create_texting_contact("+16195550199")
    assert again.id == created.id
    assert (await client.get_texting_contact(created.id)).display_name == "Tess Ting"
    assert created.id in {c.id for c in await client.list_texting_contacts(search="Tess")}

    conversation = await client.create_conversation(created.id, number.number)
    assert conversation.contact is not None and conversation.contact.id == created.id
    same = await client.create_conversation(created.id, number.number)
    assert same.id == conversation.id

    first = await client.publish_message(conversation.id, "one", str(uuid.uuid4()))
    second = await client.publish_message(conversation.id, "two", str(uuid.uuid4()))
    marked = await client.mark_message_read(conversation.id, first.id)
    assert marked is not None and marked.is_read
    await client.delete_messages(conversation.id, [first.id])
    remaining = await client.list_messages(conversation.id, 1, 50)
    assert [m.id for m in remaining.items] == [second.id]
    await client.delete_messages(conversation.id, [])  # sends nothing, deletes nothing
    assert (await client.list_messages(conversation.id, 1, 50)).total_count == 1

    hits = await client.search_conversations("two")
    assert conversation.id in {c.id for c in hits}

    await client.delete_conversation(conversation.id)
    with pytest.raises(NotFound):
        await client.list_messages(conversation.id)
