"""The status bar's account of the live connection: connecting, online, offline (retrying)."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app.domain.events import ConnectionChanged, ConnectionState

_DOT = {
    ConnectionState.CONNECTING: "#d4a72c",
    ConnectionState.ONLINE: "#2da44e",
    ConnectionState.OFFLINE: "#8c959f",
    ConnectionState.UNAUTHORIZED: "#cf222e",
}


class ConnectionStatus(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Connection status")
        self._state = ConnectionState.CONNECTING
        self._detail = ""
        self._retry_at: float | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._render)
        self._render()

    @property
    def state(self) -> ConnectionState:
        return self._state

    def show_state(self, event: ConnectionChanged) -> None:
        self._state = event.state
        self._detail = event.detail
        self._retry_at = time.monotonic() + event.retry_in if event.retry_in is not None else None
        if self._retry_at is not None:
            self._tick.start()
        else:
            self._tick.stop()
        self._render()

    def text_for_state(self) -> str:
        if self._state is ConnectionState.CONNECTING:
            return "Connecting…"
        if self._state is ConnectionState.ONLINE:
            return "Online"
        if self._state is ConnectionState.UNAUTHORIZED:
            return "Signed out: " + (self._detail or "the server refused the credentials")
        if self._retry_at is not None:
            seconds = max(0, math.ceil(self._retry_at - time.monotonic()))
            return f"Offline — retrying in {seconds} s" if seconds else "Offline — retrying now"
        return "Offline"

    def _render(self) -> None:
        self.setText(f'<span style="color:{_DOT[self._state]}">●</span> {self.text_for_state()}')
        if self._retry_at is not None and time.monotonic() >= self._retry_at:
            self._tick.stop()
