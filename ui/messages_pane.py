"""The Messages pane: conversations on the left (filter, live updates, search across all
messages), the open thread on the right.

The pane keeps no history of its own: the conversation list shows the service's summaries
and the thread asks for pages as they are needed. Changes arrive as bus events (through
``ui.bridge``) and update one row and one bubble at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import ThreadMessagesChanged, ThreadMessagesRemoved
from app.domain.texting import ConversationSummary, Direction
from app.services.tasks import TaskGroup
from ui.bridge import EventBridge
from ui.confirm import confirm
from ui.conversation_delegate import ConversationDelegate
from ui.conversation_list_model import ConversationListModel
from ui.message_format import display_number
from ui.message_search import SearchResultDelegate, SearchResultsModel
from ui.message_style import ACCENT, MESSAGES_STYLE, colours
from ui.messaging_port import MessagingPort
from ui.new_message_dialog import NewMessageDialog
from ui.thread_view import ThreadView

log = logging.getLogger(__name__)

_LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)
SEARCH_DELAY_MS = 300
MARK_READ_DELAY_MS = 250
SIDEBAR_WIDTH = 330

NO_CONVERSATIONS = "No conversations yet.\nStart one with New message, or wait for a text to arrive."
NO_MATCHES = "No conversation matches."


class BubbleIcon(QWidget):
    """Two speech bubbles, drawn (no emoji font needed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(72, 60)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours(self.palette()).inbound_bubble.darker(108))
        painter.drawRoundedRect(QRectF(0, 4, 46, 32), 14, 14)
        painter.setBrush(ACCENT)
        painter.drawRoundedRect(QRectF(24, 24, 48, 32), 14, 14)
        painter.setBrush(QColor("white"))
        for x in (38, 48, 58):
            painter.drawEllipse(QRectF(x - 3, 37, 6, 6))
        painter.end()


def merge_summaries(
    shown: list[ConversationSummary], asked: set[str], fresh: list[ConversationSummary]
) -> list[ConversationSummary]:
    """The list after the ``asked`` conversations changed into ``fresh`` (absent: deleted),
    newest last message first (ties keep their order)."""
    rows = [s for s in shown if s.conversation_id not in asked] + fresh
    rows.sort(key=lambda s: s.last_message_at or _LONG_AGO, reverse=True)
    return rows


class MessagesPane(QWidget):
    error = Signal(str)
    notice = Signal(str)  # something to tell the user in passing
    conversations_shown = Signal()  # after each refresh of the list

    def __init__(self, messaging: MessagingPort, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messagesPane")
        self.setAccessibleName("Messages")
        self.setStyleSheet(MESSAGES_STYLE)
        self.messaging = messaging
        self._tasks = TaskGroup("messages-pane")
        self._refresh_task: asyncio.Task[None] | None = None
        self._full_refresh = True
        self._changed_ids: set[str] = set()
        self._selecting = False
        self.new_dialog: NewMessageDialog | None = None  # the one open, if any

        # -- the sidebar ----------------------------------------------------------------
        self.title = QLabel("Messages")
        self.title.setObjectName("paneTitle")
        self.new_button = QPushButton("New message")
        self.new_button.setObjectName("newMessageButton")
        self.new_button.setAccessibleName("New message")
        self.new_button.setToolTip("Text a new number (Ctrl+M)")
        self.new_button.clicked.connect(self.new_message)
        self.filter = QLineEdit()
        self.filter.setObjectName("messagesFilter")
        self.filter.setAccessibleName("Filter conversations and search messages")
        self.filter.setPlaceholderText("Search conversations and messages   (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.returnPressed.connect(self._on_filter_return_pressed)
        self.filter.installEventFilter(self)

        self.model = ConversationListModel(self)
        self.list = QListView()
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName("Conversations")
        self.list.setModel(self.model)
        self.list.setItemDelegate(ConversationDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.setFrameShape(QListView.Shape.NoFrame)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list.activated.connect(self._on_list_activated)
        self.list_empty = QLabel(NO_CONVERSATIONS)
        self.list_empty.setObjectName("emptyList")
        self.list_empty.setTextFormat(Qt.TextFormat.PlainText)
        self.list_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_empty.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.list_empty)
        self.list_stack.addWidget(self.list)

        self.results_model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setObjectName("searchResults")
        self.results.setAccessibleName("Messages found")
        self.results.setModel(self.results_model)
        self.results.setItemDelegate(SearchResultDelegate(self.results_model, self.results))
        self.results.setUniformItemSizes(True)
        self.results.setMouseTracking(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setFrameShape(QListView.Shape.NoFrame)
        self.results.activated.connect(self._on_results_activated)
        self.results.clicked.connect(self._on_results_activated)
        self.results_label = QLabel("IN MESSAGES")
        self.results_label.setObjectName("sectionLabel")
        self.results_label.setTextFormat(Qt.TextFormat.PlainText)
        self.conversations_label = QLabel("CONVERSATIONS")
        self.conversations_label.setObjectName("sectionLabel")
        self.conversations_label.setTextFormat(Qt.TextFormat.PlainText)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self._search_generation = 0

        sidebar = QWidget()
        sidebar.setObjectName("messagesSidebar")
        sidebar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        sidebar.setMinimumWidth(260)
        header = QHBoxLayout()
        header.setContentsMargins(12, 10, 12, 6)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.new_button)
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(12, 0, 12, 8)
        filter_row.addWidget(self.filter)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        side.addLayout(header)
        side.addLayout(filter_row)
        side.addWidget(self.conversations_label)
        side.addWidget(self.list_stack, 3)
        side.addWidget(self.results_label)
        side.addWidget(self.results, 2)
        self._show_search(False)

        # -- the thread -----------------------------------------------------------------
        self.thread_view = ThreadView(messaging)
        self.thread_view.closed.connect(self.close_thread)
        self.thread_view.error.connect(self.error)
        self.thread_view.conversation_opened.connect(self._on_thread_conversation_opened)
        self.placeholder = self._placeholder()
        self.right = QStackedWidget()
        self.right.addWidget(self.placeholder)
        self.right.addWidget(self.thread_view)

        splitter = QSplitter()
        splitter.setObjectName("messagesSplitter")
        splitter.setHandleWidth(1)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(sidebar)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([SIDEBAR_WIDTH, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self._mark_read_timer = QTimer(self)
        self._mark_read_timer.setSingleShot(True)
        self._mark_read_timer.setInterval(MARK_READ_DELAY_MS)
        self._mark_read_timer.timeout.connect(self._on_mark_read_timer_timeout)

        for label in self.findChildren(QLabel):  # no text here is ever taken as HTML
            label.setTextFormat(Qt.TextFormat.PlainText)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, owner, slot, what in (
            (QKeySequence("Ctrl+F"), self, self.focus_filter, "Messages: filter and search"),
            (QKeySequence("Ctrl+M"), self, self.new_message, "Messages: new message"),
            (
                QKeySequence(Qt.Key.Key_Escape),
                self.thread_view,
                self.close_thread,
                "Messages: leave the thread",
            ),
        ):
            shortcut = QShortcut(keys, owner, slot)
            shortcut.setContext(context)  # (the constructor's context argument is not applied)
            shortcut.setWhatsThis(what)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._on_application_state_changed)

    def _placeholder(self) -> QWidget:
        """What the right side shows with no thread open."""
        page = QWidget()
        page.setObjectName("messagesPlaceholder")
        page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        icon = BubbleIcon()
        title = QLabel("Your conversations")
        title.setObjectName("placeholderTitle")
        hint = QLabel(
            "Pick a conversation on the left, or start a new one.\nNew texts arrive here as they are sent."
        )
        hint.setObjectName("paneHint")
        start = QPushButton("New message")
        start.setObjectName("newMessageButton")
        start.clicked.connect(self.new_message)
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        for label in (title, hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addSpacing(8)
        layout.addWidget(start, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        return page

    # -- what the rest of the app asks ---------------------------------------------------
    def conversation_in_front(self) -> str:
        """The conversation the user is looking at right now ("" when none)."""
        cid = self.thread_view.conversation_id
        if not cid or self.right.currentWidget() is not self.thread_view or not self.isVisible():
            return ""
        if QGuiApplication.applicationState() != Qt.ApplicationState.ApplicationActive:
            return ""
        if self.window().isMinimized():
            return ""
        return cid

    def is_in_front(self, conversation_id: str) -> bool:
        return bool(conversation_id) and conversation_id == self.conversation_in_front()

    def request_reload(self) -> asyncio.Task[None]:
        """Re-read the whole conversation list."""
        self._full_refresh = True
        return self._start_refresh()

    def request_rows(self, conversation_ids: Sequence[str]) -> asyncio.Task[None]:
        """Re-read these conversations' rows (several requests made while one runs are one)."""
        self._changed_ids.update(conversation_ids)
        return self._start_refresh()

    def _start_refresh(self) -> asyncio.Task[None]:
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self._tasks.start(self._refresh(), name="conversations-refresh")
        return self._refresh_task

    async def reload(self) -> None:
        await self.request_reload()

    async def cancel_tasks(self) -> None:
        await self.thread_view.cancel_tasks()
        await self._tasks.cancel_all()

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    # -- bus events (through the bridge) --------------------------------------------------
    def follow(self, bridge: EventBridge) -> None:
        """Keep the list and the open thread up to date with the core's events."""
        bridge.conversations_changed.connect(self.on_conversations_changed)
        bridge.thread_messages_changed.connect(self.on_thread_messages_changed)
        bridge.thread_messages_removed.connect(self.on_thread_messages_removed)

    def on_conversations_changed(self, conversation_ids: Sequence[str]) -> None:
        self.request_rows(conversation_ids)
        if self.filter.text().strip():
            self._search_timer.start()

    def on_thread_messages_changed(self, event: ThreadMessagesChanged) -> None:
        self.thread_view.apply_changes(event.conversation_id, event.messages)
        if self.is_in_front(event.conversation_id) and any(
            m.direction is Direction.INBOUND and not m.is_read for m in event.messages
        ):
            self._mark_read_timer.start()

    def on_thread_messages_removed(self, event: ThreadMessagesRemoved) -> None:
        self.thread_view.apply_removal(event.conversation_id, event.message_ids_or_stamps)

    # -- opening threads ----------------------------------------------------------------
    def open_conversation(self, conversation_id: str, at_message: str = "") -> None:
        """Open a conversation (at one of its messages, highlighted, when given)."""
        self._tasks.start(self._open(conversation_id, at_message), name="open-conversation")

    async def _open(self, conversation_id: str, at_message: str = "") -> None:
        summary = await self._summary(conversation_id)
        if summary is None:
            self.error.emit("That conversation no longer exists.")
            return
        await self._show_thread(summary, at_message)

    async def _show_thread(self, summary: ConversationSummary, at_message: str = "") -> None:
        self.right.setCurrentWidget(self.thread_view)
        self._select(summary.conversation_id)
        await self.thread_view.open_conversation(summary, at_message)
        if self.thread_view.conversation_id == summary.conversation_id:
            await self._mark_read(summary.conversation_id)  # the user opened it: it is read

    def open_number(self, number: str, title: str = "", body: str = "") -> None:
        """Text this number: its conversation when there is one, else a new one; ``body``
        (e.g. from an ``sms:`` link) waits in the compose box, unsent."""
        self._tasks.start(self._open_number(number, title, body), name="open-number")

    async def _open_number(self, number: str, title: str, body: str) -> None:
        from app.domain.phone import to_e164  # phonenumbers: not on the start-up path

        e164 = to_e164(number)
        if e164 is None:
            self.error.emit(f"{number} is not a phone number that can get texts.")
            return
        existing = await self._conversation_with(e164, "")
        if existing is not None:
            await self._enter(existing, body)
            return
        numbers = await self.messaging.sending_numbers()
        if not numbers:
            self.error.emit("No texting number is assigned to you, so you cannot send texts.")
        elif len(numbers) == 1:
            self.start_draft(e164, numbers[0].number, title)
            self._prefill(body)
        else:
            self._open_new_message_dialog(e164, title, body)

    async def _conversation_with(self, number: str, our_number: str) -> ConversationSummary | None:
        """The newest conversation with ``number`` (from ``our_number`` when given)."""
        return next(
            (
                s
                for s in await self.messaging.conversations()
                if s.number == number and (not our_number or s.our_number == our_number)
            ),
            None,
        )

    async def _enter(self, summary: ConversationSummary, body: str = "") -> None:
        await self._show_thread(summary)
        self._prefill(body)
        self.thread_view.compose.focus()

    def _prefill(self, body: str) -> None:
        if body and not self.thread_view.compose.text():
            self.thread_view.compose.edit.setPlainText(body)

    def start_draft(self, number: str, from_number: str, title: str = "") -> None:
        self.list.selectionModel().clearSelection()
        self.right.setCurrentWidget(self.thread_view)
        self.thread_view.open_draft(number, from_number, title)

    def new_message(self) -> None:
        self._open_new_message_dialog("", "", "")

    def _open_new_message_dialog(self, number: str, title: str, body: str) -> None:
        dialog = NewMessageDialog(self, display_number(number) if number else "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda to, sender: self._on_dialog_chosen(to, sender, title, body))
        dialog.open()

        async def load_numbers() -> None:
            try:
                numbers = await self.messaging.sending_numbers()
            except Exception as exc:
                self.error.emit(f"Could not load your texting numbers: {exc}")
                numbers = []
            if dialog.isVisible():
                dialog.set_numbers(numbers)

        self._tasks.start(load_numbers(), name="sending-numbers")
        self.new_dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "new_dialog", None))

    def _on_dialog_chosen(self, number: str, sender: str, title: str, body: str) -> None:
        async def go() -> None:
            existing = await self._conversation_with(number, sender)
            if existing is not None:
                await self._enter(existing, body)
            else:
                self.start_draft(number, sender, title)
                self._prefill(body)

        self._tasks.start(go(), name="new-message")

    def close_thread(self) -> None:
        self.thread_view.close_thread()
        self.right.setCurrentWidget(self.placeholder)
        self._selecting = True
        self.list.selectionModel().clearSelection()
        self.list.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self._selecting = False
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the list -----------------------------------------------------------------------
    async def _refresh(self) -> None:
        while self._full_refresh or self._changed_ids:
            query = self.filter.text().strip()
            changed, self._changed_ids = self._changed_ids, set()
            if self._full_refresh or query:
                self._full_refresh = False
                summaries = await self.messaging.conversations(query)
            else:
                fresh = await self.messaging.summaries(sorted(changed))
                summaries = merge_summaries(self.model.summaries(), changed, fresh)
            if self._full_refresh:
                continue  # the filter changed meanwhile
            open_id = self.thread_view.conversation_id
            if open_id in changed and not await self.messaging.summaries([open_id]):
                self._on_open_conversation_deleted()  # deleted here, or on another device
            self._show_summaries(summaries, query)
            self.conversations_shown.emit()

    def _show_summaries(self, summaries: list[ConversationSummary], query: str) -> None:
        self._selecting = True  # rows that come and go move the current row: that opens nothing
        try:
            self.model.set_summaries(summaries)
            if self.model.row_of(self.thread_view.conversation_id) < 0:
                self.list.selectionModel().clear()
        finally:
            self._selecting = False
        self.list_empty.setText(NO_MATCHES if query else NO_CONVERSATIONS)
        self.list_stack.setCurrentWidget(self.list if summaries else self.list_empty)
        open_id = self.thread_view.conversation_id
        if open_id:
            row = self.model.row_of(open_id)
            if row >= 0:
                summary = self.model.summary(row)
                assert summary is not None
                self.thread_view.update_summary(summary)
            self._select(open_id)
        elif self.thread_view.is_draft:
            found = next(
                (
                    s
                    for s in summaries
                    if s.number == self.thread_view.draft_number
                    and (not self.thread_view.from_number or s.our_number == self.thread_view.from_number)
                ),
                None,
            )
            if found is not None:
                self.thread_view.adopt_conversation(found)

    def _on_open_conversation_deleted(self) -> None:
        title = self.thread_view.title
        self.close_thread()
        self.notice.emit(f"The conversation with {title} was deleted.")

    def _select(self, conversation_id: str) -> None:
        row = self.model.row_of(conversation_id)
        selection = self.list.selectionModel()
        if row < 0 or (selection.currentIndex().row() == row and selection.isSelected(self.model.index(row))):
            return
        self._selecting = True
        try:
            selection.setCurrentIndex(self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._selecting = False

    async def _summary(self, conversation_id: str) -> ConversationSummary | None:
        row = self.model.row_of(conversation_id)
        if row >= 0:
            return self.model.summary(row)
        return next(
            (s for s in await self.messaging.conversations() if s.conversation_id == conversation_id), None
        )

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        summary = self.model.summary(current.row())
        if summary is not None and summary.conversation_id != self.thread_view.conversation_id:
            self._tasks.start(self._show_thread(summary), name="open-conversation")

    def _on_list_activated(self, index: QModelIndex) -> None:
        summary = self.model.summary(index.row())
        if summary is None:
            return
        if summary.conversation_id != self.thread_view.conversation_id:
            self._tasks.start(self._show_thread(summary), name="open-conversation")
        self.thread_view.compose.focus()

    def _on_list_context_menu_requested(self, point: QPoint) -> None:
        summary = self.model.summary(self.list.indexAt(point).row())
        if summary is None:
            return
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open_conversation(summary.conversation_id))
        if summary.unread_count:
            menu.addAction("Mark as read", lambda: self._start_mark_read(summary.conversation_id))
        menu.addSeparator()
        menu.addAction("Delete conversation…", lambda: self.ask_delete_conversation(summary))
        menu.popup(self.list.viewport().mapToGlobal(point))

    def ask_delete_conversation(self, summary: ConversationSummary) -> None:
        def delete() -> None:
            if summary.conversation_id == self.thread_view.conversation_id:
                self.close_thread()
            self._tasks.start(self._delete_conversation(summary.conversation_id), name="delete-conversation")

        confirm(
            self,
            "Delete conversation",
            f"Delete the whole conversation with {summary.title}? This cannot be undone.",
            "Delete conversation",
            delete,
        )

    async def _delete_conversation(self, conversation_id: str) -> None:
        try:
            await self.messaging.delete_conversation(conversation_id)
        except Exception as exc:
            self.error.emit(f"Could not delete the conversation: {exc}")

    # -- read marks ---------------------------------------------------------------------
    def _start_mark_read(self, conversation_id: str) -> None:
        self._tasks.start(self._mark_read(conversation_id), name="mark-read")

    async def _mark_read(self, conversation_id: str) -> None:
        try:
            await self.messaging.mark_read(conversation_id)
        except Exception as exc:
            log.warning("could not mark %s read: %s", conversation_id, exc)

    def _on_mark_read_timer_timeout(self) -> None:
        cid = self.conversation_in_front()
        if cid:
            self._start_mark_read(cid)

    def _on_application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            row = self.model.row_of(self.conversation_in_front())
            summary = self.model.summary(row)
            if summary is not None and summary.unread_count:
                self._mark_read_timer.start()

    def _on_thread_conversation_opened(self, conversation_id: str) -> None:
        self._select(conversation_id)

    # -- filter and search ----------------------------------------------------------------
    def _on_filter_text_changed(self, text: str) -> None:
        self.request_reload()
        searching = bool(text.strip())
        self._show_search(searching)
        if searching:
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self._search_generation += 1
            self.results_model.set_results("", [])

    def _show_search(self, on: bool) -> None:
        self.results.setVisible(on)
        self.results_label.setVisible(on)
        self.conversations_label.setVisible(on)

    def _on_filter_return_pressed(self) -> None:
        if self.model.rowCount():
            self.list.setFocus(Qt.FocusReason.OtherFocusReason)
            self.list.setCurrentIndex(self.model.index(0))
        elif self.results_model.rowCount():
            self.results.setFocus(Qt.FocusReason.OtherFocusReason)
            self.results.setCurrentIndex(self.results_model.index(0))

    def _on_search_timer_timeout(self) -> None:
        self._search_generation += 1
        self._tasks.start(self._search(self.filter.text().strip(), self._search_generation), name="search")

    async def _search(self, query: str, generation: int) -> None:
        if not query:
            return
        try:
            results = await self.messaging.search(query)
        except Exception as exc:
            if generation == self._search_generation:
                self.error.emit(f"Could not search messages: {exc}")
            return
        if generation == self._search_generation:
            # conversations found by name or number are in the list above already
            shown = [r for r in results if r[1] is not None or self.model.row_of(r[0].conversation_id) < 0]
            self.results_model.set_results(query, shown)

    def _on_results_activated(self, index: QModelIndex) -> None:
        result = self.results_model.result(index.row())
        if result is None:
            return
        key = result.message.id or result.message.stamp_id if result.message is not None else ""
        self._tasks.start(self._show_thread(result.summary, key), name="open-search-result")

    def eventFilter(self, watched: QObject, event: object) -> bool:
        if (
            watched is self.filter
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
        ):
            if event.key() == Qt.Key.Key_Down:
                self._on_filter_return_pressed()
                return True
            if event.key() == Qt.Key.Key_Escape and self.filter.text():
                self.filter.clear()
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]
