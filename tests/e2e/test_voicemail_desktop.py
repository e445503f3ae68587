"""A voicemail left while RingDesk runs reaches the desktop's notification daemon: the app on
a real X server and D-Bus session, signed in to a demo server through the environment."""

from __future__ import annotations

import random
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from app.demo.server import DemoServer
from app.demo.voicemail import add_voicemail
from app.demo.voicemail_data import callers
from app.domain.voicemail import format_duration
from app.services.voicemail import readable_caller_id
from tests.e2e.desktop import Desktop
from tests.e2e.test_demo_desktop import wait_for_line

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_voicemail_raises_a_desktop_notification(desktop: Desktop, tmp_path: Path) -> None:
    with DemoServer(tmp_path / "demo.sqlite3", contacts=200, traffic=False) as server:
        c = server.credentials
        desktop.env.update(
            RINGDESK_API_KEY=c.api_key, RINGDESK_USER_ID=c.user_id, RINGDESK_USER_EMAIL=c.user_email
        )
        app = desktop.spawn(
            [sys.executable, "-m", "ui.main", "--server", server.url, "--profile", str(tmp_path / "profile")],
            "ringdesk.log",
            cwd=ROOT,
        )
        log = desktop.root / "ringdesk.log"
        # The first poll only takes note of the voicemails already there: no notification.
        wait_for_line(log, r"voicemail: first poll, (\d+) items taken as already seen", timeout=60)
        assert "Voicemail from" not in desktop.dbus_log()

        wait_for_line(log, r"synced ringplan-texting", timeout=60)  # the customers are in the book
        # Seeded: a texting customer whose carrier sent a generic caller-ID name ("TOLL FREE CALL")
        left = add_voicemail(server.db, random.Random(1))
        caller = left["source_representation_name"]
        # A reconnect makes the app poll at once (instead of in 15 s).
        server.disconnect_all_sockets()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Voicemail from" not in desktop.dbus_log():
            time.sleep(0.2)
        dbus = desktop.dbus_log()
        assert "Voicemail from" in dbus, f"no voicemail notification\n{log.read_text()[-3000:]}"
        notify = dbus[dbus.rindex("member=Notify") :]
        strings = re.findall(r'string "((?:[^"\\]|\\.)*)"', notify)
        assert "New voicemail" in strings
        body = next(s for s in strings if s.startswith("Voicemail from"))
        # Named from the contact book (a colleague, or a texting customer whatever the carrier
        # sent), else by the caller-ID name.
        with server.db.transaction() as conn:
            colleagues, customers = callers(conn)
        in_book = {str(c.extension): c.name for c in colleagues + customers}
        name = in_book.get(str(left["extension_source"])) or readable_caller_id(caller)
        assert name != readable_caller_id(caller)  # the seed gives the case that tells them apart
        length = format_duration(left["voicemail_file"]["duration"])
        assert body == f"Voicemail from {name} ({length})"

        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=20) == 0
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
