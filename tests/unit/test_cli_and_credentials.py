from __future__ import annotations

import pytest

from app.domain.account import Credentials, InvalidServerUrl, validate_server_url
from app.services.credentials import CredentialsUnavailable, credentials_from_env, find_credentials
from ui.cli import build_parser


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:1/", "http://[::1]:80", "https://x.example"]
)
def test_https_anywhere_and_plain_http_on_loopback_are_accepted(url: str) -> None:
    assert not validate_server_url(url).endswith("/")


@pytest.mark.parametrize(
    "url", ["http://example.com", "http://10.0.0.1:80", "ftp://127.0.0.1", "nonsense"]
)
def test_plain_http_elsewhere_and_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(InvalidServerUrl):
        validate_server_url(url)


def test_the_command_line_refuses_plain_http_to_a_remote_host(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--server", "http://example.com"])
    assert "plain http" in capsys.readouterr().err


def test_options_parse() -> None:
    args = build_parser().parse_args(["--demo", "--profile", "/tmp/p", "--log-level", "debug"])
    assert args.demo and str(args.profile) == "/tmp/p" and args.log_level == "DEBUG"


def test_credentials_come_from_the_environment() -> None:
    env = {"RINGDESK_API_KEY": "k3y", "RINGDESK_USER_ID": "abc", "RINGDESK_USER_EMAIL": "a@b.c"}
    assert credentials_from_env(env) == Credentials("k3y", "abc", "a@b.c")
    assert credentials_from_env({"RINGDESK_API_KEY": "k"}) == Credentials("k", "primary", "")
    assert credentials_from_env({}) is None


def test_the_api_key_never_shows_in_repr() -> None:
    assert "s3cret" not in repr(Credentials("s3cret", "u", "e"))


def test_missing_credentials_are_explained() -> None:
    # conftest selects keyring's null backend: the keyring holds nothing.
    with pytest.raises(CredentialsUnavailable, match="RINGDESK_API_KEY"):
        find_credentials("https://x.example", {})
