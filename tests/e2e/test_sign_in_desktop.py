"""A new user's first run, for real: Xvfb, a D-Bus session, dunst, a StatusNotifier host and
GNOME Keyring. Sign in through the dialog (wrong key, then the demo server's key), find the
key in the keyring and nowhere in the profile, get a notification, hand a tel: link to the
running instance from a second start, and restart signed in without being asked."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.demo.server import DemoServer
from tests.e2e.desktop import Desktop
from tests.e2e.test_demo_desktop import wait_for_line
from tests.keyring_session import missing_keyring_tools, secret_tool_lookup

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS_DIR = os.environ.get("RINGDESK_SHOTS")


def xdotool(desktop: Desktop, *args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], env=desktop.env, capture_output=True, text=True, timeout=20, check=False
    )
    return done.stdout


def type_text(desktop: Desktop, text: str) -> None:
    xdotool(desktop, "type", "--delay", "8", text)


def window_names(desktop: Desktop) -> str:
    return subprocess.run(
        ["xwininfo", "-root", "-tree"], env=desktop.env, capture_output=True, text=True, timeout=10
    ).stdout


def wait_for_window(desktop: Desktop, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f'"{name}' in window_names(desktop):
            return
        time.sleep(0.1)
    raise AssertionError(f"no window named {name!r}:\n{window_names(desktop)[-2000:]}")


def shot(desktop: Desktop, tmp_path: Path, name: str, window: str = "") -> Path:
    """A screenshot of the screen, or of the named window when there is one."""
    window_id = desktop.window_id(window) if window else ""
    path = desktop.screenshot(tmp_path / name, window_id or "root")
    assert path.stat().st_size > 5_000
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS_DIR) / name)
    return path


def files_holding(root: Path, secret: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]


def start_ringdesk(desktop: Desktop, profile: Path, log_name: str) -> subprocess.Popen[bytes]:
    return desktop.spawn(
        [sys.executable, "-m", "ui.main", "--profile", str(profile)], log_name, cwd=ROOT
    )


def test_first_run_sign_in_keyring_notification_link_and_restart(desktop: Desktop, tmp_path: Path) -> None:
    missing = [t for t in ("xdotool", "xwininfo") if shutil.which(t) is None] + missing_keyring_tools()
    if missing:
        pytest.fail(f"tools missing: {missing} (scripts/run-tests installs them)")
    desktop.start_keyring()
    profile = tmp_path / "profile"
    with DemoServer(tmp_path / "demo.sqlite3", contacts=200, traffic=True, traffic_interval=1.5) as server:
        creds = server.credentials
        key = creds.api_key.encode()
        app = start_ringdesk(desktop, profile, "ringdesk.log")
        log = desktop.root / "ringdesk.log"

        # First run: no account, so the sign-in dialog asks (focus in the API key field).
        wait_for_window(desktop, "Sign in to RingDesk")
        time.sleep(0.5)
        shot(desktop, tmp_path, "sign-in.png", "Sign in to RingDesk")
        xdotool(desktop, "key", "shift+Tab", "ctrl+a")
        type_text(desktop, server.url)
        xdotool(desktop, "key", "Tab")
        type_text(desktop, "wrong-key-123")
        xdotool(desktop, "key", "Return")
        wait_for_line(log, r"sign-in: wrong-key", timeout=20)
        time.sleep(0.3)
        shot(desktop, tmp_path, "sign-in-wrong-key.png", "Sign in to RingDesk")

        xdotool(desktop, "key", "ctrl+a")
        type_text(desktop, creds.api_key)
        xdotool(desktop, "key", "Return")
        wait_for_line(log, r"sign-in: key accepted, 200 users listed", timeout=20)
        type_text(desktop, creds.user_email)
        time.sleep(0.5)
        shot(desktop, tmp_path, "sign-in-user.png")
        xdotool(desktop, "key", "Return")  # takes the completion
        time.sleep(0.5)
        xdotool(desktop, "key", "Return")  # Sign in
        wait_for_line(log, r"signed in as account (\w+) \(key in the keyring\)", timeout=20)
        painted = wait_for_line(log, r"first paint: (\d+) contacts shown", timeout=60)
        assert int(painted.group(1)) >= 200  # the company's users, and more sources as they sync

        # The key is in GNOME Keyring, where another program finds it...
        accounts = json.loads((profile / "config" / "accounts.json").read_text())
        account = accounts["accounts"][0]
        assert account["user_id"] == creds.user_id and account["server_url"] == server.url
        found = secret_tool_lookup(desktop.env, service="RingDesk", username=f"account:{account['id']}")
        assert found == creds.api_key
        # ... and not on the command line or in the environment of the process.
        for part in ("cmdline", "environ"):
            assert key not in Path(f"/proc/{app.pid}/{part}").read_bytes()

        # A notification reaches the notification daemon over D-Bus (the demo's inbound SMS).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "member=Notify" not in desktop.dbus_log():
            time.sleep(0.2)
        assert "member=Notify" in desktop.dbus_log(), log.read_text()[-3000:]

        # A second start hands its tel: link to the first and exits 0 at once.
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "ui.main", "--profile", str(profile), "tel:+15551234567"],
            env=desktop.env, cwd=ROOT, capture_output=True, timeout=30, check=False,
        )
        elapsed = time.monotonic() - started
        print(f"second start handed its link over and exited in {elapsed:.2f} s")
        assert second.returncode == 0, second.stderr.decode()[-2000:]
        assert elapsed < 8, elapsed
        assert b"handed over to the running RingDesk" in second.stderr
        wait_for_line(log, r"link: offering to call", timeout=10)
        wait_for_window(desktop, "Call +1 555-123-4567?", timeout=10)
        time.sleep(0.3)
        shot(desktop, tmp_path, "call-link.png")
        xdotool(desktop, "key", "Escape")

        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
        first_log = log.read_text(errors="replace")
        assert "Traceback" not in first_log, first_log[-3000:]

        # Restart: signed in from the keyring, no dialog.
        again = start_ringdesk(desktop, profile, "ringdesk-2.log")
        log2 = desktop.root / "ringdesk-2.log"
        wait_for_line(log2, r"signed in from the keyring as account " + account["id"], timeout=30)
        repainted = wait_for_line(log2, r"first paint: (\d+) contacts shown", timeout=60)
        assert int(repainted.group(1)) >= 200  # from the cache, before any network
        assert "Sign in to RingDesk" not in window_names(desktop)
        time.sleep(1.0)
        shot(desktop, tmp_path, "contacts.png", "RingDesk")
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=30) == 0

    # The key is nowhere in the profile: settings, accounts, SQLite cache and WAL, logs.
    assert (profile / "data" / "accounts" / account["id"] / "cache.sqlite3").exists()
    assert (profile / "config" / "ringdesk.ini").exists()
    assert files_holding(profile, key) == []
    assert files_holding(profile, creds.api_key[:12].encode()) == []
