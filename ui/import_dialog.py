"""The import dialog: pick a vCard or CSV file, match CSV columns, review, import.

Pages, in order:

1. *Choose*: a file button (or drop a file on the dialog). The file is inspected on a worker
   thread; a file that cannot be imported says why.
2. *Columns* (CSV only): each column of the file with the field it goes to (chosen from the
   header automatically, changeable) and its first values; below, a preview of what the first
   rows become, with their problems.
3. *Working*: reading and checking the whole file, then writing it, with a progress bar and
   Cancel. Reading happens off the Qt thread (worker thread + store thread), so the window
   stays responsive whatever the file's size.
4. *Review*: how many contacts are new, which ones are already in the book (each with
   Skip / Merge / Import as new, and one choice for all), and every row that has a problem,
   by line.
5. *Done*: what was imported — or, after Cancel, what got in before it.

Use: ``ImportDialog(importer, parent)`` (``open_file(path)`` starts with a given file);
``imported`` carries the :class:`~app.services.contact_import.ImportResult`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.phone import format_for_display
from app.services.contact_import import (
    ContactImporter,
    DuplicateAction,
    FileInspection,
    ImportFileError,
    ImportFormat,
    ImportPlan,
    ImportProgress,
    ImportResult,
)
from app.services.contacts_csv import COLUMN_LABELS, Column, ColumnMapping, CsvMapping, mapping_is_usable
from app.services.tasks import TaskGroup
from ui.style import PROBLEM_RED

log = logging.getLogger(__name__)

FILE_FILTER = "Contacts (*.vcf *.vcard *.csv *.txt);;vCard (*.vcf *.vcard);;CSV (*.csv *.txt);;All files (*)"
PREVIEW_COLUMNS = ("Name", "Company", "E-mails", "Numbers", "Problems")
SAMPLE_VALUES = 3

ACTION_LABELS = {
    DuplicateAction.SKIP: "Skip",
    DuplicateAction.MERGE: "Merge",
    DuplicateAction.NEW: "Import as new",
}

_STYLE = """
QLabel#pageTitle { font-size: 12pt; font-weight: 600; }
QLabel#hint { color: palette(placeholder-text); }
QLabel#problem { color: %s; }
QLabel#dropTitle { font-size: 13pt; font-weight: 600; }
QFrame#dropZone { border: 2px dashed palette(mid); border-radius: 12px; background: palette(base); }
QFrame#dropZone QLabel { border: none; background: transparent; }
""".replace("%s", PROBLEM_RED)


def _plain(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    item.setToolTip(text)
    return item


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 100_000 else f"{size / 1000:,.0f} kB"


class ImportDialog(QDialog):
    """Imports one vCard or CSV file into personal contacts."""

    imported = Signal(object)  # ImportResult
    page_changed = Signal(str)  # "choose", "columns", "working", "review", "done"

    def __init__(self, importer: ContactImporter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._importer = importer
        self._tasks = TaskGroup("import-dialog")
        self._work: asyncio.Task[None] | None = None
        self._inspection: FileInspection | None = None
        self._plan: ImportPlan | None = None
        self._mapping: CsvMapping = ()
        self._last_progress: ImportProgress | None = None
        self._closing = False  # once closed, running work is cancelled and never touches widgets
        self.last_result: ImportResult | None = None

        self.setWindowTitle("Import contacts")
        self.setStyleSheet(_STYLE)
        self.setAcceptDrops(True)
        self.resize(820, 600)

        self.pages = QStackedWidget()
        self._build_choose_page()
        self._build_columns_page()
        self._build_working_page()
        self._build_review_page()
        self._build_done_page()

        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(self._on_back_button_clicked)
        self.next_button = QPushButton("Next")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self._show_page("choose")

    # -- pages --------------------------------------------------------------------------------
    def _build_choose_page(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(_plain("Import contacts from a file", "pageTitle"))
        column.addWidget(
            _plain(
                "Nothing is added to your contacts until you have seen what the file holds: "
                "new contacts, the ones you already have, and any rows with problems.",
                "hint",
            )
        )
        zone = QFrame()
        zone.setObjectName("dropZone")
        inside = QVBoxLayout(zone)
        inside.addStretch(1)
        drop = _plain("Drop a vCard or CSV file here", "dropTitle")
        drop.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inside.addWidget(drop)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        inside.addWidget(self.choose_button, 0, Qt.AlignmentFlag.AlignCenter)
        formats = _plain(
            "vCard (.vcf) from iPhone, Mac, iCloud, Android, Google Contacts, Outlook or Thunderbird · "
            "CSV from Google Contacts, Outlook or any spreadsheet",
            "hint",
        )
        formats.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inside.addWidget(formats)
        self.choose_error = _plain("", "problem")
        self.choose_error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_error.hide()
        inside.addWidget(self.choose_error)
        inside.addStretch(1)
        column.addWidget(zone, 1)
        self.pages.addWidget(page)

    def _build_columns_page(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.columns_title = _plain("", "pageTitle")
        column.addWidget(self.columns_title)
        column.addWidget(
            _plain(
                "Check what each column of the file holds. Columns set to “Don't import” are left out.",
                "hint",
            )
        )
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Import as", "First values"])
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.mapping_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.mapping_table, 3)
        self.mapping_warning = _plain(
            "Choose which column holds the name or the company: contacts need one of them.", "problem"
        )
        self.mapping_warning.hide()
        column.addWidget(self.mapping_warning)
        column.addWidget(_plain("Preview of the first rows", "pageTitle"))
        self.preview_table = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview_table.setHorizontalHeaderLabels(list(PREVIEW_COLUMNS))
        self.preview_table.verticalHeader().hide()
        self.preview_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.preview_table, 2)
        self.pages.addWidget(page)

    def _build_working_page(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addStretch(1)
        self.working_title = _plain("", "pageTitle")
        self.working_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.working_title)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(520)
        column.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress_label = _plain("", "hint")
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.progress_label)
        column.addStretch(2)
        self.pages.addWidget(page)

    def _build_review_page(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        self.review_title = _plain("", "pageTitle")
        column.addWidget(self.review_title)
        self.summary = _plain("", "hint")
        column.addWidget(self.summary)
        self.duplicates_box = QWidget()
        box = QVBoxLayout(self.duplicates_box)
        box.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Already in your contacts (same number or e-mail):"))
        row.addStretch(1)
        row.addWidget(QLabel("For all:"))
        self.all_duplicates = QComboBox()
        self.all_duplicates.setAccessibleName("What to do with all duplicates")
        for action, label in ACTION_LABELS.items():
            self.all_duplicates.addItem(label, action)
        self.all_duplicates.currentIndexChanged.connect(self._on_all_duplicates_current_index_changed)
        row.addWidget(self.all_duplicates)
        box.addLayout(row)
        self.duplicates_table = QTableWidget(0, 5)
        self.duplicates_table.setHorizontalHeaderLabels(
            ["Line", "In the file", "In your contacts", "Same", "Action"]
        )
        self.duplicates_table.verticalHeader().hide()
        self.duplicates_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.duplicates_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        box.addWidget(self.duplicates_table)
        self.duplicates_more = _plain("", "hint")
        box.addWidget(self.duplicates_more)
        column.addWidget(self.duplicates_box, 3)
        self.problems_box = QWidget()
        box = QVBoxLayout(self.problems_box)
        box.setContentsMargins(0, 8, 0, 0)
        self.problems_title = _plain("")
        box.addWidget(self.problems_title)
        self.problems_list = QListWidget()
        self.problems_list.setAccessibleName("Problems in the file")
        box.addWidget(self.problems_list)
        column.addWidget(self.problems_box, 2)
        self.pages.addWidget(page)

    def _build_done_page(self) -> None:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addStretch(1)
        self.done_title = _plain("", "pageTitle")
        self.done_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.done_title)
        self.done_text = _plain("", "hint")
        self.done_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.done_text)
        column.addStretch(2)
        self.pages.addWidget(page)

    _PAGES = ("choose", "columns", "working", "review", "done")

    @property
    def page(self) -> str:
        return self._PAGES[self.pages.currentIndex()]

    def _show_page(self, name: str) -> None:
        self.pages.setCurrentIndex(self._PAGES.index(name))
        csv = self._inspection is not None and self._inspection.format is ImportFormat.CSV
        self.back_button.setVisible(name == "columns" or (name == "review" and csv))
        self.back_button.setEnabled(True)
        self.next_button.setVisible(name in ("columns", "review", "done"))
        self.cancel_button.setVisible(name != "done")
        self.cancel_button.setEnabled(True)
        if name == "columns":
            self.next_button.setText("Check file")
            self._refresh_mapping_state()
        elif name == "review":
            plan = self._plan
            self.next_button.setText("Import")
            self.next_button.setEnabled(plan is not None and plan.contacts > 0)
        elif name == "done":
            self.next_button.setText("Close")
            self.next_button.setEnabled(True)
        self.page_changed.emit(name)

    # -- step 1: choose and inspect ---------------------------------------------------------------
    def _on_choose_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Import contacts", str(Path.home()), FILE_FILTER)
        if path:
            self.open_file(Path(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.page == "choose" and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls and self.page == "choose":
            event.acceptProposedAction()
            self.open_file(Path(urls[0].toLocalFile()))

    def open_file(self, path: Path) -> None:
        """Start with this file (what Choose file… and dropping a file do)."""
        if self._work is not None:
            return
        self.choose_error.hide()
        self.choose_button.setEnabled(False)
        self._start(self._inspect(path), "inspect")

    async def _inspect(self, path: Path) -> None:
        try:
            inspection = await self._importer.inspect(path)
        except ImportFileError as exc:
            self.choose_error.setText(str(exc))
            self.choose_error.show()
            return
        finally:
            if not self._closing:
                self.choose_button.setEnabled(True)
        self._inspection = inspection
        self.setWindowTitle(f"Import contacts — {path.name}")
        if inspection.csv is not None:
            self._fill_mapping(inspection)
            self._show_page("columns")
        else:
            self._start_plan()

    # -- step 2: columns ------------------------------------------------------------------------
    def _fill_mapping(self, inspection: FileInspection) -> None:
        layout = inspection.csv
        assert layout is not None
        self.columns_title.setText(f"{inspection.path.name}: {len(layout.headers)} columns")
        self._mapping = layout.mapping
        self.mapping_table.setRowCount(len(layout.headers))
        for index, header in enumerate(layout.headers):
            self.mapping_table.setItem(index, 0, _item(header or f"(column {index + 1})"))
            combo = QComboBox()
            combo.setAccessibleName(f"Import column {header} as")
            for column in Column:
                combo.addItem(COLUMN_LABELS[column], column)
            combo.setCurrentIndex(combo.findData(layout.mapping[index].column))
            combo.currentIndexChanged.connect(lambda _i, at=index: self._on_mapping_combo_changed(at))
            self.mapping_table.setCellWidget(index, 1, combo)
            values = [row[index] for row in layout.sample if index < len(row) and row[index].strip()]
            self.mapping_table.setItem(
                index, 2, _item(" · ".join(v.replace("\n", " ⏎ ") for v in values[:SAMPLE_VALUES]))
            )
        self._refresh_preview()

    def mapping_combo(self, column_index: int) -> QComboBox:
        widget = self.mapping_table.cellWidget(column_index, 1)
        assert isinstance(widget, QComboBox)
        return widget

    def _on_mapping_combo_changed(self, index: int) -> None:
        chosen = Column(self.mapping_combo(index).currentData())
        mapping = list(self._mapping)
        mapping[index] = ColumnMapping(chosen, mapping[index].group)
        self._mapping = tuple(mapping)
        self._refresh_preview()
        self._refresh_mapping_state()

    def _refresh_mapping_state(self) -> None:
        usable = mapping_is_usable(self._mapping)
        self.mapping_warning.setVisible(not usable)
        self.next_button.setEnabled(usable)

    def _refresh_preview(self) -> None:
        inspection = self._inspection
        if inspection is None or inspection.csv is None:
            return
        rows = self._importer.preview(inspection.csv, self._mapping)
        self.preview_table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            contact = row.contact
            if contact is not None:
                name = f"{contact.first_name} {contact.last_name}".strip()
                cells = [
                    name,
                    contact.company,
                    ", ".join(contact.emails),
                    ", ".join(p.label for p in contact.phones),
                    " ".join(row.problems),
                ]
            else:
                cells = ["", "", "", "", " ".join(row.problems) or "Not imported"]
            for col, text in enumerate(cells):
                self.preview_table.setItem(index, col, _item(text))

    # -- step 3: reading and checking ---------------------------------------------------------------
    def _start_plan(self) -> None:
        inspection = self._inspection
        assert inspection is not None
        self.working_title.setText(f"Reading {inspection.path.name}…")
        self.progress.setValue(0)
        self.progress_label.setText(f"0 of {_megabytes(inspection.size)}")
        self._show_page("working")
        mapping = self._mapping if inspection.csv is not None else None
        self._start(self._make_plan(inspection, mapping), "plan")

    async def _make_plan(self, inspection: FileInspection, mapping: CsvMapping | None) -> None:
        try:
            plan = await self._importer.plan(inspection, mapping, progress=self._on_importer_progress)
        except asyncio.CancelledError:
            if not self._closing:
                self._show_page("columns" if inspection.csv is not None else "choose")
            raise
        except ImportFileError as exc:
            self._show_page("choose")
            self.choose_error.setText(str(exc))
            self.choose_error.show()
            return
        except Exception as exc:
            log.exception("reading %s failed", inspection.path.name)
            self._show_page("choose")
            self.choose_error.setText(f"“{inspection.path.name}” could not be read: {exc}")
            self.choose_error.show()
            return
        self._plan = plan
        self._fill_review(plan)
        self._show_page("review")

    def _on_importer_progress(self, progress: ImportProgress) -> None:
        self._last_progress = progress
        if self._closing:
            return
        if progress.total:
            self.progress.setValue(int(1000 * min(progress.done, progress.total) / progress.total))
        if progress.stage == "reading":
            read = f"{_megabytes(progress.done)} of {_megabytes(progress.total)}"
            self.progress_label.setText(f"{read} · {progress.contacts:,} contacts found")
        elif progress.stage == "checking":
            self.progress_label.setText(f"{progress.contacts:,} contacts found · looking for duplicates…")
        else:
            self.progress_label.setText(f"{progress.done:,} of {progress.total:,} contacts")

    # -- step 4: review -----------------------------------------------------------------------------
    def _fill_review(self, plan: ImportPlan) -> None:
        name = plan.inspection.path.name
        if plan.contacts == 0:
            self.review_title.setText(f"{name}: no contacts to import")
        else:
            self.review_title.setText(f"{name}: {plan.contacts:,} contact{'s' if plan.contacts != 1 else ''}")
        parts = [f"{plan.new_contacts:,} new"]
        if plan.duplicates_total:
            parts.append(f"{plan.duplicates_total:,} already in your contacts")
        if plan.skipped_rows:
            parts.append(f"{plan.skipped_rows:,} cannot be imported")
        self.summary.setText(" · ".join(parts) + ".")

        self.duplicates_box.setVisible(plan.duplicates_total > 0)
        self.duplicates_table.setRowCount(len(plan.duplicates))
        for index, duplicate in enumerate(plan.duplicates):
            self.duplicates_table.setItem(index, 0, _item(str(duplicate.line)))
            self.duplicates_table.setItem(index, 1, _item(duplicate.incoming.display_name))
            existing = duplicate.existing.display_name
            if not duplicate.can_merge:
                existing += " (company directory)"
            if duplicate.others:
                existing += f" and {duplicate.others} more"
            self.duplicates_table.setItem(index, 2, _item(existing))
            reason = (
                format_for_display(duplicate.reason) if duplicate.reason.startswith("+") else duplicate.reason
            )
            self.duplicates_table.setItem(index, 3, _item(reason))
            combo = QComboBox()
            combo.setAccessibleName(f"What to do with line {duplicate.line}")
            for action, label in ACTION_LABELS.items():
                if action is DuplicateAction.MERGE and not duplicate.can_merge:
                    continue
                combo.addItem(label, action)
            self.duplicates_table.setCellWidget(index, 4, combo)
        self._apply_all_duplicates_choice()
        listed = len(plan.duplicates)
        self.duplicates_more.setVisible(plan.duplicates_total > listed)
        self.duplicates_more.setText(
            f"{plan.duplicates_total - listed:,} more duplicates follow the choice “For all”."
        )

        self.problems_box.setVisible(bool(plan.problems))
        self.problems_title.setText(
            f"{plan.problems_total:,} problem{'s' if plan.problems_total != 1 else ''} in the file "
            "(rows marked “not imported” are left out; set-aside values are kept in the notes):"
        )
        self.problems_list.clear()
        for problem in plan.problems:
            self.problems_list.addItem(str(problem))
        if plan.problems_total > len(plan.problems):
            self.problems_list.addItem(f"… and {plan.problems_total - len(plan.problems):,} more")

    def duplicate_combo(self, row: int) -> QComboBox:
        widget = self.duplicates_table.cellWidget(row, 4)
        assert isinstance(widget, QComboBox)
        return widget

    def _on_all_duplicates_current_index_changed(self, _index: int) -> None:
        self._apply_all_duplicates_choice()

    def _apply_all_duplicates_choice(self) -> None:
        action = DuplicateAction(self.all_duplicates.currentData())
        for row in range(self.duplicates_table.rowCount()):
            combo = self.duplicate_combo(row)
            found = combo.findData(action)
            combo.setCurrentIndex(found if found >= 0 else combo.findData(DuplicateAction.SKIP))

    def _choices(self, plan: ImportPlan) -> dict[int, DuplicateAction]:
        return {
            duplicate.row_id: DuplicateAction(self.duplicate_combo(row).currentData())
            for row, duplicate in enumerate(plan.duplicates)
        }

    # -- step 5: import -----------------------------------------------------------------------------
    def _start_import(self) -> None:
        plan = self._plan
        assert plan is not None
        default = DuplicateAction(self.all_duplicates.currentData())
        choices = self._choices(plan)
        self.working_title.setText(f"Importing from {plan.inspection.path.name}…")
        self.progress.setValue(0)
        self.progress_label.setText(f"0 of {plan.contacts:,} contacts")
        self._show_page("working")
        self._start(self._import(plan, default, choices), "import")

    async def _import(
        self, plan: ImportPlan, default: DuplicateAction, choices: dict[int, DuplicateAction]
    ) -> None:
        self._last_progress = None
        try:
            result = await self._importer.apply(plan, default, choices, progress=self._on_importer_progress)
        except asyncio.CancelledError:
            self._plan = None
            done = self._last_progress.contacts if self._last_progress else 0
            if self._closing:
                raise
            self._finish(
                "Import cancelled",
                f"{done:,} contact{'s were' if done != 1 else ' was'} added before you cancelled. "
                "Importing the file again finds them as duplicates.",
            )
            raise
        except Exception as exc:
            log.exception("importing %s failed", plan.inspection.path.name)
            self._plan = None
            self._finish("The import stopped", f"Something went wrong while writing the contacts: {exc}")
            return
        self._plan = None
        self.last_result = result
        parts = [f"{result.created:,} new contact{'s' if result.created != 1 else ''} added"]
        if result.merged:
            parts.append(f"{result.merged:,} merged into existing ones")
        if result.skipped:
            parts.append(f"{result.skipped:,} skipped")
        self._finish("Import finished", ", ".join(parts) + ".")
        self.imported.emit(result)

    def _finish(self, title: str, text: str) -> None:
        self.done_title.setText(title)
        self.done_text.setText(text)
        self._show_page("done")

    # -- buttons and closing ------------------------------------------------------------------------
    def _start(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        async def run() -> None:
            try:
                await coro
            finally:
                self._work = None

        self._work = self._tasks.start(run(), name=f"import-dialog-{name}")

    def _on_next_button_clicked(self) -> None:
        if self.page == "columns":
            self._start_plan()
        elif self.page == "review":
            self._start_import()
        elif self.page == "done":
            self.accept()

    def _on_back_button_clicked(self) -> None:
        if self.page == "columns":
            self._show_page("choose")
        elif self.page == "review":
            self._discard_plan()
            self._show_page("columns")

    def _on_cancel_button_clicked(self) -> None:
        if self.page == "working" and self._work is not None:
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling…")
            self._work.cancel()
            return
        self.reject()

    def _discard_plan(self) -> None:
        plan, self._plan = self._plan, None
        if plan is not None:
            self._tasks.start(self._importer.discard(plan), name="import-dialog-discard")

    def done(self, result: int) -> None:
        self._stop_everything()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_everything()
        super().closeEvent(event)

    def _stop_everything(self) -> None:
        self._closing = True
        if self._work is not None:
            self._work.cancel()
        self._discard_plan()
