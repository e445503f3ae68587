"""A real desktop for end-to-end tests: Xvfb, a D-Bus session bus, a notification daemon
(dunst), a StatusNotifier tray host, and dbus-monitor recording what the app sends."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tests.keyring_session import start_session_bus, start_unlocked_keyring

REQUIRED_TOOLS = ("Xvfb", "dbus-daemon", "dbus-monitor", "dunst", "status-notifier-watcher", "import")


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


def _free_display() -> int:
    for number in range(120, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


def _wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


@dataclass
class Desktop:
    root: Path
    env: dict[str, str]
    monitor_log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    keyring_pid: int = 0
    logs: list[BinaryIO] = field(default_factory=list)

    def spawn(self, args: list[str], log_name: str, **kwargs: object) -> subprocess.Popen[bytes]:
        log = open(self.root / log_name, "wb")  # noqa: SIM115 - closed in running_desktop()
        self.logs.append(log)
        process = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]
        self.processes.append(process)
        return process

    def start_keyring(self) -> None:
        """An unlocked GNOME Keyring on this desktop's session bus (stopped with the desktop)."""
        self.keyring_pid = start_unlocked_keyring(self.env)

    def dbus_log(self) -> str:
        return self.monitor_log.read_text(errors="replace") if self.monitor_log.exists() else ""

    def screenshot(self, path: Path, window: str = "root") -> Path:
        """The whole screen, or one window (an X window id, e.g. from :meth:`window_id`)."""
        subprocess.run(["import", "-window", window, str(path)], env=self.env, check=True, timeout=30)
        return path

    def xdo(self, *args: str) -> str:
        """Run ``xdotool`` on this desktop; its output."""
        result = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=20)
        return result.stdout.strip()

    def wait_for_window(self, pattern: str, within: float = 10.0) -> str:
        """The id of the newest visible window whose title matches the regex ``pattern``."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.xdo("search", "--onlyvisible", "--name", pattern).split()
            if found:
                return found[-1]
            time.sleep(0.1)
        raise RuntimeError(f"no window {pattern!r}")

    def window_id(self, name: str) -> str:
        """The id of the visible window whose title is exactly ``name`` ("" when none)."""
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"^{name}$"],
            env=self.env, capture_output=True, text=True, timeout=10, check=False,
        ).stdout.split()
        return found[0] if found else ""


@contextlib.contextmanager
def running_desktop(root: Path) -> Iterator[Desktop]:
    root.mkdir(parents=True, exist_ok=True)
    home = root / "home"
    runtime = root / "runtime"
    for path in (home, runtime):
        path.mkdir(exist_ok=True)
    runtime.chmod(0o700)
    display = _free_display()
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND")
    }
    env.update(
        DISPLAY=f":{display}",
        QT_QPA_PLATFORM="xcb",
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    desktop = Desktop(root, env, root / "dbus-monitor.log")
    try:
        desktop.spawn(["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], "xvfb.log")
        _wait_for(lambda: Path(f"/tmp/.X11-unix/X{display}").exists(), 10, "Xvfb")
        bus_pid = start_session_bus(env)
        monitor = desktop.spawn(
            ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications'"], "dbus-monitor.log"
        )
        desktop.spawn(["status-notifier-watcher"], "watcher.log")
        desktop.spawn(["dunst"], "dunst.log")
        time.sleep(0.5)
        assert monitor.poll() is None, "dbus-monitor did not start"
        yield desktop
    finally:
        for process in reversed(desktop.processes):
            if process.poll() is None:
                process.terminate()
        for process in desktop.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in desktop.logs:
            log.close()
        if desktop.keyring_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(desktop.keyring_pid, signal.SIGTERM)
        with contextlib.suppress(NameError, ProcessLookupError):
            os.kill(bus_pid, signal.SIGTERM)
