"""The Messages pane's colours and sizes, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette

ACCENT = QColor("#1f6feb")
SELECTED = QColor(31, 111, 235, 46)  # the accent over the list's base, light or dark
OUTBOUND_BUBBLE = QColor("#1f6feb")
OUTBOUND_TEXT = QColor("#ffffff")
OUTBOUND_META = QColor(255, 255, 255, 200)
FAILED = QColor("#cf222e")
HIGHLIGHT = QColor("#f2b600")
CHIP = QColor(255, 255, 255, 60)


@dataclass(frozen=True, slots=True)
class Colours:
    """What depends on a light or dark palette."""

    inbound_bubble: QColor
    inbound_text: QColor
    inbound_meta: QColor
    failed_bubble: QColor
    failed_text: QColor
    separator_pill: QColor
    separator_text: QColor
    chip: QColor
    chip_icon: QColor
    muted: QColor


LIGHT = Colours(
    inbound_bubble=QColor("#eef1f4"),
    inbound_text=QColor("#1f2328"),
    inbound_meta=QColor("#656d76"),
    failed_bubble=QColor("#fbe3e4"),
    failed_text=QColor("#1f2328"),
    separator_pill=QColor("#f3f4f6"),
    separator_text=QColor("#656d76"),
    chip=QColor("#ffffff"),
    chip_icon=QColor("#dde3ea"),
    muted=QColor("#656d76"),
)
DARK = Colours(
    inbound_bubble=QColor("#2d333b"),
    inbound_text=QColor("#e6edf3"),
    inbound_meta=QColor("#9198a1"),
    failed_bubble=QColor("#4c1d22"),
    failed_text=QColor("#ffdcd7"),
    separator_pill=QColor("#2d333b"),
    separator_text=QColor("#9198a1"),
    chip=QColor("#3a424c"),
    chip_icon=QColor("#4b5562"),
    muted=QColor("#9198a1"),
)


def colours(palette: QPalette) -> Colours:
    return DARK if palette.color(QPalette.ColorRole.Base).lightness() < 128 else LIGHT


MESSAGES_STYLE = """
QWidget#messagesSidebar { background: palette(base); }
QSplitter#messagesSplitter::handle { background: palette(midlight); }
QWidget#threadHeader { background: palette(base); border-bottom: 1px solid palette(midlight); }
QLabel#threadTitle { font-size: 12pt; font-weight: 600; }
QLabel#threadSubtitle { color: palette(placeholder-text); }
QFrame#composeBar { background: palette(base); border-top: 1px solid palette(midlight); }
QPlainTextEdit#composeText {
    border: 1px solid palette(mid);
    border-radius: 16px;
    padding: 4px 10px;
    background: palette(base);
}
QPlainTextEdit#composeText:focus { border: 1px solid #1f6feb; }
QPushButton#sendButton {
    background: #1f6feb;
    color: white;
    border: none;
    border-radius: 16px;
    padding: 7px 16px;
    font-weight: 600;
}
QPushButton#sendButton:disabled { background: rgba(31, 111, 235, 0.45); }
QPushButton#newMessageButton {
    background: #1f6feb;
    color: white;
    border: none;
    border-radius: 6px;
    padding: 5px 12px;
    font-weight: 600;
}
QLineEdit#messagesFilter {
    padding: 5px 8px;
    border-radius: 6px;
    border: 1px solid palette(mid);
}
QLabel#sectionLabel {
    color: palette(placeholder-text);
    font-size: 8.5pt;
    font-weight: 600;
    padding: 6px 12px 2px 12px;
}
QLabel#composeHint { color: palette(placeholder-text); font-size: 8.5pt; }
QListView#threadList { background: palette(base); }
QToolButton#threadMenu { font-size: 14pt; padding: 0 8px; border-radius: 6px; }
QToolButton#threadMenu::menu-indicator { image: none; width: 0; }
QToolButton#threadMenu:hover { background: palette(alternate-base); }
QPushButton#jumpButton {
    background: #1f6feb;
    color: white;
    border: none;
    border-radius: 14px;
    padding: 6px 14px;
    font-weight: 600;
}
QWidget#messagesPlaceholder { background: palette(base); }
QLabel#placeholderTitle { font-size: 15pt; font-weight: 600; }
"""


def scaled(font: QFont, factor: float, *, bold: bool | None = None) -> QFont:
    """A copy of ``font``, ``factor`` times its size, optionally (not) bold."""
    copy = QFont(font)
    if copy.pointSizeF() > 0:
        copy.setPointSizeF(copy.pointSizeF() * factor)
    else:
        copy.setPixelSize(max(1, round(copy.pixelSize() * factor)))
    if bold is not None:
        copy.setBold(bold)
    return copy
