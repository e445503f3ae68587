"""Start at login: an XDG autostart entry (``$XDG_CONFIG_HOME/autostart/ringdesk.desktop``).

Blocking file I/O: call from a worker thread.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

AUTOSTART_FILE = "ringdesk.desktop"


def config_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    configured = env.get("XDG_CONFIG_HOME", "")
    # The spec: a relative path is invalid and must be ignored.
    if configured and os.path.isabs(configured):
        return Path(configured)
    return Path(env.get("HOME") or Path.home()) / ".config"


def autostart_path(env: Mapping[str, str] | None = None) -> Path:
    return config_home(env) / "autostart" / AUTOSTART_FILE


def exec_line(command: Sequence[str]) -> str:
    """A desktop entry Exec value for ``command`` (quoted per the spec; % doubled)."""
    parts = []
    for arg in command:
        quoted = shlex.quote(arg)
        if quoted.startswith("'"):  # the spec knows only double quotes
            escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
            quoted = f'"{escaped}"'
        parts.append(quoted.replace("%", "%%"))
    return " ".join(parts)


def autostart_entry(command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=RingDesk\n"
        "Comment=Start RingDesk in the tray at login\n"
        f"Exec={exec_line(command)}\n"
        "Icon=org.ringdesk.RingDesk\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def is_enabled(env: Mapping[str, str] | None = None) -> bool:
    path = autostart_path(env)
    if not path.is_file():
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "Hidden=true" not in text and "X-GNOME-Autostart-enabled=false" not in text


def enable(command: Sequence[str], env: Mapping[str, str] | None = None) -> Path:
    path = autostart_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(autostart_entry(command), encoding="utf-8")
    tmp.replace(path)
    return path


def disable(env: Mapping[str, str] | None = None) -> None:
    autostart_path(env).unlink(missing_ok=True)
