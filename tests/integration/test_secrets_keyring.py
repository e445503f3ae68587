"""API keys in a real GNOME Keyring over a private D-Bus session; locked and missing keyrings."""

from __future__ import annotations

import gc
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.secrets import KeyringUnavailable, SecretStore, keyring_user_name
from tests.keyring_session import gnome_keyring, missing_keyring_tools, secret_tool_lookup


@pytest.fixture
def keyring_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    missing = missing_keyring_tools()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"keyring tools missing: {missing}")
        pytest.skip(f"keyring tools missing: {missing}")
    with gnome_keyring(tmp_path / "keyring") as env:
        for key in ("DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME"):
            monkeypatch.setenv(key, env[key])
        monkeypatch.delenv("DISPLAY", raising=False)  # no unlock prompt can show: it is dismissed
        yield env


def secret_service() -> SecretStore:
    from keyring.backends.SecretService import Keyring

    return SecretStore(Keyring())


def test_a_key_is_stored_read_and_removed_in_gnome_keyring(keyring_env: dict[str, str]) -> None:
    store = secret_service()
    store.save_api_key("a1b2c3", "key-Zq81-secret")
    assert store.api_key("a1b2c3") == "key-Zq81-secret"
    # What another program sees in the keyring: the same key under our service and user name.
    assert (
        secret_tool_lookup(keyring_env, service="RingDesk", username=keyring_user_name("a1b2c3"))
        == "key-Zq81-secret"
    )
    assert store.api_key("other") is None
    store.delete("a1b2c3")
    assert store.api_key("a1b2c3") is None
    assert secret_tool_lookup(keyring_env, service="RingDesk", username=keyring_user_name("a1b2c3")) == ""
    store.delete("a1b2c3")  # removing what is not there is fine


def test_a_locked_keyring_is_reported_as_locked(keyring_env: dict[str, str]) -> None:
    import secretstorage

    store = secret_service()
    store.save_api_key("a1b2c3", "key-Zq81-secret")
    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()
    with pytest.raises(KeyringUnavailable, match="locked") as caught:
        store.api_key("a1b2c3")
    assert caught.value.locked
    assert "key-Zq81-secret" not in str(caught.value)
    with pytest.raises(KeyringUnavailable, match="locked"):
        store.save_api_key("d4", "another-secret")
    # keyring's SecretService backend does not close its D-Bus connection when the collection
    # stays locked; collect those sockets here rather than in some later test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_no_keyring_at_all_is_said_in_words() -> None:
    from keyring.backends import fail, null

    for backend in (fail.Keyring(), null.Keyring()):
        store = SecretStore(backend)
        with pytest.raises(KeyringUnavailable, match="No system keyring") as caught:
            store.save_api_key("a1", "key-Zq81-secret")
        assert not caught.value.locked
        with pytest.raises(KeyringUnavailable):
            store.api_key("a1")


def test_a_keyring_service_that_went_away_is_reported(
    keyring_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = secret_service()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-bus")
    with pytest.raises(KeyringUnavailable) as caught:
        store.save_api_key("a1", "key-Zq81-secret")
    assert "key-Zq81-secret" not in str(caught.value)
