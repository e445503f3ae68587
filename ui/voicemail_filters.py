"""The voicemail filter bar: a date range (presets or custom days) and the two extensions."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QRegularExpression, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.domain.voicemail import VoicemailFilter

TYPING_PAUSE_MS = 400
ANY_TIME, TODAY, LAST_7_DAYS, LAST_30_DAYS, CUSTOM = range(5)
RANGES = ("Any time", "Today", "Last 7 days", "Last 30 days", "Custom range")


def _extension(text: str) -> int | None:
    digits = text.strip()
    return int(digits) if digits.isdigit() else None


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class VoicemailFilterBar(QWidget):
    changed = Signal(object)  # VoicemailFilter, whenever a valid filter differs from the last
    invalid = Signal(str)  # why the filter as typed cannot be used ("" once it can again)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current = VoicemailFilter()
        self.range = QComboBox()
        self.range.setAccessibleName("Date range")
        self.range.addItems(RANGES)
        self.range.currentIndexChanged.connect(self._on_range_changed)
        today = QDate.currentDate()
        self.from_date = self._date_edit("From date", today.addDays(-7))
        self.to_date = self._date_edit("To date", today)
        self.dash = QLabel("to")
        self.source = self._extension_edit("Caller's extension", "From ext.")
        self.destination = self._extension_edit("Mailbox extension", "To ext.")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.apply)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 0, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.range)
        layout.addWidget(self.from_date)
        layout.addWidget(self.dash)
        layout.addWidget(self.to_date)
        layout.addSpacing(10)
        layout.addWidget(self.source)
        layout.addWidget(self.destination)
        layout.addStretch(1)
        layout.addWidget(self.clear_button)
        self._show_custom(False)
        self.clear_button.setEnabled(False)

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value)
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("MMM d, yyyy")
        edit.dateChanged.connect(lambda _d: self.apply())
        return edit

    def _extension_edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,15}"), edit))
        edit.setMaximumWidth(110)
        edit.textEdited.connect(lambda _t: self._typing.start())
        edit.returnPressed.connect(self.apply)
        return edit

    @property
    def current(self) -> VoicemailFilter:
        return self._current

    def wanted(self, today: date | None = None) -> VoicemailFilter:
        """The filter the controls describe now. Raises ValueError when they contradict."""
        today = today or date.today()
        start: date | None = None
        end: date | None = None
        choice = self.range.currentIndex()
        if choice == TODAY:
            start = end = today
        elif choice in (LAST_7_DAYS, LAST_30_DAYS):
            start, end = today - timedelta(days=6 if choice == LAST_7_DAYS else 29), today
        elif choice == CUSTOM:
            start, end = _day(self.from_date.date()), _day(self.to_date.date())
        source, destination = _extension(self.source.text()), _extension(self.destination.text())
        return VoicemailFilter(start, end, source, destination)

    def apply(self) -> None:
        self._typing.stop()
        try:
            wanted = self.wanted()
        except ValueError as exc:
            self.invalid.emit(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        self.invalid.emit("")
        self.clear_button.setEnabled(wanted != VoicemailFilter())
        if wanted != self._current:
            self._current = wanted
            self.changed.emit(wanted)

    def clear(self) -> None:
        for edit in (self.source, self.destination):
            edit.clear()
        self.range.setCurrentIndex(ANY_TIME)  # applies when it changes
        self.apply()

    def _on_range_changed(self, index: int) -> None:
        self._show_custom(index == CUSTOM)
        self.apply()

    def _show_custom(self, visible: bool) -> None:
        for widget in (self.from_date, self.dash, self.to_date):
            widget.setVisible(visible)

