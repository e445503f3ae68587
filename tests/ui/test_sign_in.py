"""The sign-in dialog and flow against the demo server over real sockets: wrong key, right
key, picking the acting user, saving to the keyring or (when it is unavailable) for the
session only, and sign out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.demo.server import DemoServer
from app.profile import Profile
from app.services.accounts import AccountRegistry
from app.services.secrets import SecretStore
from ui.sign_in_dialog import SignInDialog
from ui.sign_in_flow import SignInFlow

pytestmark = pytest.mark.usefixtures("app_stays_up", "app_executor")


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict (the real GNOME Keyring is in tests/e2e and
    tests/integration/test_secrets_keyring.py)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


async def until(predicate: Callable[[], object], within: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def fill_and_check(qtbot: QtBot, dialog: SignInDialog, url: str, key: str) -> None:
    dialog.server.setText(url)
    dialog.key.setFocus()
    dialog.key.setText(key)
    qtbot.keyClick(dialog.key, Qt.Key.Key_Return)
    await until(lambda: not dialog.busy)


async def test_wrong_key_then_right_key_then_a_user(qtbot: QtBot, demo_server: DemoServer) -> None:
    creds = demo_server.credentials
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.server.text() == "https://ssp-backend.ringplan.com"
    assert dialog.key.echoMode() == dialog.key.EchoMode.Password
    for widget in (dialog.server, dialog.key, dialog.user, dialog.proceed, dialog.status):
        assert widget.accessibleName()

    await fill_and_check(qtbot, dialog, demo_server.url, "wrong-key-123")
    assert dialog.status.isVisible() and "did not accept this API key (HTTP 401)" in dialog.status.text()
    assert not dialog.user.isEnabled() and dialog.key.hasFocus()

    dialog.key.setText(creds.api_key)
    qtbot.keyClick(dialog.key, Qt.Key.Key_Return)
    await until(lambda: not dialog.busy)
    assert dialog.user.isEnabled() and dialog.proceed.text() == "Sign in"
    assert "200 users" in dialog.status.text()
    assert dialog.user.count() == 201 and dialog.user.itemData(0) == "primary"

    dialog.user.setEditText(creds.user_email)
    dialog.proceed.click()
    await until(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    result = dialog.result_value
    assert result is not None
    assert result.user.id == creds.user_id and result.api_key == creds.api_key
    assert creds.api_key not in repr(result)


async def test_editing_the_key_after_a_check_asks_to_check_again(
    qtbot: QtBot, demo_server: DemoServer
) -> None:
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    await fill_and_check(qtbot, dialog, demo_server.url, demo_server.credentials.api_key)
    assert dialog.proceed.text() == "Sign in"
    qtbot.keyClick(dialog.key, Qt.Key.Key_X)
    assert dialog.proceed.text() == "Check key" and not dialog.user.isEnabled()


async def test_a_user_that_is_not_listed_is_refused_in_words(qtbot: QtBot, demo_server: DemoServer) -> None:
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    await fill_and_check(qtbot, dialog, demo_server.url, demo_server.credentials.api_key)
    dialog.user.setEditText("nobody@nowhere.example")
    dialog.proceed.click()
    await until(lambda: not dialog.busy)
    assert "Pick a user from the list" in dialog.status.text() and dialog.result_value is None


def flow_for(tmp_path: Path, backend: KeyringBackend) -> SignInFlow:
    return SignInFlow(AccountRegistry(Profile.at(tmp_path / "profile").create()), SecretStore(backend))


async def sign_in_through(qtbot: QtBot, flow: SignInFlow, server: DemoServer) -> asyncio.Task:  # type: ignore[type-arg]
    task = asyncio.get_running_loop().create_task(flow.sign_in())
    await until(lambda: isinstance(flow.current_dialog, SignInDialog))
    dialog = flow.current_dialog
    assert isinstance(dialog, SignInDialog)
    await fill_and_check(qtbot, dialog, server.url, server.credentials.api_key)
    dialog.user.setEditText(server.credentials.user_id)
    dialog.proceed.click()
    return task


async def test_the_flow_saves_the_key_in_the_keyring_only(
    qtbot: QtBot, demo_server: DemoServer, tmp_path: Path
) -> None:
    keyring = MemoryKeyring()
    flow = flow_for(tmp_path, keyring)
    signed = await (await sign_in_through(qtbot, flow, demo_server))
    assert signed is not None and signed.saved
    account = signed.account
    assert keyring.passwords == {("RingDesk", f"account:{account.id}"): demo_server.credentials.api_key}
    stored = flow.registry.load()
    assert stored.active == account and account.user_id == demo_server.credentials.user_id
    assert demo_server.credentials.api_key not in flow.registry.path.read_text()

    # Next start: the account opens from the keyring without a dialog.
    again = await flow.active_account()
    assert again is not None and again.credentials == signed.credentials

    # Sign out removes the key and the account's data.
    data = flow.registry.data_dir(account.id)
    data.mkdir(parents=True)
    assert await flow.sign_out(account) == ""
    assert keyring.passwords == {} and not data.exists() and flow.registry.load().accounts == ()


async def keyring_question(flow: SignInFlow) -> QMessageBox:
    await until(lambda: isinstance(flow.current_dialog, QMessageBox))
    box = flow.current_dialog
    assert isinstance(box, QMessageBox)
    return box


async def test_no_keyring_offers_this_session_only_and_saves_nothing(
    qtbot: QtBot, demo_server: DemoServer, tmp_path: Path
) -> None:
    flow = flow_for(tmp_path, fail.Keyring())
    task = await sign_in_through(qtbot, flow, demo_server)
    box = await keyring_question(flow)
    assert "No system keyring" in box.text()
    labels = [button.text() for button in box.buttons()]
    assert "Try again" in labels and "Use for this session only" in labels
    next(b for b in box.buttons() if b.text() == "Use for this session only").click()
    signed = await task
    assert signed is not None and not signed.saved
    assert signed.credentials.api_key == demo_server.credentials.api_key
    profile_files = b"".join(p.read_bytes() for p in (tmp_path / "profile").rglob("*") if p.is_file())
    assert demo_server.credentials.api_key.encode() not in profile_files
    await asyncio.sleep(0.05)


async def test_cancelling_at_the_keyring_question_signs_in_nobody(
    qtbot: QtBot, demo_server: DemoServer, tmp_path: Path
) -> None:
    flow = flow_for(tmp_path, fail.Keyring())
    task = await sign_in_through(qtbot, flow, demo_server)
    box = await keyring_question(flow)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert await task is None
    assert flow.registry.load().accounts == ()
