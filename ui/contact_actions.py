"""What the Call / SMS / E-mail / Copy buttons do: hand a link to the system, or copy."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.services.calling import NotDialable, mailto_uri, sms_uri, tel_uri

log = logging.getLogger(__name__)


def open_with_system(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


class ContactActions(QObject):
    """Places calls and texts through the system's ``tel:``/``sms:`` handler (until a
    provider's own click-to-call is wired in) and reports the outcome in words."""

    notice = Signal(str)  # something to tell the user, e.g. "Copied"
    error = Signal(str)

    def __init__(self, open_url: Callable[[QUrl], bool] = open_with_system, parent: QObject | None = None):
        super().__init__(parent)
        self._open_url = open_url

    def call(self, number: str) -> None:
        self._open(lambda: tel_uri(number), f"Calling {number}…", "calls")

    def text(self, number: str) -> None:
        self._open(lambda: sms_uri(number), f"Opening a text to {number}…", "text messages")

    def email(self, address: str) -> None:
        self._open(lambda: mailto_uri(address), f"Writing to {address}…", "e-mail")

    def copy(self, text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text)
        self.notice.emit(f"Copied {text}")

    def _open(self, make_uri: Callable[[], str], doing: str, what: str) -> None:
        try:
            uri = make_uri()
        except (NotDialable, ValueError) as exc:
            self.error.emit(str(exc))
            return
        if self._open_url(QUrl(uri)):
            self.notice.emit(doing)
        else:
            log.warning("no handler for %s", uri.split(":", 1)[0])
            self.error.emit(f"No app on this computer handles {what} ({uri.split(':', 1)[0]}: links).")
