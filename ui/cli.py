"""Command-line options of ``ringdesk`` (Qt-free, so --help and --version are instant)."""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from app.domain.account import InvalidServerUrl, validate_server_url


def app_version() -> str:
    try:
        return version("ringdesk")
    except PackageNotFoundError:
        return "0+unknown"


def _server_url(text: str) -> str:
    try:
        return validate_server_url(text)
    except InvalidServerUrl as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ringdesk",
        description="RingDesk: contacts, presence, SMS, fax and voicemail for cloud phone systems.",
        epilog="Credentials for --server come from the system keyring, or from RINGDESK_API_KEY, "
        "RINGDESK_USER_ID and RINGDESK_USER_EMAIL.",
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded demo server on a free loopback port and connect to it",
    )
    target.add_argument("--server", type=_server_url, metavar="URL", help="RingPlan API URL (https://…)")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="keep all settings, cache and logs of this run under DIR",
    )
    parser.add_argument(
        "--demo-contacts",
        type=int,
        default=500,
        metavar="N",
        help="number of contacts the demo server holds (default 500)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="console log level (default INFO)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {app_version()}")
    return parser
