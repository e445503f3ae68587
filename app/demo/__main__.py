"""``python -m app.demo``: run the embedded RingPlan server in the foreground.

With ``--json`` it prints exactly one line, ``{"url", "api_key", "user_id", "user_email"}``,
once listening (``ringdesk --demo`` reads it); otherwise a few lines for a person. Ctrl-C or
SIGTERM stops it; with ``--json`` so does the parent process (the app) going away.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from app.demo.seed import MAX_CONTACTS
from app.demo.server import DemoServer


def _contacts(value: str) -> int:
    count = int(value)
    if not 1 <= count <= MAX_CONTACTS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_CONTACTS}")
    return count


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.demo",
        description="Run the embedded RingPlan API server (REST + Socket.IO at /ws) on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--contacts", type=_contacts, default=200, help="company users to seed (200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the demo data (1)")
    parser.add_argument(
        "--db", type=Path, default=None, help="SQLite file (reused when seeded alike; default: temp)"
    )
    parser.add_argument(
        "--traffic",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="generate inbound SMS and presence changes (on)",
    )
    parser.add_argument(
        "--traffic-interval",
        type=_positive,
        default=4.0,
        metavar="SEC",
        help="mean seconds between traffic events (4)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line with url and credentials")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    parent = os.getppid()

    server = DemoServer(
        args.db,
        contacts=args.contacts,
        seed=args.seed,
        traffic=args.traffic,
        traffic_interval=args.traffic_interval,
        host=args.host,
        port=args.port,
    )
    try:
        server.start()
        credentials = server.credentials
        if args.json:
            line = {
                "url": server.url,
                "api_key": credentials.api_key,
                "user_id": credentials.user_id,
                "user_email": credentials.user_email,
            }
            print(json.dumps(line), flush=True)
        else:
            env = " ".join(
                f"{name}={shlex.quote(value)}"
                for name, value in (
                    ("RINGDESK_API_KEY", credentials.api_key),
                    ("RINGDESK_USER_ID", credentials.user_id),
                    ("RINGDESK_USER_EMAIL", credentials.user_email),
                )
            )
            print(f"RingPlan demo server listening on {server.url} (Socket.IO path /ws)")
            print(f"  API key:    {credentials.api_key}")
            print(f"  User id:    {credentials.user_id}")
            print(f"  User email: {credentials.user_email}")
            print(f"  Database:   {server.db_path}")
            traffic = f"every ~{args.traffic_interval:g} s" if args.traffic else "off"
            print(f"  Traffic:    {traffic}")
            print("Run RingDesk against it:")
            print(f"  {env} ringdesk --server {server.url}")
            print("Ctrl-C stops the server.", flush=True)
        while not stop.wait(0.2):
            if not server.running:
                print("the demo server stopped unexpectedly", file=sys.stderr)
                return 1
            if args.json and os.getppid() != parent:  # the app that spawned us is gone
                break
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
