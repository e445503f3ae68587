"""The composition root: builds the object graph, runs it on qasync, shuts it down in order."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import logging
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.demo.child_process import DemoServerFailed, RunningDemo, start_demo_server
from app.domain.account import Credentials
from app.domain.contacts import Contact
from app.domain.events import ConnectionChanged, ConnectionState, NotificationRequested
from app.profile import Profile
from app.services.calling import preferred_call_number, preferred_text_number
from app.services.contact_book import ContactBook
from app.services.credentials import CredentialsUnavailable, find_credentials
from app.services.event_bus import EventBus
from app.services.favorites import Favorites
from app.services.memory import release_free_memory
from app.services.messaging import Messaging
from app.services.tasks import TaskGroup
from app.store.contacts import StoredContact
from app.store.database import Store, shrink_cache_memory

if TYPE_CHECKING:
    from app.services.contact_import import ContactImporter
    from app.services.fax import FaxService
    from app.services.personal_contacts import PersonalContacts
    from app.services.session import Session
    from app.services.voicemail import VoicemailService
    from ui.favorites_pane import FavoritesPane
    from ui.fax_pane import FaxPane
    from ui.messages_pane import MessagesPane
    from ui.sign_in_flow import SignedIn
    from ui.voicemail_pane import VoicemailPane
from ui.assets import app_icon
from ui.bridge import EventBridge
from ui.contact_actions import ContactActions
from ui.contact_list_model import ContactListModel
from ui.contacts_pane import ContactsPane
from ui.main_window import MainWindow
from ui.message_notifications import MessageNotifications
from ui.tray import Tray
from ui.unread_count import UnreadCount

log = logging.getLogger("ringdesk")

FIRST_PAINT_WAIT = 2.0
UI_SWITCH_INTERVAL = 0.001
SETTLE_AFTER_START = 1.0  # after the start-up burst: its last UI refreshes
SETTLE_AGAIN_AFTER = 3.0
ROW_REFRESH_MS = 250


class RingDesk:
    """One running app: window, tray, store, and (once connected) a session."""

    def __init__(
        self,
        args: argparse.Namespace,
        profile: Profile,
        started: float,
        signed_in: SignedIn | None = None,
    ) -> None:
        self.args = args
        self.signed_in = signed_in
        self.profile = profile
        self.started = started
        self.bus = EventBus()
        self.store = Store(profile.cache_path)
        self.tasks = TaskGroup("app")
        self.contacts = ContactBook(self.store, self.bus)
        self.bridge = EventBridge(self.bus)
        self.model = ContactListModel(self.contacts)
        self.contacts_pane = ContactsPane(self.model)
        self.favorites = Favorites(self.store, self.bus)
        self.messaging = Messaging(self.store, self.bus, self.contacts)
        self.window = MainWindow(self.contacts_pane)
        # Favorites, Messages, Fax and Voicemail build their panes when first shown (memory,
        # start-up).
        self.favorites_pane: FavoritesPane | None = None
        self.messages_pane: MessagesPane | None = None
        self.unread = UnreadCount(self.messaging)
        self.message_notifications = MessageNotifications(self._is_conversation_in_front)
        self._row_refresh = QTimer()
        self._row_refresh.setSingleShot(True)
        self._row_refresh.setInterval(ROW_REFRESH_MS)
        self._row_refresh.timeout.connect(self._on_row_refresh_timeout)
        self.voicemail_pane: VoicemailPane | None = None
        self.voicemail: VoicemailService | None = None
        self.tray = Tray()
        self.actions = ContactActions()
        self.session: Session | None = None
        self.fax: FaxService | None = None
        self.fax_pane: FaxPane | None = None
        self.demo: RunningDemo | None = None
        self.quit_requested = asyncio.Event()
        self._wire_signals()

    def _wire_signals(self) -> None:
        self.bridge.connection_changed.connect(self.window.connection_status.show_state)
        self.bridge.sync_progressed.connect(self.contacts_pane.show_sync_progress)
        self.bridge.contacts_changed.connect(self._on_bridge_contacts_changed)
        # message notifications skip the thread in front and come grouped (ui.message_notifications)
        self.bridge.notification_requested.connect(self.message_notifications.add)
        self.message_notifications.ready.connect(self._on_bridge_notification_requested)
        self.unread.follow(self.bridge)
        self.unread.changed.connect(self._on_unread_changed)
        self.tray.conversation_requested.connect(self._on_tray_conversation_requested)
        self.window.sms_link_opened.connect(self._on_window_sms_link_opened)
        self.bridge.error_raised.connect(self.window.show_error)
        self.tray.open_requested.connect(self.window.bring_to_front)
        self.tray.quit_requested.connect(self.quit_requested.set)
        self.window.close_requested.connect(self.quit_requested.set)
        self.contacts_pane.contacts_painted.connect(self._on_contacts_painted)
        details = self.contacts_pane.details
        details.call_requested.connect(self.actions.call)
        details.sms_requested.connect(self.text)
        details.email_requested.connect(self.actions.email)
        details.copy_requested.connect(self.actions.copy)
        details.fax_requested.connect(self._on_details_fax_requested)
        self.actions.notice.connect(lambda text: self.window.statusBar().showMessage(text, 4000))
        self.actions.error.connect(self.window.show_error)
        self.contacts_pane.sync_cancel_requested.connect(self._on_pane_sync_cancel_requested)
        details.favorite_toggled.connect(self._on_details_favorite_toggled)
        details.edit_requested.connect(self._on_details_edit_requested)
        details.delete_requested.connect(self._on_details_delete_requested)
        self.window.new_contact_requested.connect(lambda: self._open_editor(None))
        self.window.import_requested.connect(self._on_window_import_requested)
        self.window.export_requested.connect(self._on_window_export_requested)
        self.contacts_pane.export_selection_requested.connect(self._on_pane_export_selection_requested)
        self.bridge.favorites_changed.connect(self._row_refresh.start)
        self.bridge.presence_updated.connect(self._row_refresh.start)
        self.window.set_pane_builder("Favorites", self._build_favorites_pane)
        self.window.set_pane_builder("Messages", self._build_messages_pane)
        self.window.set_pane_builder("Voicemail", self._build_voicemail_pane)

    def _show_notice(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    def _build_favorites_pane(self) -> FavoritesPane:
        from ui.favorites_pane import FavoritesPane

        pane = self.favorites_pane = FavoritesPane(self.favorites)
        pane.call_requested.connect(self._on_favorites_call_requested)
        pane.text_requested.connect(self._on_favorites_text_requested)
        pane.request_reload()
        return pane

    def _build_messages_pane(self) -> MessagesPane:
        from ui.messages_pane import MessagesPane

        pane = self.messages_pane = MessagesPane(self.messaging)
        pane.follow(self.bridge)
        pane.error.connect(self.window.show_error)
        pane.notice.connect(self._show_notice)
        pane.request_reload()
        return pane

    def _build_fax_pane(self) -> FaxPane:
        from ui.fax_pane import FaxPane

        assert self.fax is not None  # its builder is set once the service runs

        pane = self.fax_pane = FaxPane(self.fax, self.contacts)
        self.bridge.faxes_changed.connect(pane.on_faxes_changed)
        pane.refresh()
        return pane

    def _build_voicemail_pane(self) -> VoicemailPane:
        from ui.voicemail_pane import VoicemailPane

        pane = self.voicemail_pane = VoicemailPane()
        self.bridge.voicemails_arrived.connect(pane.on_voicemails_arrived)
        self.bridge.connection_changed.connect(pane.on_connection_changed)
        pane.call_requested.connect(self.actions.call)
        pane.notice.connect(self._show_notice)
        pane.error.connect(self.window.show_error)
        if self.voicemail is not None:
            pane.attach(self.voicemail)
        return pane

    def _is_conversation_in_front(self, conversation_id: str) -> bool:
        return self.messages_pane is not None and self.messages_pane.is_in_front(conversation_id)

    def _show_messages(self) -> MessagesPane:
        self.window.show_pane("Messages")  # built the first time it is shown
        assert self.messages_pane is not None
        return self.messages_pane

    async def run(self) -> int:
        if not (getattr(self.args, "hidden", False) and self.tray.available):
            self.window.show()
        await self._show_first_screen()
        self.unread.request_count()  # from the cached conversations, before any network
        try:
            await self._connect()
        except (CredentialsUnavailable, DemoServerFailed) as exc:
            self.window.show_error(str(exc))
            self.bus.publish(ConnectionChanged(ConnectionState.OFFLINE, detail=str(exc)))
        await self.quit_requested.wait()
        await self.shutdown()
        return 0

    async def _show_first_screen(self) -> None:
        """Paint the cached contacts before anything touches the network."""
        painted = asyncio.Event()
        self.contacts_pane.contacts_painted.connect(painted.set)
        await self.model.reload()
        if self.model.rowCount():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT)
        self.contacts_pane.contacts_painted.disconnect(painted.set)

    async def _connect(self) -> None:
        if self.args.demo:
            self.bus.publish(ConnectionChanged(ConnectionState.CONNECTING, detail="starting the demo server"))
            self.demo = await start_demo_server(
                self.profile.data_dir / "demo-server.sqlite3",
                contacts=self.args.demo_contacts,
                traffic=True,
            )
            url, credentials = self.demo.url, self.demo.credentials
        elif self.signed_in is not None:
            url, credentials = self.signed_in.account.server_url, self.signed_in.credentials
        elif self.args.server:
            url = self.args.server
            credentials = await asyncio.get_running_loop().run_in_executor(
                None, find_credentials, url, dict(os.environ)
            )
        else:
            raise CredentialsUnavailable(
                "Not signed in. Start RingDesk with --demo to try it, or with --server URL and "
                "RINGDESK_API_KEY set."
            )
        await self._start_session(url, credentials)

    async def _start_session(self, url: str, credentials: Credentials) -> None:
        from app.services.session import Session

        self.session = Session(url, credentials, self.store, self.bus, self.contacts)
        await self.session.start()
        await self.messaging.attach(self.session.client, self.session.listener)
        self._start_fax(self.session)
        self._start_voicemail(self.session)
        self.tasks.start(self._settle_after_start(), name="settle-after-start")

    async def _settle_after_start(self) -> None:
        """Once the start-up burst is over (messages caught up, first pages in): drop SQLite's
        page cache, collect the garbage once, freeze what survives (later full collections
        skip the long-lived objects: shorter pauses while scrolling), and give the freed heap
        back to the OS."""
        assert self.session is not None
        await self.messaging.wait_caught_up()
        await self.session.wait_start_up_done()
        await asyncio.sleep(SETTLE_AFTER_START)
        await self._settle()
        log.info("start-up settled: garbage collected, survivors frozen, free heap given back")
        # once more for the stragglers: the fax and voicemail pollers' first rounds, late repaints
        await asyncio.sleep(SETTLE_AGAIN_AFTER)
        await self._settle()

    async def _settle(self) -> None:
        await self.store.call(shrink_cache_memory)  # SQLite's pages refill on demand
        gc.collect()
        gc.freeze()
        await asyncio.get_running_loop().run_in_executor(None, release_free_memory)

    def _start_fax(self, session: Session) -> None:
        """The fax service watches for inbound faxes from now on; the pane waits until shown."""
        from app.providers.ringplan.fax import DEFAULT_UPLOAD_PATH, RingPlanFax
        from app.services.fax import FaxService
        from app.store.inbox_seen import StoredSeenMarkers

        upload_path = os.environ.get("RINGDESK_FAX_UPLOAD_PATH", DEFAULT_UPLOAD_PATH)
        api = RingPlanFax(session.client, upload_path=upload_path)
        files = self.profile.data_dir / "faxes"
        self.fax = FaxService(api, self.store, self.bus, self.contacts, files_dir=files)
        self.fax.watch_inbound(StoredSeenMarkers(self.store))
        self.window.set_pane_builder("Fax", self._build_fax_pane)  # the placeholder until signed in

    def _on_details_fax_requested(self, number: str) -> None:
        self.window.show_pane("Fax")
        if self.fax_pane is not None:
            self.fax_pane.open_send_dialog(to_number=number)
        else:
            self.window.show_error("Sign in to send faxes from RingDesk.")

    def _start_voicemail(self, session: Session) -> None:
        from app.services.voicemail import VoicemailService

        cache = self.profile.cache_dir / "voicemail"
        self.voicemail = VoicemailService(session.client, self.store, self.bus, cache)
        if self.voicemail_pane is not None:
            self.voicemail_pane.attach(self.voicemail)
        self.voicemail.start_polling()

    async def shutdown(self) -> None:
        """Stop the listener, finish writes, close the store, stop the demo server."""
        log.info("shutting down")
        # No more events into the widgets, no more refreshes started: nothing may reach for the
        # store after it closes.
        self.bridge.close()
        self._row_refresh.stop()
        self.window.hide()
        self.tray.hide()
        await self.messaging.detach()
        if self.fax is not None:
            await self.fax.close()
        if self.fax_pane is not None:
            await self.fax_pane.cancel_tasks()
        if self.voicemail_pane is not None:
            await self.voicemail_pane.close_pane()
        if self.voicemail is not None:
            await self.voicemail.close()
        if self.session is not None:
            await self.session.stop()
        await self.model.close()
        if self.favorites_pane is not None:
            await self.favorites_pane.cancel_tasks()
        if self.messages_pane is not None:
            await self.messages_pane.cancel_tasks()
        await self.unread.cancel_tasks()
        await self.tasks.cancel_all()
        await asyncio.get_running_loop().run_in_executor(None, self.store.close)
        if self.demo is not None:
            await self.demo.stop()

    def _on_bridge_contacts_changed(self, _total: int) -> None:
        self.contacts_pane.sync_finished()
        self.tasks.start(self.model.reload(), name="reload-contacts")

    def _on_row_refresh_timeout(self) -> None:
        """Presence or stars changed: repaint rows from the store, refresh the favorites."""
        self.model.refresh_rows()
        if self.favorites_pane is not None:
            self.favorites_pane.request_reload()

    def _on_details_favorite_toggled(self, stored: StoredContact, starred: bool) -> None:
        self.tasks.start(self.favorites.set_starred(stored.contact, starred), name="star")

    # Personal contacts, import and export load phonenumbers, vobject and csv machinery:
    # built on first use, not at start-up.
    @functools.cached_property
    def personal(self) -> PersonalContacts:
        from app.services.personal_contacts import PersonalContacts

        return PersonalContacts(self.store, self.bus)

    @functools.cached_property
    def importer(self) -> ContactImporter:
        from app.services.contact_import import ContactImporter

        return ContactImporter(self.store, self.bus)

    def _open_editor(self, contact: Contact | None) -> None:
        from ui.contact_editor import ContactEditorDialog

        editor = ContactEditorDialog(self.personal, contact, self.window)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(
            lambda saved: self.window.statusBar().showMessage(f"Saved {saved.display_name}", 4000)
        )
        editor.open()

    def _on_details_edit_requested(self, stored: StoredContact) -> None:
        self._open_editor(stored.contact)

    def _on_details_delete_requested(self, stored: StoredContact) -> None:
        name = stored.contact.display_name
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete contact",
            f"Delete {name} from your personal contacts?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.window,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextFormat(Qt.TextFormat.PlainText)

        async def delete() -> None:
            await self.favorites.unstar(stored.contact.source, stored.contact.source_id)
            await self.personal.delete([stored.contact.source_id])

        def on_finished(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                self.tasks.start(delete(), name="delete-contact")

        box.finished.connect(on_finished)
        box.open()

    def _on_window_import_requested(self) -> None:
        from ui.import_dialog import ImportDialog

        dialog = ImportDialog(self.importer, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_window_export_requested(self) -> None:
        self._ask_export_path("Export contacts", None)

    def _on_pane_export_selection_requested(self, selected: list[StoredContact]) -> None:
        keys = [(s.contact.source, s.contact.source_id) for s in selected]
        title = f"Export {len(keys):,} selected contact{'s' if len(keys) != 1 else ''}"
        self._ask_export_path(title, keys)

    def _ask_export_path(self, title: str, keys: list[tuple[str, str]] | None) -> None:
        dialog = QFileDialog(self.window, title, str(Path.home() / "contacts.vcf"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["vCard (*.vcf)", "CSV (*.csv)"])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(
            lambda path: self.tasks.start(self._export(Path(path), keys), name="export")
        )
        dialog.open()

    async def _export(self, path: Path, keys: list[tuple[str, str]] | None = None) -> None:
        from app.services.contact_import import ContactExporter, ImportFormat

        fmt = ImportFormat.CSV if path.suffix.lower() == ".csv" else ImportFormat.VCARD
        try:
            count = await ContactExporter(self.store).export(path, fmt, keys=keys)
        except OSError as exc:
            self.window.show_error(f"Could not export to {path}: {exc.strerror or exc}")
            return
        self.window.statusBar().showMessage(f"Exported {count:,} contacts to {path.name}", 6000)

    def _on_favorites_call_requested(self, stored: StoredContact) -> None:
        number = preferred_call_number(stored.contact)
        if number is None:
            self.window.show_error(f"{stored.contact.display_name} has no number to call.")
        else:
            self.actions.call(number)

    def _on_favorites_text_requested(self, stored: StoredContact) -> None:
        number = preferred_text_number(stored.contact)
        if number is None:
            self.window.show_error(f"{stored.contact.display_name} has no number that takes texts.")
        else:
            self.text(number, stored.contact.display_name)

    def text(self, number: str, title: str = "") -> None:
        """Write a text to ``number``: in the Messages pane when signed in, else through the
        system's ``sms:`` handler."""
        if self.session is None:
            self.actions.text(number)
            return
        self._show_messages().open_number(number, title)

    def _on_window_sms_link_opened(self, number: str, body: str) -> None:
        if self.session is None:  # never back to the system: RingDesk may be its sms: handler
            self.window.show_error("Sign in to send texts from RingDesk.")
            return
        self._show_messages().open_number(number, body=body)

    def _on_tray_conversation_requested(self, conversation_id: str) -> None:
        self._show_messages().open_conversation(conversation_id)

    def _on_unread_changed(self, count: int) -> None:
        self.tray.set_unread(count)
        self.window.set_badge("Messages", count)

    def _on_pane_sync_cancel_requested(self) -> None:
        if self.session is not None:
            self.session.cancel_sync()
        self.contacts_pane.sync_finished()

    def _on_bridge_notification_requested(self, note: NotificationRequested) -> None:
        if not self.tray.notify(note):
            self.window.show_notice(note.title, note.body)

    def _on_contacts_painted(self, rows: int) -> None:
        log.info(
            "first paint: %d contacts shown %.3f s after start",
            rows,
            time.perf_counter() - self.started,
        )


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    log.critical("uncaught exception", exc_info=(kind, value, tb))


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    log.error("event loop: %s", context.get("message", "error"), exc_info=exc)


def run(args: argparse.Namespace, profile: Profile, *, started: float, instance_name: str = "") -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("RingDesk")
    app.setOrganizationName("RingDesk")
    app.setDesktopFileName("org.ringdesk.RingDesk")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    sys.excepthook = _log_uncaught
    # Worker threads (page decoding, file work) hand the interpreter back to the UI thread
    # within 1 ms instead of 5: measured during a 100,000-contact sync, the UI thread's
    # longest waits drop from ~95 ms to ~30 ms.
    sys.setswitchinterval(UI_SWITCH_INTERVAL)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_log_loop_exception)
        # qasync's own default executor starts ten QThreads up front; two lazy workers do.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker"))
        from ui.appearance import ColorSchemeFollower
        from ui.launcher import Launcher
        from ui.single_instance import InstanceServer

        colours = ColorSchemeFollower(app)
        instance = InstanceServer(instance_name) if instance_name else None
        if instance is not None:
            instance.listen()
        launcher = Launcher(args, profile, started, instance)

        def on_signal(*_: object) -> None:
            loop.call_soon_threadsafe(launcher.quit)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, on_signal)
        # Python handles signals only between bytecodes: wake it up now and then.
        wakeup = QTimer()
        wakeup.start(250)
        wakeup.timeout.connect(lambda: None)
        try:
            return await launcher.run()
        finally:
            if instance is not None:
                instance.close()
            del colours

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(main())
