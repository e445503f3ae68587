"""A fax's document, page by page (PDF or multi-page TIFF), with its parties and status."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.fax import FaxBox, FaxMessage
from ui.fax_list_model import party_text, when_text
from ui.fax_pages import FaxPages, FaxPagesError

MIN_PAGE_WIDTH = 320


class FaxViewer(QDialog):
    def __init__(self, fax: FaxMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fax = fax
        self.setWindowTitle(f"Fax — {fax.subject or '(no subject)'}")
        available = self.screen().availableGeometry()
        self.resize(min(720, available.width() - 40), min(900, available.height() - 60))
        self.pages = FaxPages(self)
        self.index = 0

        direction = "From" if fax.box is FaxBox.INBOUND else "To"
        when = when_text(fax.send_at if fax.box is FaxBox.SCHEDULED else fax.created_at)
        details = [f"{direction}: {party_text(fax)}", when]
        if fax.status is not None and fax.box is not FaxBox.INBOUND:
            details.append(
                fax.status.value.capitalize() + (f" — {fax.status_detail}" if fax.status_detail else "")
            )
        self.title = QLabel(fax.subject or "(no subject)")
        self.title.setObjectName("paneTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.details = QLabel("   ·   ".join(d for d in details if d))
        self.details.setObjectName("paneHint")
        self.details.setTextFormat(Qt.TextFormat.PlainText)

        self.page_image = QLabel()
        self.page_image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_image.setAccessibleName("Fax page")
        self.page_area = QScrollArea()
        self.page_area.setWidgetResizable(True)
        self.page_area.setWidget(self.page_image)
        self.page_area.setStyleSheet("QScrollArea { background: palette(dark); border: none; }")

        self.previous_button = QPushButton("Previous page")
        self.previous_button.clicked.connect(lambda: self.go_to(self.index - 1))
        self.next_button = QPushButton("Next page")
        self.next_button.clicked.connect(lambda: self.go_to(self.index + 1))
        self.page_label = QLabel("")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setMinimumWidth(110)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, lambda: self.go_to(self.index + 1)).setWhatsThis(
            "Next page"
        )
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, lambda: self.go_to(self.index - 1)).setWhatsThis(
            "Previous page"
        )

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addWidget(self.page_area, 1)
        layout.addLayout(bar)

    def load(self, path: Path, head: bytes) -> None:
        """Show the document at ``path`` (``head``: its first bytes, read off the Qt thread)."""
        try:
            self.pages.load(path, head)
        except FaxPagesError as exc:
            self.page_image.setText(str(exc))
            self.page_label.setText("")
            self._update_buttons()
            return
        self.go_to(0)

    def go_to(self, index: int) -> None:
        if not 0 <= index < self.pages.count:
            return
        self.index = index
        width = max(MIN_PAGE_WIDTH, self.page_area.viewport().width() - 24)
        image = self.pages.render(index, width)
        self.page_image.setPixmap(QPixmap.fromImage(image))
        self.page_label.setText(f"Page {index + 1} of {self.pages.count}")
        self.page_area.verticalScrollBar().setValue(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index + 1 < self.pages.count)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.pages.count:
            self.go_to(self.index)
