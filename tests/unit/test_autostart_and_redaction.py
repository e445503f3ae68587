"""Start at login (XDG autostart) and the log formatter that keeps secrets out of logs."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from app.log_redaction import RedactingFormatter, forget_secret, register_secret
from app.services import autostart


def test_autostart_honours_xdg_config_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    assert not autostart.is_enabled(env)
    path = autostart.enable(["/opt/ring desk/ringdesk", "--profile", "/p/100%", "--hidden"], env)
    assert path == tmp_path / "cfg" / "autostart" / "ringdesk.desktop"
    text = path.read_text()
    assert 'Exec="/opt/ring desk/ringdesk" --profile /p/100%% --hidden' in text
    assert autostart.is_enabled(env)
    autostart.disable(env)
    assert not path.exists() and not autostart.is_enabled(env)
    autostart.disable(env)  # twice is fine


def test_autostart_falls_back_to_home_dot_config(tmp_path: Path) -> None:
    for env in ({"HOME": str(tmp_path)}, {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/path"}):
        assert autostart.autostart_path(env) == tmp_path / ".config" / "autostart" / "ringdesk.desktop"


def test_a_registered_secret_never_reaches_a_log_line() -> None:
    formatter = RedactingFormatter("%(message)s")
    register_secret("Zk-8812-secret")
    try:
        try:
            raise ValueError("bad key Zk-8812-secret")
        except ValueError:
            record = logging.LogRecord("t", logging.ERROR, __file__, 1, "key=%s", ("Zk-8812-secret",), None)
            record.exc_info = sys.exc_info()
        text = formatter.format(record)
    finally:
        forget_secret("Zk-8812-secret")
    assert "Zk-8812-secret" not in text
    assert "key=[redacted]" in text and "ValueError: bad key [redacted]" in text
