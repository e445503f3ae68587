"""One conversation: header, message bubbles (older pages load as the user scrolls up, the
scroll position stays put), and the compose bar. A "draft" thread is one to a number that
has no conversation yet: the first message sent creates it."""

from __future__ import annotations

import logging
from collections.abc import Coroutine, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.texting import ConversationSummary, DeliveryState, Message
from app.services.tasks import TaskGroup
from ui.avatar import Avatar
from ui.bubble_delegate import BubbleDelegate
from ui.compose_bar import ComposeBar
from ui.confirm import confirm
from ui.message_format import display_number
from ui.messaging_port import MessagingPort
from ui.thread_model import ThreadModel

log = logging.getLogger(__name__)

PAGE = 50
SEEK_PAGE = 200
MAX_SEEK_PAGES = 50
LOAD_OLDER_WITHIN = 400  # px from the top
AT_BOTTOM_WITHIN = 24  # px from the bottom
HIGHLIGHT_MS = 4000
# A thread that keeps receiving while the user reads its newest messages keeps at most this
# many rows loaded (older ones load again on scroll-up): every relayout asks each loaded row
# its height, so the rows loaded are what an appended bubble costs.
TRIM_ABOVE = 400
TRIM_TO = 250


class ThreadList(QListView):
    """The bubbles. ``QListView`` re-lays out every loaded row when rows arrive: the
    delegate answers each from the row's cached height, so that stays cheap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("threadList")
        self.setAccessibleName("Messages")
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalScrollBar().setSingleStep(24)
        self.setFrameShape(QListView.Shape.NoFrame)

    def updateGeometries(self) -> None:
        """A short thread sits at the bottom, next to the compose bar, as in a chat."""
        super().updateGeometries()
        available = self.height() - 2 * self.frameWidth()
        top = max(0, available - self.contentsSize().height()) if self.model() is not None else 0
        if top != self.viewportMargins().top():
            self.setViewportMargins(0, top, 0, 0)

    def relayout_now(self) -> None:
        """Lay out the rows at once (not at the next event loop turn)."""
        self.doItemsLayout()

    def relayout_later(self) -> None:
        self.scheduleDelayedItemsLayout()


class ThreadView(QWidget):
    closed = Signal()  # the user left the thread (Esc)
    conversation_opened = Signal(str)  # now showing this conversation (a draft that became one, too)
    error = Signal(str)
    first_page_shown = Signal()

    def __init__(self, messaging: MessagingPort, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messaging = messaging
        self.conversation_id = ""
        self.draft_number = ""  # a new conversation to this number (no id yet)
        self.from_number = ""
        self.title = ""
        self._generation = 0
        self._loading_older = False
        self._stick_to_bottom = True
        self._tasks = TaskGroup("thread-view")
        self._drafts: dict[str, str] = {}  # unsent text per thread, kept while others are open
        self._draft_key = ""

        self.model = ThreadModel(self)
        self.list = ThreadList()
        self.delegate = BubbleDelegate(self.list, self.model)
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)
        self.list.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)
        self.list.verticalScrollBar().rangeChanged.connect(self._on_scroll_range_changed)
        self.model.rowsAboutToBeInserted.connect(self._on_model_rows_about_to_be_inserted)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.model.sizes_changed.connect(self.list.relayout_later)
        self.delegate.retry_clicked.connect(self._on_delegate_retry_clicked)
        self.delegate.delete_clicked.connect(self._on_delegate_delete_clicked)

        self.loading = QLabel("Loading earlier messages…", self.list.viewport())
        self.loading.setObjectName("composeHint")
        self.loading.setTextFormat(Qt.TextFormat.PlainText)
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.hide()
        self.jump = QPushButton("↓  New messages", self.list.viewport())
        self.jump.setObjectName("jumpButton")
        self.jump.setAccessibleName("Jump to the newest message")
        self.jump.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump.clicked.connect(self.scroll_to_newest)
        self.jump.hide()
        self.empty = QLabel("No messages yet. Say hello!", self.list.viewport())
        self.empty.setObjectName("paneHint")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()

        self.avatar = Avatar(38)
        self.title_label = QLabel()
        self.title_label.setObjectName("threadTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setAccessibleName("Conversation with")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("threadSubtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("threadMenu")
        self.menu_button.setText("⋯")
        self.menu_button.setAccessibleName("Conversation actions")
        self.menu_button.setToolTip("Conversation actions")
        self.menu_button.setAutoRaise(True)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        actions = QMenu(self.menu_button)
        self.delete_action = actions.addAction("Delete conversation…", self.ask_delete_conversation)
        actions.addAction("Close  (Esc)", self.closed.emit)
        self.menu_button.setMenu(actions)

        header = QWidget()
        header.setObjectName("threadHeader")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle)
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 8, 10, 8)
        header_layout.setSpacing(10)
        header_layout.addWidget(self.avatar)
        header_layout.addLayout(titles, 1)
        header_layout.addWidget(self.menu_button)

        self.compose = ComposeBar()
        self.compose.send_requested.connect(self._on_compose_send_requested)
        self.compose.escape_pressed.connect(self.closed.emit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.compose)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)

    # -- opening ------------------------------------------------------------------------
    @property
    def is_draft(self) -> bool:
        return not self.conversation_id and bool(self.draft_number)

    def _switch_compose(self, key: str) -> None:
        """Keep what was typed for the thread being left; bring back the new one's."""
        if key == self._draft_key:
            return
        typed = self.compose.text()
        if self._draft_key and typed.strip():
            self._drafts[self._draft_key] = typed
        else:
            self._drafts.pop(self._draft_key, None)
        self._draft_key = key
        self.compose.edit.setPlainText(self._drafts.pop(key, ""))

    def show_header(self, title: str, number: str, our_number: str) -> None:
        self.title = title
        self.title_label.setText(title)
        self.avatar.set_name(title)
        parts = []
        if number and display_number(number) != title:
            parts.append(display_number(number))
        if our_number:
            parts.append(f"from {display_number(our_number)}")
        self.subtitle.setText("  ·  ".join(parts))
        self.subtitle.setVisible(bool(parts))
        self.compose.set_sender(f"Texting from {display_number(our_number)}" if our_number else "")

    async def open_conversation(self, summary: ConversationSummary, at_message: str = "") -> None:
        """Show a conversation's newest page (down to ``at_message``, highlighted, if given)."""
        self._generation += 1
        generation = self._generation
        if self.draft_number and not self.conversation_id:
            self._draft_key = summary.conversation_id  # a draft becoming its conversation
        self._switch_compose(summary.conversation_id)
        self.conversation_id = summary.conversation_id
        self.draft_number = ""
        self.from_number = summary.our_number
        self.show_header(summary.title, summary.number, summary.our_number)
        self.delete_action.setEnabled(True)
        self.jump.hide()
        self.model.reset(summary.conversation_id, [], has_older=False)
        self.conversation_opened.emit(summary.conversation_id)
        page = await self.messaging.messages_before(summary.conversation_id, None, PAGE)
        if generation != self._generation:
            return
        self._stick_to_bottom = True
        self.model.reset(summary.conversation_id, page, has_older=bool(page))
        self.list.scrollToBottom()
        self._update_empty()
        self.first_page_shown.emit()
        if at_message:
            await self._seek(at_message, generation)
        else:
            self._maybe_load_older()

    def open_draft(self, number: str, from_number: str, title: str) -> None:
        """A new conversation to ``number`` (E.164), sent from ``from_number``."""
        self._generation += 1
        self._switch_compose(f"to:{number}")
        self.conversation_id = ""
        self.draft_number = number
        self.from_number = from_number
        self.show_header(title or display_number(number), number, from_number)
        self.delete_action.setEnabled(False)
        self.jump.hide()
        self.model.reset("", [], has_older=False)
        self._update_empty()
        self.compose.focus()

    def update_summary(self, summary: ConversationSummary) -> None:
        """The open conversation's name or numbers changed."""
        if summary.conversation_id == self.conversation_id and summary.title != self.title:
            self.show_header(summary.title, summary.number, summary.our_number)

    def close_thread(self) -> None:
        self._generation += 1
        self._switch_compose("")
        self.conversation_id = ""
        self.draft_number = ""
        self.model.reset("", [], has_older=False)

    # -- live changes -------------------------------------------------------------------
    def apply_changes(self, conversation_id: str, messages: Sequence[Message]) -> None:
        if conversation_id == self.conversation_id and (self.conversation_id or self.is_draft):
            self.model.upsert(messages)
            self._update_empty()

    def apply_removal(self, conversation_id: str, keys: Sequence[str]) -> None:
        if conversation_id == self.conversation_id and self.conversation_id:
            self.model.remove(keys)
            self._update_empty()

    def adopt_conversation(self, summary: ConversationSummary) -> None:
        """The draft's first message created this conversation: carry on in it."""
        if not self.is_draft:
            return
        pending = self.model.messages()
        self._tasks.start(self._adopt(summary, pending), name="thread-adopt")

    async def _adopt(self, summary: ConversationSummary, pending: list[Message]) -> None:
        await self.open_conversation(summary)
        self.model.upsert(m for m in pending if m.delivery is not DeliveryState.SENT)

    # -- older pages --------------------------------------------------------------------
    def _maybe_load_older(self) -> None:
        bar = self.list.verticalScrollBar()
        if (
            self.conversation_id
            and self.model.has_older
            and not self._loading_older
            and bar.value() <= LOAD_OLDER_WITHIN
        ):
            self._loading_older = True
            self._tasks.start(self._load_older(self._generation), name="thread-older")

    async def _load_older(self, generation: int) -> None:
        self._show_loading(True)
        try:
            oldest = self.model.oldest_message()
            page = await self.messaging.messages_before(self.conversation_id, oldest, PAGE)
            if generation != self._generation:
                return
            self._prepend(page)
        except Exception as exc:
            log.warning("could not load older messages: %s", exc)
            self.error.emit(f"Could not load older messages: {exc}")
            self.model.has_older = False
        finally:
            self._loading_older = False
            self._show_loading(False)
        if generation == self._generation:
            self._maybe_load_older()

    def _prepend(self, page: list[Message]) -> None:
        """Insert older rows above without moving what the user is looking at."""
        bar = self.list.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()
        self.model.prepend_older(page, has_older=bool(page))
        self.list.relayout_now()
        bar.setValue(bar.maximum() - from_bottom)

    async def _seek(self, key: str, generation: int) -> None:
        """Load older pages until the message ``key`` is loaded, then show it highlighted."""
        pages = 0
        while self.model.find(key) < 0 and self.model.has_older and pages < MAX_SEEK_PAGES:
            page = await self.messaging.messages_before(
                self.conversation_id, self.model.oldest_message(), SEEK_PAGE
            )
            if generation != self._generation:
                return
            self._prepend(page)
            pages += 1
        self.highlight(key)

    def highlight(self, key: str) -> bool:
        row = self.model.set_highlighted(key)
        if row < 0:
            return False
        self._stick_to_bottom = False
        self.list.relayout_now()
        self.list.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtCenter)
        generation = self._generation
        QTimer.singleShot(
            HIGHLIGHT_MS,
            self,
            lambda: self.model.set_highlighted("") if generation == self._generation else None,
        )
        return True

    # -- sending ------------------------------------------------------------------------
    def _on_compose_send_requested(self, text: str) -> None:
        if not (self.conversation_id or self.is_draft):
            return
        self.compose.clear()
        self._tasks.start(self._send(text, self._generation), name="thread-send")

    async def _send(self, text: str, generation: int) -> None:
        try:
            if self.conversation_id:
                message = await self.messaging.send(text, conversation_id=self.conversation_id)
            else:
                message = await self.messaging.send(
                    text, to_number=self.draft_number, from_number=self.from_number or None
                )
        except Exception as exc:  # the text stays in the compose box: nothing typed is lost
            log.warning("could not send: %s", exc)
            if not self.compose.text():
                self.compose.edit.setPlainText(text)
            self.error.emit(f"Could not send the message: {exc}")
            return
        if generation != self._generation:
            return
        self._stick_to_bottom = True
        if self.is_draft and message.conversation_id:
            self._draft_key = message.conversation_id
            self.conversation_id = message.conversation_id
            self.model.conversation_id = message.conversation_id
            self.draft_number = ""
            self.delete_action.setEnabled(True)
            self.conversation_opened.emit(message.conversation_id)
        self.model.upsert([message])
        self._update_empty()
        self.list.scrollToBottom()

    def _on_delegate_retry_clicked(self, message: Message) -> None:
        if message.stamp_id:
            self._tasks.start(self._guarded(self.messaging.retry(message.stamp_id), "retry"), name="retry")

    def _on_delegate_delete_clicked(self, message: Message) -> None:
        self.ask_delete_message(message)

    # -- deleting -----------------------------------------------------------------------
    def ask_delete_message(self, message: Message) -> None:
        unsent = message.delivery is not DeliveryState.SENT or not message.id
        confirm(
            self,
            "Delete message",
            "Delete this unsent message?" if unsent else "Delete this message for everyone in your company?",
            "Delete",
            lambda: self._delete_message(message),
        )

    def _delete_message(self, message: Message) -> None:
        if message.delivery is not DeliveryState.SENT or not message.id:
            self.model.remove([message.stamp_id])
            work = self.messaging.discard(message.stamp_id)
        else:
            self.model.remove([message.id])
            work = self.messaging.delete_messages(self.conversation_id, [message.id])
        self._update_empty()
        self._tasks.start(self._guarded(work, "delete the message"), name="delete-message")

    def ask_delete_conversation(self) -> None:
        conversation_id = self.conversation_id
        if not conversation_id:
            return
        confirm(
            self,
            "Delete conversation",
            f"Delete the whole conversation with {self.title}? This cannot be undone.",
            "Delete conversation",
            lambda: self._delete_conversation(conversation_id),
        )

    def _delete_conversation(self, conversation_id: str) -> None:
        self._tasks.start(
            self._guarded(self.messaging.delete_conversation(conversation_id), "delete the conversation"),
            name="delete-conversation",
        )
        if conversation_id == self.conversation_id:
            self.close_thread()
            self.closed.emit()

    async def _guarded(self, work: Coroutine[Any, Any, object], what: str) -> None:
        try:
            await work
        except Exception as exc:
            log.warning("could not %s: %s", what, exc)
            self.error.emit(f"Could not {what}: {exc}")

    # -- view plumbing ------------------------------------------------------------------
    def _on_list_context_menu_requested(self, point: QPoint) -> None:
        row = self.model.row(self.list.indexAt(point).row())
        if row is None or row.message is None:
            return
        message = row.message
        menu = QMenu(self)
        menu.setAccessibleName("Message actions")
        if message.text:
            menu.addAction("Copy text", lambda: QGuiApplication.clipboard().setText(message.text))
        if message.delivery is DeliveryState.FAILED:
            menu.addAction("Retry", lambda: self._on_delegate_retry_clicked(message))
        menu.addSeparator()
        menu.addAction("Delete message…", lambda: self.ask_delete_message(message))
        menu.popup(self.list.viewport().mapToGlobal(point))

    def _on_scroll_value_changed(self, _value: int) -> None:
        bar = self.list.verticalScrollBar()
        self._stick_to_bottom = bar.value() >= bar.maximum() - AT_BOTTOM_WITHIN
        if self._stick_to_bottom:
            self.jump.hide()
        self._maybe_load_older()

    def scroll_to_newest(self) -> None:
        self._stick_to_bottom = True
        self.jump.hide()
        self.list.scrollToBottom()

    def _on_scroll_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom and not self._loading_older:
            self.list.verticalScrollBar().setValue(maximum)

    def _on_model_rows_about_to_be_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        bar = self.list.verticalScrollBar()
        self._stick_to_bottom = self._stick_to_bottom or bar.value() >= bar.maximum() - AT_BOTTOM_WITHIN

    def _on_model_rows_inserted(self, _parent: QModelIndex, _first: int, last: int) -> None:
        if last != self.model.rowCount() - 1:
            return
        if self._stick_to_bottom:
            if self.model.rowCount() > TRIM_ABOVE and not self._loading_older:
                QTimer.singleShot(0, self, self._trim)
            self.list.scrollToBottom()
        elif not self._loading_older:  # the user reads older messages: offer a way down
            self._place_jump()
            self.jump.show()
            self.jump.raise_()

    def _trim(self) -> None:
        if self._stick_to_bottom and not self._loading_older and self.model.rowCount() > TRIM_ABOVE:
            self.model.trim_oldest(TRIM_TO)
            self.list.scrollToBottom()

    def _place_jump(self) -> None:
        size = self.jump.sizeHint()
        viewport = self.list.viewport().rect()
        self.jump.setGeometry(
            viewport.center().x() - size.width() // 2,
            viewport.bottom() - size.height() - 12,
            size.width(),
            size.height(),
        )

    def _show_loading(self, on: bool) -> None:
        self.loading.setVisible(on)
        if on:
            self.loading.setGeometry(0, 4, self.list.viewport().width(), 22)
            self.loading.raise_()

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0 and bool(self.conversation_id or self.draft_number)
        self.empty.setVisible(empty)
        if empty:
            self.empty.setGeometry(self.list.viewport().rect())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.empty.setGeometry(self.list.viewport().rect())
        self._place_jump()

    async def cancel_tasks(self) -> None:
        await self._tasks.cancel_all()
