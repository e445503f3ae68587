"""Screenshots of the Fax pane and the send dialog, taken from ``ringdesk --demo`` as a new user
runs it under Xvfb: ``python -m tests.e2e.fax_screenshots OUT_DIR`` (needs xdotool)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.desktop import running_desktop
from tests.e2e.test_demo_desktop import wait_for_line
from tests.fax_samples import write_pdf

ROOT = Path(__file__).resolve().parents[2]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="ringdesk-shots-") as temp,
        running_desktop(Path(temp)) as desktop,
    ):
        document = write_pdf(
            Path(temp) / "Signed service agreement.pdf", pages=3, subject="Signed service agreement"
        )
        profile = Path(temp) / "profile"
        desktop.spawn(
            [sys.executable, "-m", "ui.main", "--demo", "--profile", str(profile)], "ringdesk.log", cwd=ROOT
        )
        wait_for_line(desktop.root / "ringdesk.log", r"first paint", timeout=90)

        xdo, window = desktop.xdo, desktop.wait_for_window

        def shot(window_id: str, name: str) -> None:
            subprocess.run(["dunstctl", "close-all"], env=desktop.env, check=False)  # popups cover the pane
            time.sleep(0.3)
            subprocess.run(["import", "-window", window_id, str(out / name)], env=desktop.env, check=True)

        main_window = window("^RingDesk$")
        xdo("windowsize", main_window, "1180", "760")
        time.sleep(4)  # the session starts, the fax boxes load
        xdo("mousemove", "--window", main_window, "40", "209", "click", "1")  # "Fax" in the navigation
        time.sleep(2)
        subprocess.run(
            ["dunstctl", "close-all"], env=desktop.env, check=False
        )  # notifications cover the pane
        time.sleep(0.5)
        shot(main_window, "fax-pane.png")
        # Double-click the first fax: the viewer opens.
        xdo("mousemove", "--window", main_window, "700", "218", "click", "--repeat", "2", "1")
        viewer = window("^Fax — ")
        time.sleep(1.5)
        shot(viewer, "fax-viewer.png")
        xdo("key", "--window", viewer, "Escape")
        xdo("windowclose", viewer)
        time.sleep(0.5)
        xdo("mousemove", "--window", main_window, "337", "172", "click", "1")  # the Outbound tab
        time.sleep(1.5)
        shot(main_window, "fax-outbound.png")

        xdo("key", "ctrl+shift+f")
        dialog = window("^Send fax$")
        xdo("windowfocus", "--sync", dialog)
        time.sleep(0.5)
        xdo("key", "space")  # "Choose file…" has the focus
        chooser = window("Choose a document")
        xdo("windowfocus", "--sync", chooser)
        time.sleep(0.5)
        xdo("type", "--delay", "5", str(document))
        xdo("key", "Return")
        time.sleep(2)
        xdo("windowfocus", "--sync", dialog)
        xdo("key", "Tab", "Tab")
        xdo("type", "--delay", "5", "(858) 555-0123")
        xdo("key", "Tab")
        xdo("type", "--delay", "5", "Pacific Title & Escrow")
        xdo("key", "Tab", "Tab")
        xdo("type", "--delay", "5", "Alex Morgan")
        xdo("key", "Tab", "Tab")
        xdo("type", "--delay", "5", "records@northwindtelecom.com")
        subprocess.run(["dunstctl", "close-all"], env=desktop.env, check=False)
        time.sleep(1)
        shot(dialog, "send-fax.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots"))
