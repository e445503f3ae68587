"""Keeps secrets out of log lines and the tracebacks written with them.

The app registers every API key it holds with :func:`register_secret`; the log formatter
replaces any of them that would reach a log line (a message, an argument, an exception's
text or traceback) with ``[redacted]``. Secrets are never supposed to get there; this is the
net under that rule.
"""

from __future__ import annotations

import logging
import threading

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 4

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    if len(secret) >= MIN_SECRET_CHARS:
        with _lock:
            _secrets.add(secret)


def forget_secret(secret: str) -> None:
    with _lock:
        _secrets.discard(secret)


def redact(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
