"""What the running RingDesk does with a tel:/sip:/callto:/sms: link handed to it.

A call link asks first (a link on a web page must not dial by itself) and then goes to the
calling dispatcher (``ContactActions.call``); an sms: link shows the Messages pane and emits
``MainWindow.sms_link_opened(number, body)`` for the Messages pane to open a prefilled text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import SIGNAL, QObject, Qt
from PySide6.QtWidgets import QMessageBox

from app.domain.links import CallLink, InvalidLink, SmsLink, parse_link
from ui.contact_actions import ContactActions
from ui.main_window import MainWindow

log = logging.getLogger(__name__)

# A call link for a number RingDesk itself handed to the system this recently came back:
# RingDesk is the system's handler for tel: links, and no other program places calls.
ECHO_SECONDS = 15.0


def display_number(number: str) -> str:
    from app.domain.phone import format_for_display  # phonenumbers: not on the start-up path

    return format_for_display(number) if number.startswith("+") else number


class LinkHandler(QObject):
    def __init__(
        self,
        window: MainWindow,
        actions: ContactActions,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._actions = actions
        self._clock = clock
        self._dispatched: dict[str, float] = {}
        self.confirm: QMessageBox | None = None

    def handle(self, text: str) -> None:
        try:
            link = parse_link(text)
        except InvalidLink as exc:
            log.info("link refused: %s", exc)
            self._window.bring_to_front()
            self._window.show_error(f"RingDesk cannot open this link: {exc}.")
            return
        self._window.bring_to_front()
        if isinstance(link, CallLink):
            self._offer_call(link)
        else:
            self._open_sms(link)

    def _offer_call(self, link: CallLink) -> None:
        sent = self._dispatched.get(link.number)
        if sent is not None and self._clock() - sent < ECHO_SECONDS:
            self._dispatched.pop(link.number, None)
            self._window.show_error(
                f"No other program on this computer places calls: the {link.source}: link RingDesk "
                "passed on came back to it. Install a softphone or your phone system's calling app."
            )
            return
        shown = display_number(link.number)
        if self.confirm is not None:
            self.confirm.done(QMessageBox.StandardButton.Cancel)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            f"Call {shown}?",
            f"Call {shown}?",
            QMessageBox.StandardButton.Cancel,
            self._window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(f"Another program asked RingDesk to call this number ({link.source}: link).")
        call = box.addButton("Call", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(call)
        box.setAccessibleName(f"Call {shown}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        log.info("link: offering to call")

        def on_finished(_result: int) -> None:
            if self.confirm is box:
                self.confirm = None
            if box.clickedButton() is call:
                self._dispatched[link.number] = self._clock()
                self._actions.call(link.number)

        box.finished.connect(on_finished)
        self.confirm = box
        box.open()

    def _open_sms(self, link: SmsLink) -> None:
        log.info("link: opening a text")
        self._window.show_pane("Messages")
        if self._window.receivers(SIGNAL("sms_link_opened(QString,QString)")) > 0:
            self._window.sms_link_opened.emit(link.number, link.body)
        else:
            self._window.statusBar().showMessage(
                f"A text to {display_number(link.number)} was asked for; the Messages pane cannot "
                "write texts yet.",
                10_000,
            )
