"""Chaos test B: 500 outbound messages, 30% of publish calls failing (5xx, or no answer in
time while the server does store the message), and the sending process SIGKILLed twice
midway. The server must hold exactly 500 messages, each once, and the store all SENT.

Without live updates (the harder case) nothing but the outbox's own look-up of the stamp_id
on the server keeps a message whose answer was lost from being published again; with them,
the server's echo of a published message usually confirms it first.

The sending side runs as a real child process (``tests.integration.outbox_child``) on the
profile's SQLite file, so that a kill loses everything in memory, as a crash would.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.demo.faults import HANG, LATE_ANSWER
from app.demo.server import DemoServer
from tests.integration.outbox_child import TEXT_PREFIX

MESSAGES = 500
CONVERSATIONS = 20
ROOT = Path(__file__).resolve().parents[2]
CLIENT_TIMEOUT = 0.3
# How long a hung request or a late answer keeps the client waiting (beyond its timeout).
LATE = 0.5
SETTLE = 0.9


class Child:
    """One run of the sending process; its stdout lines are read on a thread."""

    def __init__(
        self, server: DemoServer, profile: Path, conversations: list[str], queue_count: int, *, live: bool
    ) -> None:
        c = server.credentials
        env = {
            **os.environ,
            "RINGDESK_TEST_API_KEY": c.api_key,
            "RINGDESK_TEST_USER_ID": c.user_id,
            "RINGDESK_TEST_USER_EMAIL": c.user_email,
        }
        args = [
            sys.executable,
            "-m",
            "tests.integration.outbox_child",
            "--profile",
            str(profile),
            "--url",
            server.url,
            "--conversations",
            ",".join(conversations),
            "--queue",
            str(queue_count),
            "--timeout",
            str(CLIENT_TIMEOUT),
            "--settle",
            str(SETTLE),
            *([] if live else ["--without-live-updates"]),
        ]
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.put(line.strip())

    def wait_for_line(self, prefix: str, within: float) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    raise AssertionError(
                        f"the child exited ({self.process.returncode}) before {prefix!r}"
                    ) from None
                continue
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line within {within} s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.finish()

    def finish(self) -> int:
        """Wait for the process to end and its output to be read; returns its exit code."""
        code = self.process.wait(20)
        self._reader.join(10)
        return code


def published(server: DemoServer) -> list[tuple[str, str]]:
    """(text, stamp_id) of every chaos message in the server's database."""
    with sqlite3.connect(server.db_path) as conn:
        return [
            (str(text), str(stamp))
            for text, stamp in conn.execute(
                "SELECT text, stamp_id FROM messages WHERE text LIKE ?", (TEXT_PREFIX + " %",)
            )
        ]


def wait_until_published(server: DemoServer, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while len(published(server)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {count} messages published within {within} s")
        time.sleep(0.05)


@pytest.mark.parametrize("live", [False, True], ids=["no-live-echo", "with-live-updates"])
def test_500_outbound_messages_with_failures_and_two_kills(
    demo_server: DemoServer, tmp_path: Path, live: bool
) -> None:
    conversations = demo_server.db.conversation_ids()[:CONVERSATIONS]
    demo_server.inject_random_faults(
        r"/messages/publish$", 0.3, statuses=(500, 503, HANG, LATE_ANSWER), delay=LATE, seed=5
    )
    profile = tmp_path / "cache.sqlite3"
    try:
        first = Child(demo_server, profile, conversations, MESSAGES, live=live)
        first.wait_for_line("QUEUED", within=60)
        wait_until_published(demo_server, 150, within=60)
        first.kill()
        second = Child(demo_server, profile, conversations, 0, live=live)
        wait_until_published(demo_server, 300, within=60)
        second.kill()
        last = Child(demo_server, profile, conversations, 0, live=live)
        last.wait_for_line("DONE", within=90)
        assert last.finish() == 0
    finally:
        for child in ("first", "second", "last"):
            running = locals().get(child)
            if isinstance(running, Child) and running.process.poll() is None:
                running.kill()
    assert demo_server.faults.random_hits() >= 100  # about 30% of the publish calls failed

    rows = published(demo_server)
    texts = [text for text, _ in rows]
    assert len(rows) == MESSAGES
    assert sorted(texts) == sorted(f"{TEXT_PREFIX} {i}" for i in range(MESSAGES))  # each once
    assert len({stamp for _, stamp in rows}) == MESSAGES
    # The server answered no publish with "already have it": the client never sent one twice.
    assert demo_server.db.repeated_stamp_publishes == 0

    with sqlite3.connect(profile) as conn:
        states = conn.execute(
            "SELECT delivery, COUNT(*) FROM sms_messages WHERE text LIKE ? GROUP BY delivery",
            (TEXT_PREFIX + " %",),
        ).fetchall()
        assert states == [("sent", MESSAGES)]
        assert conn.execute("SELECT COUNT(*) FROM sms_outbox").fetchone()[0] == 0
        stored = {
            str(stamp)
            for (stamp,) in conn.execute(
                "SELECT stamp_id FROM sms_messages WHERE text LIKE ?", (TEXT_PREFIX + " %",)
            )
        }
    assert stored == {stamp for _, stamp in rows}
