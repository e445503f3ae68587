"""The contact actions hand the right links to the system and say what happened."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from ui.contact_actions import ContactActions


def test_call_text_and_mail_open_links_and_failures_are_explained(qtbot: QtBot) -> None:
    opened: list[str] = []
    handled = True

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        return handled

    actions = ContactActions(open_url)
    notices: list[str] = []
    errors: list[str] = []
    actions.notice.connect(notices.append)
    actions.error.connect(errors.append)
    actions.call("+1 (555) 123-4567")
    actions.text("+15551234567")
    actions.email("ann@example.com")
    assert opened == ["tel:+15551234567", "sms:+15551234567", "mailto:ann@example.com"]
    assert notices[0].startswith("Calling")
    handled = False
    actions.call("1001")
    assert "No app on this computer handles calls" in errors[-1]
    actions.call("not a number")
    assert "not a phone number" in errors[-1]


def test_copy_puts_the_text_on_the_clipboard(qtbot: QtBot) -> None:
    actions = ContactActions(lambda _url: True)
    actions.copy("+15551234567")
    assert QGuiApplication.clipboard().text() == "+15551234567"
