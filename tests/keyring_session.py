"""A real, unlocked GNOME Keyring on a private D-Bus session bus, for tests.

``with gnome_keyring(tmp_path) as env:`` starts ``dbus-daemon --session`` and
``gnome-keyring-daemon --unlock --components=secrets`` with HOME and the XDG directories
under ``tmp_path``; ``env`` holds the variables a client needs (DBUS_SESSION_BUS_ADDRESS,
HOME, XDG_*). Everything is stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

KEYRING_TOOLS = ("dbus-daemon", "gnome-keyring-daemon", "secret-tool")
KEYRING_PASSWORD = b"ringdesk-test"


def missing_keyring_tools() -> list[str]:
    return [tool for tool in KEYRING_TOOLS if shutil.which(tool) is None]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def start_session_bus(env: dict[str, str]) -> int:
    """Start a session bus for ``env`` (sets DBUS_SESSION_BUS_ADDRESS); returns its pid."""
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    address, pid = bus.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    return int(pid)


def start_unlocked_keyring(env: dict[str, str]) -> int:
    """Start gnome-keyring-daemon on ``env``'s bus with an unlocked login keyring; its pid."""
    started = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        env=env,
        input=KEYRING_PASSWORD,
        capture_output=True,
        check=True,
        timeout=10,
    )
    pid = 0
    for line in started.stdout.decode().splitlines():
        key, _, value = line.partition("=")
        if key == "GNOME_KEYRING_CONTROL":
            env[key] = value
        if key == "GNOME_KEYRING_PID":
            pid = int(value)
    # The daemon claims org.freedesktop.secrets a moment after it forks.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        names = subprocess.run(
            [
                "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames",
            ],
            env=env, capture_output=True, text=True, timeout=10,
        ).stdout
        if "org.freedesktop.secrets" in names:
            break
        time.sleep(0.05)
    return pid


def keyring_env(root: Path) -> dict[str, str]:
    home, runtime = root / "home", root / "runtime"
    for path in (home, runtime):
        path.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    dropped = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    return env


@contextlib.contextmanager
def gnome_keyring(root: Path) -> Iterator[dict[str, str]]:
    env = keyring_env(root)
    bus_pid = start_session_bus(env)
    keyring_pid = 0
    try:
        keyring_pid = start_unlocked_keyring(env)
        yield env
    finally:
        if keyring_pid:
            _kill(keyring_pid)
        _kill(bus_pid)


def secret_tool_lookup(env: dict[str, str], **attributes: str) -> str:
    args = ["secret-tool", "lookup"]
    for key, value in attributes.items():
        args += [key, value]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=10).stdout
