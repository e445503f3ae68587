"""The details of one contact: every field as plain text, with Call / SMS / Copy on each
number, e-mail on each address, and a star to make the contact a favorite."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.contacts import PERSONAL_SOURCE, PhoneKind
from app.domain.presence import PresenceState
from app.store.contacts import StoredContact
from ui.elided_label import ElidedLabel
from ui.presence_style import PRESENCE_COLOURS, avatar_colour
from ui.sources import source_label

KIND_LABELS = {
    PhoneKind.WORK: "Work",
    PhoneKind.MOBILE: "Mobile",
    PhoneKind.HOME: "Home",
    PhoneKind.FAX: "Fax",
    PhoneKind.OTHER: "Other",
    PhoneKind.EXTENSION: "Extension",
}


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class Avatar(QWidget):
    """A large initials circle with the presence dot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(QSize(64, 64))
        self._initials = ""
        self._colour = QColor("#8c959f")
        self._presence = PresenceState.UNKNOWN

    def show_for(self, stored: StoredContact | None) -> None:
        self._initials = stored.contact.initials if stored else ""
        self._colour = avatar_colour(stored.contact.display_name) if stored else QColor("#d0d7de")
        self._presence = stored.presence if stored else PresenceState.UNKNOWN
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._colour)
        painter.drawEllipse(0, 0, 60, 60)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.6)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(0, 0, 60, 60, Qt.AlignmentFlag.AlignCenter, self._initials)
        if self._presence is not PresenceState.UNKNOWN:
            painter.setBrush(PRESENCE_COLOURS[self._presence])
            painter.setPen(self.palette().base().color())
            painter.drawEllipse(44, 44, 17, 17)


class ContactDetails(QFrame):
    call_requested = Signal(str)
    sms_requested = Signal(str)
    fax_requested = Signal(str)
    email_requested = Signal(str)
    copy_requested = Signal(str)
    favorite_toggled = Signal(object, bool)  # StoredContact, starred
    edit_requested = Signal(object)  # StoredContact (personal contacts only)
    delete_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactDetails")
        self.setAccessibleName("Contact details")
        self.setMinimumWidth(320)
        self._stored: StoredContact | None = None

        self.avatar = Avatar()
        self.name = plain_label()
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name.setFont(font)
        self.subtitle = plain_label()
        self.subtitle.setObjectName("paneHint")
        self.presence = plain_label()
        self.star = QToolButton()
        self.star.setCheckable(True)
        self.star.setAccessibleName("Favorite")
        self.star.setToolTip("Add to favorites")
        self.star.setObjectName("starButton")
        self.star.toggled.connect(self._on_star_toggled)

        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.name)
        heading.addWidget(self.subtitle)
        heading.addWidget(self.presence)
        top = QHBoxLayout()
        top.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(8)
        top.addLayout(heading, 1)
        top.addWidget(self.star, 0, Qt.AlignmentFlag.AlignTop)

        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        # long values elide or wrap: the Call / SMS / E-mail buttons stay in view
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fields = self._new_fields()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 12)
        layout.addLayout(top)
        layout.addWidget(self._scroll, 1)
        self.edit_button = QPushButton("Edit")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self._stored))
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self._stored))
        own = QHBoxLayout()
        own.addStretch(1)
        own.addWidget(self.edit_button)
        own.addWidget(self.delete_button)
        layout.addLayout(own)
        self.show_contact(None)

    @property
    def stored(self) -> StoredContact | None:
        return self._stored

    def show_contact(self, stored: StoredContact | None) -> None:
        self._stored = stored
        self._fields = self._new_fields()
        self.avatar.show_for(stored)
        self.avatar.setVisible(stored is not None)
        self.star.blockSignals(True)
        self.star.setChecked(bool(stored and stored.is_favorite))
        self.star.setText("★" if stored and stored.is_favorite else "☆")
        self.star.blockSignals(False)
        self.star.setVisible(stored is not None)
        personal = stored is not None and stored.contact.source == PERSONAL_SOURCE
        self.edit_button.setVisible(personal)
        self.delete_button.setVisible(personal)
        if stored is None:
            self.name.setText("No contact selected")
            self.subtitle.setText("Pick someone from the list to see their details.")
            self.presence.setText("")
            return
        contact = stored.contact
        self.name.setText(contact.display_name)
        self.subtitle.setText(
            " · ".join(x for x in (contact.title, contact.company, source_label(contact.source)) if x)
        )
        self.presence.setText(
            "" if stored.presence is PresenceState.UNKNOWN else f"● {stored.presence.label}"
        )
        if stored.presence is not PresenceState.UNKNOWN:
            self.presence.setStyleSheet(f"color: {PRESENCE_COLOURS[stored.presence].name()}")
        for phone in contact.phones:
            actions = [("Call", self.call_requested)]
            if phone.kind is PhoneKind.FAX:
                actions = [("Fax", self.fax_requested)]
            elif phone.kind is not PhoneKind.EXTENSION:
                actions.append(("SMS", self.sms_requested))
            actions.append(("Copy", self.copy_requested))
            self._add_row(KIND_LABELS[phone.kind], ElidedLabel(phone.label), phone.number, actions)
        for email in contact.emails:
            email_actions = [("E-mail", self.email_requested), ("Copy", self.copy_requested)]
            self._add_row("E-mail", ElidedLabel(email), email, email_actions)
        if contact.address:
            self._add_row(
                "Address", plain_label(contact.address), contact.address, [("Copy", self.copy_requested)]
            )
        if contact.notes:
            self._add_row("Notes", plain_label(contact.notes), contact.notes, [])
        self._fields.setRowStretch(self._fields.rowCount(), 1)

    def _add_row(
        self, label: str, shown: QLabel, value: str, actions: list[tuple[str, SignalInstance]]
    ) -> None:
        row = self._fields.rowCount()
        kind = QLabel(label)
        kind.setObjectName("paneHint")
        self._fields.addWidget(kind, row, 0, Qt.AlignmentFlag.AlignTop)
        # the value, with its buttons under it: both fit a narrow pane
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(shown)
        text = shown.accessibleName() or shown.text()
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for name, signal in actions:
            button = QPushButton(name)
            button.setObjectName("actionButton")
            button.setAccessibleName(f"{name} {text}")
            button.clicked.connect(lambda _=False, s=signal, v=value: s.emit(v))
            buttons.addWidget(button)
        buttons.addStretch(1)
        if actions:
            cell.addLayout(buttons)
        self._fields.addLayout(cell, row, 1, Qt.AlignmentFlag.AlignTop)

    def _new_fields(self) -> QGridLayout:
        """A fresh grid for the fields (the scroll area deletes the previous one)."""
        host = QWidget()
        host.setObjectName("detailFields")
        grid = QGridLayout(host)
        grid.setContentsMargins(0, 16, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        self._scroll.setWidget(host)
        return grid

    def _on_star_toggled(self, checked: bool) -> None:
        self.star.setText("★" if checked else "☆")
        if self._stored is not None:
            self.favorite_toggled.emit(self._stored, checked)
