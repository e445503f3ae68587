"""API keys in the OS keyring, and nowhere else.

Each account's key is stored under the service ``RingDesk`` with the user name
``account:<account id>``. A keyring that is missing, locked or failing raises
:class:`KeyringUnavailable` with a sentence a user can act on; there is no fallback to a
file. Every call blocks (D-Bus round trips, maybe an unlock prompt): run it on a worker thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

KEYRING_SERVICE = "RingDesk"


class KeyringUnavailable(RuntimeError):
    """The keyring cannot store or give back the key; ``locked`` when it is there but locked."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


def keyring_user_name(account_id: str) -> str:
    return f"account:{account_id}"


class SecretStore:
    """The keyring, through the ``keyring`` library (its configured backend unless given one)."""

    def __init__(self, backend: KeyringBackend | None = None, service: str = KEYRING_SERVICE) -> None:
        self._backend = backend
        self.service = service

    def save_api_key(self, account_id: str, api_key: str) -> None:
        backend = self._usable_backend()
        error: KeyringUnavailable | None = None
        try:
            backend.set_password(self.service, keyring_user_name(account_id), api_key)
        except Exception as exc:  # keyring backends raise many kinds; none carries the key
            error = _unavailable(exc, "save the API key in")
        _raise_outside_handler(error)

    def api_key(self, account_id: str) -> str | None:
        """The stored key, or None when the keyring holds none for this account."""
        backend = self._usable_backend()
        error: KeyringUnavailable | None = None
        try:
            return backend.get_password(self.service, keyring_user_name(account_id)) or None
        except Exception as exc:
            error = _unavailable(exc, "read the API key from")
        _raise_outside_handler(error)
        return None

    def delete(self, account_id: str) -> None:
        """Remove the key; a key that is not there is not an error."""
        from keyring.errors import PasswordDeleteError

        backend = self._usable_backend()
        error: KeyringUnavailable | None = None
        try:
            backend.delete_password(self.service, keyring_user_name(account_id))
        except PasswordDeleteError:
            pass
        except Exception as exc:
            error = _unavailable(exc, "remove the API key from")
        _raise_outside_handler(error)

    def _usable_backend(self) -> KeyringBackend:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        name = f"{type(self._backend).__module__}.{type(self._backend).__name__}"
        if name in ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"):
            raise KeyringUnavailable(
                "No system keyring was found (such as GNOME Keyring or KWallet), so the API key "
                "cannot be stored safely."
            )
        return self._backend


def _raise_outside_handler(error: KeyringUnavailable | None) -> None:
    """Raise with no ``__context__``: the backend's exception holds its D-Bus connection
    (and maybe more) through its traceback; the user-facing error should not keep it alive."""
    if error is not None:
        raise error


def _unavailable(exc: Exception, doing: str) -> KeyringUnavailable:
    from keyring.errors import KeyringLocked, NoKeyringError

    log.warning("keyring: could not %s it: %s", doing, type(exc).__name__)
    if isinstance(exc, KeyringLocked):
        return KeyringUnavailable(
            f"The system keyring is locked, so RingDesk could not {doing} it. Unlock it and retry.",
            locked=True,
        )
    if isinstance(exc, NoKeyringError):
        return KeyringUnavailable(
            "No system keyring was found (such as GNOME Keyring or KWallet), so the API key "
            "cannot be stored safely."
        )
    return KeyringUnavailable(f"RingDesk could not {doing} the system keyring ({type(exc).__name__}).")
