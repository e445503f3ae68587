"""The Messages pane's colours and sizes, in one place."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

ACCENT = QColor("#1f6feb")
ACCENT_SOFT = QColor("#e8f0fe")
OUTBOUND_BUBBLE = QColor("#1f6feb")
OUTBOUND_TEXT = QColor("#ffffff")
OUTBOUND_META = QColor(255, 255, 255, 200)
INBOUND_BUBBLE = QColor("#eef1f4")
INBOUND_TEXT = QColor("#1f2328")
INBOUND_META = QColor("#656d76")
FAILED = QColor("#cf222e")
FAILED_BUBBLE = QColor("#fbe3e4")
MUTED = QColor("#656d76")
SEPARATOR_TEXT = QColor("#656d76")
SEPARATOR_PILL = QColor("#f3f4f6")
HIGHLIGHT = QColor("#f2b600")
CHIP = QColor(255, 255, 255, 60)
CHIP_INBOUND = QColor("#ffffff")

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
QPushButton#sendButton:disabled { background: #a8c5f5; }
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
