"""Logging to the profile's log file and to stderr."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.log_redaction import RedactingFormatter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(log_path: Path, level: str) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    file_handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.INFO)
    file_handler.setFormatter(RedactingFormatter(FORMAT))
    console = logging.StreamHandler()
    console.setLevel(level.upper())
    console.setFormatter(RedactingFormatter(FORMAT))
    root.handlers[:] = [file_handler, console]
    # Third-party chatter stays out unless asked for.
    for noisy in ("httpx", "httpcore", "socketio", "engineio", "aiohttp", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))
