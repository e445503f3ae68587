"""Which account a run uses, with its key from the keyring; sign in, switch, sign out.

The keyring and the account file are touched on worker threads only. When the keyring is
locked or missing the user gets a message and a choice — try again, use the key for this
session only (never written anywhere), or give up — never a silent fallback to a file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.domain.account import DEFAULT_SERVER_URL, Credentials
from app.log_redaction import register_secret
from app.services.accounts import Account, AccountRegistry, new_account_id
from app.services.secrets import KeyringUnavailable, SecretStore

if TYPE_CHECKING:  # the dialog is imported when it is first needed: most starts never show it
    from ui.sign_in_dialog import SignInDialog, SignInResult

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SignedIn:
    account: Account
    credentials: Credentials
    saved: bool  # False: the key lives in memory for this session only


class KeyringChoice(Enum):
    RETRY = "retry"
    SESSION_ONLY = "session-only"
    CANCEL = "cancel"


async def run_dialog(dialog: QDialog) -> int:
    """Show a dialog window-modally and wait for it without blocking the loop."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(finished)
    dialog.open()
    dialog.raise_()
    dialog.activateWindow()
    return await done


def ask_keyring_choice(parent: QWidget | None, problem: KeyringUnavailable, *, saving: bool) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("System keyring")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(str(problem))
    box.setInformativeText(
        "RingDesk keeps API keys only in the system keyring. You can try again (after unlocking "
        "it), or use the key for this session only: it is then kept in memory and asked for "
        "again next time."
        if saving
        else "RingDesk keeps API keys only in the system keyring. You can try again (after "
        "unlocking it), or enter the key again for this session only."
    )
    retry = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
    session = box.addButton(
        "Use for this session only" if saving else "Enter the key for this session",
        QMessageBox.ButtonRole.ActionRole,
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    retry.setProperty("choice", KeyringChoice.RETRY.value)
    session.setProperty("choice", KeyringChoice.SESSION_ONLY.value)
    cancel.setProperty("choice", KeyringChoice.CANCEL.value)
    box.setDefaultButton(retry)
    return box


class SignInFlow:
    def __init__(
        self,
        registry: AccountRegistry,
        secrets: SecretStore,
        *,
        make_dialog: Callable[..., SignInDialog] | None = None,
    ) -> None:
        self.registry = registry
        self.secrets = secrets
        self._make_dialog = make_dialog or _sign_in_dialog
        self.parent: QWidget | None = None
        self.current_dialog: QDialog | None = None

    async def _blocking(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def _choose(self, problem: KeyringUnavailable, *, saving: bool) -> KeyringChoice:
        box = ask_keyring_choice(self.parent, problem, saving=saving)
        self.current_dialog = box
        try:
            await run_dialog(box)
        finally:
            self.current_dialog = None
        clicked = box.clickedButton()
        value = clicked.property("choice") if clicked is not None else None
        box.deleteLater()
        return KeyringChoice(value) if value else KeyringChoice.CANCEL

    async def active_account(self) -> SignedIn | None:
        """The active account with its key; the sign-in dialog when there is none to use."""
        accounts = await self._blocking(self.registry.load)
        account = accounts.active
        if account is None:
            return await self.sign_in()
        return await self.open_account(account)

    async def open_account(self, account: Account) -> SignedIn | None:
        while True:
            try:
                key = await self._blocking(self.secrets.api_key, account.id)
                break
            except KeyringUnavailable as problem:
                choice = await self._choose(problem, saving=False)
                if choice is KeyringChoice.RETRY:
                    continue
                if choice is KeyringChoice.CANCEL:
                    return None
                return await self.sign_in(prefill=account, save=False)
        if key is None:
            log.info("no key in the keyring for account %s: asking to sign in", account.id)
            return await self.sign_in(
                prefill=account,
                message=f"RingDesk has no saved API key for {account.title}. Sign in again.",
            )
        register_secret(key)
        log.info("signed in from the keyring as account %s", account.id)
        await self._blocking(self.registry.activate, account.id)
        return SignedIn(account, Credentials(key, account.user_id, account.user_email), saved=True)

    async def sign_in(
        self, *, prefill: Account | None = None, message: str = "", save: bool = True
    ) -> SignedIn | None:
        """Run the sign-in dialog, then store the account and (if ``save``) its key."""
        dialog = self._make_dialog(
            self.parent,
            server_url=prefill.server_url if prefill else DEFAULT_SERVER_URL,
            user_id=prefill.user_id if prefill else "",
            message=message,
        )
        self.current_dialog = dialog
        try:
            accepted = await run_dialog(dialog) == QDialog.DialogCode.Accepted
        finally:
            self.current_dialog = None
        result = dialog.result_value
        dialog.deleteLater()
        if not accepted or result is None:
            log.info("sign-in cancelled")
            return None
        register_secret(result.api_key)
        account = self._account_for(result, prefill)
        saved = await self._save_key(account, result.api_key) if save else False
        if saved is None:
            return None
        await self._blocking(self.registry.add, account)
        where = "in the keyring" if saved else "for this session only"
        log.info("signed in as account %s (key %s)", account.id, where)
        credentials = Credentials(result.api_key, account.user_id, account.user_email)
        return SignedIn(account, credentials, saved=saved)

    async def _save_key(self, account: Account, api_key: str) -> bool | None:
        """True when stored, False for session-only, None when the user gave up."""
        while True:
            try:
                await self._blocking(self.secrets.save_api_key, account.id, api_key)
                return True
            except KeyringUnavailable as problem:
                choice = await self._choose(problem, saving=True)
                if choice is KeyringChoice.RETRY:
                    continue
                return False if choice is KeyringChoice.SESSION_ONLY else None

    @staticmethod
    def _account_for(result: SignInResult, prefill: Account | None) -> Account:
        same = (
            prefill is not None
            and prefill.server_url == result.server_url
            and prefill.user_id == result.user.id
        )
        label = f"{result.user.name} · {result.company_name}" if result.company_name else result.user.name
        return Account(
            id=prefill.id if same and prefill is not None else new_account_id(),
            server_url=result.server_url,
            user_id=result.user.id,
            user_email=result.user.email,
            label=label,
        )

    async def sign_out(self, account: Account) -> str:
        """Remove the key and forget the account (and its data). Returns a problem, or ""."""
        problem = ""
        try:
            await self._blocking(self.secrets.delete, account.id)
        except KeyringUnavailable as exc:
            problem = f"{exc} The key may still be in the keyring under RingDesk."
        await self._blocking(self.registry.remove, account.id)
        log.info("signed out of account %s", account.id)
        return problem


def _sign_in_dialog(*args: Any, **kwargs: Any) -> SignInDialog:
    from ui.sign_in_dialog import SignInDialog

    return SignInDialog(*args, **kwargs)
