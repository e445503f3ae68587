"""The RingPlan accounts of a profile, and where each keeps its data.

A profile holds any number of accounts, one of them active. ``accounts.json`` in the
profile's config directory lists them — server URL, acting user, a label — and never the
API key, which lives only in the OS keyring (:class:`app.services.secrets.SecretStore`).
Each account keeps its cache and other data in its own directory under the profile's
data directory, so switching accounts never mixes two companies' contacts.

Everything here reads or writes files: call it from a worker thread.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from app.domain.account import InvalidServerUrl, validate_server_url
from app.profile import Profile

log = logging.getLogger(__name__)

ACCOUNTS_FILE = "accounts.json"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Account:
    """One signed-in identity: a server, the acting user, and how to show it."""

    id: str
    server_url: str
    user_id: str = "primary"
    user_email: str = ""
    label: str = ""

    @property
    def title(self) -> str:
        """What a menu shows: the label, else the user and the server's host."""
        if self.label:
            return self.label
        host = self.server_url.split("://", 1)[-1]
        who = self.user_email or self.user_id
        return f"{who} on {host}"


@dataclass(frozen=True, slots=True)
class AccountList:
    accounts: tuple[Account, ...] = ()
    active_id: str = ""

    @property
    def active(self) -> Account | None:
        return self.find(self.active_id)

    def find(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)


def new_account_id() -> str:
    return secrets.token_hex(6)


class AccountRegistry:
    """Reads and writes the profile's account list (blocking file I/O)."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self.path = profile.config_dir / ACCOUNTS_FILE

    def load(self) -> AccountList:
        """The accounts; an unreadable file is logged and treated as empty (nothing secret is lost)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return AccountList()
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s (%s); starting with no accounts", self.path, exc)
            return AccountList()
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            log.warning("%s is not an account list; starting with no accounts", self.path)
            return AccountList()
        accounts: list[Account] = []
        for item in data["accounts"]:
            account = _account_from_json(item)
            if account is None:
                log.warning("skipping a malformed entry in %s", self.path)
            elif all(a.id != account.id for a in accounts):
                accounts.append(account)
        active = data.get("active")
        active_id = active if isinstance(active, str) and any(a.id == active for a in accounts) else ""
        if not active_id and accounts:
            active_id = accounts[0].id
        return AccountList(tuple(accounts), active_id)

    def save(self, accounts: AccountList) -> None:
        """Write atomically (a crash mid-write leaves the old file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": FORMAT_VERSION,
            "active": accounts.active_id,
            "accounts": [asdict(a) for a in accounts.accounts],
        }
        fd, tmp = tempfile.mkstemp(prefix=".accounts-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, indent=2)
                out.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def add(self, account: Account, *, activate: bool = True) -> AccountList:
        """Add (or replace, by id) an account; make it the active one unless told not to."""
        current = self.load()
        others = tuple(a for a in current.accounts if a.id != account.id)
        accounts = AccountList(
            (*others, account), account.id if activate or not current.active_id else current.active_id
        )
        self.save(accounts)
        return accounts

    def activate(self, account_id: str) -> AccountList:
        current = self.load()
        if current.find(account_id) is None:
            raise KeyError(account_id)
        accounts = replace(current, active_id=account_id)
        self.save(accounts)
        return accounts

    def remove(self, account_id: str) -> AccountList:
        """Forget an account and delete its data directory; another one becomes active."""
        current = self.load()
        remaining = tuple(a for a in current.accounts if a.id != account_id)
        active = current.active_id if current.active_id != account_id else ""
        if not active and remaining:
            active = remaining[0].id
        accounts = AccountList(remaining, active)
        self.save(accounts)
        shutil.rmtree(self.data_dir(account_id), ignore_errors=True)
        return accounts

    def data_dir(self, account_id: str) -> Path:
        if not account_id or not all(ch.isalnum() for ch in account_id):
            raise ValueError(f"not an account id: {account_id!r}")
        return self._profile.data_dir / "accounts" / account_id

    def profile_for(self, account_id: str) -> Profile:
        """The profile an account's session uses: shared config and logs, its own data."""
        return Profile(self._profile.config_dir, self.data_dir(account_id), self._profile.log_dir)


def _account_from_json(item: object) -> Account | None:
    if not isinstance(item, dict):
        return None
    account_id, url = item.get("id"), item.get("server_url")
    if not isinstance(account_id, str) or not account_id.isalnum() or not isinstance(url, str):
        return None
    try:
        url = validate_server_url(url)
    except InvalidServerUrl:
        return None
    fields = {key: item.get(key) for key in ("user_id", "user_email", "label")}
    return Account(
        id=account_id,
        server_url=url,
        user_id=str(fields["user_id"] or "primary"),
        user_email=str(fields["user_email"] or ""),
        label=str(fields["label"] or ""),
    )
