"""Who we are signed in as, and where."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_SERVER_URL = "https://ssp-backend.ringplan.com"


class InvalidServerUrl(ValueError):
    """The server URL is not usable (bad form, or plain http to a non-loopback host)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a RingPlan request needs. The key never shows in repr, logs or errors."""

    api_key: str = field(repr=False)
    user_id: str = "primary"
    user_email: str = ""


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_server_url(url: str) -> str:
    """Return the URL without a trailing slash; plain http is accepted only for loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidServerUrl(f"{url!r} is not an http(s) URL with a host")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InvalidServerUrl(
            f"plain http is allowed only for this machine (127.0.0.1, ::1, localhost), "
            f"not {parts.hostname}: use https"
        )
    return url.strip().rstrip("/")
