"""The launcher over the demo server: opens the active account from the keyring, switches
accounts from the Account menu (each with its own data directory), signs out (key removed,
data deleted, the other account opens), and quits cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.demo.server import DemoServer
from app.profile import Profile
from app.services.accounts import Account, AccountRegistry
from app.services.secrets import SecretStore, keyring_user_name
from tests.ui.test_sign_in import MemoryKeyring, until
from ui.cli import build_parser
from ui.desktop_integration import DesktopIntegration
from ui.launcher import Launcher

pytestmark = pytest.mark.usefixtures("app_stays_up", "app_executor")


def running(launcher: Launcher, other_than: DesktopIntegration | None = None) -> bool:
    current = launcher.integration
    return current is not None and current is not other_than and current.ringdesk.session is not None


async def test_switching_accounts_and_signing_out(
    qtbot: QtBot, demo_server: DemoServer, tmp_path: Path
) -> None:
    profile = Profile.at(tmp_path / "profile").create()
    keyring = MemoryKeyring()
    secrets = SecretStore(keyring)
    registry = AccountRegistry(profile)
    creds = demo_server.credentials
    me = Account("aaa111", demo_server.url, creds.user_id, creds.user_email, "Me")
    admin = Account("bbb222", demo_server.url, "primary", "", "Admin")
    registry.add(admin)
    registry.add(me)  # the active one
    for account in (me, admin):
        secrets.save_api_key(account.id, creds.api_key)

    launcher = Launcher(build_parser().parse_args([]), profile, 0.0, secrets=secrets)
    run = asyncio.get_running_loop().create_task(launcher.run())
    await until(lambda: running(launcher), within=20)
    first = launcher.integration
    assert first is not None and first.active == me
    assert first.ringdesk.store.path == registry.data_dir(me.id) / "cache.sqlite3"
    assert [a.text() for a in first.account_actions] == ["Admin", "Me"]

    # Account ▸ Admin: this RingDesk stops, one on the admin account starts.
    next(a for a in first.account_actions if a.data() == admin.id).trigger()
    await until(lambda: running(launcher, first), within=20)
    second = launcher.integration
    assert second is not None and second.active == admin
    assert second.ringdesk.store.path == registry.data_dir(admin.id) / "cache.sqlite3"
    assert registry.load().active == admin

    # Account ▸ Sign Out…, confirmed: the key and the data go, the other account opens.
    second.sign_out_action.trigger()
    def question() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return boxes[0] if boxes else None

    await until(question)
    box = question()
    assert isinstance(box, QMessageBox) and "Sign out of Admin?" in box.text()
    next(b for b in box.buttons() if b.text() == "Sign Out").click()
    await until(lambda: running(launcher, second), within=20)
    third = launcher.integration
    assert third is not None and third.active == me
    assert ("RingDesk", keyring_user_name(admin.id)) not in keyring.passwords
    assert ("RingDesk", keyring_user_name(me.id)) in keyring.passwords
    assert registry.load().accounts == (me,)
    assert not registry.data_dir(admin.id).exists()

    launcher.quit()
    assert await asyncio.wait_for(run, 20) == 0
