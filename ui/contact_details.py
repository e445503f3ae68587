"""The details of one contact: every field, shown as plain text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from app.domain.contacts import PhoneKind
from app.store.contacts import StoredContact

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


class ContactDetails(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactDetails")
        self.setAccessibleName("Contact details")
        self.setMinimumWidth(280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        self.name = plain_label()
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.name.setFont(font)
        self.subtitle = plain_label()
        self.presence = plain_label()
        layout.addWidget(self.name)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.presence)
        self._fields_host = QWidget()
        self._fields = QFormLayout(self._fields_host)
        self._fields.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(self._fields_host)
        layout.addStretch(1)
        self.show_contact(None)

    def show_contact(self, stored: StoredContact | None) -> None:
        while self._fields.rowCount():
            self._fields.removeRow(0)
        if stored is None:
            self.name.setText("No contact selected")
            self.subtitle.setText("Pick someone from the list to see their details.")
            self.presence.setText("")
            return
        contact = stored.contact
        self.name.setText(contact.display_name)
        self.subtitle.setText(" · ".join(x for x in (contact.title, contact.company) if x))
        self.presence.setText(stored.presence.label if stored.presence.value != "unknown" else "")
        for email in contact.emails:
            self._fields.addRow("E-mail", plain_label(email))
        for phone in contact.phones:
            self._fields.addRow(KIND_LABELS[phone.kind], plain_label(phone.label))
        if contact.address:
            self._fields.addRow("Address", plain_label(contact.address))
        if contact.notes:
            self._fields.addRow("Notes", plain_label(contact.notes))
