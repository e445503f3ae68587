"""FaxService on the embedded server and a real cache file: rules, words, local hiding, polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.demo.server import DemoServer
from app.domain.events import FaxesChanged, NotificationRequested
from app.domain.fax import FaxBox, FaxFilter, FaxStatus
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.fax import RingPlanFax
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.fax import MAX_FAX_BYTES, FaxError, FaxService, OutgoingFax, check_fax_file
from app.store.database import Store
from app.store.inbox_seen import StoredSeenMarkers
from tests.fax_samples import write_pdf, write_tiff
from tests.integration.recording import Recorder, credentials_of


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "cache.sqlite3")
    yield store
    store.close()


@pytest.fixture
async def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def service(
    demo_server: DemoServer, store: Store, bus: EventBus, tmp_path: Path
) -> AsyncIterator[FaxService]:
    demo_server.faxes.sending_seconds = 0.2
    tiny = Backoff(base=0.01, factor=2.0, cap=0.02)
    async with RingPlanClient(demo_server.url, credentials_of(demo_server), backoff=tiny) as client:
        service = FaxService(
            RingPlanFax(client), store, bus, ContactBook(store, bus), files_dir=tmp_path / "faxes"
        )
        yield service
        await service.close()


# -- what can be faxed ---------------------------------------------------------------------


def test_files_are_judged_by_content_not_name(tmp_path: Path) -> None:
    assert check_fax_file(write_pdf(tmp_path / "a.pdf", pages=1)).mimetype == "application/pdf"
    assert check_fax_file(write_tiff(tmp_path / "scan.tif", pages=2)).mimetype == "image/tiff"
    assert check_fax_file(write_pdf(tmp_path / "no-extension", pages=1)).mimetype == "application/pdf"
    fake = tmp_path / "holiday.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(FaxError, match="not a PDF or TIFF"):
        check_fax_file(fake)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(FaxError, match="empty"):
        check_fax_file(empty)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(MAX_FAX_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(FaxError, match=r"at most 50\.0 MB"):
        check_fax_file(huge)
    with pytest.raises(FaxError, match="Cannot read"):
        check_fax_file(tmp_path / "missing.pdf")


async def test_send_checks_the_recipient_and_the_file_before_uploading(
    service: FaxService, demo_server: DemoServer, tmp_path: Path
) -> None:
    document = await service.check_file(write_pdf(tmp_path / "a.pdf", pages=1))
    number = (await service.numbers())[0]
    before = (await service.statistics()).outbound
    with pytest.raises(FaxError, match="not a valid fax number"):
        await service.send(OutgoingFax(document, "555-12", number))
    with pytest.raises(FaxError, match="future"):
        await service.send(
            OutgoingFax(document, "8585550123", number, send_at=datetime.now(UTC) - timedelta(1))
        )
    document.path.write_bytes(b"now it is text")  # changed after it was picked
    with pytest.raises(FaxError, match="not a PDF or TIFF"):
        await service.send(OutgoingFax(document, "8585550123", number))
    assert (await service.statistics()).outbound == before


# -- sending and the boxes -----------------------------------------------------------------


async def test_send_now_appears_in_outbound(service: FaxService, bus: EventBus, tmp_path: Path) -> None:
    events = Recorder(bus)
    document = await service.check_file(write_pdf(tmp_path / "contract.pdf", pages=3))
    progress: list[int] = []
    sent = await service.send(
        OutgoingFax(document, "(858) 555-0123", (await service.numbers())[0], "Office", "Me", "Contract"),
        progress=lambda done, total: progress.append(done),
    )
    assert progress and sent.pages == 3 and sent.box is FaxBox.OUTBOUND
    assert events.of(FaxesChanged) == [FaxesChanged(FaxBox.OUTBOUND)]
    first = (await service.page(FaxBox.OUTBOUND, FaxFilter(), 1, 10)).items[0]
    assert first.id == sent.id and first.subject == "Contract" and first.to_number == "+18585550123"


async def test_retry_explains_406_in_words(service: FaxService) -> None:
    outbound = (await service.page(FaxBox.OUTBOUND, FaxFilter(), 1, 100)).items
    sent = next(m for m in outbound if m.status is FaxStatus.SENT)
    with pytest.raises(FaxError, match="only allows this for faxes that failed"):
        await service.retry(sent)
    with pytest.raises(FaxError, match="only allows this for faxes that failed"):
        await service.change_recipient(sent, "8585550123", "Someone")
    failed = next(m for m in outbound if m.status is FaxStatus.FAILED)
    with pytest.raises(FaxError, match="not a valid fax number"):
        await service.change_recipient(failed, "12", "Nobody")
    moved = await service.change_recipient(failed, "+1 (858) 555-0177", " New Office ")
    assert moved.to_number == "+18585550177" and moved.to_name == "New Office"
    resent = await service.retry(failed)
    assert resent.status is FaxStatus.SENDING


async def test_deleting_outbound_hides_it_even_when_the_server_keeps_it(
    service: FaxService, demo_server: DemoServer
) -> None:
    first, second = (await service.page(FaxBox.OUTBOUND, FaxFilter(), 1, 2)).items
    demo_server.inject_faults("/fax/messages/outbound/", [503] * 8)
    await service.delete_outbound(first)  # the server failed: hidden locally all the same
    demo_server.clear_faults()
    page = (await service.page(FaxBox.OUTBOUND, FaxFilter(), 1, 2)).items
    assert first.id not in {m.id for m in page} and second.id in {m.id for m in page}
    await service.delete_outbound(second)
    assert second.id not in {m.id for m in (await service.page(FaxBox.OUTBOUND, FaxFilter(), 1, 50)).items}


async def test_inbound_read_state_delete_and_open(service: FaxService, tmp_path: Path) -> None:
    fax = (await service.page(FaxBox.INBOUND, FaxFilter(is_read=False), 1, 1)).items[0]
    assert (await service.set_read(fax, True)).is_read
    path = await service.open_file(fax)
    assert path.read_bytes().startswith(b"%PDF-") and path.parent == tmp_path / "faxes"
    assert await service.open_file(fax) == path  # cached
    await service.delete_inbound(fax)
    await service.delete_inbound(fax)  # already gone: no error
    with pytest.raises(FaxError, match="no longer on the server"):
        await service.set_read(fax, False)


async def test_scheduled_edit_and_cancel(service: FaxService) -> None:
    scheduled = (await service.page(FaxBox.SCHEDULED, FaxFilter(), 1, 10)).items
    assert await service.scheduled_count() == len(scheduled) > 0
    target = scheduled[0]
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    edited = await service.update_scheduled(target, to_number="858 555 0190", subject="Moved", send_at=when)
    assert (edited.to_number, edited.subject, edited.send_at) == ("+18585550190", "Moved", when)
    with pytest.raises(FaxError, match="future"):
        await service.update_scheduled(target, send_at=datetime.now(UTC) - timedelta(minutes=1))
    await service.cancel_scheduled(target)
    assert target.id not in {m.id for m in (await service.page(FaxBox.SCHEDULED, FaxFilter(), 1, 10)).items}
    with pytest.raises(FaxError, match="no longer on the server"):
        await service.cancel_scheduled(target)


async def test_new_inbound_faxes_raise_notifications(
    service: FaxService, demo_server: DemoServer, store: Store, bus: EventBus
) -> None:
    events = Recorder(bus)
    poller = service.watch_inbound(StoredSeenMarkers(store))
    await events_wait(lambda: poller.polls >= 1)
    assert events.of(NotificationRequested) == []  # the first poll is the baseline
    new = demo_server.receive_fax()
    poller.poll_soon()
    note = await events.wait_for(lambda e: isinstance(e, NotificationRequested))
    assert note.title == f"New fax from {new['from_name']}"
    assert new["subject"] in note.body
    assert FaxesChanged(FaxBox.INBOUND) in events.events


async def events_wait(predicate, within: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
