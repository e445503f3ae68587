"""Send a fax: a PDF or TIFF (picked or dropped) with page thumbnails, the recipient from the
contact book or typed, the sending number, names, subject, e-mail copies, now or later;
the upload shows its progress and can be cancelled."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, QSize, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.contacts import PhoneKind
from app.domain.fax import FaxMessage
from app.domain.phone import format_for_display, to_valid_e164
from app.services.contact_book import ContactBook
from app.services.fax import FaxDocument, FaxError, FaxService, OutgoingFax, parse_emails
from app.services.tasks import TaskGroup
from ui.fax_edit_dialog import from_qdatetime, problem_label
from ui.fax_pages import FaxPages, FaxPagesError, read_head

log = logging.getLogger(__name__)

THUMB_WIDTH = 92
MAX_THUMBNAILS = 30
SUGGESTIONS = 8
SEARCH_DELAY_MS = 150
FAX_KINDS_FIRST = (PhoneKind.FAX, PhoneKind.WORK, PhoneKind.OTHER, PhoneKind.MOBILE, PhoneKind.HOME)


def _size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The one local file being dragged, if that is what it is."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    local = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return local[0] if len(local) == 1 else None


class SendFaxDialog(QDialog):
    sent = Signal(object)  # FaxMessage

    def __init__(
        self,
        service: FaxService,
        contacts: ContactBook,
        parent: QWidget | None = None,
        *,
        to_number: str = "",
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.contacts = contacts
        self.document: FaxDocument | None = None
        self.pages = FaxPages(self)
        self._tasks = TaskGroup("send-fax")
        self._sending: asyncio.Task[FaxMessage] | None = None
        self._names: dict[str, str] = {}
        self._thumb_next = 0
        self.setWindowTitle("Send fax")
        self.setAcceptDrops(True)

        # -- document
        self.file_label = QLabel("Choose a PDF or TIFF document, or drop one here.")
        self.file_label.setObjectName("paneHint")
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.file_label.setWordWrap(True)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.clicked.connect(self._on_choose_clicked)
        self.thumbnails = QListWidget()
        self.thumbnails.setAccessibleName("Pages")
        self.thumbnails.setViewMode(QListView.ViewMode.IconMode)
        self.thumbnails.setFlow(QListView.Flow.LeftToRight)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setMovement(QListView.Movement.Static)
        thumb_height = round(THUMB_WIDTH * 11 / 8.5)
        self.thumbnails.setIconSize(QSize(THUMB_WIDTH, thumb_height))
        self.thumbnails.setGridSize(QSize(THUMB_WIDTH + 18, thumb_height + 26))
        self.thumbnails.setFixedHeight(thumb_height + 48)
        self.thumbnails.setStyleSheet(
            "QListWidget { background: palette(alternate-base); border-radius: 6px; }"
        )
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setInterval(0)
        self._thumb_timer.timeout.connect(self._render_next_thumbnail)

        # -- parties
        self.to_number = QLineEdit(format_for_display(to_number) if to_valid_e164(to_number) else to_number)
        self.to_number.setAccessibleName("Recipient fax number")
        self.to_number.setPlaceholderText("Fax number or a contact's name")
        self.to_name = QLineEdit()
        self.to_name.setAccessibleName("Recipient name")
        self.to_name.setPlaceholderText("Optional")
        self.from_number = QComboBox()
        self.from_number.setAccessibleName("Send from")
        self.from_name = QLineEdit()
        self.from_name.setAccessibleName("Sender name")
        self.from_name.setPlaceholderText("Optional")
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Subject")
        self.emails = QLineEdit()
        self.emails.setAccessibleName("E-mail a copy to")
        self.emails.setPlaceholderText("Optional: addresses separated by commas")
        self.suggestions = QStringListModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.activated.connect(self._on_completer_activated)
        self.to_number.setCompleter(self.completer)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.to_number.textEdited.connect(self._search_timer.start)

        # -- when
        self.send_now = QRadioButton("Send now")
        self.send_now.setChecked(True)
        self.schedule = QRadioButton("Schedule at")
        when = QButtonGroup(self)
        when.addButton(self.send_now)
        when.addButton(self.schedule)
        self.send_at = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        self.send_at.setCalendarPopup(True)
        self.send_at.setDisplayFormat("MMM d, yyyy  HH:mm")
        self.send_at.setMinimumDateTime(QDateTime.currentDateTime())
        self.send_at.setEnabled(False)
        self.schedule.toggled.connect(self.send_at.setEnabled)
        self.schedule.toggled.connect(self._update_send_button)

        # -- progress and buttons
        self.problem = problem_label()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Upload progress")
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.send_button = QPushButton("Send")
        self.send_button.setDefault(True)
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.choose_button)
        when_row = QHBoxLayout()
        when_row.addWidget(self.send_now)
        when_row.addSpacing(12)
        when_row.addWidget(self.schedule)
        when_row.addWidget(self.send_at)
        when_row.addStretch(1)
        form = QFormLayout()
        form.addRow("To", self.to_number)
        form.addRow("Recipient name", self.to_name)
        form.addRow("From", self.from_number)
        form.addRow("Sender name", self.from_name)
        form.addRow("Subject", self.subject)
        form.addRow("E-mail a copy to", self.emails)
        form.addRow("When", when_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.thumbnails)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(660, self.sizeHint().height() + 20)

        self.to_number.textChanged.connect(self._update_send_button)
        self.from_number.currentIndexChanged.connect(self._update_send_button)
        self.numbers_loaded = asyncio.Event()
        self._tasks.start(self._load_numbers(), name="fax-numbers")

    # -- the document --------------------------------------------------------------------

    def _on_choose_clicked(self) -> None:
        dialog = QFileDialog(self, "Choose a document to fax", str(Path.home()))
        dialog.setNameFilters(["Fax documents (*.pdf *.tif *.tiff)", "All files (*)"])
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.choose(Path(path)))
        dialog.open()

    def choose(self, path: Path) -> None:
        self._tasks.start(self.set_file(path), name="fax-file")

    async def set_file(self, path: Path) -> bool:
        """Check ``path`` (off the Qt thread) and show its pages; False with the reason shown."""
        self.document = None
        self._thumb_timer.stop()
        self.thumbnails.clear()
        self.pages.close()
        self._update_send_button()
        try:
            document = await self.service.check_file(path)
            head = await asyncio.get_running_loop().run_in_executor(None, read_head, path)
            count = self.pages.load(path, head)
        except (FaxError, FaxPagesError, OSError) as exc:
            self.file_label.setText(path.name)
            self.show_problem(str(exc))
            return False
        self.document = document
        self.hide_problem()
        kind = "PDF" if document.mimetype == "application/pdf" else "TIFF"
        pages = f"{count} page{'s' if count != 1 else ''}"
        self.file_label.setText(f"{path.name}   ·   {pages}   ·   {kind}, {_size_text(document.size)}")
        if not self.subject.text():
            self.subject.setText(path.stem.replace("_", " "))
        for index in range(min(count, MAX_THUMBNAILS)):
            item = QListWidgetItem(f"{index + 1}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbnails.addItem(item)
        self._thumb_next = 0
        self._thumb_timer.start()
        self._update_send_button()
        return True

    def _render_next_thumbnail(self) -> None:
        """One thumbnail per event-loop turn: the dialog stays responsive on long documents."""
        index = self._thumb_next
        if index >= self.thumbnails.count():
            self._thumb_timer.stop()
            return
        self._thumb_next += 1
        image = self.pages.render(index, THUMB_WIDTH)
        item = self.thumbnails.item(index)
        if item is not None and not image.isNull():
            item.setIcon(QIcon(QPixmap.fromImage(image)))

    @property
    def thumbnails_done(self) -> bool:
        return self._thumb_next >= self.thumbnails.count() and not self._thumb_timer.isActive()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event) is not None and self._sending is None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.choose(path)

    # -- numbers and contacts ------------------------------------------------------------

    async def _load_numbers(self) -> None:
        try:
            numbers = await self.service.numbers()
        except FaxError as exc:
            self.show_problem(str(exc))
            return
        finally:
            self.numbers_loaded.set()
        for number in numbers:
            self.from_number.addItem(format_for_display(number), number)
        self._update_send_button()

    def _on_search_timer_timeout(self) -> None:
        query = self.to_number.text().strip()
        # A complete number needs no suggestions; names and partial numbers get some.
        if len(query) >= 2 and not query.startswith("+") and to_valid_e164(query) is None:
            self._tasks.start(self._suggest(query), name="fax-suggest")

    async def _suggest(self, query: str) -> None:
        found = await self.contacts.search(query, 0, SUGGESTIONS)
        if query != self.to_number.text().strip():
            return
        names: dict[str, str] = {}
        rows: list[str] = []
        for stored in found:
            contact = stored.contact
            phones = sorted(
                (p for p in contact.phones if p.kind in FAX_KINDS_FIRST),
                key=lambda p: FAX_KINDS_FIRST.index(p.kind),
            )
            for phone in phones[:2]:
                text = f"{contact.display_name} — {phone.label} ({phone.kind.value})"
                names[text] = contact.display_name
                rows.append(text)
        self._names = names
        self.suggestions.setStringList(rows)
        if rows:
            self.completer.complete()

    def _on_completer_activated(self, text: str) -> None:
        name = self._names.get(text)
        if name is None:
            return
        number = text.split(" — ", 1)[1].rsplit(" (", 1)[0]
        QTimer.singleShot(0, lambda: self.to_number.setText(number))  # after the completer writes
        self.to_name.setText(name)

    # -- sending -------------------------------------------------------------------------

    def _update_send_button(self) -> None:
        self.send_button.setEnabled(
            self.document is not None
            and self._sending is None
            and bool(self.to_number.text().strip())
            and self.from_number.currentData() is not None
        )

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def hide_problem(self) -> None:
        self.problem.hide()

    def outgoing(self) -> OutgoingFax:
        """The fax as filled in; FaxError for what the user must fix first."""
        if self.document is None:
            raise FaxError("Choose a PDF or TIFF document to fax.")
        send_at: datetime | None = None
        if self.schedule.isChecked():
            send_at = from_qdatetime(self.send_at.dateTime())
            if send_at <= datetime.now(UTC) + timedelta(seconds=30):
                raise FaxError("The scheduled time has passed: pick a later time, or send now.")
        emails = parse_emails(self.emails.text())
        return OutgoingFax(
            document=self.document,
            to_number=self.to_number.text(),
            from_number=str(self.from_number.currentData() or ""),
            to_name=self.to_name.text(),
            from_name=self.from_name.text(),
            subject=self.subject.text(),
            emails=emails,
            send_at=send_at,
        )

    def send(self) -> None:
        try:
            outgoing = self.outgoing()
        except FaxError as exc:
            self.show_problem(str(exc))
            return
        self.hide_problem()
        self.progress.setValue(0)
        self.progress.show()
        self._sending = self._tasks.start(self.service.send(outgoing, self._on_progress), name="fax-send")
        self._sending.add_done_callback(self._on_send_finished)
        self._set_editable(False)
        self._update_send_button()

    def _on_progress(self, sent: int, total: int) -> None:
        self.progress.setValue(round(1000 * sent / total) if total else 0)

    def _on_send_finished(self, task: asyncio.Task[FaxMessage]) -> None:
        self._sending = None
        self._set_editable(True)
        self.progress.hide()
        self._update_send_button()
        if task.cancelled():
            self.show_problem("Upload cancelled: nothing was sent.")
            return
        error = task.exception()
        if isinstance(error, FaxError):
            self.show_problem(str(error))
            return
        if error is not None:
            self.show_problem(f"The fax could not be sent: {error}")
            return
        self.sent.emit(task.result())
        self.accept()

    def _set_editable(self, editable: bool) -> None:
        widgets: tuple[QWidget, ...] = (
            self.choose_button,
            self.to_number,
            self.to_name,
            self.from_number,
            self.from_name,
            self.subject,
            self.emails,
            self.send_now,
            self.schedule,
        )
        for widget in widgets:
            widget.setEnabled(editable)
        self.send_at.setEnabled(editable and self.schedule.isChecked())
        self.cancel_button.setText("Cancel upload" if not editable else "Cancel")

    @property
    def sending(self) -> bool:
        return self._sending is not None

    def _on_cancel_clicked(self) -> None:
        if self._sending is not None:
            self._sending.cancel()
        else:
            self.reject()

    def done(self, result: int) -> None:
        if self._sending is not None:
            self._sending.cancel()
        self._thumb_timer.stop()
        self._search_timer.stop()
        self._tasks.cancel()
        super().done(result)
