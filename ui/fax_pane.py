"""The Fax pane: Inbound, Outbound and Scheduled tabs of lazily paged lists, one filter bar,
counts from ``/fax/statistics``, the actions of each box, the send dialog (also by dropping a
file on the pane) and the viewer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.fax import FaxBox, FaxFilter, FaxMessage, FaxStatistics, FaxStatus
from app.domain.phone import format_for_display
from app.providers.ringplan.paging import Page
from app.services.contact_book import ContactBook
from app.services.fax import FaxError, FaxService
from app.services.tasks import TaskGroup
from ui.fax_edit_dialog import FaxEditDialog
from ui.fax_filter_bar import FaxFilterBar
from ui.fax_list_model import FaxListModel, FaxRole
from ui.fax_pages import read_head
from ui.fax_status_delegate import FaxStatusDelegate
from ui.fax_viewer import FaxViewer
from ui.send_fax_dialog import SendFaxDialog, dropped_file
from ui.style import PROBLEM_RED

log = logging.getLogger(__name__)

NOTICE_MS = 6000
TAB_TITLES = {FaxBox.INBOUND: "Inbound", FaxBox.OUTBOUND: "Outbound", FaxBox.SCHEDULED: "Scheduled"}
EMPTY_TEXT = {
    FaxBox.INBOUND: "No faxes received yet.",
    FaxBox.OUTBOUND: "No faxes sent yet. Send one with “Send fax…”, or drop a PDF here.",
    FaxBox.SCHEDULED: "No faxes waiting to be sent. Schedule one from “Send fax…”.",
}

PANE_STYLE = """
QPushButton#primary {
    background: palette(highlight); color: palette(highlighted-text);
    border: none; border-radius: 4px; padding: 5px 14px; font-weight: 600;
}
QPushButton#primary:hover { background: palette(dark); }
QTableView { border: none; }
"""


class FaxBoxView(QWidget):
    """One box: the table, or a line saying why it is empty."""

    def __init__(self, model: FaxListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView()
        self.table.setAccessibleName(f"{TAB_TITLES[model.box]} faxes")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setItemDelegateForColumn(4, FaxStatusDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 130), (1, 330), (3, 56), (4, 96)):
            self.table.setColumnWidth(column, width)
        self.empty = QLabel(EMPTY_TEXT[model.box])
        self.empty.setObjectName("emptyList")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        model.loaded.connect(self._on_model_loaded)
        model.rowsRemoved.connect(self._on_model_loaded)

    def _on_model_loaded(self) -> None:
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.empty)

    def selected(self) -> FaxMessage | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.fax_at(rows[0].row())


class FaxPane(QWidget):
    error_raised = Signal(str)

    def __init__(self, service: FaxService, contacts: ContactBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.contacts = contacts
        self._tasks = TaskGroup("fax-pane")
        self._filter = FaxFilter()
        self._stale: set[FaxBox] = set()
        self._totals: dict[FaxBox, int | None] = {}
        self.send_dialog: SendFaxDialog | None = None
        self.viewer: FaxViewer | None = None
        self.setAcceptDrops(True)
        self.setAccessibleName("Fax")

        self.title = QLabel("Fax")
        self.title.setObjectName("paneTitle")
        self.counts = QLabel("")
        self.counts.setObjectName("paneHint")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.email_button = QPushButton("E-mail delivery…")
        self.email_button.setToolTip("Also deliver received faxes to e-mail addresses (a fax destination)")
        self.email_button.clicked.connect(self.ask_email_delivery)
        self.send_button = QPushButton("Send fax…")
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(lambda: self.open_send_dialog())

        self.filters = FaxFilterBar()
        self.filters.changed.connect(self._on_filters_changed)

        self.views: dict[FaxBox, FaxBoxView] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for box in FaxBox:
            model = FaxListModel(box, partial(self._fetch, box), self)
            model.failed.connect(self.show_error)
            view = FaxBoxView(model)
            view.table.doubleClicked.connect(self._on_table_double_clicked)
            view.table.customContextMenuRequested.connect(partial(self._on_table_context_menu, box))
            view.table.selectionModel().selectionChanged.connect(self._update_actions)
            model.modelReset.connect(self._update_actions)
            self.views[box] = view
            self.tabs.addTab(view, TAB_TITLES[box])
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        self.open_button = QPushButton("Open")
        self.read_button = QPushButton("Mark read")
        self.retry_button = QPushButton("Retry")
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        self.open_button.clicked.connect(lambda: self._act(self.open))
        self.read_button.clicked.connect(lambda: self._act(self.toggle_read))
        self.retry_button.clicked.connect(lambda: self._act(self.retry))
        self.edit_button.clicked.connect(lambda: self._act(self.edit))
        self.delete_button.clicked.connect(lambda: self._act(self.delete))
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self)
        delete_key.activated.connect(lambda: self._act(self.delete))
        delete_key.setWhatsThis("Delete the selected fax")
        send_key = QShortcut(QKeySequence("Ctrl+Shift+F"), self)
        send_key.activated.connect(lambda: self.open_send_dialog())
        send_key.setWhatsThis("Send a fax")
        self.send_button.setToolTip("Send a fax (Ctrl+Shift+F), or drop a PDF or TIFF on this pane")
        self.message = QLabel()
        self.message.setObjectName("paneHint")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

        header = QHBoxLayout()
        header.setContentsMargins(12, 10, 12, 4)
        header.setSpacing(6)
        header.addWidget(self.title)
        header.addSpacing(10)
        header.addWidget(self.counts, 1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.email_button)
        header.addWidget(self.send_button)
        actions = QHBoxLayout()
        actions.setContentsMargins(12, 4, 12, 8)
        actions.addWidget(self.message, 1)
        self.action_buttons = (
            self.open_button,
            self.read_button,
            self.retry_button,
            self.edit_button,
            self.delete_button,
        )
        for button in self.action_buttons:
            actions.addWidget(button)
        filters = QVBoxLayout()
        filters.setContentsMargins(12, 0, 12, 6)
        filters.addWidget(self.filters)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setStyleSheet(PANE_STYLE)
        self._on_tabs_current_changed(0)

    # -- loading -------------------------------------------------------------------------

    @property
    def current_box(self) -> FaxBox:
        return list(FaxBox)[self.tabs.currentIndex()]

    def model(self, box: FaxBox) -> FaxListModel:
        return self.views[box].model

    async def _fetch(self, box: FaxBox, page: int, per_page: int) -> Page[FaxMessage]:
        return await self.service.page(box, self._filter, page, per_page)

    def refresh(self) -> None:
        """Reload the box on screen and the counts; the other boxes when next shown."""
        self._stale = set(FaxBox)
        self._start(self.reload(self.current_box), "fax-reload")

    async def reload(self, box: FaxBox) -> None:
        self._stale.discard(box)
        await asyncio.gather(self.model(box).reload(), self.refresh_counts())
        self._update_tab_titles()

    async def refresh_counts(self) -> None:
        try:
            stats, scheduled = await asyncio.gather(self.service.statistics(), self.service.scheduled_count())
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self._show_counts(stats, scheduled)

    def _show_counts(self, stats: FaxStatistics, scheduled: int | None) -> None:
        parts = [f"{stats.inbound:,} received", f"{stats.outbound:,} sent"]
        if scheduled:
            parts.append(f"{scheduled:,} scheduled")
        if stats.inbound_hidden:
            parts.append(f"{stats.inbound_hidden:,} from anonymous senders hidden")
        self.counts.setText("   ·   ".join(parts))
        self._totals = {
            FaxBox.INBOUND: stats.inbound,
            FaxBox.OUTBOUND: stats.outbound,
            FaxBox.SCHEDULED: scheduled,
        }
        self._update_tab_titles()

    def _update_tab_titles(self) -> None:
        totals = self._totals
        for index, box in enumerate(FaxBox):
            filtered = self._filter != FaxFilter()
            total = self.model(box).total if filtered or box not in totals else totals[box]
            title = TAB_TITLES[box] if total is None else f"{TAB_TITLES[box]} ({total:,})"
            self.tabs.setTabText(index, title)

    def _on_filters_changed(self) -> None:
        self._filter = self.filters.current()
        self._stale = set(FaxBox)
        self._start(self.reload(self.current_box), "fax-filter")

    def _on_tabs_current_changed(self, _index: int) -> None:
        box = self.current_box
        self.filters.set_inbound(box is FaxBox.INBOUND)
        if box in self._stale:
            self._start(self.reload(box), "fax-tab")
        self._update_actions()

    def on_faxes_changed(self, box: str) -> None:
        """A box changed (bus ``FaxesChanged``): reload it now if shown, else when shown."""
        changed = FaxBox(box)
        self._stale.add(changed)
        if changed is FaxBox.SCHEDULED:
            self._stale.add(FaxBox.OUTBOUND)  # a sent scheduled fax moves there
        if changed is self.current_box:
            self._start(self.reload(changed), "fax-changed")
        else:
            self._start(self.refresh_counts(), "fax-counts")

    # -- actions -------------------------------------------------------------------------

    def _act(self, action: Callable[[FaxMessage], None]) -> None:
        fax = self.views[self.current_box].selected()
        if fax is not None:
            action(fax)

    def _update_actions(self) -> None:
        box = self.current_box
        fax = self.views[box].selected()
        self.read_button.setVisible(box is FaxBox.INBOUND)
        self.retry_button.setVisible(box is FaxBox.OUTBOUND)
        self.edit_button.setVisible(box is not FaxBox.INBOUND)
        self.edit_button.setText("Change recipient…" if box is FaxBox.OUTBOUND else "Edit…")
        self.delete_button.setText("Cancel fax" if box is FaxBox.SCHEDULED else "Delete")
        for button in self.action_buttons:
            button.setEnabled(fax is not None)
        if fax is not None:
            self.read_button.setText("Mark unread" if fax.is_read else "Mark read")
            # Without a status from the server, Retry and edits stay offered; a 406 explains.
            failed_or_unknown = fax.status in (None, FaxStatus.FAILED)
            self.retry_button.setEnabled(failed_or_unknown)
            if box is FaxBox.OUTBOUND:
                self.edit_button.setEnabled(failed_or_unknown)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        fax = index.data(FaxRole)
        if isinstance(fax, FaxMessage):
            self.open(fax)

    def _on_table_context_menu(self, box: FaxBox, point: QPoint) -> None:
        table = self.views[box].table
        index = table.indexAt(point)
        fax = index.data(FaxRole)
        if not isinstance(fax, FaxMessage):
            return
        table.selectRow(index.row())
        menu = self.context_menu(fax)
        menu.popup(table.viewport().mapToGlobal(point))

    def context_menu(self, fax: FaxMessage) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open(fax))
        if fax.box is FaxBox.INBOUND:
            menu.addAction("Mark unread" if fax.is_read else "Mark read", lambda: self.toggle_read(fax))
            menu.addSeparator()
            menu.addAction("Delete", lambda: self.delete(fax))
        elif fax.box is FaxBox.OUTBOUND:
            retry = menu.addAction("Retry", lambda: self.retry(fax))
            edit = menu.addAction("Change recipient…", lambda: self.edit(fax))
            retry.setEnabled(fax.status in (None, FaxStatus.FAILED))
            edit.setEnabled(fax.status in (None, FaxStatus.FAILED))
            menu.addSeparator()
            menu.addAction("Delete", lambda: self.delete(fax))
        else:
            menu.addAction("Edit…", lambda: self.edit(fax))
            menu.addSeparator()
            menu.addAction("Cancel fax", lambda: self.delete(fax))
        return menu

    def open(self, fax: FaxMessage) -> None:
        self._start(self._open(fax), "fax-open")

    async def _open(self, fax: FaxMessage) -> None:
        self.show_notice("Opening the fax…")
        try:
            path = await self.service.open_file(fax)
            head = await asyncio.get_running_loop().run_in_executor(None, read_head, path)
        except (FaxError, OSError) as exc:
            self.show_error(str(exc))
            return
        self.show_notice("")
        viewer = FaxViewer(fax, self.window())
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.load(path, head)
        self.viewer = viewer
        viewer.destroyed.connect(lambda: setattr(self, "viewer", None))
        viewer.show()
        if fax.box is FaxBox.INBOUND and not fax.is_read:
            await self._set_read(fax, True)

    def toggle_read(self, fax: FaxMessage) -> None:
        self._start(self._set_read(fax, not fax.is_read), "fax-read")

    async def _set_read(self, fax: FaxMessage, is_read: bool) -> None:
        try:
            updated = await self.service.set_read(fax, is_read)
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self.model(FaxBox.INBOUND).replace(updated)
        self._update_actions()

    def retry(self, fax: FaxMessage) -> None:
        self._start(self._retry(fax), "fax-retry")

    async def _retry(self, fax: FaxMessage) -> None:
        try:
            resent = await self.service.retry(fax)
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self.model(FaxBox.OUTBOUND).replace(resent)
        self.show_notice(f"Sending the fax to {_party(resent)} again.")
        self._update_actions()

    def edit(self, fax: FaxMessage) -> None:
        dialog = FaxEditDialog(fax, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(partial(self._on_edit_dialog_accepted, fax, dialog))
        self.edit_dialog = dialog
        dialog.open()

    def _on_edit_dialog_accepted(self, fax: FaxMessage, dialog: FaxEditDialog) -> None:
        # Read the fields now: the dialog is deleted once it closes.
        edit = self._save_edit(
            fax, dialog.number.text(), dialog.name.text(), dialog.subject.text(), dialog.chosen_send_at()
        )
        self._start(edit, "fax-edit")

    async def _save_edit(
        self, fax: FaxMessage, number: str, name: str, subject: str, send_at: datetime
    ) -> None:
        try:
            if fax.box is FaxBox.SCHEDULED:
                updated = await self.service.update_scheduled(
                    fax, to_number=number, to_name=name, subject=subject, send_at=send_at
                )
            else:
                updated = await self.service.change_recipient(fax, number, name)
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self.model(fax.box).replace(updated)
        if fax.box is FaxBox.OUTBOUND:
            self.show_notice(f"Recipient changed to {_party(updated)}. Retry to send it there.")
        else:
            self.show_notice("Scheduled fax saved.")

    def delete(self, fax: FaxMessage) -> None:
        if fax.box is FaxBox.SCHEDULED:
            question = f"Cancel the fax to {_party(fax)}? It will not be sent."
            title, action = "Cancel scheduled fax", self._cancel
        elif fax.box is FaxBox.OUTBOUND:
            question = f"Delete the fax to {_party(fax)} from this list? It cannot be undone."
            title, action = "Delete fax", self._delete
        else:
            question = f"Delete the fax from {_party(fax)}? It cannot be undone."
            title, action = "Delete fax", self._delete
        box = QMessageBox(
            QMessageBox.Icon.Question, title, question, QMessageBox.StandardButton.NoButton, self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        yes = box.addButton(
            "Cancel fax" if fax.box is FaxBox.SCHEDULED else "Delete", QMessageBox.ButtonRole.AcceptRole
        )
        box.addButton("Keep", QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(partial(self._on_confirmation_clicked, yes, action, fax))
        self.confirmation = box
        box.open()

    def _on_confirmation_clicked(
        self,
        yes: QAbstractButton,
        action: Callable[[FaxMessage], Coroutine[Any, Any, None]],
        fax: FaxMessage,
        clicked: QAbstractButton,
    ) -> None:
        if clicked is yes:
            self._start(action(fax), "fax-delete")

    async def _delete(self, fax: FaxMessage) -> None:
        try:
            if fax.box is FaxBox.INBOUND:
                await self.service.delete_inbound(fax)
            else:
                await self.service.delete_outbound(fax)
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self.model(fax.box).remove(fax.id)
        self.show_notice("Fax deleted.")

    async def _cancel(self, fax: FaxMessage) -> None:
        try:
            await self.service.cancel_scheduled(fax)
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self.model(FaxBox.SCHEDULED).remove(fax.id)
        self.show_notice(f"The fax to {_party(fax)} was cancelled.")

    def ask_email_delivery(self) -> None:
        dialog = QInputDialog(self.window())
        dialog.setWindowTitle("E-mail delivery")
        dialog.setLabelText(
            "Deliver received faxes to these e-mail addresses too (separate them with commas):"
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda text: self._start(self._deliver_by_email(text), "fax-email"))
        self.email_dialog = dialog
        dialog.open()

    async def _deliver_by_email(self, text: str) -> None:
        try:
            destination = await self.service.deliver_by_email(text)
        except FaxError as exc:
            self.show_error(str(exc))
            return
        self.show_notice(f"Received faxes are also delivered to {', '.join(destination.emails)}.")

    # -- sending -------------------------------------------------------------------------

    def open_send_dialog(self, path: Path | None = None, to_number: str = "") -> SendFaxDialog:
        if self.send_dialog is not None and not self.send_dialog.sending:
            self.send_dialog.close()
        dialog = SendFaxDialog(self.service, self.contacts, self.window(), to_number=to_number)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sent.connect(self._on_dialog_sent)
        dialog.destroyed.connect(lambda: setattr(self, "send_dialog", None))
        self.send_dialog = dialog
        if path is not None:
            dialog.choose(path)
        dialog.show()
        return dialog

    def _on_dialog_sent(self, fax: FaxMessage) -> None:
        if fax.box is FaxBox.SCHEDULED:
            when = fax.send_at.astimezone().strftime("%b %d, %H:%M") if fax.send_at else "later"
            self.show_notice(f"Fax to {_party(fax)} scheduled for {when}.")
        else:
            self.show_notice(f"Fax to {_party(fax)} is being sent.")
        self.tabs.setCurrentIndex(list(FaxBox).index(fax.box))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.open_send_dialog(path)

    # -- messages and tasks --------------------------------------------------------------

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {PROBLEM_RED};")
        self.message.setText(text)

    def show_notice(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    @property
    def idle(self) -> bool:
        """No load or action is in flight (tests wait for this)."""
        return len(self._tasks) == 0 and all(view.model.idle for view in self.views.values())

    def _start(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.start(coro, name=name)

    async def cancel_tasks(self) -> None:
        await self._tasks.cancel_all()
        for view in self.views.values():
            await view.model.close()


def _party(fax: FaxMessage) -> str:
    number = format_for_display(fax.party_number) if fax.party_number else ""
    return fax.party_name or number or "an anonymous sender"
