"""The selected voicemail: who called, when and how long, the player, and its actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.voicemail import format_duration
from ui.presence_style import avatar_colour
from ui.voicemail_delegate import initials, long_time, route_text
from ui.voicemail_player import VoicemailPlayer

if TYPE_CHECKING:
    from app.services.voicemail import VoicemailItem


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class CallerBadge(QWidget):
    """The caller's initials in a large circle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(QSize(64, 64))
        self.text = ""
        self.colour = QColor("#d0d7de")

    def show_name(self, name: str) -> None:
        self.text = initials(name)
        self.colour = avatar_colour(name)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawEllipse(self.rect().adjusted(1, 1, -1, -1))
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text)


class VoicemailDetails(QFrame):
    call_back_requested = Signal(object)  # VoicemailItem
    save_requested = Signal(object)
    mark_new_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voicemailDetails")
        self.setAccessibleName("Voicemail details")
        self.setMinimumWidth(360)
        self.item: VoicemailItem | None = None

        self.badge = CallerBadge()
        self.name = _plain()
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name.setFont(font)
        self.route = _plain()
        self.route.setObjectName("paneHint")
        self.when = _plain()
        self.status = _plain()
        self.status.setObjectName("playerStatus")
        self.mailbox = _plain()
        self.recording = _plain()
        self.player = VoicemailPlayer()
        self.call_back = QPushButton("Call back")
        self.call_back.setObjectName("primaryButton")
        self.call_back.clicked.connect(lambda: self.call_back_requested.emit(self.item))
        self.save = QPushButton("Save audio…")
        self.save.clicked.connect(lambda: self.save_requested.emit(self.item))
        self.mark_new = QPushButton("Mark as new")
        self.mark_new.clicked.connect(lambda: self.mark_new_requested.emit(self.item))

        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.name)
        heading.addWidget(self.route)
        top = QHBoxLayout()
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(10)
        top.addLayout(heading, 1)
        self.player_box = QFrame()
        self.player_box.setObjectName("playerBox")
        box = QVBoxLayout(self.player_box)
        box.setContentsMargins(12, 10, 12, 10)
        box.addWidget(self.player)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.call_back)
        buttons.addWidget(self.save)
        buttons.addStretch(1)
        buttons.addWidget(self.mark_new)
        self.facts = QWidget()
        facts = QGridLayout(self.facts)
        facts.setContentsMargins(0, 14, 0, 0)
        facts.setHorizontalSpacing(14)
        facts.setVerticalSpacing(6)
        facts.setColumnStretch(1, 1)
        for row, (label, value) in enumerate((("Mailbox", self.mailbox), ("Recording", self.recording))):
            title = QLabel(label)
            title.setObjectName("paneHint")
            facts.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(value, row, 1, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 16)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(self.when)
        layout.addWidget(self.player_box)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(self.facts)
        layout.addStretch(1)
        self.show_item(None)

    def show_item(self, item: VoicemailItem | None) -> None:
        """Show a voicemail (or the "nothing selected" hint); the player waits for its file."""
        same = item is not None and self.item is not None and item.id == self.item.id
        self.item = item
        for widget in (self.badge, self.player_box, self.call_back, self.save, self.mark_new, self.facts):
            widget.setVisible(item is not None)
        if item is None:
            self.name.setText("No voicemail selected")
            self.route.setText("Pick a voicemail from the list to play it.")
            self.when.setText("")
            self.set_status("")
            self.player.clear()
            return
        voicemail = item.voicemail
        self.badge.show_name(item.caller.name)
        self.name.setText(item.caller.name)
        route = route_text(item)
        if voicemail.source_name and voicemail.source_name != item.caller.name:
            route = f"{route}  ·  caller ID “{voicemail.source_name}”"
        self.route.setText(route)
        length = format_duration(voicemail.duration) if voicemail.audio else "no recording"
        self.when.setText(f"{long_time(voicemail.received_at)}  ·  {length}")
        self.call_back.setEnabled(bool(item.caller.number))
        self.call_back.setToolTip(f"Call {item.caller.detail}" if item.caller.number else "No number to call")
        self.save.setEnabled(voicemail.audio is not None)
        self.mark_new.setEnabled(not item.is_new)
        mailbox = f"ext. {voicemail.destination}" if voicemail.destination else "—"
        self.mailbox.setText(f"{mailbox}  ·  {voicemail.email}" if voicemail.email else mailbox)
        audio = voicemail.audio
        size = f"{audio.size / 1024:,.0f} KB" if audio and audio.size else ""
        self.recording.setText("  ·  ".join(x for x in (audio.name, size) if x) if audio else "none")
        if not same:
            self.player.clear(voicemail.duration)
            self.set_status("" if voicemail.audio else "This voicemail has no recording.")

    def set_status(self, text: str) -> None:
        """A line under the player: loading, or what went wrong (hidden when empty)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def update_item(self, item: VoicemailItem) -> None:
        """The same voicemail changed (e.g. it is no longer new): refresh, keep the player."""
        if self.item is not None and item.id == self.item.id:
            self.show_item(item)
