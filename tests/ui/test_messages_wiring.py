"""The Messages pane inside the running app, signed in to the embedded demo server: "Send
SMS" from a contact, a favorite's Text, an ``sms:`` link and a clicked notification all land
in the pane; the unread count reaches the navigation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.demo.server import DemoServer
from app.profile import Profile
from tests.integration.recording import credentials_of
from ui.application import RingDesk
from ui.cli import build_parser

pytestmark = pytest.mark.usefixtures("app_stays_up")


async def until(condition: Callable[[], Any], within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_texts_from_contacts_links_and_notifications_open_the_pane(
    demo_server: DemoServer, tmp_path: Path, qtbot: QtBot
) -> None:
    profile = Profile.at(tmp_path / "profile").create()
    desk = RingDesk(build_parser().parse_args([]), profile, 0.0)
    qtbot.addWidget(desk.window)
    opened: list[str] = []
    desk.actions._open_url = lambda url: opened.append(url.toString()) or True  # the system's handler
    try:
        desk.text("+16195550123")  # not signed in yet: the system's sms: handler
        assert opened == ["sms:+16195550123"]

        desk.window.show()
        await desk._start_session(demo_server.url, credentials_of(demo_server))
        # the unread count reaches the navigation and the tray before the pane is ever built
        await until(lambda: "Messages   " in desk.window.navigation.item(2).text())
        assert desk.messages_pane is None and desk.tray.unread == desk.unread.total > 0
        desk.window.show_pane("Messages")
        pane = desk.messages_pane
        assert pane is not None and desk.window.panes["Messages"] is pane
        await until(lambda: pane.model.rowCount() > 30)

        summary = pane.model.summary(4)
        assert summary is not None
        desk.contacts_pane.details.sms_requested.emit(summary.number)  # "Send SMS" in a contact
        assert desk.window.stack.currentWidget() is pane
        await until(lambda: pane.thread_view.conversation_id == summary.conversation_id)
        assert opened == ["sms:+16195550123"]  # nothing more went to the system

        desk.window.sms_link_opened.emit("+1 (415) 555-0199", "See you at 5")  # a new number
        # the demo user owns several texting numbers: the new-message dialog asks which one
        await until(lambda: pane.new_dialog is not None and pane.new_dialog.start.isEnabled())
        dialog = pane.new_dialog
        assert dialog is not None
        assert dialog.number() == "+14155550199" and dialog.from_box.count() > 1
        dialog.from_box.setCurrentIndex(1)
        sender = dialog.from_box.currentData()
        dialog.start.click()
        await until(lambda: pane.thread_view.draft_number == "+14155550199")
        assert pane.thread_view.from_number == sender
        assert pane.thread_view.compose.text() == "See you at 5"  # the link's text, not sent

        other = pane.model.summary(7)
        assert other is not None
        desk.tray.last_conversation_id = other.conversation_id
        desk.tray.icon.messageClicked.emit()  # the notification about it was clicked
        await until(lambda: pane.thread_view.conversation_id == other.conversation_id)
    finally:
        await desk.shutdown()
