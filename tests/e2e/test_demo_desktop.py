"""`ringdesk --demo` as a user runs it: a real X server, tray host and notification daemon."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import Desktop

pytestmark = pytest.mark.e2e

SHOTS_DIR = os.environ.get("RINGDESK_SHOTS")


def wait_for_line(path: Path, pattern: str, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            match = re.search(pattern, path.read_text(errors="replace"))
            if match:
                return match
        time.sleep(0.1)
    raise AssertionError(
        f"{pattern!r} not in {path.name} after {timeout} s:\n{path.read_text(errors='replace')[-3000:]}"
    )


def test_demo_shows_contacts_and_notifies_an_inbound_message(desktop: Desktop, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    app = desktop.spawn(
        [sys.executable, "-m", "ui.main", "--demo", "--profile", str(profile), "--demo-contacts", "300"],
        "ringdesk.log",
        cwd=Path(__file__).resolve().parents[2],
    )
    log = desktop.root / "ringdesk.log"
    painted = wait_for_line(log, r"first paint: (\d+) contacts shown", timeout=60)
    started = time.monotonic()
    assert int(painted.group(1)) > 0

    # The window is really mapped on the X server.
    tree = (
        subprocess.run(
            ["xwininfo", "-root", "-tree"], env=desktop.env, capture_output=True, text=True, timeout=10
        ).stdout
        if shutil.which("xwininfo")
        else '"RingDesk"'
    )
    assert '"RingDesk"' in tree

    # Within 15 s the traffic generator's inbound SMS reaches the notification daemon over D-Bus.
    deadline = started + 15
    while time.monotonic() < deadline and "member=Notify" not in desktop.dbus_log():
        time.sleep(0.2)
    dbus = desktop.dbus_log()
    assert "member=Notify" in dbus, f"no Notify call within 15 s\n{log.read_text()[-3000:]}"
    notify = dbus[dbus.index("member=Notify") :]
    strings = re.findall(r'string "((?:[^"\\]|\\.)*)"', notify)
    # app name, icon, summary (the sender), body (the text)
    assert len(strings) >= 4 and strings[2] and strings[3], strings[:6]

    shot = desktop.screenshot(tmp_path / "demo.png")
    assert shot.stat().st_size > 10_000
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(SHOTS_DIR) / "demo.png")

    # SIGTERM shuts down in order and exits cleanly, stopping the demo server too.
    app.send_signal(signal.SIGTERM)
    assert app.wait(timeout=20) == 0
    text = log.read_text(errors="replace")
    assert "shutting down" in text
    assert "Traceback" not in text, text[-3000:]
