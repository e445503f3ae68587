"""A window-modal yes/no question that does not block the event loop (``open()``, not
``exec()``), so asyncio work goes on while it is shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def confirm(
    parent: QWidget, title: str, text: str, yes_label: str, on_yes: Callable[[], None]
) -> QMessageBox:
    """Ask; ``on_yes`` runs only when the user picks ``yes_label``. All text is plain."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    yes = box.addButton(yes_label, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def on_finished(_result: int) -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(on_finished)
    box.open()
    return box
