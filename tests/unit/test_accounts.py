"""The profile's account list: several accounts, one active, each with its own data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.profile import Profile
from app.services.accounts import Account, AccountRegistry, new_account_id


def registry(tmp_path: Path) -> AccountRegistry:
    return AccountRegistry(Profile.at(tmp_path / "profile").create())


def test_accounts_are_added_switched_and_removed(tmp_path: Path) -> None:
    accounts = registry(tmp_path)
    assert accounts.load().accounts == () and accounts.load().active is None
    first = Account(new_account_id(), "https://ssp-backend.ringplan.com", "u1", "ann@example.com", "Ann")
    second = Account(new_account_id(), "http://127.0.0.1:8765", "primary")
    accounts.add(first)
    accounts.add(second)
    assert accounts.load().active == second
    assert accounts.activate(first.id).active == first
    assert accounts.load().active == first
    assert [a.id for a in accounts.load().accounts] == [first.id, second.id]

    data = accounts.data_dir(first.id)
    assert data.parent == tmp_path.resolve() / "profile" / "data" / "accounts"
    assert accounts.profile_for(first.id).cache_path == data / "cache.sqlite3"
    data.mkdir(parents=True)
    (data / "cache.sqlite3").write_bytes(b"x")
    left = accounts.remove(first.id)
    assert not data.exists()
    assert left.active == second and accounts.load().active == second
    with pytest.raises(KeyError):
        accounts.activate(first.id)


def test_the_file_holds_no_key_and_is_plain_json(tmp_path: Path) -> None:
    accounts = registry(tmp_path)
    accounts.add(Account("abc123", "http://127.0.0.1:1", "u", "u@x.y"))
    data = json.loads(accounts.path.read_text())
    assert data["active"] == "abc123"
    assert set(data["accounts"][0]) == {"id", "server_url", "user_id", "user_email", "label"}


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"accounts": "x"}',
        '{"accounts": [1, {"id": "../x", "server_url": "http://127.0.0.1"}, '
        '{"id": "ok1", "server_url": "http://evil.example"}]}',
    ],
)
def test_a_broken_account_file_is_read_as_no_accounts(tmp_path: Path, content: str) -> None:
    accounts = registry(tmp_path)
    accounts.path.write_text(content)
    assert accounts.load().accounts == ()


def test_a_stale_active_id_falls_back_to_the_first_account(tmp_path: Path) -> None:
    accounts = registry(tmp_path)
    accounts.path.write_text(
        json.dumps({"active": "gone", "accounts": [{"id": "a1", "server_url": "http://127.0.0.1:2"}]})
    )
    assert accounts.load().active == Account("a1", "http://127.0.0.1:2")


def test_account_ids_cannot_reach_outside_the_profile(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        registry(tmp_path).data_dir("../../etc")


def test_titles() -> None:
    assert Account("a", "https://x.example", label="Ann").title == "Ann"
    assert Account("a", "https://x.example", "u1", "ann@x.example").title == "ann@x.example on x.example"
