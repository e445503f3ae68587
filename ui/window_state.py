"""Window geometry and pane state (current pane, splitter sizes) kept across restarts.

Stored with ``QSettings`` in an INI file in the profile's config directory, next to the
desktop preferences (:class:`DesktopSettings`). Nothing secret is ever written there.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from ui.main_window import PANES, MainWindow

SETTINGS_FILE = "ringdesk.ini"


def open_settings(config_dir: Path) -> QSettings:
    return QSettings(str(config_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


class DesktopSettings:
    """The user's choices about desktop behaviour."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def _flag(self, key: str, default: bool) -> bool:
        value = self._settings.value(key, default)
        return value in (True, "true", "1", 1)

    @property
    def close_to_tray(self) -> bool:
        return self._flag("desktop/close_to_tray", True)

    @close_to_tray.setter
    def close_to_tray(self, on: bool) -> None:
        self._settings.setValue("desktop/close_to_tray", on)

    @property
    def tray_hint_shown(self) -> bool:
        return self._flag("desktop/tray_hint_shown", False)

    @tray_hint_shown.setter
    def tray_hint_shown(self, shown: bool) -> None:
        self._settings.setValue("desktop/tray_hint_shown", shown)

    @property
    def do_not_disturb(self) -> bool:
        return self._flag("desktop/do_not_disturb", False)

    @do_not_disturb.setter
    def do_not_disturb(self, on: bool) -> None:
        self._settings.setValue("desktop/do_not_disturb", on)

    def sync(self) -> None:
        self._settings.sync()


class WindowState:
    """Saves and restores one main window's geometry, current pane and splitters."""

    def __init__(self, window: MainWindow, settings: QSettings) -> None:
        self._window = window
        self._settings = settings
        self._restored_panes: set[str] = set()
        window.stack.currentChanged.connect(self._on_stack_current_changed)

    def restore(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self._window.restoreGeometry(geometry)
        state = self._settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self._window.restoreState(state)
        pane = self._settings.value("window/pane")
        if isinstance(pane, str) and pane in PANES:
            self._window.show_pane(pane)
        self._restore_splitters(self._current_pane())

    def save(self) -> None:
        self._settings.setValue("window/geometry", self._window.saveGeometry())
        self._settings.setValue("window/state", self._window.saveState())
        self._settings.setValue("window/pane", self._current_pane())
        for pane in PANES:
            if pane not in self._restored_panes and pane != self._current_pane():
                continue  # never shown this run: keep what was saved before
            for index, splitter in enumerate(self._splitters(pane)):
                self._settings.setValue(f"splitters/{pane}/{index}", splitter.saveState())
        self._settings.sync()

    def _current_pane(self) -> str:
        row = self._window.navigation.currentRow()
        return PANES[row] if 0 <= row < len(PANES) else PANES[0]

    def _splitters(self, pane: str) -> list[QSplitter]:
        widget: QWidget = self._window.panes[pane]
        return widget.findChildren(QSplitter)

    def _restore_splitters(self, pane: str) -> None:
        if pane in self._restored_panes:
            return
        self._restored_panes.add(pane)
        for index, splitter in enumerate(self._splitters(pane)):
            state = self._settings.value(f"splitters/{pane}/{index}")
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)

    def _on_stack_current_changed(self, index: int) -> None:
        if 0 <= index < len(PANES):
            self._restore_splitters(PANES[index])
