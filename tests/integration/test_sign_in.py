"""Checking a server URL and API key before anything is saved: the demo server over real
sockets, a closed port, and a self-signed TLS server on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from app.demo.server import DemoServer
from app.services.sign_in import (
    PRIMARY_USER,
    SignInFailed,
    SignInProblem,
    fetch_company_users,
    verify_user,
)
from tests.tls_server import self_signed_https_server


async def test_the_right_key_lists_the_company_users_and_primary(demo_server: DemoServer) -> None:
    creds = demo_server.credentials
    directory = await fetch_company_users(demo_server.url + "/", creds.api_key)
    assert directory.server_url == demo_server.url
    assert directory.company_name
    assert directory.users[0].id == PRIMARY_USER
    assert len(directory.users) == 201  # primary + the 200 seeded users
    me = directory.find(creds.user_id)
    assert me is not None and me.email == creds.user_email and creds.user_email in me.label
    assert await verify_user(demo_server.url, creds.api_key, creds.user_id) == directory.company_name


async def test_a_wrong_key_is_a_401_said_in_words(demo_server: DemoServer) -> None:
    with pytest.raises(SignInFailed) as caught:
        await fetch_company_users(demo_server.url, "wrong-key-123")
    assert caught.value.problem is SignInProblem.WRONG_KEY
    assert "401" in str(caught.value) and "wrong-key-123" not in str(caught.value)


async def test_an_unknown_user_is_refused(demo_server: DemoServer) -> None:
    with pytest.raises(SignInFailed) as caught:
        await verify_user(demo_server.url, demo_server.credentials.api_key, "no-such-user")
    assert caught.value.problem is SignInProblem.WRONG_KEY
    assert "user" in str(caught.value)


async def test_an_unreachable_server() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SignInFailed) as caught:
        await fetch_company_users(f"http://127.0.0.1:{port}", "some-key-123")
    assert caught.value.problem is SignInProblem.UNREACHABLE
    assert f"127.0.0.1:{port}" in str(caught.value)


async def test_a_self_signed_certificate_is_a_tls_error(tmp_path: Path) -> None:
    with self_signed_https_server(tmp_path) as url, pytest.raises(SignInFailed) as caught:
        await fetch_company_users(url, "some-key-123")
    assert caught.value.problem is SignInProblem.TLS
    text = str(caught.value)
    assert "certificate" in text and "self-signed" in text and "some-key-123" not in text


@pytest.mark.parametrize(
    ("url", "key", "problem"),
    [
        ("http://example.com", "k" * 10, SignInProblem.INVALID_URL),
        ("ftp://127.0.0.1", "k" * 10, SignInProblem.INVALID_URL),
        ("https://x.example", "   ", SignInProblem.MISSING_KEY),
        ("https://x.example", "two words", SignInProblem.WRONG_KEY),
    ],
)
async def test_input_is_checked_before_any_request(url: str, key: str, problem: SignInProblem) -> None:
    with pytest.raises(SignInFailed) as caught:
        await fetch_company_users(url, key)
    assert caught.value.problem is problem
