"""A round avatar with a person's initials, coloured by their name."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ui.message_format import initials
from ui.message_style import scaled
from ui.presence_style import avatar_colour


class Avatar(QWidget):
    def __init__(self, size: int = 36, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = ""
        self.setFixedSize(QSize(size, size))

    def set_name(self, name: str) -> None:
        self._name = name
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_colour(self._name))
        circle = QRect(0, 0, self.width(), self.height())
        painter.drawEllipse(circle)
        painter.setFont(scaled(self.font(), self.height() / 36, bold=True))
        painter.setPen(QColor("white"))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(self._name))
        painter.end()
