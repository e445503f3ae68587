"""The tray on a platform without a tray host (offscreen): the app works and says so."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.events import NotificationRequested
from ui.tray import Tray


def test_without_a_tray_host_notify_reports_it_could_not_show(qtbot: QtBot) -> None:
    tray = Tray()
    assert tray.available is False
    assert tray.notify(NotificationRequested("Ann", "hi")) is False
    opened: list[bool] = []
    tray.open_requested.connect(lambda: opened.append(True))
    tray.menu.actions()[0].trigger()
    assert opened == [True]
