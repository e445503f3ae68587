"""Icons shipped with the package."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ASSETS = Path(__file__).with_name("assets")


def app_icon() -> QIcon:
    return QIcon(str(ASSETS / "ringdesk.svg"))
