"""Light or dark, as the desktop says.

Qt reports the desktop's colour scheme through ``QStyleHints.colorScheme``; where the
platform theme does not also hand over a matching palette, RingDesk sets one itself, and it
follows later changes. The style sheet (``ui/style.py``) refers only to palette roles and
translucent accents, so it reads well on either palette.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

log = logging.getLogger(__name__)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#1f2328",
        role.WindowText: "#e6edf3",
        role.Base: "#161b22",
        role.AlternateBase: "#21262d",
        role.ToolTipBase: "#2d333b",
        role.ToolTipText: "#e6edf3",
        role.PlaceholderText: "#8b949e",
        role.Text: "#e6edf3",
        role.Button: "#2d333b",
        role.ButtonText: "#e6edf3",
        role.BrightText: "#ff7b72",
        role.Light: "#3d444d",
        role.Midlight: "#30363d",
        role.Mid: "#484f58",
        role.Dark: "#0d1117",
        role.Shadow: "#010409",
        role.Highlight: "#1f6feb",
        role.HighlightedText: "#ffffff",
        role.Link: "#58a6ff",
        role.LinkVisited: "#bc8cff",
    }
    for key, value in colours.items():
        palette.setColor(key, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for key in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, key, QColor("#6e7681"))
    return palette


class ColorSchemeFollower:
    """Keeps the application palette in step with the desktop's light/dark setting."""

    def __init__(self, app: QGuiApplication) -> None:
        self._app = app
        self._light = QPalette(app.palette())
        app.styleHints().colorSchemeChanged.connect(self.apply)
        self.apply(app.styleHints().colorScheme())

    def apply(self, scheme: Qt.ColorScheme) -> None:
        current_dark = is_dark(self._app.palette())
        if scheme == Qt.ColorScheme.Dark and not current_dark:
            log.info("desktop colour scheme: dark")
            self._app.setPalette(dark_palette())
        elif scheme == Qt.ColorScheme.Light and current_dark:
            log.info("desktop colour scheme: light")
            self._app.setPalette(self._light if not is_dark(self._light) else QPalette())
