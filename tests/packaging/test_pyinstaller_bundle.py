"""packaging/ringdesk.spec builds a bundle that starts and shows its window (``--demo``)
on this machine, under a real X server with a tray host and notification daemon.

The build takes about a minute on two idle cores (55 s measured), so this is one test that
builds once; ``-m "not packaging"`` leaves it out of a quick local run.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.desktop import missing_tools, running_desktop
from tests.e2e.test_demo_desktop import wait_for_line

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]


def test_the_pyinstaller_bundle_starts_and_shows_the_window(tmp_path: Path) -> None:
    missing = missing_tools() + ([] if importlib.util.find_spec("PyInstaller") else ["pyinstaller"])
    if missing:
        message = f"missing: {', '.join(missing)} (scripts/run-tests installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    dist, work = tmp_path / "dist", tmp_path / "build"
    started = time.monotonic()
    build = subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
            "--distpath", str(dist), "--workpath", str(work), str(ROOT / "packaging" / "ringdesk.spec"),
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=840, check=False,
    )
    build_seconds = time.monotonic() - started
    assert build.returncode == 0, build.stderr[-4000:]
    print(f"PyInstaller build: {build_seconds:.0f} s")
    binary = dist / "ringdesk" / "ringdesk"
    assert binary.is_file() and os.access(binary, os.X_OK)
    assert not list((dist / "ringdesk").rglob("libQt6WebEngine*")), "unused Qt modules were bundled"
    dangling = [p for p in (dist / "ringdesk").rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []

    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert version.returncode == 0 and version.stdout.startswith("ringdesk "), version.stderr[-2000:]

    with running_desktop(tmp_path / "desktop") as desktop:
        app = desktop.spawn(
            [str(binary), "--demo", "--demo-contacts", "50", "--profile", str(tmp_path / "profile")],
            "bundle.log",
            cwd=tmp_path,
        )
        log = desktop.root / "bundle.log"
        painted = wait_for_line(log, r"first paint: (\d+) contacts shown", timeout=90)
        assert int(painted.group(1)) >= 50
        tree = subprocess.run(
            ["xwininfo", "-root", "-tree"], env=desktop.env, capture_output=True, text=True, timeout=10
        ).stdout
        assert '"RingDesk"' in tree
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]
