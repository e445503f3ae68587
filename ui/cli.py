"""Command-line options of ``ringdesk`` (Qt-free, so --help and --version are instant)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.domain.account import InvalidServerUrl, validate_server_url


def app_version() -> str:
    # importlib.metadata pulls in email, csv and zipfile (~3 MB): only when asked.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ringdesk")
    except PackageNotFoundError:
        return "0+unknown"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        print(f"{parser.prog} {app_version()}")
        parser.exit()


def _server_url(text: str) -> str:
    try:
        return validate_server_url(text)
    except InvalidServerUrl as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ringdesk",
        description="RingDesk: contacts, presence, SMS, fax and voicemail for cloud phone systems.",
        epilog="Without --demo or --server RingDesk uses the account you signed in with (the "
        "first start asks). Credentials for --server come from the system keyring, or from "
        "RINGDESK_API_KEY, RINGDESK_USER_ID and RINGDESK_USER_EMAIL. A second start hands its "
        "LINK (or just the request to show the window) to the running RingDesk of the profile.",
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
    parser.add_argument(
        "--hidden",
        action="store_true",
        help="start in the tray without showing the window (used when starting at login)",
    )
    parser.add_argument(
        "link",
        nargs="?",
        metavar="LINK",
        help="a tel:, sip:, callto: or sms: link to act on; handed to the running RingDesk if there is one",
    )
    parser.add_argument("--version", action=_VersionAction)
    return parser
