"""Take the screenshots under resources/screenshots/ that the AppStream metainfo shows.

    python -m tests.e2e.screenshots [OUTDIR]     (default: resources/screenshots)

Runs RingDesk for real on a private Xvfb desktop (tray host, notification daemon, keyring):
``--demo`` for the main window and the keyboard shortcuts window, and a fresh profile for the
first-run sign-in dialog. Each shot is of one window, taken with ImageMagick's ``import``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.desktop import Desktop, running_desktop

ROOT = Path(__file__).resolve().parents[2]


def wait_for(path: Path, pattern: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and re.search(pattern, path.read_text(errors="replace")):
            return
        time.sleep(0.2)
    raise SystemExit(f"{pattern!r} did not show in {path}")


def window(desktop: Desktop, name: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = desktop.window_id(name)
        if found:
            return found
        time.sleep(0.2)
    raise SystemExit(f"no window named {name!r}")


def xdotool(desktop: Desktop, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=desktop.env, check=True, timeout=20)


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="ringdesk-shots-") as tmp,
        running_desktop(Path(tmp) / "desk") as desk,
    ):
        desk.start_keyring()
        # Notifications would cover the window: start with Do Not Disturb on.
        config = Path(tmp) / "demo" / "config"
        config.mkdir(parents=True)
        (config / "ringdesk.ini").write_text("[desktop]\ndo_not_disturb=true\n")
        app = desk.spawn(
            [sys.executable, "-m", "ui.main", "--demo", "--demo-contacts", "300", "--profile", f"{tmp}/demo"],
            "demo.log",
            cwd=ROOT,
        )
        wait_for(desk.root / "demo.log", r"first paint")
        main_window = window(desk, "RingDesk")
        time.sleep(3)  # presence arrives
        xdotool(desk, "windowfocus", main_window)
        xdotool(desk, "mousemove", "--window", main_window, "420", "250", "click", "1")
        time.sleep(1)
        desk.screenshot(out / "main-window.png", main_window)
        xdotool(desk, "key", "F1")
        desk.screenshot(out / "keyboard-shortcuts.png", window(desk, "Keyboard Shortcuts"))
        app.terminate()
        app.wait(30)

        first_run = desk.spawn(
            [sys.executable, "-m", "ui.main", "--profile", f"{tmp}/new"], "new.log", cwd=ROOT
        )
        dialog = window(desk, "Sign in to RingDesk")
        time.sleep(0.5)
        desk.screenshot(out / "sign-in.png", dialog)
        first_run.terminate()
        first_run.wait(30)
    for shot in sorted(out.glob("*.png")):
        print(shot)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "screenshots"))
