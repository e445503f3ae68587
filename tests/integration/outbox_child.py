"""The sending side of chaos test B as its own process, so that the test can SIGKILL it.

    python -m tests.integration.outbox_child --profile CACHE --url URL \\
        --conversations ID,ID,... [--queue N] [--timeout S] [--settle S] [--without-live-updates]

Credentials come from RINGDESK_TEST_API_KEY / _USER_ID / _USER_EMAIL. Like the app, it
opens the profile's store, attaches the messaging service (REST client + live listener)
and lets the outbox publish. With ``--queue N`` it first queues messages "outbox-chaos
0".."N-1" over the conversations in turn (a restarted process does not queue again: the
outbox is in the store). Prints ``QUEUED n`` after queueing, ``PENDING n`` now and then,
and ``DONE`` when every message is SENT; exits 0 then.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sqlite3
import sys
from pathlib import Path

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

TEXT_PREFIX = "outbox-chaos"


def say(line: str) -> None:
    print(line, flush=True)


def count_states(conn: sqlite3.Connection, prefix: str) -> dict[str, int]:
    found = conn.execute(
        "SELECT delivery, COUNT(*) FROM sms_messages WHERE text LIKE ? GROUP BY delivery", (prefix + " %",)
    ).fetchall()
    return {str(state): int(n) for state, n in found}


async def main(args: argparse.Namespace) -> int:
    credentials = Credentials(
        os.environ["RINGDESK_TEST_API_KEY"],
        os.environ["RINGDESK_TEST_USER_ID"],
        os.environ.get("RINGDESK_TEST_USER_EMAIL", ""),
    )
    bus = EventBus()
    store = Store(Path(args.profile))
    policy = OutboxPolicy(
        max_attempts=40,
        backoff=Backoff(base=0.05, cap=0.5),
        settle=args.settle,
        concurrency=len(args.conversations),
    )
    client = RingPlanClient(args.url, credentials, timeout=args.timeout, backoff=Backoff(base=0.02, cap=0.2))
    listener = RingPlanListener(
        args.url, credentials, bus.publish, backoff=Backoff(base=0.02, cap=0.2, rng=random.Random())
    )
    messaging = Messaging(store, bus, ContactBook(store, bus), outbox_policy=policy)
    if not args.without_live_updates:
        listener.start()
    await messaging.attach(client, listener)
    await messaging.wait_caught_up()
    if args.queue:
        for i in range(args.queue):
            cid = args.conversations[i % len(args.conversations)]
            await messaging.send(f"{TEXT_PREFIX} {i}", conversation_id=cid)
        say(f"QUEUED {args.queue}")
    while True:
        states = await store.call(count_states, TEXT_PREFIX)
        waiting = sum(n for state, n in states.items() if state != DeliveryState.SENT.value)
        say(f"PENDING {waiting} {states}")
        if waiting == 0 and states:
            break
        await asyncio.sleep(0.5)
    say("DONE")
    await messaging.detach()
    await listener.stop()
    await client.aclose()
    await asyncio.get_running_loop().run_in_executor(None, store.close)
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--conversations", required=True, type=lambda v: v.split(","))
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=0.3)
    parser.add_argument("--settle", type=float, default=0.8)
    # Without the live stream no echo of a published message confirms it: only the outbox's
    # own look-up on the server (and the catch-up at start) can tell that it arrived.
    parser.add_argument("--without-live-updates", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(asyncio.run(main(parse(sys.argv[1:]))))
