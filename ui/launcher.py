"""From start to quit: pick the account (signing in if needed), run RingDesk on it, and
start it again on another account when the user switches, adds one, or signs out.

``--demo`` and ``--server`` runs keep their fixed connection and skip the account list
until the user adds an account from the Account menu.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from app.profile import Profile
from app.services.accounts import AccountRegistry
from app.services.secrets import SecretStore
from app.services.tasks import TaskGroup
from ui.desktop_integration import DesktopIntegration, launch_command
from ui.sign_in_flow import SignedIn, SignInFlow
from ui.single_instance import InstanceRequest, InstanceServer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _SignOut:
    """The next step after this RingDesk stops: sign out of its account."""


class Launcher:
    def __init__(
        self,
        args: argparse.Namespace,
        profile: Profile,
        started: float,
        instance: InstanceServer | None = None,
        secrets: SecretStore | None = None,
    ) -> None:
        self.args = args
        self.profile = profile
        self.started = started
        self.registry = AccountRegistry(profile)
        self.flow = SignInFlow(self.registry, secrets or SecretStore())
        self.integration: DesktopIntegration | None = None
        self._next: SignedIn | _SignOut | None = None
        self._pending_links: list[str] = [args.link] if getattr(args, "link", None) else []
        self._busy = False
        self._tasks = TaskGroup("launcher")
        if instance is not None:
            instance.request_received.connect(self._on_instance_request)

    @property
    def fixed_connection(self) -> bool:
        return bool(self.args.demo or self.args.server)

    async def run(self) -> int:
        try:
            return await self._run()
        finally:
            await self._tasks.cancel_all()

    async def _run(self) -> int:
        from ui.application import RingDesk

        signed: SignedIn | None = None
        if not self.fixed_connection:
            signed = await self.flow.active_account()
            if signed is None:
                return 0
        while True:
            profile = self.profile
            if signed is not None:
                profile = self.registry.profile_for(signed.account.id)
                await asyncio.get_running_loop().run_in_executor(None, profile.create)
            ringdesk = RingDesk(self.args, profile, self.started, signed_in=signed)
            accounts = await asyncio.get_running_loop().run_in_executor(None, self.registry.load)
            integration = DesktopIntegration(
                ringdesk,
                self.profile.config_dir,
                accounts,
                signed.account if signed else None,
                launch_command(self.args.profile, demo=self.args.demo, server=self.args.server),
            )
            integration.account_switch_requested.connect(self._on_account_switch_requested)
            integration.add_account_requested.connect(self._on_add_account_requested)
            integration.sign_out_requested.connect(self._on_sign_out_requested)
            self.integration = integration
            self.flow.parent = ringdesk.window
            self._next = None
            asyncio.get_running_loop().call_soon(self._open_pending_links)
            await ringdesk.run()
            await integration.close()
            self.integration = None
            self.flow.parent = None
            ringdesk.window.deleteLater()
            next_step = self._take_next_step()
            if next_step is None:
                return 0
            if isinstance(next_step, _SignOut):
                if signed is not None:
                    problem = await self.flow.sign_out(signed.account)
                    if problem:
                        log.warning("sign out: %s", problem)
                signed = await self.flow.active_account()
                if signed is None:
                    return 0
                self.args.demo = False
                self.args.server = None
            else:
                signed = next_step
                self.args.demo = False
                self.args.server = None

    def _take_next_step(self) -> SignedIn | _SignOut | None:
        step, self._next = self._next, None
        return step

    def quit(self) -> None:
        """Stop (SIGTERM, SIGINT): the running RingDesk shuts down in order, or sign-in is cancelled."""
        self._next = None
        if self.integration is not None:
            self.integration.ringdesk.quit_requested.set()
        elif self.flow.current_dialog is not None:
            self.flow.current_dialog.reject()

    def _open_pending_links(self) -> None:
        links, self._pending_links = self._pending_links, []
        if self.integration is not None:
            for link in links:
                self.integration.open_link(link)

    def _on_instance_request(self, request: InstanceRequest) -> None:
        if self.integration is not None:
            self.integration.handle_request(request)
            return
        if request.link:
            self._pending_links.append(request.link)
        dialog = self.flow.current_dialog
        if dialog is not None:
            dialog.raise_()
            dialog.activateWindow()

    # -- account changes, prepared while the current account keeps running ---------------

    def _start(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """One account change at a time; a failure is logged by the task group."""
        if self._busy:
            coro.close()
            return
        self._busy = True

        async def guarded() -> None:
            try:
                await coro
            finally:
                self._busy = False

        self._tasks.start(guarded(), name=name)

    def _on_account_switch_requested(self, account_id: str) -> None:
        self._start(self._switch_to(account_id), "switch-account")

    async def _switch_to(self, account_id: str) -> None:
        accounts = await asyncio.get_running_loop().run_in_executor(None, self.registry.load)
        account = accounts.find(account_id)
        if account is None:
            return
        signed = await self.flow.open_account(account)
        if signed is not None:
            self._restart_with(signed)

    def _on_add_account_requested(self) -> None:
        self._start(self._add_account(), "add-account")

    async def _add_account(self) -> None:
        signed = await self.flow.sign_in()
        if signed is not None:
            self._restart_with(signed)

    def _on_sign_out_requested(self) -> None:
        self._next = _SignOut()
        self._quit_current()

    def _restart_with(self, signed: SignedIn) -> None:
        log.info("switching to account %s", signed.account.id)
        self._next = signed
        self._quit_current()

    def _quit_current(self) -> None:
        if self.integration is not None:
            self.integration.ringdesk.quit_requested.set()
