"""The compose bar under a thread: Enter sends, Shift+Enter starts a new line."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

MAX_LINES = 6
SEGMENT = 160
COUNTER_FROM = 120


class ComposeEdit(QPlainTextEdit):
    """Plain text only (a paste of HTML becomes its text); grows with its content."""

    submitted = Signal()
    escape_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composeText")
        self.setAccessibleName("Message text")
        self.setPlaceholderText("Text message  (Enter sends, Shift+Enter: new line)")
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().setDocumentMargin(4)
        self.textChanged.connect(self.updateGeometry)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        line = QFontMetrics(self.font()).lineSpacing()
        lines = min(MAX_LINES, max(1, self.document().lineCount()))
        margins = self.contentsMargins()
        extra = margins.top() + margins.bottom() + 2 * int(self.document().documentMargin()) + 6
        return QSize(super().sizeHint().width(), lines * line + extra)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class ComposeBar(QFrame):
    send_requested = Signal(str)
    escape_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composeBar")
        self.edit = ComposeEdit()
        self.edit.submitted.connect(self._on_edit_submitted)
        self.edit.escape_pressed.connect(self.escape_pressed)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.send = QPushButton("Send")
        self.send.setObjectName("sendButton")
        self.send.setAccessibleName("Send message")
        self.send.setToolTip("Send (Enter). Shift+Enter starts a new line.")
        self.send.setEnabled(False)
        self.send.clicked.connect(self._on_edit_submitted)
        self.hint = QLabel()
        self.hint.setObjectName("composeHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.counter = QLabel()
        self.counter.setObjectName("composeHint")
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self.counter.setAccessibleName("Characters")
        self.counter.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(self.edit, 1)
        row.addWidget(self.send, 0, Qt.AlignmentFlag.AlignBottom)
        below = QHBoxLayout()
        below.setContentsMargins(12, 0, 4, 0)
        below.addWidget(self.hint, 1)
        below.addWidget(self.counter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 6)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addLayout(below)

    def text(self) -> str:
        return self.edit.toPlainText()

    def clear(self) -> None:
        self.edit.clear()

    def set_sender(self, description: str) -> None:
        """Which of the user's numbers the message goes from, in words."""
        self.hint.setText(description)

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_edit_text_changed(self) -> None:
        text = self.edit.toPlainText()
        self.send.setEnabled(bool(text.strip()))
        self.counter.setVisible(len(text) >= COUNTER_FROM)
        if len(text) >= COUNTER_FROM:
            segments = -(-len(text) // SEGMENT)
            self.counter.setText(f"{len(text)} characters · {segments} SMS")

    def _on_edit_submitted(self) -> None:
        text = self.edit.toPlainText()
        if text.strip():
            self.send_requested.emit(text)
