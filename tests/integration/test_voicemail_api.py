"""``GET /voicemail/messages`` and the recordings on the embedded server, over loopback:
the endpoint as the document describes it (raw HTTP), then the RingPlan client on it."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.demo.server import DemoServer
from app.demo.voicemail import add_voicemail
from app.domain.account import Credentials
from app.providers.errors import BadRequest, NotFound, TooLarge, Unauthorized
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.rest import RingPlanClient
from tests.integration.recording import credentials_of, served


@pytest.fixture
def api(demo_server: DemoServer) -> Iterator[httpx.Client]:
    c = demo_server.credentials
    with httpx.Client(
        base_url=demo_server.url,
        headers={"Authorization": f"Bearer {c.api_key}", "X-User-Id": c.user_id},
        timeout=10,
    ) as api:
        yield api


@pytest.fixture
async def client(demo_server: DemoServer) -> AsyncIterator[RingPlanClient]:
    async with RingPlanClient(
        demo_server.url, credentials_of(demo_server), backoff=Backoff(base=0.01, cap=0.05)
    ) as client:
        yield client


def listing(api: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], httpx.Headers]:
    response = api.get("/voicemail/messages", params=params)
    assert response.status_code == 200, response.text
    return response.json(), response.headers


def received(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["time_received"])


# -- the endpoint -----------------------------------------------------------------------------


def test_pages_follow_the_pagination_headers(api: httpx.Client) -> None:
    everything, headers = listing(api, per_page=1000)
    total = int(headers["X-Pagination-Total-Count"])
    assert total == len(everything) == 42
    seen: list[str] = []
    page = 1
    while True:
        items, headers = listing(api, page=page, per_page=10)
        assert headers["X-Pagination-Current-Page"] == str(page)
        assert headers["X-Pagination-Per-Page"] == "10"
        assert headers["X-Pagination-Page-Count"] == "5"
        seen += [item["_id"] for item in items]
        if page == int(headers["X-Pagination-Page-Count"]):
            break
        page += 1
    assert seen == [item["_id"] for item in everything]
    assert listing(api, page=6, per_page=10)[0] == []
    # Newest first unless asked otherwise.
    times = [received(item) for item in everything]
    assert times == sorted(times, reverse=True)


def test_the_documented_object(api: httpx.Client, demo_server: DemoServer) -> None:
    items, _ = listing(api, per_page=5)
    item = items[0]
    assert set(item) == {
        "_id", "company_id", "extension_destination", "extension_destination_id", "extension_source",
        "pbx", "source_representation_name", "time_received", "voicemail_email", "voicemail_file",
    }  # fmt: skip
    assert isinstance(item["extension_destination"], int)
    assert isinstance(item["extension_source"], int)
    assert item["time_received"].endswith("Z")
    assert item["company_id"] == demo_server.db.company_id
    audio = item["voicemail_file"]
    assert set(audio) == {"id", "duration", "link", "name", "size"}
    assert audio["link"].startswith(demo_server.url + "/voicemail/files/")
    assert audio["name"].startswith("msg") and audio["name"].endswith(".wav")
    assert 3.0 <= audio["duration"] <= 24.0


def test_the_documented_example_query(api: httpx.Client) -> None:
    # "Get the third page of voicemails from extensions 1001 to 1002" (with the trailing slash).
    response = api.get(
        "/voicemail/messages/", params={"extension_source": 1001, "extension_destination": 1002, "page": 3}
    )
    assert response.status_code == 200
    assert response.headers["X-Pagination-Current-Page"] == "3"


def test_extension_filters(api: httpx.Client) -> None:
    everything, _ = listing(api, per_page=1000)
    destination = everything[0]["extension_destination"]
    mine, headers = listing(api, extension_destination=destination, per_page=1000)
    assert 0 < len(mine) < len(everything)
    assert int(headers["X-Pagination-Total-Count"]) == len(mine)
    assert {item["extension_destination"] for item in mine} == {destination}
    assert mine == [item for item in everything if item["extension_destination"] == destination]
    source = everything[0]["extension_source"]
    from_them, _ = listing(api, extension_source=source, per_page=1000)
    assert from_them and {item["extension_source"] for item in from_them} == {source}
    both, _ = listing(api, extension_source=source, extension_destination=destination, per_page=1000)
    assert both == [
        i for i in everything if i["extension_source"] == source and i["extension_destination"] == destination
    ]
    assert listing(api, extension_source=99999)[0] == []


def test_date_range_filters(api: httpx.Client) -> None:
    everything, _ = listing(api, per_page=1000)
    times = sorted(received(item) for item in everything)
    middle = times[len(times) // 2]
    later, _ = listing(api, from_date=middle.isoformat(), per_page=1000)
    assert later and all(received(item) >= middle for item in later)
    assert len(later) == sum(1 for t in times if t >= middle)
    earlier, _ = listing(api, to_date=middle.isoformat(), per_page=1000)
    assert len(earlier) == sum(1 for t in times if t <= middle)
    # A date-only to_date includes that whole day.
    day = times[0].date()
    that_day, _ = listing(api, from_date=day.isoformat(), to_date=day.isoformat(), per_page=1000)
    assert len(that_day) == sum(1 for t in times if t.date() == day) > 0
    future = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert listing(api, from_date=future)[0] == []


def test_sorting(api: httpx.Client) -> None:
    oldest_first, _ = listing(api, sort="time_received", per_page=1000)
    times = [received(item) for item in oldest_first]
    assert times == sorted(times)
    by_source, _ = listing(api, sort=["extension_source", "-time_received"], per_page=1000)
    keys = [(item["extension_source"], -received(item).timestamp()) for item in by_source]
    assert keys == sorted(keys)
    by_length, _ = listing(api, sort="-voicemail_file.duration", per_page=1000)
    durations = [item["voicemail_file"]["duration"] for item in by_length]
    assert durations == sorted(durations, reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "two"},
        {"per_page": "-5"},
        {"sort": "loudness"},
        {"sort": "-time_received,bogus"},
        {"from_date": "yesterday"},
        {"to_date": "2024-02-30"},
        {"from_date": "2024-06-02", "to_date": "2024-06-01"},
        {"extension_source": "ext1001"},
        {"extension_destination": "1.5"},
    ],
)
def test_invalid_parameters_are_a_400(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get("/voicemail/messages", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["title"] == "Bad Request" and body["detail"]


def test_recordings_are_real_wav_files(api: httpx.Client) -> None:
    items, _ = listing(api, per_page=3)
    for item in items:
        audio = item["voicemail_file"]
        response = api.get(audio["link"])
        assert response.status_code == 200
        assert response.headers["content-type"] == "audio/wav"
        assert len(response.content) == audio["size"]
        with wave.open(io.BytesIO(response.content)) as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
            assert wav.getnframes() / 8000 == pytest.approx(audio["duration"])
            frames = wav.readframes(wav.getnframes())
        assert max(frames) > 0  # not silence
    link = items[0]["voicemail_file"]["link"]
    assert api.get(link).content == api.get(link).content  # the same recording every time


def test_recordings_need_authentication_and_unknown_ones_are_a_404(
    api: httpx.Client, demo_server: DemoServer
) -> None:
    link = listing(api, per_page=1)[0][0]["voicemail_file"]["link"]
    with httpx.Client() as anonymous:
        assert anonymous.get(link).status_code == 401
    missing = api.get("/voicemail/files/000000000000000000000000.wav")
    assert missing.status_code == 404
    assert missing.json()["status"] == 404


def test_other_users_see_only_their_own_mailbox(api: httpx.Client, demo_server: DemoServer) -> None:
    everything, _ = listing(api, per_page=1000)
    extension = next(
        i["extension_destination"]
        for i in everything
        if i["extension_destination"] != everything[-1]["extension_destination"]
    )
    user = next(
        c for c in demo_server.db.list_contacts(first_name=None, work_email=None, limit=10, offset=0)[0]
        if c["extension"]["number"] == extension
    )
    with httpx.Client(
        base_url=demo_server.url,
        headers={"Authorization": api.headers["Authorization"], "X-User-Id": user["id"]},
    ) as as_user:
        theirs, _ = listing(as_user, per_page=1000)
        assert theirs == [i for i in everything if i["extension_destination"] == extension]
        someone_elses = next(i for i in everything if i["extension_destination"] != extension)
        assert as_user.get(someone_elses["voicemail_file"]["link"]).status_code == 404
        assert as_user.get(theirs[0]["voicemail_file"]["link"]).status_code == 200


def test_a_new_voicemail_comes_first(api: httpx.Client, demo_server: DemoServer) -> None:
    before, headers = listing(api, per_page=5)
    left = add_voicemail(demo_server.db)
    after, headers_after = listing(api, per_page=5)
    assert after[0]["_id"] == left["_id"]
    assert after[1:] == before[:4]
    assert int(headers_after["X-Pagination-Total-Count"]) == int(headers["X-Pagination-Total-Count"]) + 1
    assert api.get(after[0]["voicemail_file"]["link"]).status_code == 200


# -- the client ---------------------------------------------------------------------------------


async def test_client_lists_voicemails_with_filters(client: RingPlanClient, api: httpx.Client) -> None:
    raw, _ = listing(api, per_page=1000)
    page = await client.list_voicemails(1, 10, sort=["-time_received"])
    assert page.total_count == 42 and page.page_count == 5 and page.has_next
    first = page.items[0]
    assert first.id == raw[0]["_id"]
    assert first.source == str(raw[0]["extension_source"])
    assert first.destination == str(raw[0]["extension_destination"])
    assert first.received_at == received(raw[0])
    assert first.audio is not None and first.audio.link == raw[0]["voicemail_file"]["link"]
    assert first.duration == raw[0]["voicemail_file"]["duration"]
    last = await client.list_voicemails(5, 10)
    assert not last.has_next and len(last.items) == 2
    destination = raw[0]["extension_destination"]
    day = received(raw[0]).date()
    filtered = await client.list_voicemails(
        1, 100, from_date=day - timedelta(days=3), to_date=day, extension_destination=destination
    )
    expected = [
        i["_id"] for i in raw
        if i["extension_destination"] == destination and day - timedelta(days=3) <= received(i).date() <= day
    ]  # fmt: skip
    assert [v.id for v in filtered.items] == expected
    with pytest.raises(BadRequest):
        await client.list_voicemails(1, 10, sort=["loudness"])


async def test_client_downloads_a_recording_exactly(
    client: RingPlanClient, demo_server: DemoServer, tmp_path: Path
) -> None:
    voicemail = (await client.list_voicemails(1, 1)).items[0]
    assert voicemail.audio is not None
    progress: list[tuple[int, int | None]] = []
    dest = tmp_path / "cache" / "vm.wav"
    size = await client.download(
        voicemail.audio.link, dest, progress=lambda done, total: progress.append((done, total))
    )
    assert size == voicemail.audio.size == dest.stat().st_size
    assert dest.read_bytes() == served(demo_server, voicemail.audio.link)
    assert progress[-1] == (size, size)
    assert not (tmp_path / "cache" / "vm.wav.part").exists()


async def test_client_download_failures_leave_no_file(
    client: RingPlanClient, demo_server: DemoServer, tmp_path: Path
) -> None:
    voicemail = (await client.list_voicemails(1, 1)).items[0]
    assert voicemail.audio is not None
    folder = tmp_path / "downloads"
    dest = folder / "vm.wav"
    with pytest.raises(NotFound):
        await client.download("/voicemail/files/000000000000000000000000.wav", dest)
    with pytest.raises(TooLarge):
        await client.download(voicemail.audio.link, dest, max_bytes=1000)
    demo_server.inject_faults("/voicemail/files", [503, 502])
    assert await client.download(voicemail.audio.link, dest) == voicemail.audio.size
    dest.unlink()
    assert list(folder.iterdir()) == []


async def test_client_sends_no_api_key_to_another_host(demo_server: DemoServer, tmp_path: Path) -> None:
    """A link to another origin (here the same server as "localhost") is fetched without
    the API key: the demo server, asked anonymously, refuses it."""
    async with RingPlanClient(demo_server.url, credentials_of(demo_server)) as client:
        voicemail = (await client.list_voicemails(1, 1)).items[0]
        assert voicemail.audio is not None
        elsewhere = voicemail.audio.link.replace("127.0.0.1", "localhost")
        with pytest.raises(Unauthorized):
            await client.download(elsewhere, tmp_path / "vm.wav")
    assert not (tmp_path / "vm.wav").exists()


async def test_client_with_a_wrong_key_is_unauthorized(demo_server: DemoServer) -> None:
    wrong = Credentials("not-the-key", demo_server.credentials.user_id, "")
    async with RingPlanClient(demo_server.url, wrong) as client:
        with pytest.raises(Unauthorized):
            await client.list_voicemails()
