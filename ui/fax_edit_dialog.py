"""Edit a failed fax's recipient, or a scheduled fax (recipient, subject, send time)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.fax import FaxBox, FaxMessage
from app.domain.phone import format_for_display, to_valid_e164
from ui.style import PROBLEM_RED


def to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def problem_label() -> QLabel:
    """A hidden line of red plain text that says what to fix."""
    label = QLabel()
    label.setObjectName("formProblem")
    label.setStyleSheet(f"color: {PROBLEM_RED};")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.hide()
    return label


class FaxEditDialog(QDialog):
    """``accepted`` once the values are valid; read them from the fields."""

    def __init__(self, fax: FaxMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fax = fax
        scheduled = fax.box is FaxBox.SCHEDULED
        self.setWindowTitle("Edit scheduled fax" if scheduled else "Change recipient")
        self.number = QLineEdit(format_for_display(fax.to_number) if fax.to_number else "")
        self.number.setAccessibleName("Fax number")
        self.name = QLineEdit(fax.to_name)
        self.name.setAccessibleName("Recipient name")
        self.subject = QLineEdit(fax.subject)
        self.subject.setAccessibleName("Subject")
        self.send_at = QDateTimeEdit()
        self.send_at.setCalendarPopup(True)
        self.send_at.setDisplayFormat("MMM d, yyyy  HH:mm")
        self.send_at.setMinimumDateTime(QDateTime.currentDateTime())
        if fax.send_at is not None:
            self.send_at.setDateTime(to_qdatetime(fax.send_at))
        self.problem = problem_label()

        form = QFormLayout()
        form.addRow("Fax number", self.number)
        form.addRow("Recipient", self.name)
        if scheduled:
            form.addRow("Subject", self.subject)
            form.addRow("Send at", self.send_at)
        else:
            hint = QLabel("The fax keeps its document. Retry it afterwards to send it to the new number.")
            hint.setObjectName("paneHint")
            hint.setWordWrap(True)
            form.addRow(hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def chosen_send_at(self) -> datetime:
        return from_qdatetime(self.send_at.dateTime())

    def _on_buttons_accepted(self) -> None:
        if to_valid_e164(self.number.text()) is None:
            self.problem.setText(f"{self.number.text().strip() or '(nothing)'} is not a valid fax number.")
            self.problem.show()
            return
        if self.fax.box is FaxBox.SCHEDULED and self.chosen_send_at() <= datetime.now(UTC):
            self.problem.setText("Pick a send time in the future.")
            self.problem.show()
            return
        self.accept()
