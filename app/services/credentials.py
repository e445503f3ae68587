"""Where the credentials for a server come from: the environment or the OS keyring.

``RINGDESK_API_KEY``, ``RINGDESK_USER_ID`` and ``RINGDESK_USER_EMAIL`` serve headless and
scripted runs; otherwise the keyring holds them under the service ``RingDesk`` with the
server URL as the user name. Reading the keyring blocks: call these from a worker thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from app.domain.account import Credentials

log = logging.getLogger(__name__)

KEYRING_SERVICE = "RingDesk"
ENV_API_KEY = "RINGDESK_API_KEY"
ENV_USER_ID = "RINGDESK_USER_ID"
ENV_USER_EMAIL = "RINGDESK_USER_EMAIL"


class CredentialsUnavailable(RuntimeError):
    """No credentials could be found, said in words the user can act on."""


def credentials_from_env(env: Mapping[str, str]) -> Credentials | None:
    api_key = env.get(ENV_API_KEY, "").strip()
    if not api_key:
        return None
    return Credentials(
        api_key=api_key,
        user_id=env.get(ENV_USER_ID, "").strip() or "primary",
        user_email=env.get(ENV_USER_EMAIL, "").strip(),
    )


def credentials_from_keyring(server_url: str) -> Credentials | None:
    """Blocking. None when the keyring holds nothing for this server."""
    import keyring
    from keyring.errors import KeyringError

    try:
        stored = keyring.get_password(KEYRING_SERVICE, server_url)
    except KeyringError as exc:
        raise CredentialsUnavailable(f"The system keyring could not be read: {exc}") from None
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return Credentials(
            api_key=str(data["api_key"]),
            user_id=str(data.get("user_id") or "primary"),
            user_email=str(data.get("user_email") or ""),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("the keyring entry for %s is not in RingDesk's format; ignoring it", server_url)
        return None


def save_credentials_to_keyring(server_url: str, credentials: Credentials) -> None:
    """Blocking."""
    import keyring

    keyring.set_password(
        KEYRING_SERVICE,
        server_url,
        json.dumps(
            {
                "api_key": credentials.api_key,
                "user_id": credentials.user_id,
                "user_email": credentials.user_email,
            }
        ),
    )


def find_credentials(server_url: str, env: Mapping[str, str]) -> Credentials:
    """Blocking: the environment first, then the keyring."""
    found = credentials_from_env(env) or credentials_from_keyring(server_url)
    if found is None:
        raise CredentialsUnavailable(
            f"No API key for {server_url}: set {ENV_API_KEY} (and {ENV_USER_ID}, "
            f"{ENV_USER_EMAIL}) or store it in the system keyring."
        )
    return found
