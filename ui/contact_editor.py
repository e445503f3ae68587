"""A dialog to create or edit one of our own (local) contacts.

Every change is checked against the rules of personal contacts as you type: Save stays
disabled while the contact is invalid, and each problem is shown in words under its field
(once you leave the field or pause typing, so a half-typed number is not flagged at once).
Saving runs on the store thread; the dialog closes when the contact is stored.

Use: ``ContactEditorDialog(personal, contact_or_None, parent)``; ``saved`` carries the stored
:class:`~app.domain.contacts.Contact`.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.contacts import Contact, PhoneKind
from app.services.personal_contacts import (
    ContactDraft,
    ContactNotFound,
    FieldProblem,
    InvalidContact,
    PersonalContacts,
    is_personal,
)
from app.services.tasks import TaskGroup
from ui.style import PROBLEM_RED

log = logging.getLogger(__name__)

REVEAL_AFTER_MS = 800  # a pause in typing after which problems are shown

KIND_CHOICES: tuple[tuple[PhoneKind, str], ...] = (
    (PhoneKind.MOBILE, "Mobile"),
    (PhoneKind.WORK, "Work"),
    (PhoneKind.HOME, "Home"),
    (PhoneKind.FAX, "Fax"),
    (PhoneKind.OTHER, "Other"),
    (PhoneKind.EXTENSION, "Extension"),
)

_STYLE = """
QLabel#fieldError { color: %s; }
QLabel#sectionTitle { font-weight: 600; margin-top: 8px; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] { border: 1px solid %s; border-radius: 3px; }
""".replace("%s", PROBLEM_RED)


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.hide()
    return label


def _mark(widget: QWidget, invalid: bool) -> None:
    if widget.property("invalid") != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class _EmailRow(QWidget):
    def __init__(self, text: str) -> None:
        super().__init__()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText("name@example.com")
        self.edit.setAccessibleName("E-mail")
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this e-mail")
        self.remove.setAccessibleName("Remove e-mail")
        self.error = _error_label()
        layout.addWidget(self.edit, 0, 0)
        layout.addWidget(self.remove, 0, 1)
        layout.addWidget(self.error, 1, 0, 1, 2)


class _PhoneRow(QWidget):
    def __init__(self, kind: PhoneKind, text: str) -> None:
        super().__init__()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of number")
        for value, label in KIND_CHOICES:
            self.kind.addItem(label, value)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText("+1 555 123 4567")
        self.edit.setAccessibleName("Phone number")
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("Remove this number")
        self.remove.setAccessibleName("Remove number")
        self.error = _error_label()
        layout.addWidget(self.kind, 0, 0)
        layout.addWidget(self.edit, 0, 1)
        layout.addWidget(self.remove, 0, 2)
        layout.addWidget(self.error, 1, 0, 1, 3)
        layout.setColumnStretch(1, 1)

    @property
    def phone_kind(self) -> PhoneKind:
        return PhoneKind(self.kind.currentData())


class ContactEditorDialog(QDialog):
    """Create (``contact`` None) or edit a personal contact."""

    saved = Signal(object)  # the stored Contact

    def __init__(
        self, personal: PersonalContacts, contact: Contact | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if contact is not None and not is_personal(contact):
            raise ValueError(f"{contact.key} is not a personal contact and cannot be edited here")
        self._personal = personal
        self._contact = contact
        self._tasks = TaskGroup("contact-editor")
        self._save_task: asyncio.Task[None] | None = None
        self._problems: list[FieldProblem] = []
        self._revealed: set[str] = set()  # "name", "emails:<row id>", "phones:<row id>"
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.setInterval(REVEAL_AFTER_MS)
        self._reveal_timer.timeout.connect(self._on_reveal_timer_timeout)

        self.setWindowTitle("Edit contact" if contact else "New contact")
        self.setStyleSheet(_STYLE)
        self.setMinimumWidth(460)
        self.resize(520, 640)

        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.company = QLineEdit()
        self.job_title = QLineEdit()
        for edit, name in (
            (self.first_name, "First name"),
            (self.last_name, "Last name"),
            (self.company, "Company"),
            (self.job_title, "Job title"),
        ):
            edit.setAccessibleName(name)
        self.name_error = _error_label()
        self.address = QPlainTextEdit()
        self.address.setAccessibleName("Address")
        self.address.setPlaceholderText("Street\nCity, State ZIP\nCountry")
        self.address.setFixedHeight(76)
        self.address.setTabChangesFocus(True)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setFixedHeight(90)
        self.notes.setTabChangesFocus(True)

        self.email_rows: list[_EmailRow] = []
        self.phone_rows: list[_PhoneRow] = []
        self._emails_box = QVBoxLayout()
        self._emails_box.setSpacing(4)
        self._phones_box = QVBoxLayout()
        self._phones_box.setSpacing(4)
        self.add_email_button = QPushButton("Add e-mail")
        self.add_email_button.clicked.connect(self._on_add_email_button_clicked)
        self.add_phone_button = QPushButton("Add number")
        self.add_phone_button.clicked.connect(self._on_add_phone_button_clicked)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("First name", self.first_name)
        form.addRow("Last name", self.last_name)
        form.addRow("Company", self.company)
        form.addRow("Job title", self.job_title)
        form.addRow("", self.name_error)

        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(form)
        column.addWidget(self._section("Phone numbers"))
        column.addLayout(self._phones_box)
        column.addWidget(self.add_phone_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self._section("E-mail"))
        column.addLayout(self._emails_box)
        column.addWidget(self.add_email_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self._section("Address"))
        column.addWidget(self.address)
        column.addWidget(self._section("Notes"))
        column.addWidget(self.notes)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        self.save_error = _error_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_error, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        self._fill(contact)
        for edit in (self.first_name, self.last_name, self.company, self.job_title):
            edit.textChanged.connect(self._on_field_text_changed)
            edit.editingFinished.connect(self._on_name_editing_finished)
        self.address.textChanged.connect(self._on_field_text_changed)
        self.notes.textChanged.connect(self._on_field_text_changed)
        self._validate()
        self.first_name.setFocus()

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        return label

    def _fill(self, contact: Contact | None) -> None:
        if contact is None:
            self._add_phone_row(PhoneKind.MOBILE, "")
            self._add_email_row("")
            return
        draft = ContactDraft.from_contact(contact)
        self.first_name.setText(draft.first_name)
        self.last_name.setText(draft.last_name)
        self.company.setText(draft.company)
        self.job_title.setText(draft.title)
        for kind, number in draft.phones or ((PhoneKind.MOBILE, ""),):
            self._add_phone_row(kind, number)
        for email in draft.emails or ("",):
            self._add_email_row(email)
        self.address.setPlainText(draft.address)
        self.notes.setPlainText(draft.notes)
        self._revealed.add("name")  # an existing contact: show every problem at once

    # -- rows ---------------------------------------------------------------------------------
    def _add_email_row(self, text: str) -> _EmailRow:
        row = _EmailRow(text)
        row.edit.textChanged.connect(self._on_field_text_changed)
        row.edit.editingFinished.connect(lambda: self._reveal(f"emails:{id(row)}"))
        row.remove.clicked.connect(lambda: self._remove_email_row(row))
        self.email_rows.append(row)
        self._emails_box.addWidget(row)
        if self._contact is not None and text:
            self._revealed.add(f"emails:{id(row)}")
        return row

    def _add_phone_row(self, kind: PhoneKind, text: str) -> _PhoneRow:
        row = _PhoneRow(kind, text)
        row.edit.textChanged.connect(self._on_field_text_changed)
        row.kind.currentIndexChanged.connect(self._on_field_text_changed)
        row.edit.editingFinished.connect(lambda: self._reveal(f"phones:{id(row)}"))
        row.remove.clicked.connect(lambda: self._remove_phone_row(row))
        self.phone_rows.append(row)
        self._phones_box.addWidget(row)
        if self._contact is not None and text:
            self._revealed.add(f"phones:{id(row)}")
        return row

    def _remove_email_row(self, row: _EmailRow) -> None:
        self.email_rows.remove(row)
        row.deleteLater()
        row.hide()
        self._validate()

    def _remove_phone_row(self, row: _PhoneRow) -> None:
        self.phone_rows.remove(row)
        row.deleteLater()
        row.hide()
        self._validate()

    def _on_add_email_button_clicked(self) -> None:
        self._add_email_row("").edit.setFocus()
        self._validate()

    def _on_add_phone_button_clicked(self) -> None:
        kinds = {row.phone_kind for row in self.phone_rows}
        kind = next((k for k, _label in KIND_CHOICES if k not in kinds), PhoneKind.OTHER)
        self._add_phone_row(kind, "").edit.setFocus()
        self._validate()

    # -- validation ---------------------------------------------------------------------------
    def draft(self) -> ContactDraft:
        """The contact as currently typed."""
        return ContactDraft(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            company=self.company.text(),
            title=self.job_title.text(),
            emails=tuple(row.edit.text() for row in self.email_rows),
            phones=tuple((row.phone_kind, row.edit.text()) for row in self.phone_rows),
            address=self.address.toPlainText(),
            notes=self.notes.toPlainText(),
        )

    def problems(self) -> list[FieldProblem]:
        return list(self._problems)

    def show_all_problems(self) -> None:
        """Show every problem now (as after a pause in typing)."""
        self._revealed.add("name")
        self._revealed.update(f"emails:{id(r)}" for r in self.email_rows)
        self._revealed.update(f"phones:{id(r)}" for r in self.phone_rows)
        self._validate()

    def _on_field_text_changed(self) -> None:
        self.save_error.hide()
        self._validate()
        self._reveal_timer.start()

    def _on_name_editing_finished(self) -> None:
        self._reveal("name")

    def _on_reveal_timer_timeout(self) -> None:
        self.show_all_problems()

    def _reveal(self, key: str) -> None:
        self._revealed.add(key)
        self._validate()

    def _validate(self) -> None:
        self._problems = self._personal.check(self.draft())
        by_key: dict[str, str] = {}
        for problem in self._problems:
            if problem.field == "name":
                by_key.setdefault("name", problem.message)
            elif problem.field == "emails":
                by_key.setdefault(f"emails:{id(self.email_rows[problem.index])}", problem.message)
            elif problem.field == "phones":
                by_key.setdefault(f"phones:{id(self.phone_rows[problem.index])}", problem.message)
        self._show(self.name_error, by_key.get("name") if "name" in self._revealed else None)
        for edit in (self.first_name, self.last_name, self.company):
            _mark(edit, "name" in self._revealed and "name" in by_key)
        for key, row in [(f"emails:{id(r)}", r) for r in self.email_rows] + [
            (f"phones:{id(r)}", r) for r in self.phone_rows
        ]:
            message = by_key.get(key) if key in self._revealed else None
            self._show(row.error, message)
            _mark(row.edit, message is not None)
        saving = self._save_task is not None
        self.save_button.setEnabled(not self._problems and not saving)
        self.save_button.setToolTip(
            ""
            if not self._problems
            else "Fix the problems shown in red to save: " + self._problems[0].message
        )

    @staticmethod
    def _show(label: QLabel, message: str | None) -> None:
        if message:
            label.setText(message)
            label.show()
        else:
            label.hide()

    # -- saving -------------------------------------------------------------------------------
    def _on_buttons_accepted(self) -> None:
        if self._problems or self._save_task is not None:
            self.show_all_problems()
            return
        self._set_busy(True)
        self._save_task = self._tasks.start(self._save(self.draft()), name="save-contact")

    async def _save(self, draft: ContactDraft) -> None:
        try:
            if self._contact is None:
                contact = await self._personal.create(draft)
            else:
                contact = await self._personal.update(self._contact.source_id, draft)
        except InvalidContact as exc:
            self._problems = list(exc.problems)
            self.show_all_problems()
            return
        except ContactNotFound:
            self._show(self.save_error, "This contact was deleted meanwhile; it cannot be saved.")
            return
        except Exception as exc:
            log.exception("saving a personal contact failed")
            self._show(self.save_error, f"The contact could not be saved: {exc}")
            return
        finally:
            self._save_task = None
            self._set_busy(False)
        self.saved.emit(contact)
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setText("Saving…" if busy else "Save")
        self.save_button.setEnabled(not busy and not self._problems)
        self.cancel_button.setEnabled(not busy)

    def reject(self) -> None:
        if self._save_task is not None:
            return  # a save is under way; it finishes in a moment
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._save_task is not None:
            event.ignore()
            return
        super().closeEvent(event)
