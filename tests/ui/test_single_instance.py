"""One RingDesk per user and profile: later starts hand their request over a local socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ui.single_instance import InstanceRequest, InstanceServer, hand_over, instance_name

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Serving:
    name: str
    received: list[InstanceRequest]


@pytest.fixture
def serving(tmp_path: Path, qapp: QApplication) -> Iterator[Serving]:
    """A listening instance server and the requests it got (its notifiers want the app)."""
    name = str(tmp_path / "ringdesk.sock")
    server = InstanceServer(name)
    assert server.listen()
    received: list[InstanceRequest] = []
    server.request_received.connect(received.append)
    yield Serving(name, received)
    server.close()


async def later_start(name: str, link: str) -> tuple[str, float]:
    """What a second process sees: hand_over's answer, and how long it took."""
    code = (
        "import sys, time; t = time.perf_counter()\n"
        "from ui.single_instance import InstanceRequest, hand_over\n"
        f"ok = hand_over({name!r}, InstanceRequest({link!r}))\n"
        "print(ok, time.perf_counter() - t)\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    answer, seconds = out.decode().split()
    return answer, float(seconds)


async def test_a_later_start_hands_its_link_to_the_running_instance(serving: Serving) -> None:
    answer, seconds = await later_start(serving.name, "tel:+15551234567")
    assert answer == "True" and seconds < 2
    assert serving.received == [InstanceRequest("tel:+15551234567")]
    answer, _ = await later_start(serving.name, "")
    assert answer == "True" and serving.received[-1] == InstanceRequest("")


async def test_garbage_on_the_socket_is_dropped_and_the_server_keeps_serving(serving: Serving) -> None:
    for junk in (b"not json\n", b"[1, 2]\n", b"\xff\xfe\n"):
        with socket.socket(socket.AF_UNIX) as raw:
            raw.connect(serving.name)
            raw.sendall(junk)
            await asyncio.sleep(0.1)
    assert serving.received == []
    answer, _ = await later_start(serving.name, "sms:+15551234567?body=hi")
    assert answer == "True" and serving.received == [InstanceRequest("sms:+15551234567?body=hi")]


def test_with_no_running_instance_the_start_goes_on_at_once(tmp_path: Path) -> None:
    assert hand_over(str(tmp_path / "nobody.sock"), InstanceRequest("tel:1")) is False


def test_a_socket_file_left_by_a_crash_does_not_block_the_next_start(tmp_path: Path) -> None:
    name = tmp_path / "ringdesk.sock"
    name.write_bytes(b"")  # what a killed instance leaves behind
    server = InstanceServer(str(name))
    assert server.listen()
    with socket.socket(socket.AF_UNIX) as probe:
        probe.connect(str(name))
    server.close()
    assert not name.exists()  # closing removes the socket file


def test_only_the_user_may_use_the_socket(tmp_path: Path) -> None:
    name = tmp_path / "ringdesk.sock"
    server = InstanceServer(str(name))
    assert server.listen()
    try:
        mode = name.stat().st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
    finally:
        server.close()


async def test_an_oversized_request_is_cut_off(serving: Serving) -> None:
    with socket.socket(socket.AF_UNIX) as raw:
        raw.connect(serving.name)
        raw.setblocking(False)
        sent = 0
        with contextlib.suppress(BlockingIOError, BrokenPipeError, ConnectionResetError):
            for _ in range(200):
                sent += raw.send(b"x" * 4096)
                await asyncio.sleep(0.005)
        await asyncio.sleep(0.2)
        with contextlib.suppress(BlockingIOError, ConnectionResetError):
            assert raw.recv(10) == b""  # hung up on, without an answer
    assert serving.received == []
    answer, _ = await later_start(serving.name, "tel:+15551234567")
    assert answer == "True" and serving.received == [InstanceRequest("tel:+15551234567")]


def test_names_are_per_profile_and_in_the_private_runtime_dir(tmp_path: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(tmp_path)}
    first = instance_name(tmp_path / "a" / "config", env)
    second = instance_name(tmp_path / "b" / "config", env)
    assert first != second
    assert Path(first).parent == tmp_path and Path(second).parent == tmp_path
    assert instance_name(tmp_path / "a" / "config", env) == first
    assert f"ringdesk-{os.getuid()}-" in instance_name(tmp_path / "a", {})
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    assert len(instance_name(tmp_path / "a", {"XDG_RUNTIME_DIR": str(deep)})) <= 107
