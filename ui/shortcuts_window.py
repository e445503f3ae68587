"""Help ▸ Keyboard Shortcuts: a table generated from the window's actual actions and shortcuts.

Menu actions are listed with their menu; ``QShortcut`` objects with their ``whatsThis``
text (every shortcut in the window must have one). Nothing here is a hand-kept list.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True, slots=True)
class ShortcutEntry:
    group: str
    description: str
    keys: str


def plain_text(text: str) -> str:
    """A menu text as a sentence: no mnemonic ampersands, no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".").strip()


def _keys(sequences: list[QKeySequence]) -> str:
    return ", ".join(
        s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences if not s.isEmpty()
    )


def menu_actions(window: QMainWindow) -> list[tuple[str, QAction]]:
    """Every action in the menu bar, with the menu path it sits in (separators skipped)."""
    found: list[tuple[str, QAction]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                walk(submenu, f"{path} ▸ {plain_text(submenu.title())}")
            elif action.isVisible():
                found.append((path, action))

    for top in window.menuBar().actions():
        submenu = top.menu()
        if isinstance(submenu, QMenu):
            walk(submenu, plain_text(submenu.title()))
    return found


def collect_shortcuts(window: QMainWindow) -> list[ShortcutEntry]:
    entries = [
        ShortcutEntry(group, plain_text(action.text()), _keys(action.shortcuts()))
        for group, action in menu_actions(window)
    ]
    panes: dict[str, QWidget] = getattr(window, "panes", {})
    for shortcut in window.findChildren(QShortcut):
        if shortcut.isEnabled() and not shortcut.key().isEmpty():
            description = shortcut.whatsThis() or shortcut.objectName()
            entries.append(ShortcutEntry(_where(shortcut, panes), description, _keys([shortcut.key()])))
    return entries


def _where(shortcut: QShortcut, panes: dict[str, QWidget]) -> str:
    """The pane a shortcut belongs to, or "Window" for the window's own ones."""
    owner = shortcut.parent()
    if isinstance(owner, QWidget):
        for name, pane in panes.items():
            if owner is pane or pane.isAncestorOf(owner):
                return name
    return "Window"


class ShortcutsWindow(QDialog):
    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.resize(640, 620)
        self.entries = collect_shortcuts(window)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter shortcuts")
        self.filter.setAccessibleName("Filter shortcuts")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.table = QTableWidget(len(self.entries), 3)
        self.table.setAccessibleName("Shortcuts")
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, entry in enumerate(self.entries):
            for column, text in enumerate((entry.description, entry.keys or "—", entry.group)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _on_filter_text_changed(self, text: str) -> None:
        needle = text.casefold().strip()
        for row, entry in enumerate(self.entries):
            haystack = f"{entry.description} {entry.keys} {entry.group}".casefold()
            self.table.setRowHidden(row, bool(needle) and needle not in haystack)
