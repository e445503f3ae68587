"""An in-app audio player for one recording: play/pause, a seek bar, position and length.

Built on ``QMediaPlayer`` + ``QAudioOutput``, made on first use (QtMultimedia and its FFmpeg
backend load then, not at start-up). Without a sound card Qt still decodes and the position
still advances, so the player works (silently) on any machine.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMetaObject, QPointF, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QMouseEvent, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from app.domain.voicemail import format_duration

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

log = logging.getLogger(__name__)


class SeekSlider(QSlider):
    """A horizontal slider that jumps to where it is clicked (not one page at a time)."""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.maximum() > self.minimum():
            value = QStyle.sliderValueFromPosition(
                self.minimum(), self.maximum(), int(event.position().x()), max(self.width(), 1)
            )
            self.setValue(value)
            self.sliderMoved.emit(value)
        super().mousePressEvent(event)


def glyph_icon(playing: bool, size: int = 22) -> QIcon:
    """A white play triangle, or pause bars, for the round play button."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    if playing:
        bar = size * 0.22
        painter.drawRoundedRect(QRectF(size * 0.22, size * 0.18, bar, size * 0.64), 1.5, 1.5)
        painter.drawRoundedRect(QRectF(size * 0.56, size * 0.18, bar, size * 0.64), 1.5, 1.5)
    else:
        corners = ((0.3, 0.16), (0.84, 0.5), (0.3, 0.84))
        painter.drawPolygon(QPolygonF([QPointF(size * x, size * y) for x, y in corners]))
    painter.end()
    return QIcon(pixmap)


def _clock(milliseconds: int) -> str:
    return format_duration(milliseconds / 1000) if milliseconds > 0 else "0:00"


class VoicemailPlayer(QWidget):
    started = Signal()  # the recording really plays: its position moved past 0 (once per load)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._player: QMediaPlayer | None = None
        self._output: QAudioOutput | None = None
        self._announced = False
        self.source: Path | None = None

        self.play_button = QToolButton()
        self.play_button.setObjectName("playButton")
        self.play_button.setIconSize(QSize(22, 22))
        self.play_button.setFixedSize(QSize(38, 38))
        self.play_button.setAccessibleName("Play")
        self.play_button.setToolTip("Play (Space)")
        self.play_button.setIcon(glyph_icon(False))
        self.play_button.clicked.connect(self.toggle)
        self.slider = SeekSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Position in the recording")
        self.slider.sliderMoved.connect(self._on_slider_moved)
        self.slider.sliderReleased.connect(self._on_slider_released)
        self.position_label = QLabel("0:00")
        self.position_label.setObjectName("playerTime")
        self.duration_label = QLabel("0:00")
        self.duration_label.setObjectName("playerTime")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.play_button)
        layout.addWidget(self.position_label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.duration_label)
        self.clear()

    # -- what the pane calls ------------------------------------------------------------

    def clear(self, duration: float = 0.0) -> None:
        """No recording loaded (yet): disabled, showing the expected length if known."""
        self.shut_down()
        self.source = None
        self._announced = False
        self.slider.setRange(0, int(duration * 1000))
        self.slider.setValue(0)
        self.position_label.setText("0:00")
        self.duration_label.setText(format_duration(duration) if duration else "0:00")
        self._show_playing(False)
        self.setEnabled(False)

    def load(self, path: Path, *, autoplay: bool = False) -> None:
        player = self._ensure_player()
        self.source = path
        self._announced = False
        player.setSource(QUrl.fromLocalFile(str(path)))
        self.setEnabled(True)
        if autoplay:
            player.play()

    def play(self) -> None:
        if self._player is not None and self.source is not None:
            self._player.play()

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    @property
    def playing(self) -> bool:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = QMediaPlayer.PlaybackState.PlayingState
        return self._player is not None and self._player.playbackState() == playing

    def position(self) -> int:
        """Milliseconds into the recording."""
        return self._player.position() if self._player is not None else 0

    def duration(self) -> int:
        return self._player.duration() if self._player is not None else 0

    def seek(self, milliseconds: int) -> None:
        if self._player is not None:
            self._player.setPosition(max(0, milliseconds))

    def shut_down(self) -> None:
        if self._player is not None:
            _stop_without_the_gil(self._player)
            self._player.setSource(QUrl())

    # -- the media player ---------------------------------------------------------------

    def _ensure_player(self) -> QMediaPlayer:
        if self._player is None:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

            self._output = QAudioOutput(self)
            self._player = QMediaPlayer(self)
            self._player.setAudioOutput(self._output)
            self._player.positionChanged.connect(self._on_player_position_changed)
            self._player.durationChanged.connect(self._on_player_duration_changed)
            self._player.playbackStateChanged.connect(self._on_player_playback_state_changed)
            self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
            self._player.errorOccurred.connect(self._on_player_error_occurred)
        return self._player

    def _on_player_position_changed(self, position: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(position)
        self.position_label.setText(_clock(position))
        if position > 0 and self.playing and not self._announced:
            self._announced = True
            self.started.emit()

    def _on_player_duration_changed(self, duration: int) -> None:
        if duration > 0:
            self.slider.setRange(0, duration)
            self.duration_label.setText(_clock(duration))

    def _on_player_playback_state_changed(self, _state: object) -> None:
        self._show_playing(self.playing)

    def _on_player_media_status_changed(self, status: object) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.EndOfMedia and self._player is not None:
            self._player.setPosition(0)
            self.slider.setValue(0)
            self.position_label.setText("0:00")

    def _on_player_error_occurred(self, _error: object, text: str) -> None:
        log.warning("voicemail player: %s (%s)", text, self.source)
        self.failed.emit(f"The recording could not be played: {text or 'unknown error'}")

    def _on_slider_moved(self, value: int) -> None:
        self.position_label.setText(_clock(value))
        if not self.slider.isSliderDown():
            self.seek(value)  # a click on the track

    def _on_slider_released(self) -> None:
        self.seek(self.slider.value())

    def _show_playing(self, playing: bool) -> None:
        self.play_button.setIcon(glyph_icon(playing))
        self.play_button.setAccessibleName("Pause" if playing else "Play")
        self.play_button.setToolTip("Pause (Space)" if playing else "Play (Space)")


def _stop_without_the_gil(player: QMediaPlayer) -> None:
    """Stop playback without holding Python's GIL.

    ``QMediaPlayer.stop()`` waits for FFmpeg's threads, and PySide6 keeps the GIL while it
    runs (it lets go for ``setSource``, not for ``stop``). A renderer thread that tears down
    its objects needs the GIL (Qt tells our wrapped QAudioOutput that a connection went, and
    PySide looks for a Python override), so the app froze for good now and then when
    playback stopped. ``invokeMethod`` releases the GIL for the call.
    """
    QMetaObject.invokeMethod(player, "stop", Qt.ConnectionType.DirectConnection)
