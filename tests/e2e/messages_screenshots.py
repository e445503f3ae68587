"""Screenshots of the Messages pane: ``python -m tests.e2e.messages_screenshots [OUT_DIR]``.

1. ``messages-pane.png``, ``messages-search.png``: ``ringdesk --demo`` as a new user runs it
   under Xvfb (needs xdotool): the Messages pane with the traffic generator's texts, a
   reply typed and sent, then a search across all conversations.
2. ``messages-thread.png``: the pane alone (offscreen) over the real messaging service and
   the embedded demo server, with a thread that shows what the demo traffic rarely does at
   once: an MMS photo with its preview and a PDF chip, HTML-looking text shown literally,
   and a message that failed (the server refused every publish) with Retry and Delete.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def desktop_shots(out: Path) -> None:
    from tests.e2e.desktop import running_desktop
    from tests.e2e.test_demo_desktop import wait_for_line

    with (
        tempfile.TemporaryDirectory(prefix="ringdesk-shots-") as temp,
        running_desktop(Path(temp)) as desktop,
    ):
        config = Path(temp) / "profile" / "config"
        config.mkdir(parents=True)
        (config / "ringdesk.ini").write_text("[desktop]\ndo_not_disturb=true\n")  # no popups on the pane
        desktop.spawn(
            [sys.executable, "-m", "ui.main", "--demo", "--profile", str(Path(temp) / "profile")],
            "ringdesk.log",
            cwd=ROOT,
        )
        wait_for_line(desktop.root / "ringdesk.log", r"first paint", timeout=90)

        xdo, window = desktop.xdo, desktop.wait_for_window

        def shot(window_id: str, name: str) -> None:
            time.sleep(0.3)
            subprocess.run(["import", "-window", window_id, str(out / name)], env=desktop.env, check=True)

        main_window = window("^RingDesk$")
        xdo("windowsize", main_window, "1180", "760")
        time.sleep(8)  # the session starts, the traffic generator sends a few texts
        xdo("mousemove", "--window", main_window, "40", "170", "click", "1")  # "Messages"
        time.sleep(1.5)
        xdo("mousemove", "--window", main_window, "330", "250", "click", "1")  # the second conversation
        time.sleep(1.5)
        xdo("mousemove", "--window", main_window, "760", "716", "click", "1")  # the compose box
        xdo("type", "--delay", "15", "Thanks! I've opened a ticket, a technician will call you by 3pm.")
        xdo("key", "Return")
        time.sleep(2.5)
        shot(main_window, "messages-pane.png")
        xdo("key", "ctrl+f")
        xdo("type", "--delay", "15", "call")
        time.sleep(2.5)
        shot(main_window, "messages-search.png")


async def _thread_shot(path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from app.demo.media import document_file, photo_file
    from app.demo.server import DemoServer
    from app.domain.account import Credentials
    from app.domain.texting import DeliveryState
    from app.providers.ringplan.backoff import Backoff
    from app.providers.ringplan.realtime import RingPlanListener
    from app.providers.ringplan.rest import RingPlanClient
    from app.services.contact_book import ContactBook
    from app.services.event_bus import EventBus
    from app.services.messaging import Messaging
    from app.services.outbox import OutboxPolicy
    from app.store.database import Store
    from ui.bridge import EventBridge
    from ui.messages_pane import MessagesPane
    from ui.style import STYLE_SHEET

    with (
        tempfile.TemporaryDirectory(prefix="ringdesk-thread-") as temp,
        DemoServer(Path(temp) / "demo.sqlite3", contacts=50, traffic=False) as server,
    ):
        bus = EventBus()
        store = Store(Path(temp) / "cache.sqlite3")
        c = server.credentials
        credentials = Credentials(c.api_key, c.user_id, c.user_email)
        client = RingPlanClient(server.url, credentials)
        listener = RingPlanListener(server.url, credentials, bus.publish)
        policy = OutboxPolicy(max_attempts=2, backoff=Backoff(base=0.05, cap=0.1), settle=0.2)
        messaging = Messaging(store, bus, ContactBook(store, bus), outbox_policy=policy)
        listener.start()
        await messaging.attach(client, listener)
        await asyncio.wait_for(messaging.wait_caught_up(), 30)
        bridge = EventBridge(bus)
        pane = MessagesPane(messaging)
        pane.setStyleSheet(STYLE_SHEET + pane.styleSheet())
        pane.follow(bridge)
        pane.resize(1100, 720)
        pane.show()
        await pane.reload()
        summary = pane.model.summary(0)
        assert summary is not None
        cid = summary.conversation_id
        rng = random.Random(4)
        loop = asyncio.get_running_loop()
        company, user = server.db.company_id, server.db.acting_user_id
        for text, files in (
            ("Here is the router after the reset, and the invoice", [photo_file(rng, company, user)]),
            ("", [document_file(company, user)]),
            ('They wrote <b>urgent</b> and <a href="http://example.com">click here</a> — shown as typed', []),
        ):
            await loop.run_in_executor(None, lambda t=text, f=files: server.emit_inbound_message(t, cid, f))
        pane.open_conversation(cid)
        await asyncio.sleep(1.0)
        server.inject_faults(f"/texting/conversations/{cid}/messages/publish", [503] * 6)
        thread = pane.thread_view
        await messaging.send("Sending the technician's report now", conversation_id=cid)
        for _ in range(200):
            newest = thread.model.newest_message()
            if newest is not None and newest.delivery is DeliveryState.FAILED:
                break
            await asyncio.sleep(0.05)
        thread.scroll_to_newest()
        await asyncio.sleep(0.5)
        app = QApplication.instance()
        assert app is not None
        pane.grab().save(str(path))
        await pane.cancel_tasks()
        bridge.close()
        await messaging.detach()
        await listener.stop()
        await client.aclose()
        store.close()


def thread_shot(path: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(_thread_shot(path))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    thread_shot(out / "messages-thread.png")
    desktop_shots(out)
    for shot in sorted(out.glob("messages-*.png")):
        print(shot)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "screenshots")
