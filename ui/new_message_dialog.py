"""New message: a number to text (checked as it is typed) and, when the user owns several,
which of their numbers to text from."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.texting import TextingNumber
from ui.message_format import display_number
from ui.style import PROBLEM_RED


class NewMessageDialog(QDialog):
    chosen = Signal(str, str)  # to (E.164), from (one of the user's numbers, or "")

    def __init__(self, parent: QWidget | None = None, number: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("New message")
        self.setAccessibleName("New message")
        self.setMinimumWidth(380)
        self.to = QLineEdit(number)
        self.to.setAccessibleName("To")
        self.to.setPlaceholderText("Phone number, e.g. (619) 555-0123 or +44 20 7946 0018")
        self.to.textChanged.connect(self._on_to_text_changed)
        self.problem = QLabel()
        self.problem.setObjectName("formError")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(f"color: {PROBLEM_RED};")
        self.problem.setAccessibleName("Problem")
        self.from_box = QComboBox()
        self.from_box.setAccessibleName("From")
        self.from_box.setEnabled(False)
        self.from_box.addItem("Loading your numbers…", "")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start = self.buttons.addButton("Start conversation", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start.setEnabled(False)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("To", self.to)
        form.addRow("", self.problem)
        form.addRow("From", self.from_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._numbers_known = False
        self._on_to_text_changed(number)

    def set_numbers(self, numbers: list[TextingNumber]) -> None:
        """The user's texting numbers; the first is preselected."""
        self.from_box.clear()
        for number in numbers:
            self.from_box.addItem(display_number(number.number), number.number)
        if not numbers:
            self.from_box.addItem("No texting number is assigned to you", "")
        self.from_box.setEnabled(len(numbers) > 1)
        self._numbers_known = bool(numbers)
        self._on_to_text_changed(self.to.text())

    def number(self) -> str | None:
        from app.domain.phone import to_e164  # phonenumbers: not on the start-up path

        return to_e164(self.to.text())

    def _on_to_text_changed(self, text: str) -> None:
        valid = self.number() is not None
        self.problem.setText(
            "" if valid or not text.strip() else "That is not a phone number that can get texts."
        )
        self.problem.setVisible(bool(self.problem.text()))
        self.start.setEnabled(valid and self._numbers_known)

    def _on_buttons_accepted(self) -> None:
        number = self.number()
        if number is None or not self._numbers_known:
            return
        self.chosen.emit(number, str(self.from_box.currentData() or ""))
        self.accept()
