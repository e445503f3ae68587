"""The application's look: a calm, flat style on top of the system palette.

Colours come from palette roles (``palette(...)``), are translucent accents over them, or are
mid tones that read on both (the problem red, #e5484d: contrast ~4:1 on white and on the dark
palette's window), so the same sheet works on a light and on a dark palette (see
``ui/appearance.py``).
"""

from __future__ import annotations

# Red for problems and errors in words: reads on the light and on the dark palette.
PROBLEM_RED = "#e5484d"

STYLE_SHEET = """
QListWidget#navigation {
    border: none;
    background: palette(window);
    padding-top: 8px;
    font-size: 10.5pt;
}
QListWidget#navigation::item {
    padding: 9px 14px;
    margin: 2px 8px;
    border-radius: 6px;
}
QListWidget#navigation::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
QLineEdit#globalSearch {
    padding: 6px 10px;
    border-radius: 6px;
    border: 1px solid palette(mid);
    min-width: 320px;
}
QLabel#paneTitle { font-size: 12pt; font-weight: 600; }
QLabel#paneHint { color: palette(placeholder-text); }
QLabel#brand { font-size: 13pt; font-weight: 700; padding: 4px 8px; }
QFrame#errorBanner {
    background: rgba(209, 36, 47, 38);
    border-bottom: 1px solid rgba(209, 36, 47, 150);
}
QFrame#errorBanner QLabel { color: palette(window-text); }
QFrame#contactDetails { background: palette(base); border-left: 1px solid palette(midlight); }
QLabel#emptyList { color: palette(placeholder-text); font-size: 11pt; }
QListView { border: none; }
QFrame#voicemailDetails { background: palette(base); border-left: 1px solid palette(midlight); }
QFrame#playerBox { background: palette(alternate-base); border-radius: 8px; }
QLabel#filterProblem { color: %s; padding: 0 12px 6px 12px; }
QLabel#playerStatus { color: palette(placeholder-text); }
QToolButton#playButton {
    background: palette(highlight); border: none; border-radius: 19px;
}
QToolButton#playButton:disabled { background: palette(mid); }
QPushButton#primaryButton {
    background: palette(highlight); color: palette(highlighted-text);
    border: none; border-radius: 4px; padding: 5px 14px;
}
QPushButton#primaryButton:disabled { background: palette(mid); }
QPushButton#actionButton {
    border: 1px solid palette(mid); border-radius: 4px; padding: 3px 10px;
    background: palette(button);
}
QPushButton#actionButton:hover { border-color: palette(highlight); }
QStatusBar { border-top: 1px solid palette(midlight); }
""".replace("%s", PROBLEM_RED)
