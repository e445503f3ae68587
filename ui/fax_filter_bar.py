"""The fax list filters: date range, number, name, subject, read state, free-text search."""

from __future__ import annotations

from datetime import UTC, datetime, time
from datetime import date as python_date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.fax import FaxFilter

DEBOUNCE_MS = 300
ANY_DATE = QDate(2000, 1, 1)


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setAccessibleName(name)
    edit.setToolTip(name)
    edit.setCalendarPopup(True)
    edit.setMinimumDate(ANY_DATE)
    edit.setSpecialValueText(f"{name}: any")
    edit.setDisplayFormat("MMM d, yyyy")
    edit.setDate(ANY_DATE)
    edit.setMinimumWidth(130)
    return edit


def _line(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


class FaxFilterBar(QWidget):
    """Emits ``changed`` (debounced while typing) when any filter changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = _line("Search faxes", "Search faxes…")
        self.number = _line("Number", "Number")
        self.name = _line("Name", "Name")
        self.subject = _line("Subject", "Subject")
        self.start = _date_edit("From")
        self.end = _date_edit("To")
        self.read_state = QComboBox()
        self.read_state.setAccessibleName("Read state")
        self.read_state.addItem("Read or unread", None)
        self.read_state.addItem("Unread only", False)
        self.read_state.addItem("Read only", True)
        self.anonymous = QCheckBox("Anonymous senders")
        self.anonymous.setToolTip("Also list faxes whose sender is unknown (hidden by default)")
        self.clear = QPushButton("Clear")
        self.clear.setAccessibleName("Clear filters")
        self.clear.clicked.connect(self.reset)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.changed)
        for edit in (self.search, self.number, self.name, self.subject):
            edit.textChanged.connect(self._debounce.start)
        for date in (self.start, self.end):
            date.dateChanged.connect(self._debounce.start)
        self.read_state.currentIndexChanged.connect(self._debounce.start)
        self.anonymous.toggled.connect(self._debounce.start)

        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        first.addWidget(self.search, 2)
        first.addWidget(self.number, 1)
        first.addWidget(self.name, 1)
        first.addWidget(self.subject, 1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.start)
        second.addWidget(self.end)
        second.addWidget(self.read_state)
        second.addWidget(self.anonymous)
        second.addStretch(1)
        second.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(first)
        layout.addLayout(second)

    def set_inbound(self, inbound: bool) -> None:
        """Read state and anonymous senders are filters of the inbound box only."""
        self.read_state.setVisible(inbound)
        self.anonymous.setVisible(inbound)

    def reset(self) -> None:
        for edit in (self.search, self.number, self.name, self.subject):
            edit.clear()
        self.start.setDate(ANY_DATE)
        self.end.setDate(ANY_DATE)
        self.read_state.setCurrentIndex(0)
        self.anonymous.setChecked(False)

    def flush(self) -> None:
        """Apply a pending (debounced) change now."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def current(self) -> FaxFilter:
        def moment(edit: QDateEdit, end: bool) -> datetime | None:
            date = edit.date()
            if date == ANY_DATE:
                return None
            day = python_date(date.year(), date.month(), date.day())
            local = datetime.combine(day, time.max if end else time.min).astimezone()
            return local.astimezone(UTC)

        read = self.read_state.currentData()
        return FaxFilter(
            start=moment(self.start, False),
            end=moment(self.end, True),
            number=self.number.text(),
            name=self.name.text(),
            subject=self.subject.text(),
            search=self.search.text(),
            is_read=read if isinstance(read, bool) else None,
            include_anonymous=self.anonymous.isChecked(),
        )

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.flush()
            return
        super().keyPressEvent(event)
