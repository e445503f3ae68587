"""The fax endpoints through RingPlanFax against the embedded server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.demo.server import DemoServer
from app.domain.fax import FaxBox, FaxDraft, FaxFilter, FaxStatus
from app.providers.errors import BadRequest, NotFound
from app.providers.ringplan.fax import OnlyForFailedFaxes, RingPlanFax
from app.providers.ringplan.rest import RingPlanClient
from tests.fax_samples import write_pdf, write_tiff
from tests.integration.recording import credentials_of


@pytest.fixture
async def client(demo_server: DemoServer) -> AsyncIterator[RingPlanClient]:
    demo_server.faxes.sending_seconds = 0.3
    async with RingPlanClient(demo_server.url, credentials_of(demo_server)) as client:
        yield client


@pytest.fixture
def fax(client: RingPlanClient) -> RingPlanFax:
    return RingPlanFax(client, chunk_size=4096)


async def _until(predicate_coro, within: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + within
    while not await predicate_coro():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


async def _sent(fax: RingPlanFax, tmp_path: Path, to: str = "+18585550123", **kwargs: object) -> str:
    uploaded = await fax.upload(write_pdf(tmp_path / "out.pdf", pages=2))
    draft = FaxDraft(
        file_id=uploaded.id,
        to_number=to,
        from_number=(await fax.numbers())[0],
        to_name="Receiving Office",
        from_name="Tester",
        subject="Integration",
        **kwargs,  # type: ignore[arg-type]
    )
    return (await fax.send(draft)).id


# -- lists, paging, filters ----------------------------------------------------------------


async def test_inbound_pages_follow_the_pagination_headers(fax: RingPlanFax) -> None:
    stats = await fax.statistics()
    first = await fax.list_messages(FaxBox.INBOUND, page=1, per_page=25)
    second = await fax.list_messages(FaxBox.INBOUND, page=2, per_page=25)
    assert first.total_count == stats.inbound > 50
    assert first.page_count == -(-stats.inbound // 25)
    assert first.current_page == 1 and first.per_page == 25 and first.has_next
    assert len(first.items) == 25
    assert not {m.id for m in first.items} & {m.id for m in second.items}
    times = [m.created_at for m in first.items + second.items]
    assert times == sorted(times, reverse=True)  # newest first
    last = await fax.list_messages(FaxBox.INBOUND, page=first.page_count or 1, per_page=25)
    assert not last.has_next
    oldest_first = await fax.list_messages(FaxBox.INBOUND, per_page=5, sort=("created_at",))
    ascending = [m.created_at for m in oldest_first.items]
    assert ascending == sorted(ascending)
    assert all(ascending[0] <= t for t in times)  # type: ignore[operator]


async def test_inbound_filters(fax: RingPlanFax) -> None:
    everything = (await fax.list_messages(FaxBox.INBOUND, per_page=200)).items
    sample = everything[3]
    by_number = await fax.list_messages(FaxBox.INBOUND, FaxFilter(number=sample.from_number), per_page=200)
    assert sample.id in {m.id for m in by_number.items}
    assert all(m.from_number == sample.from_number for m in by_number.items)
    by_name = await fax.list_messages(
        FaxBox.INBOUND, FaxFilter(name=sample.from_name[:6].lower()), per_page=200
    )
    assert by_name.items and all(sample.from_name[:6].lower() in m.from_name.lower() for m in by_name.items)
    by_subject = await fax.list_messages(FaxBox.INBOUND, FaxFilter(subject=sample.subject), per_page=200)
    assert by_subject.items and all(m.subject == sample.subject for m in by_subject.items)
    by_search = await fax.list_messages(FaxBox.INBOUND, FaxFilter(search=sample.from_name), per_page=200)
    assert sample.id in {m.id for m in by_search.items}
    unread = await fax.list_messages(FaxBox.INBOUND, FaxFilter(is_read=False), per_page=200)
    read = await fax.list_messages(FaxBox.INBOUND, FaxFilter(is_read=True), per_page=200)
    assert unread.items and all(not m.is_read for m in unread.items)
    assert (unread.total_count or 0) + (read.total_count or 0) == len(everything)
    cut = everything[10].created_at
    assert cut is not None
    newer = await fax.list_messages(FaxBox.INBOUND, FaxFilter(start=cut), per_page=200)
    older = await fax.list_messages(FaxBox.INBOUND, FaxFilter(end=cut - timedelta(seconds=1)), per_page=200)
    assert {m.id for m in newer.items} == {m.id for m in everything[:11]}
    assert len(older.items) == len(everything) - 11
    nothing = await fax.list_messages(FaxBox.INBOUND, FaxFilter(search="no such fax anywhere"))
    assert nothing.items == [] and nothing.total_count == 0


async def test_anonymous_senders_are_hidden_unless_asked_for(fax: RingPlanFax) -> None:
    stats = await fax.statistics()
    assert stats.inbound_hidden > 0
    shown = await fax.list_messages(FaxBox.INBOUND, per_page=500)
    everyone = await fax.list_messages(FaxBox.INBOUND, FaxFilter(include_anonymous=True), per_page=500)
    assert all(m.from_number for m in shown.items)
    assert everyone.total_count == stats.inbound + stats.inbound_hidden
    assert sum(1 for m in everyone.items if not m.from_number) == stats.inbound_hidden


async def test_outbound_carry_a_status_and_filters_use_the_recipient(fax: RingPlanFax) -> None:
    outbound = (await fax.list_messages(FaxBox.OUTBOUND, per_page=100)).items
    assert {m.status for m in outbound} == {FaxStatus.SENT, FaxStatus.FAILED}
    failed = next(m for m in outbound if m.status is FaxStatus.FAILED)
    assert failed.status_detail
    found = await fax.list_messages(FaxBox.OUTBOUND, FaxFilter(number=failed.to_number, name=failed.to_name))
    assert [m.id for m in found.items] == [failed.id]


async def test_a_bad_filter_value_is_a_400(client: RingPlanClient) -> None:
    with pytest.raises(BadRequest, match="is_read"):
        await client._request("GET", "/fax/messages/inbound", params={"is_read": "perhaps"})
    with pytest.raises(BadRequest, match="date"):
        await client._request("GET", "/fax/messages/outbound", params={"start_date": "yesterday"})
    with pytest.raises(BadRequest, match="sort"):
        await client._request("GET", "/fax/messages/outbound", params={"sort": "colour"})


async def test_statistics_numbers_and_destinations(fax: RingPlanFax) -> None:
    stats = await fax.statistics()
    assert stats.outbound == (await fax.list_messages(FaxBox.OUTBOUND)).total_count
    numbers = await fax.numbers()
    assert numbers and all(n.startswith("+1") and len(n) == 12 for n in numbers)
    first = await fax.create_destination(["Faxes@Example.com", "office@example.com"])
    again = await fax.create_destination(["office@example.com", "faxes@example.com"])
    assert first.id == again.id
    assert set(first.emails) == {"faxes@example.com", "office@example.com"}
    with pytest.raises(BadRequest):
        await fax.create_destination(["not an address"])


# -- inbound: read state and delete --------------------------------------------------------


async def test_mark_read_and_unread_and_delete_inbound(fax: RingPlanFax) -> None:
    target = (await fax.list_messages(FaxBox.INBOUND, FaxFilter(is_read=False))).items[0]
    updated = await fax.set_read(target.id, True)
    assert updated is not None and updated.is_read and updated.id == target.id
    assert target.id in {
        m.id for m in (await fax.list_messages(FaxBox.INBOUND, FaxFilter(is_read=True), per_page=500)).items
    }
    assert (await fax.set_read(target.id, False)) is not None
    before = (await fax.statistics()).inbound
    await fax.delete(FaxBox.INBOUND, target.id)
    assert (await fax.statistics()).inbound == before - 1
    with pytest.raises(NotFound):
        await fax.delete(FaxBox.INBOUND, target.id)
    with pytest.raises(NotFound):
        await fax.set_read(target.id, True)


# -- sending, retry, failed edits ----------------------------------------------------------


async def test_upload_sends_a_real_pdf_and_it_is_delivered(fax: RingPlanFax, tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "quote.pdf", pages=3)
    seen: list[tuple[int, int]] = []
    uploaded = await fax.upload(path, progress=lambda sent, total: seen.append((sent, total)))
    assert uploaded.size == path.stat().st_size
    assert uploaded.mimetype == "application/pdf" and uploaded.uploaded_name == "quote.pdf"
    assert len(seen) > 1 and seen[-1][0] == seen[-1][1]
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
    copy = await fax.download(uploaded.id, tmp_path / "copy.pdf")
    assert copy.read_bytes() == path.read_bytes()
    number = (await fax.numbers())[1]
    sent = await fax.send(
        FaxDraft(uploaded.id, "(858) 555-0123", number, "Office", "Me", "Quote", ("me@example.com",))
    )
    assert sent.box is FaxBox.OUTBOUND and sent.status is FaxStatus.SENDING
    assert sent.pages == 3 and sent.to_number == "+18585550123" and sent.from_number == number
    assert sent.emails == ("me@example.com",)

    async def delivered() -> bool:
        items = (await fax.list_messages(FaxBox.OUTBOUND, FaxFilter(subject="Quote"))).items
        return bool(items) and items[0].id == sent.id and items[0].status is FaxStatus.SENT

    await _until(delivered)


async def test_tiff_uploads_count_their_pages(fax: RingPlanFax, tmp_path: Path) -> None:
    uploaded = await fax.upload(write_tiff(tmp_path / "scan.tif", pages=4))
    assert uploaded.mimetype == "image/tiff"
    sent = await fax.send(FaxDraft(uploaded.id, "8585550123", (await fax.numbers())[0]))
    assert sent.pages == 4


async def test_sending_refuses_bad_values(fax: RingPlanFax, tmp_path: Path) -> None:
    uploaded = await fax.upload(write_pdf(tmp_path / "a.pdf", pages=1))
    number = (await fax.numbers())[0]
    with pytest.raises(BadRequest, match="'to'"):
        await fax.send(FaxDraft(uploaded.id, "12", number))
    with pytest.raises(BadRequest, match="fax numbers"):
        await fax.send(FaxDraft(uploaded.id, "8585550123", "+12025550100"))
    with pytest.raises(BadRequest, match="file"):
        await fax.send(FaxDraft("000000000000000000000000", "8585550123", number))


async def test_empty_upload_is_refused_and_the_upload_path_is_configurable(
    client: RingPlanClient, fax: RingPlanFax, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(BadRequest, match="empty"):
        await fax.upload(empty)
    elsewhere = RingPlanFax(client, upload_path="/uploads")
    assert elsewhere.upload_path == "/uploads"
    with pytest.raises(NotFound):  # the demo serves /files only: the path really is used
        await elsewhere.upload(write_pdf(tmp_path / "b.pdf", pages=1))
    with pytest.raises(NotFound):
        await fax.download("000000000000000000000000", tmp_path / "nothing.pdf")


async def test_cancelling_an_upload_stops_it(fax: RingPlanFax, tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (8 * 1024 * 1024))
    started = asyncio.Event()

    def progress(sent: int, total: int) -> None:
        started.set()

    task = asyncio.get_running_loop().create_task(fax.upload(big, progress=progress))
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await fax.statistics()).outbound > 0  # the client still works


async def test_retry_a_failed_fax_and_406_for_others(fax: RingPlanFax, tmp_path: Path) -> None:
    failed_id = await _sent(fax, tmp_path, to="+16195550000")  # the demo's "nobody answers" number

    async def failed() -> bool:
        items = (await fax.list_messages(FaxBox.OUTBOUND, FaxFilter(number="6195550000"))).items
        return bool(items) and items[0].status is FaxStatus.FAILED

    await _until(failed)
    with pytest.raises(OnlyForFailedFaxes):  # still failed: but a sent one cannot be retried
        sent = next(m for m in (await fax.list_messages(FaxBox.OUTBOUND)).items if m.status is FaxStatus.SENT)
        await fax.retry(sent.id)
    changed = await fax.update_failed(failed_id, {"to": "(858) 555-0142", "to_name": "New Office"})
    assert changed.to_number == "+18585550142" and changed.to_name == "New Office"
    resent = await fax.retry(failed_id)
    assert resent is not None and resent.status is FaxStatus.SENDING
    with pytest.raises(OnlyForFailedFaxes) as refused:
        await fax.retry(failed_id)
    assert refused.value.status == 406 and "failed" in refused.value.detail
    with pytest.raises(OnlyForFailedFaxes):
        await fax.update_failed(failed_id, {"to": "8585550143"})

    async def delivered() -> bool:
        items = (await fax.list_messages(FaxBox.OUTBOUND, FaxFilter(number="8585550142"))).items
        return bool(items) and items[0].status is FaxStatus.SENT

    await _until(delivered)
    with pytest.raises(NotFound):
        await fax.retry("000000000000000000000000")


async def test_delete_outbound_locally(fax: RingPlanFax) -> None:
    target = (await fax.list_messages(FaxBox.OUTBOUND)).items[0]
    await fax.delete(FaxBox.OUTBOUND, target.id)
    assert target.id not in {m.id for m in (await fax.list_messages(FaxBox.OUTBOUND, per_page=500)).items}
    with pytest.raises(NotFound):
        await fax.delete(FaxBox.OUTBOUND, target.id)


# -- scheduled -----------------------------------------------------------------------------


async def test_schedule_edit_cancel(fax: RingPlanFax, tmp_path: Path) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    fax_id = await _sent(fax, tmp_path, send_at=when)
    listed = (await fax.list_messages(FaxBox.SCHEDULED, FaxFilter(subject="Integration"))).items
    assert [m.id for m in listed] == [fax_id]
    assert listed[0].status is FaxStatus.SCHEDULED and listed[0].send_at == when
    later = when + timedelta(hours=3)
    edited = await fax.update_scheduled(fax_id, {"subject": "Integration (important!)", "send_at": later})
    assert edited.subject == "Integration (important!)" and edited.send_at == later
    with pytest.raises(BadRequest, match="future"):
        await fax.update_scheduled(fax_id, {"send_at": datetime.now(UTC) - timedelta(hours=1)})
    scheduled = (await fax.list_messages(FaxBox.SCHEDULED, per_page=100)).items
    assert [m.send_at for m in scheduled] == sorted(m.send_at for m in scheduled if m.send_at)  # next first
    await fax.delete(FaxBox.SCHEDULED, fax_id)
    assert fax_id not in {m.id for m in (await fax.list_messages(FaxBox.SCHEDULED, per_page=100)).items}
    with pytest.raises(NotFound):
        await fax.delete(FaxBox.SCHEDULED, fax_id)
    with pytest.raises(NotFound):
        await fax.update_scheduled(fax_id, {"subject": "gone"})


async def test_a_scheduled_fax_is_sent_when_its_time_comes(fax: RingPlanFax, tmp_path: Path) -> None:
    fax_id = await _sent(fax, tmp_path, send_at=datetime.now(UTC) + timedelta(seconds=1.5))

    async def moved() -> bool:
        outbound = (await fax.list_messages(FaxBox.OUTBOUND, FaxFilter(subject="Integration"))).items
        return any(m.id == fax_id and m.status is FaxStatus.SENT for m in outbound)

    await _until(moved, within=8)
    assert fax_id not in {m.id for m in (await fax.list_messages(FaxBox.SCHEDULED)).items}


async def test_traffic_control_adds_an_unread_inbound_fax(demo_server: DemoServer, fax: RingPlanFax) -> None:
    before = await fax.statistics()
    new = demo_server.receive_fax()
    first = (await fax.list_messages(FaxBox.INBOUND, per_page=1)).items[0]
    assert first.id == new["id"] and not first.is_read
    assert (await fax.statistics()).inbound == before.inbound + 1
    path = await fax.download(first.file_id, Path(demo_server.db_path).parent / "in.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
