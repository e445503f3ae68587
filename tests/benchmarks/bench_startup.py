"""Start-up speed and memory of RingDesk against a standalone demo server with 10,000 contacts.

    .venv/bin/python -m tests.benchmarks.bench_startup [--runs 10] [--contacts 10000] [--rss-runs 3]

Measures, under Xvfb with a tray host and notification daemon, from process spawn to the
app's "first paint: N contacts shown" log line (written from the list viewport's first paint
that shows contact rows) with a warm profile; then the process RSS 10 s after start (in
``--rss-runs`` separate starts: it varies by a megabyte or two from one to the next). A bare
PySide6 window (spawn -> first paint of a label) is measured the same way as the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.desktop import Desktop, running_desktop

ROOT = Path(__file__).resolve().parents[2]

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel("bare window")
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("first paint", flush=True)
            app.quit()
        return False
f = Painted(); label.installEventFilter(f); label.resize(400, 300); label.show(); app.exec()
"""


def time_until_line(
    args: list[str], env: dict[str, str], needle: str, timeout: float = 30
) -> tuple[float, subprocess.Popen[str]]:
    start = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    deadline = start + timeout
    for line in process.stdout:
        if needle in line:
            return time.perf_counter() - start, process
        if time.perf_counter() > deadline:
            break
    process.kill()
    raise RuntimeError(f"{needle!r} never appeared")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--rss-runs", type=int, default=3)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ringdesk-bench-"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.demo",
            "--port",
            "0",
            "--json",
            "--no-traffic",
            "--contacts",
            str(options.contacts),
            "--db",
            str(work / "server.sqlite3"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    info = json.loads(server.stdout.readline())
    try:
        with running_desktop(work / "desktop") as desktop:
            run(desktop, info, work, options)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(desktop: Desktop, info: dict[str, str], work: Path, options: argparse.Namespace) -> None:
    env = dict(desktop.env)
    env.update(
        RINGDESK_API_KEY=info["api_key"],
        RINGDESK_USER_ID=info["user_id"],
        RINGDESK_USER_EMAIL=info["user_email"],
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    profile = work / "profile"
    app_args = [sys.executable, "-m", "ui.main", "--server", info["url"], "--profile", str(profile)]

    # Warm the profile: one full sync into the cache.
    _, warm = time_until_line(app_args, env, "synced ringplan", timeout=120)
    stop(warm)

    bare = []
    for _ in range(options.runs):
        seconds, process = time_until_line([sys.executable, "-c", BARE_WINDOW], env, "first paint")
        bare.append(seconds)
        stop(process)

    startup = []
    for _ in range(options.runs):
        seconds, process = time_until_line(app_args, env, "first paint:")
        startup.append(seconds)
        stop(process)

    rss = []
    for _ in range(options.rss_runs):
        _, process = time_until_line(app_args, env, "first paint:")
        time.sleep(10)
        rss.append(rss_mb(process.pid))
        stop(process)

    print(f"\nRingDesk start-up, {options.contacts:,} contacts, warm profile, {options.runs} runs, Xvfb")
    print(f"{'measure':<44}{'median':>10}{'min':>10}{'max':>10}")
    for name, values in (
        ("bare PySide6 window: spawn -> first paint", bare),
        ("ringdesk: spawn -> contacts painted", startup),
    ):
        print(f"{name:<44}{statistics.median(values):>9.3f}s{min(values):>9.3f}s{max(values):>9.3f}s")
    print(
        f"{'ringdesk RSS 10 s after start':<44}{statistics.median(rss):>8.1f}MB{min(rss):>8.1f}MB"
        f"{max(rss):>8.1f}MB   ({len(rss)} runs)"
    )
    print(
        f"(targets: start-up <= 0.5 s median, RSS <= 120 MB; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
