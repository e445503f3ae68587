"""The Voicemail pane: the mailbox as a list loaded page by page as it scrolls, filters,
and the selected voicemail with an in-app player, Call back and Save audio.

The pane is built at start-up and handed its :class:`~app.services.voicemail.VoicemailService`
once the account's session runs (:meth:`attach`). Selecting a voicemail downloads its
recording into the cache (once); playing it marks it no longer new.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import ConnectionChanged, ConnectionState
from app.domain.voicemail import Voicemail, VoicemailFilter
from app.providers.errors import ProviderError
from app.services.tasks import TaskGroup
from ui.voicemail_delegate import VoicemailDelegate
from ui.voicemail_details import VoicemailDetails
from ui.voicemail_filters import VoicemailFilterBar
from ui.voicemail_model import VoicemailListModel

if TYPE_CHECKING:
    from app.services.voicemail import VoicemailItem, VoicemailService

log = logging.getLogger(__name__)

WAITING = "Connecting to your mailbox…"
NOT_CONNECTED = "Not connected.\nYour voicemails appear here once RingDesk is signed in to your account."
EMPTY = "No voicemails yet.\nWhen someone leaves you a message, it will be waiting here."
NO_MATCH = "No voicemails match these filters."


def suggested_file_name(item: VoicemailItem) -> str:
    """``Voicemail from Leo Perry 2026-11-24 0030.wav`` (safe on every file system)."""
    when = item.voicemail.received_at.astimezone().strftime("%Y-%m-%d %H%M")
    caller = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", item.caller.name).strip() or "caller"
    return f"Voicemail from {caller} {when}.wav"


class VoicemailPane(QWidget):
    call_requested = Signal(str)  # a number or extension to call
    notice = Signal(str)  # something done, for the status bar
    error = Signal(str)  # something failed, in words
    audio_ready = Signal(str)  # a voicemail's recording is loaded in the player (its id)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Voicemail")
        self.service: VoicemailService | None = None
        self._tasks = TaskGroup("voicemail-pane")
        self._autoplay_id = ""
        self._closed = False

        self.title = QLabel("Voicemail")
        self.title.setObjectName("paneTitle")
        self.refresh = QPushButton("Refresh")
        self.refresh.setToolTip("Check for new voicemails now (F5)")
        self.refresh.clicked.connect(self._on_refresh_clicked)
        self.refresh.setEnabled(False)
        self.filters = VoicemailFilterBar()
        self.filters.changed.connect(self._on_filters_changed)
        self.filter_problem = QLabel()
        self.filter_problem.setObjectName("filterProblem")
        self.filter_problem.setVisible(False)
        self.filters.invalid.connect(self._on_filters_invalid)

        self.model = VoicemailListModel(self)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.failed.connect(self._on_model_failed)
        self.model.loading_changed.connect(self._on_model_loading_changed)
        self.list = QListView()
        self.list.setAccessibleName("Voicemails")
        self.list.setModel(self.model)
        self.list.setItemDelegate(VoicemailDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.list.setMinimumWidth(340)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list.activated.connect(self._on_list_activated)

        self.message = QLabel(WAITING)
        self.message.setObjectName("emptyList")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.retry = QPushButton("Try again")
        self.retry.setVisible(False)
        self.retry.clicked.connect(lambda: self.model.request_reload())
        message_page = QWidget()
        message_layout = QVBoxLayout(message_page)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignHCenter)
        message_layout.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(message_page)
        self.stack.addWidget(self.list)
        self.footer = QLabel()
        self.footer.setObjectName("paneHint")
        self.footer.setContentsMargins(12, 4, 12, 6)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.stack, 1)
        left_layout.addWidget(self.footer)

        self.details = VoicemailDetails()
        self.details.call_back_requested.connect(self._on_details_call_back_requested)
        self.details.save_requested.connect(self._on_details_save_requested)
        self.details.mark_new_requested.connect(self._on_details_mark_new_requested)
        self.player = self.details.player
        self.player.started.connect(self._on_player_started)
        self.player.failed.connect(self._on_player_failed)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)

        header = QHBoxLayout()
        header.setContentsMargins(12, 10, 12, 6)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.filters)
        layout.addWidget(self.filter_problem)
        layout.addWidget(self.splitter, 1)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)

        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self.list)
        space.setContext(Qt.ShortcutContext.WidgetShortcut)
        space.setWhatsThis("Play or pause the voicemail")
        space.activated.connect(self.player.toggle)
        space.setWhatsThis("Play or pause the selected recording")
        refresh = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.setWhatsThis("Refresh voicemails")
        refresh.activated.connect(self._on_refresh_clicked)
        refresh.setWhatsThis("Check the mailbox for new messages")

    # -- life cycle ---------------------------------------------------------------------

    def attach(self, service: VoicemailService) -> None:
        """Start showing the mailbox of the session's account."""
        self.service = service
        self.model.attach(service)
        self.refresh.setEnabled(True)
        self.model.request_reload(self.filters.current)

    def on_connection_changed(self, event: ConnectionChanged) -> None:
        """Before any session started, say why the mailbox stays empty."""
        if self.service is None:
            waiting = event.state in (ConnectionState.CONNECTING, ConnectionState.ONLINE)
            self._show_message(WAITING if waiting else f"{NOT_CONNECTED}\n{event.detail}".strip())

    async def close_pane(self) -> None:
        """Stop playback and cancel every task the pane started."""
        self._closed = True
        self.player.shut_down()
        await self._tasks.cancel_all()
        await self.model.close()

    # -- list -----------------------------------------------------------------------------

    def _on_filters_changed(self, where: VoicemailFilter) -> None:
        self.details.show_item(None)
        self.model.request_reload(where)

    def _on_filters_invalid(self, problem: str) -> None:
        self.filter_problem.setText(problem)
        self.filter_problem.setVisible(bool(problem))

    def _on_refresh_clicked(self) -> None:
        if self.service is not None:
            self.service.poller.poll_soon()
            self.model.request_reload()

    def _on_model_loading_changed(self, loading: bool) -> None:
        if loading and self.model.rowCount() == 0:
            self._show_message("Loading voicemails…")
        self._update_footer()

    def _on_model_loaded(self) -> None:
        self.retry.setVisible(False)
        if self.model.rowCount() == 0:
            self._show_message(NO_MATCH if self.model.where != VoicemailFilter() else EMPTY)
        else:
            self.stack.setCurrentWidget(self.list)
            current = self.details.item
            row = self.model.row_of(current.id) if current is not None else -1
            if row >= 0:
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
        self._update_footer()

    def _on_model_failed(self, problem: str) -> None:
        if self.model.rowCount() == 0:
            self._show_message(problem)
            self.retry.setVisible(True)
        else:
            self.error.emit(problem)
        self._update_footer()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.retry.setVisible(False)
        self.stack.setCurrentIndex(0)

    def _update_footer(self) -> None:
        shown = self.model.rowCount()
        total = self.model.total
        if shown == 0:
            self.footer.setText("")
            return
        noun = "voicemail" if (total or shown) == 1 else "voicemails"
        count = f"{shown} of {total} {noun}" if total is not None and total > shown else f"{shown} {noun}"
        self.footer.setText(f"{count}  ·  loading more…" if self.model.loading else count)

    def on_voicemails_arrived(self, voicemails: tuple[Voicemail, ...]) -> None:
        """New voicemails found by the poller: on top of the unfiltered list, else reload."""
        if self.service is None:
            return
        if self.model.where != VoicemailFilter():
            self.model.request_reload()
            return
        service = self.service

        async def show() -> None:
            added = self.model.prepend(await service.describe(list(voicemails)))
            if added:
                self._on_model_loaded()

        self._start(show(), "voicemail-arrived")

    # -- selection and playback -----------------------------------------------------------

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item(current.row())
        if item is None or (self.details.item is not None and item.id == self.details.item.id):
            if item is not None:
                self.details.update_item(item)
            return
        self.details.show_item(item)
        if item.voicemail.audio is not None:
            self._start(self._load_audio(item), "voicemail-audio")

    def _on_list_activated(self, index: QModelIndex) -> None:
        """Enter or a double click plays the voicemail."""
        item = self.model.item(index.row())
        if item is None:
            return
        if self.player.source is not None and self._showing(item):
            self.player.play()
        else:
            self._autoplay_id = item.id

    def select_row(self, row: int) -> None:
        self.list.setCurrentIndex(self.model.index(row))

    async def _load_audio(self, item: VoicemailItem) -> None:
        assert self.service is not None
        self.details.set_status("Loading the recording…")
        try:
            path = await self.service.audio_file(item.voicemail)
        except ProviderError as exc:
            if self._showing(item):
                self.details.set_status(f"The recording could not be downloaded: {exc}")
            return
        except OSError as exc:
            if self._showing(item):
                self.details.set_status(f"The recording could not be stored: {exc.strerror or exc}")
            return
        if not self._showing(item):
            return  # the user moved on while it downloaded
        self.details.set_status("")
        autoplay, self._autoplay_id = self._autoplay_id == item.id, ""
        self.player.load(path, autoplay=autoplay)
        self.audio_ready.emit(item.id)

    def _start(self, coro: Coroutine[Any, Any, object], name: str) -> None:
        if self._closed:
            coro.close()
            return
        self._tasks.start(coro, name=name)

    def _showing(self, item: VoicemailItem) -> bool:
        return self.details.item is not None and self.details.item.id == item.id

    def _on_player_started(self) -> None:
        item = self.details.item
        if item is not None and item.is_new:
            self._start(self._set_new(item, False), "voicemail-played")

    def _on_player_failed(self, problem: str) -> None:
        self.details.set_status(problem)

    async def _set_new(self, item: VoicemailItem, is_new: bool) -> None:
        assert self.service is not None
        await self.service.mark_played(item.id, played=not is_new)
        self.model.set_new(item.id, is_new)
        row = self.model.row_of(item.id)
        updated = self.model.item(row)
        if updated is not None:
            self.details.update_item(updated)

    def _on_details_mark_new_requested(self, item: VoicemailItem) -> None:
        self._start(self._set_new(item, True), "voicemail-mark-new")

    def _on_details_call_back_requested(self, item: VoicemailItem) -> None:
        if item.caller.number:
            self.call_requested.emit(item.caller.number)

    # -- saving ---------------------------------------------------------------------------

    def _on_details_save_requested(self, item: VoicemailItem) -> None:
        dialog = QFileDialog(self, "Save voicemail", str(Path.home() / suggested_file_name(item)))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["WAV audio (*.wav)", "All files (*)"])
        dialog.setDefaultSuffix("wav")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(
            lambda path: self._start(self.save_to(item, Path(path)), "voicemail-save")
        )
        dialog.open()

    async def save_to(self, item: VoicemailItem, path: Path) -> bool:
        """Save a voicemail's recording as ``path``; the outcome is told in words."""
        assert self.service is not None
        try:
            size = await self.service.save_audio(item.voicemail, path)
        except ProviderError as exc:
            self.error.emit(f"Could not save the voicemail: {exc}")
            return False
        except OSError as exc:
            self.error.emit(f"Could not save the voicemail to {path}: {exc.strerror or exc}")
            return False
        self.notice.emit(f"Saved the voicemail as {path.name} ({size / 1024:.0f} KB)")
        return True
