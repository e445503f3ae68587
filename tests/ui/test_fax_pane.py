"""The Fax pane, send dialog and viewer: real widgets over the embedded server and a real cache."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.demo.server import DemoServer
from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.fax import FaxBox, FaxMessage, FaxStatus
from app.providers.ringplan.fax import RingPlanFax
from app.providers.ringplan.rest import RingPlanClient
from app.services.contact_book import ContactBook
from app.services.event_bus import EventBus
from app.services.fax import FaxService
from app.store import contacts as contact_rows
from app.store.database import Store
from tests.fax_samples import tiff_bytes, write_pdf, write_tiff
from tests.integration.recording import credentials_of
from ui.fax_list_model import PER_PAGE
from ui.fax_pages import read_head
from ui.fax_pane import FaxPane
from ui.fax_viewer import FaxViewer
from ui.send_fax_dialog import SendFaxDialog


@dataclass
class FaxEnv:
    pane: FaxPane
    service: FaxService
    server: DemoServer
    tmp: Path


async def until(condition: Callable[[], object], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


@pytest.fixture
async def env(qtbot: QtBot, demo_server: DemoServer, tmp_path: Path) -> AsyncIterator[FaxEnv]:
    demo_server.faxes.sending_seconds = 0.3
    store = Store(tmp_path / "cache.sqlite3")
    bus = EventBus()
    contacts = ContactBook(store, bus)
    fax_line = PhoneNumber(PhoneKind.FAX, "+18585550166", "(858) 555-0166")
    person = Contact("personal", "p1", "Dana", "Faxworth", phones=(fax_line,))
    generation = await store.call(contact_rows.begin_sync, "personal")
    await store.call(contact_rows.upsert_contacts, [person], generation)
    await store.call(contact_rows.finish_sync, "personal", generation)
    async with RingPlanClient(demo_server.url, credentials_of(demo_server)) as client:
        service = FaxService(RingPlanFax(client), store, bus, contacts, files_dir=tmp_path / "faxes")
        pane = FaxPane(service, contacts)
        qtbot.addWidget(pane)
        pane.resize(1000, 640)
        pane.show()
        pane.refresh()
        await until(lambda: pane.model(FaxBox.INBOUND).rowCount() > 0 and pane.idle)
        yield FaxEnv(pane, service, demo_server, tmp_path)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, SendFaxDialog | FaxViewer | QMessageBox) and widget.isVisible():
                widget.close()
        await pane.cancel_tasks()
    store.close()


def rows(pane: FaxPane, box: FaxBox) -> list[FaxMessage]:
    model = pane.model(box)
    return [fax for row in range(model.rowCount()) if (fax := model.fax_at(row)) is not None]


def select(pane: FaxPane, box: FaxBox, fax_id: str) -> None:
    pane.tabs.setCurrentIndex(list(FaxBox).index(box))
    pane.views[box].table.selectRow(pane.model(box).row_of(fax_id))


# -- the lists -----------------------------------------------------------------------------


async def test_boxes_page_as_the_user_scrolls_and_show_counts(env: FaxEnv) -> None:
    pane = env.pane
    model = pane.model(FaxBox.INBOUND)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    stats = await env.service.statistics()
    assert model.rowCount() == PER_PAGE < stats.inbound
    await until(lambda: pane.tabs.tabText(0) == f"Inbound ({stats.inbound})")
    assert "received" in pane.counts.text() and "anonymous" in pane.counts.text()
    table = pane.views[FaxBox.INBOUND].table
    table.scrollToBottom()
    await until(lambda: model.rowCount() == stats.inbound)
    assert len({fax.id for fax in rows(pane, FaxBox.INBOUND)}) == stats.inbound
    assert not model.canFetchMore(model.index(-1, -1))
    unread = next(f for f in rows(pane, FaxBox.INBOUND) if not f.is_read)
    assert model.index(model.row_of(unread.id), 1).data(Qt.ItemDataRole.FontRole).bold()


async def test_filters_reload_the_box(env: FaxEnv) -> None:
    pane = env.pane
    subject = rows(pane, FaxBox.INBOUND)[0].subject
    pane.filters.subject.setText(subject)
    pane.filters.flush()
    await until(
        lambda: rows(pane, FaxBox.INBOUND) and all(f.subject == subject for f in rows(pane, FaxBox.INBOUND))
    )
    count = len(rows(pane, FaxBox.INBOUND))
    await until(lambda: pane.tabs.tabText(0) == f"Inbound ({count})")
    pane.filters.reset()
    pane.filters.read_state.setCurrentIndex(1)  # unread only
    pane.filters.flush()
    await until(lambda: rows(pane, FaxBox.INBOUND) and not any(f.is_read for f in rows(pane, FaxBox.INBOUND)))
    pane.filters.search.setText("nothing matches this at all")
    pane.filters.flush()
    await until(lambda: pane.views[FaxBox.INBOUND].stack.currentWidget() is pane.views[FaxBox.INBOUND].empty)


async def test_opening_an_inbound_fax_shows_it_and_marks_it_read(env: FaxEnv) -> None:
    pane = env.pane
    fax = next(f for f in rows(pane, FaxBox.INBOUND) if not f.is_read)
    pane.open(fax)
    await until(lambda: pane.viewer is not None and pane.viewer.pages.count == fax.pages)
    assert pane.viewer is not None and pane.viewer.page_label.text() == f"Page 1 of {fax.pages}"
    await until(lambda: pane.model(FaxBox.INBOUND).fax_at(pane.model(FaxBox.INBOUND).row_of(fax.id)).is_read)  # type: ignore[union-attr]
    pane.viewer.close()
    select(pane, FaxBox.INBOUND, fax.id)
    assert pane.read_button.text() == "Mark unread"
    pane.read_button.click()
    await until(lambda: pane.read_button.text() == "Mark read")


# -- sending -------------------------------------------------------------------------------


async def test_send_a_real_pdf_and_see_it_in_outbound(env: FaxEnv) -> None:
    pane = env.pane
    dialog = pane.open_send_dialog()
    assert await dialog.set_file(write_pdf(env.tmp / "Quarterly report.pdf", pages=3))
    assert dialog.thumbnails.count() == 3 and "3 pages" in dialog.file_label.text()
    await until(lambda: dialog.thumbnails_done)
    assert not dialog.thumbnails.item(2).icon().isNull()
    await until(dialog.numbers_loaded.is_set)
    dialog.to_number.setText("(858) 555-0123")
    dialog.to_name.setText("Receiving Office")
    dialog.emails.setText("me@example.com")
    assert dialog.subject.text() == "Quarterly report"
    assert dialog.send_button.isEnabled()
    dialog.send_button.click()
    await until(lambda: pane.send_dialog is None or not dialog.isVisible())
    assert pane.current_box is FaxBox.OUTBOUND
    await until(
        lambda: rows(pane, FaxBox.OUTBOUND) and rows(pane, FaxBox.OUTBOUND)[0].subject == "Quarterly report"
    )
    sent = rows(pane, FaxBox.OUTBOUND)[0]
    assert sent.pages == 3 and sent.to_number == "+18585550123" and sent.to_name == "Receiving Office"
    assert "being sent" in pane.message.text()


async def test_a_non_pdf_renamed_pdf_is_refused(env: FaxEnv) -> None:
    dialog = env.pane.open_send_dialog()
    fake = env.tmp / "invoice.pdf"
    fake.write_text("Dear customer, this is plain text pretending to be a PDF.")
    assert not await dialog.set_file(fake)
    assert dialog.problem.isVisible() and "not a PDF or TIFF" in dialog.problem.text()
    assert dialog.document is None and not dialog.send_button.isEnabled()
    empty = env.tmp / "empty.pdf"
    empty.write_bytes(b"")
    assert not await dialog.set_file(empty)
    assert "empty" in dialog.problem.text()


async def test_invalid_recipient_is_explained(env: FaxEnv) -> None:
    dialog = env.pane.open_send_dialog()
    assert await dialog.set_file(write_tiff(env.tmp / "scan.tiff", pages=2))
    assert dialog.thumbnails.count() == 2 and "TIFF" in dialog.file_label.text()
    await until(dialog.numbers_loaded.is_set)
    dialog.to_number.setText("555-12")
    dialog.send_button.click()
    await until(lambda: dialog.problem.isVisible() and not dialog.sending)
    assert "not a valid fax number" in dialog.problem.text() and dialog.isVisible()


async def test_recipient_from_the_contact_book(env: FaxEnv) -> None:
    dialog = env.pane.open_send_dialog()
    dialog.to_number.setText("Dana")
    dialog.to_number.textEdited.emit("Dana")
    await until(lambda: dialog.suggestions.rowCount() > 0)
    choice = dialog.suggestions.index(0).data()
    assert choice.startswith("Dana Faxworth — ")
    dialog.completer.activated.emit(choice)
    await until(lambda: dialog.to_number.text() == "(858) 555-0166")
    assert dialog.to_name.text() == "Dana Faxworth"


async def test_cancelling_an_upload_sends_nothing(env: FaxEnv) -> None:
    big = env.tmp / "big-scan.tif"
    big.write_bytes(tiff_bytes(1, width=3000, height=4000))  # 12 MB
    dialog = env.pane.open_send_dialog()
    assert await dialog.set_file(big)
    await until(dialog.numbers_loaded.is_set)
    dialog.to_number.setText("8585550123")
    before = (await env.service.statistics()).outbound
    dialog.send_button.click()
    await until(lambda: dialog.progress.value() > 0, within=20)
    assert dialog.cancel_button.text() == "Cancel upload"
    dialog.cancel_button.click()
    await until(lambda: "cancelled" in dialog.problem.text())
    assert dialog.isVisible() and dialog.send_button.isEnabled()
    assert (await env.service.statistics()).outbound == before


async def test_dropping_a_file_on_the_pane_opens_the_dialog(env: FaxEnv) -> None:
    pane = env.pane
    path = write_pdf(env.tmp / "dropped.pdf", pages=2)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(pane, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(pane, drop)
    assert pane.send_dialog is not None
    dialog = pane.send_dialog
    await until(lambda: dialog.document is not None)
    assert dialog.document is not None and dialog.document.path == path
    assert dialog.thumbnails.count() == 2
    two = QMimeData()
    two.setUrls([QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(path))])
    refused = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, two, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    refused.ignore()
    QApplication.sendEvent(pane, refused)
    assert not refused.isAccepted()


# -- outbound and scheduled actions --------------------------------------------------------


async def test_a_failed_fax_is_retried(env: FaxEnv) -> None:
    pane = env.pane
    pane.tabs.setCurrentIndex(1)
    await until(lambda: rows(pane, FaxBox.OUTBOUND))
    failed = next(f for f in rows(pane, FaxBox.OUTBOUND) if f.status is FaxStatus.FAILED)
    select(pane, FaxBox.OUTBOUND, failed.id)
    assert pane.retry_button.isVisible() and pane.retry_button.isEnabled()
    pane.retry_button.click()
    model = pane.model(FaxBox.OUTBOUND)
    await until(lambda: model.fax_at(model.row_of(failed.id)).status is FaxStatus.SENDING)  # type: ignore[union-attr]
    assert "again" in pane.message.text()
    assert not pane.retry_button.isEnabled()  # no longer failed
    pane.retry(failed)  # a second retry: the server answers 406, said in words
    await until(lambda: "only allows this for faxes that failed" in pane.message.text())


async def test_change_a_failed_fax_recipient(env: FaxEnv) -> None:
    pane = env.pane
    pane.tabs.setCurrentIndex(1)
    await until(lambda: rows(pane, FaxBox.OUTBOUND))
    failed = next(f for f in rows(pane, FaxBox.OUTBOUND) if f.status is FaxStatus.FAILED)
    pane.edit(failed)
    dialog = pane.edit_dialog
    dialog.number.setText("12")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "not a valid fax number" in dialog.problem.text()
    dialog.number.setText("(858) 555-0188")
    dialog.name.setText("Branch Office")
    dialog.buttons.accepted.emit()
    model = pane.model(FaxBox.OUTBOUND)
    await until(lambda: model.fax_at(model.row_of(failed.id)).to_number == "+18585550188")  # type: ignore[union-attr]
    assert "Retry" in pane.message.text()


async def test_a_scheduled_fax_is_edited_and_cancelled(env: FaxEnv) -> None:
    pane = env.pane
    pane.tabs.setCurrentIndex(2)
    await until(lambda: rows(pane, FaxBox.SCHEDULED))
    target = rows(pane, FaxBox.SCHEDULED)[0]
    assert pane.model(FaxBox.SCHEDULED).headerData(0, Qt.Orientation.Horizontal) == "Send at"
    select(pane, FaxBox.SCHEDULED, target.id)
    pane.edit_button.click()
    dialog = pane.edit_dialog
    dialog.subject.setText("Moved to next week")
    later = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    dialog.send_at.setDateTime(dialog.send_at.dateTime().fromSecsSinceEpoch(int(later.timestamp())))
    dialog.buttons.accepted.emit()
    model = pane.model(FaxBox.SCHEDULED)
    await until(lambda: model.fax_at(model.row_of(target.id)).subject == "Moved to next week")  # type: ignore[union-attr]
    edited = model.fax_at(model.row_of(target.id))
    assert edited is not None and edited.send_at == later
    select(pane, FaxBox.SCHEDULED, target.id)
    assert pane.delete_button.text() == "Cancel fax"
    pane.delete_button.click()
    box = pane.confirmation
    assert "will not be sent" in box.text()
    next(b for b in box.buttons() if b.text() == "Cancel fax").click()
    await until(lambda: model.row_of(target.id) == -1)
    remaining = (await env.service.page(FaxBox.SCHEDULED, pane._filter, 1, 50)).items
    assert target.id not in {f.id for f in remaining}


async def test_deleting_outbound_is_confirmed_first(env: FaxEnv) -> None:
    pane = env.pane
    pane.tabs.setCurrentIndex(1)
    await until(lambda: rows(pane, FaxBox.OUTBOUND))
    target = rows(pane, FaxBox.OUTBOUND)[0]
    select(pane, FaxBox.OUTBOUND, target.id)
    pane.delete_button.click()
    next(b for b in pane.confirmation.buttons() if b.text() == "Keep").click()
    await asyncio.sleep(0.2)
    assert pane.model(FaxBox.OUTBOUND).row_of(target.id) >= 0
    pane.delete_button.click()
    next(b for b in pane.confirmation.buttons() if b.text() == "Delete").click()
    await until(lambda: pane.model(FaxBox.OUTBOUND).row_of(target.id) == -1)


# -- the viewer ----------------------------------------------------------------------------


async def test_viewer_pages_through_a_three_page_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "three.pdf", pages=3)
    fax = FaxMessage(
        "f1", FaxBox.INBOUND, None, "file", "+18585550123", "Sender", "", "", "Three pages", 3, True
    )
    viewer = FaxViewer(fax)
    qtbot.addWidget(viewer)
    viewer.show()
    viewer.load(path, read_head(path))
    assert viewer.page_label.text() == "Page 1 of 3" and not viewer.previous_button.isEnabled()
    first = viewer.page_image.pixmap().toImage()
    viewer.next_button.click()
    assert viewer.page_label.text() == "Page 2 of 3"
    second = viewer.page_image.pixmap().toImage()
    assert first != second and not second.isNull()
    viewer.next_button.click()
    assert viewer.page_label.text() == "Page 3 of 3" and not viewer.next_button.isEnabled()
    viewer.next_button.click()
    assert viewer.page_label.text() == "Page 3 of 3"
    viewer.previous_button.click()
    assert viewer.page_label.text() == "Page 2 of 3"


async def test_viewer_pages_through_a_multi_page_tiff(qtbot: QtBot, tmp_path: Path) -> None:
    path = write_tiff(tmp_path / "scan.tif", pages=3)
    fax = FaxMessage(
        "f2", FaxBox.OUTBOUND, None, "file", "", "", "+18585550123", "", "Scan", 3, True, FaxStatus.SENT
    )
    viewer = FaxViewer(fax)
    qtbot.addWidget(viewer)
    viewer.show()
    viewer.load(path, read_head(path))
    images = []
    for page in range(3):
        assert viewer.page_label.text() == f"Page {page + 1} of 3"
        images.append(viewer.page_image.pixmap().toImage())
        viewer.next_button.click()
    assert len({image.cacheKey() for image in images}) == 3 and images[0] != images[1] != images[2]
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 and then nothing")
    viewer.load(broken, read_head(broken))
    assert "damaged" in viewer.page_image.text()


async def test_without_a_status_retry_is_offered_and_a_406_explained(env: FaxEnv) -> None:
    """Servers that follow the document send no status: Retry stays offered, the 406 is words."""
    pane = env.pane
    pane.tabs.setCurrentIndex(1)
    await until(lambda: rows(pane, FaxBox.OUTBOUND))
    model = pane.model(FaxBox.OUTBOUND)
    sent = next(f for f in rows(pane, FaxBox.OUTBOUND) if f.status is FaxStatus.SENT)
    model.replace(dataclasses.replace(sent, status=None))
    select(pane, FaxBox.OUTBOUND, sent.id)
    assert model.index(model.row_of(sent.id), 4).data() == ""
    assert pane.retry_button.isEnabled() and pane.edit_button.isEnabled()
    pane.retry_button.click()
    await until(lambda: "only allows this for faxes that failed" in pane.message.text())


async def test_send_fax_from_a_contact_opens_the_dialog_prefilled(env: FaxEnv) -> None:
    dialog = env.pane.open_send_dialog(to_number="+18585550166")
    assert dialog.to_number.text() == "(858) 555-0166"
    assert not dialog.send_button.isEnabled()  # no document yet


async def test_email_delivery_creates_a_fax_destination(env: FaxEnv) -> None:
    pane = env.pane
    pane.ask_email_delivery()
    pane.email_dialog.setTextValue("faxes@northwind.example, not-an-address")
    pane.email_dialog.accept()
    await until(lambda: "not-an-address is not an e-mail address" in pane.message.text())
    pane.ask_email_delivery()
    pane.email_dialog.setTextValue("faxes@northwind.example; office@northwind.example")
    pane.email_dialog.accept()
    await until(lambda: "also delivered to" in pane.message.text())
    assert (
        "faxes@northwind.example" in pane.message.text() and "office@northwind.example" in pane.message.text()
    )
