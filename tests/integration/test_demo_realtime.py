"""The embedded RingPlan server's Socket.IO API (path /ws), with real clients over loopback:
python-socketio's AsyncClient, and an independent Node client written from the document's
JavaScript example (npm socket.io-client 4).

These tests drive their clients on a plain asyncio loop (``asyncio.run`` in a sync test), not
on the suite's qasync loop: the server under test needs no Qt, and a qasync loop's Qt objects
that become cyclic garbage may be collected by the server's thread, which crashes Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import queue
import re
import shutil
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from app.demo.server import DemoServer

JS_DIR = Path(__file__).parent / "js"
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
STATUSES = {"available", "away", "busy", "on_call", "dnd", "offline"}


class Recorder:
    """Every server event a client receives, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.connects = 0
        self.disconnects = 0

    async def on_event(self, event: str, *args: Any) -> None:
        self.events.append((event, args[0] if args else None))

    def payloads(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def wait_for(
        self, event: str, count: int = 1, within: float = 5.0, where: Callable[[Any], bool] | None = None
    ) -> list[Any]:
        deadline = time.monotonic() + within
        while True:
            found = [p for p in self.payloads(event) if where is None or where(p)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no {event!r} within {within}s; got {self.events!r}")
            await asyncio.sleep(0.02)


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


class Listener:
    """A python-socketio client that authenticates on every (re)connect, like the app does."""

    def __init__(self, server: DemoServer, token: str | None = None, reconnection: bool = False) -> None:
        self.server = server
        self.token = token if token is not None else server.credentials.api_key
        self.recorder = Recorder()
        self.client = socketio.AsyncClient(
            reconnection=reconnection,
            reconnection_delay=0.2,
            reconnection_delay_max=0.5,
            randomization_factor=0.0,
        )
        self.client.on("*", self.recorder.on_event)
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)

    async def _on_connect(self) -> None:
        self.recorder.connects += 1
        await self.client.emit(
            "authenticate", {"token": self.token, "user_email": self.server.credentials.user_email}
        )

    async def _on_disconnect(self, *args: Any) -> None:
        self.recorder.disconnects += 1

    async def connect(self) -> None:
        await self.client.connect(self.server.url, socketio_path="ws", transports=["websocket"])

    async def close(self) -> None:
        await self.client.disconnect()
        await self.client.shutdown()


@pytest.fixture(scope="module", autouse=True)
def collect_garbage_here() -> None:
    """Collect cyclic garbage left by earlier modules (Qt objects of their qasync loops
    included) on this thread, before a demo server thread could: Qt crashes when they die
    on another thread. The tests here make no Qt objects themselves."""
    gc.collect()


def run(scenario: Coroutine[Any, Any, None], within: float = 60.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(scenario, within)

    asyncio.run(bounded())


@contextlib.asynccontextmanager
async def listeners(server: DemoServer) -> AsyncIterator[Callable[..., Any]]:
    """Factory of connected listeners; all closed on exit."""
    made: list[Listener] = []

    async def make(token: str | None = None, reconnection: bool = False) -> Listener:
        listener = Listener(server, token, reconnection)
        made.append(listener)
        await listener.connect()
        return listener

    try:
        yield make
    finally:
        for listener in made:
            await listener.close()


def api_client(server: DemoServer) -> httpx.AsyncClient:
    credentials = server.credentials
    headers = {"Authorization": f"Bearer {credentials.api_key}", "X-User-Id": "primary"}
    return httpx.AsyncClient(base_url=server.url, headers=headers, timeout=10)


def check_message(message: dict[str, Any]) -> None:
    assert OBJECT_ID.match(message["id"])
    assert OBJECT_ID.match(message["conversation_id"])
    assert message["direction"] in {"inbound", "outbound"}
    assert isinstance(message["text"], str)
    assert isinstance(message["is_read"], bool)
    assert re.match(r"^\+1\d{10}$", message["frm"]) and re.match(r"^\+1\d{10}$", message["to"])


def test_authenticate_then_receive_new_messages(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        async with listeners(demo_server) as listen:
            listener = await listen()
            authenticated = await listener.recorder.wait_for("authenticated")
            assert isinstance(authenticated[0], dict)
            assert demo_server.authenticated_socket_count() == 1

            sent = await asyncio.to_thread(demo_server.emit_inbound_message, "Are you open on Saturday?")
            received = await listener.recorder.wait_for("texting.message.new")
            assert received == [sent]
            check_message(sent)
            assert sent["direction"] == "inbound" and sent["is_read"] is False
            assert sent["text"] == "Are you open on Saturday?"

            conversation = sent["conversation_id"]
            again = await asyncio.to_thread(demo_server.emit_inbound_message, "Second one", conversation)
            assert again["conversation_id"] == conversation
            await listener.recorder.wait_for("texting.message.new", count=2)
            with pytest.raises(KeyError):
                await asyncio.to_thread(demo_server.emit_inbound_message, "x", "0" * 24)

    run(scenario())


def test_a_bad_token_is_unauthorized_and_gets_no_events(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        async with listeners(demo_server) as listen:
            good = await listen()
            bad = await listen(token="not-the-key")
            unauthorized = await bad.recorder.wait_for("unauthorized")
            assert isinstance(unauthorized[0]["message"], str)
            await good.recorder.wait_for("authenticated")
            assert demo_server.authenticated_socket_count() == 1

            await asyncio.to_thread(demo_server.emit_inbound_message, "only for the good one")
            await asyncio.to_thread(demo_server.set_user_status, demo_server.credentials.user_id, "busy")
            await good.recorder.wait_for("user_status_updated")
            await asyncio.sleep(0.2)
            assert [name for name, _ in bad.recorder.events] == ["unauthorized"]
            # The server hangs up on a socket that stays unauthenticated.
            await until(lambda: not bad.client.connected, within=5)

    run(scenario())


def test_an_unauthenticated_client_event_is_refused(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        client = socketio.AsyncClient(reconnection=False)
        recorder = Recorder()
        client.on("*", recorder.on_event)
        await client.connect(demo_server.url, socketio_path="ws", transports=["websocket"])
        try:
            await client.emit("texting.message.markAsRead", {"conversation_id": "x", "messagesIds": []})
            await recorder.wait_for("unauthorized")
        finally:
            await client.disconnect()
            await client.shutdown()

    run(scenario())


def test_rest_changes_emit_documented_events(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        api = api_client(demo_server)
        async with listeners(demo_server) as listen:
            listener = await listen()
            events = listener.recorder
            await events.wait_for("authenticated")
            async with api:
                conversations = (await api.get("/texting/conversations", params={"per_page": 50})).json()
                unread = next(c for c in conversations if c["countunreadmessages"])
                path = f"/texting/conversations/{unread['id']}/messages"

                published = (
                    await api.post(f"{path}/publish", json={"text": "On it!", "stamp_id": "s-1"})
                ).json()
                assert await events.wait_for("texting.message.new") == [published]
                assert published["direction"] == "outbound"
                await api.post(f"{path}/publish", json={"text": "On it!", "stamp_id": "s-1"})

                messages = (await api.get(path)).json()
                target = next(m for m in messages if not m["is_read"])
                await api.patch(f"{path}/{target['id']}", json={"is_read": True})
                read = await events.wait_for("texting.message.markAsRead")
                assert read[0]["conversation_id"] == unread["id"]
                assert read[0]["messagesIds"] == [target["id"]]
                assert isinstance(read[0]["timezone"], str) and read[0]["timezone"]

                response = await api.delete(path, params={"ids": [messages[-1]["id"], messages[-2]["id"]]})
                assert response.status_code == 204
                deleted = await events.wait_for("texting.message.delete", count=2)
                assert {d["id"] for d in deleted} == {messages[-1]["id"], messages[-2]["id"]}
                assert all(set(d) == {"id", "conversation_id"} for d in deleted)
                assert all(d["conversation_id"] == unread["id"] for d in deleted)

                contact = (await api.post("/texting/contacts", json={"number": "+17605550177"})).json()
                from_number = unread["from_number"]
                body = {"contact_id": contact["id"], "from_number": from_number}
                created = (await api.post("/texting/conversations", json=body)).json()
                chat_new = await events.wait_for("texting.chat.new")
                assert chat_new == [created]
                await api.post("/texting/conversations", json=body)  # exists: no second event
                assert (await api.delete(f"/texting/conversations/{created['id']}")).status_code == 204
                assert await events.wait_for("texting.chat.delete") == [{"id": created["id"]}]

            status = await asyncio.to_thread(
                demo_server.set_user_status, demo_server.credentials.user_id, "on_call"
            )
            updates = await events.wait_for("user_status_updated")
            assert updates == [status]
            update = updates[0]
            assert set(update) == {
                "company_id",
                "user_id",
                "user_email",
                "status",
                "id",
                "created_at",
                "updated_at",
                "deleted_at",
            }
            assert update["user_id"] == demo_server.credentials.user_id
            assert update["user_email"] == demo_server.credentials.user_email
            assert update["status"]["status"] == "on_call" and update["status"]["action_type"]
            with pytest.raises(ValueError):
                demo_server.set_user_status(demo_server.credentials.user_id, "sleeping")
            await asyncio.sleep(0.2)
            assert len(events.payloads("texting.message.new")) == 1
            assert len(events.payloads("texting.chat.new")) == 1

    run(scenario())


def test_client_mark_as_read_is_stored_and_broadcast(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        api = api_client(demo_server)
        async with listeners(demo_server) as listen:
            first = await listen()
            second = await listen()
            await first.recorder.wait_for("authenticated")
            await second.recorder.wait_for("authenticated")
            async with api:
                conversations = (await api.get("/texting/conversations", params={"per_page": 50})).json()
                unread = next(c for c in conversations if c["countunreadmessages"])
                path = f"/texting/conversations/{unread['id']}/messages"
                ids = [m["id"] for m in (await api.get(path)).json() if not m["is_read"]]
                await first.client.emit(
                    "texting.message.markAsRead", {"conversation_id": unread["id"], "messagesIds": ids}
                )
                broadcast = await second.recorder.wait_for("texting.message.markAsRead")
                assert broadcast[0]["conversation_id"] == unread["id"]
                assert broadcast[0]["messagesIds"] == ids
                assert broadcast[0]["timezone"]
                after = (await api.get(path)).json()
                assert all(m["is_read"] for m in after if m["id"] in ids)
                conversations = (await api.get("/texting/conversations", params={"per_page": 50})).json()
                assert next(c for c in conversations if c["id"] == unread["id"])["countunreadmessages"] == 0
            await asyncio.sleep(0.2)
            assert first.recorder.payloads("texting.message.markAsRead") == []

    run(scenario())


def test_emit_raw_passes_anything_through(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        async with listeners(demo_server) as listen:
            listener = await listen()
            await listener.recorder.wait_for("authenticated")
            await asyncio.to_thread(demo_server.emit_raw, "texting.message.new", {"id": 5, "text": None})
            await asyncio.to_thread(demo_server.emit_raw, "user_status_updated", "garbage")
            assert await listener.recorder.wait_for("texting.message.new") == [{"id": 5, "text": None}]
            assert await listener.recorder.wait_for("user_status_updated") == ["garbage"]

    run(scenario())


def test_disconnect_all_sockets_drops_and_clients_reconnect(demo_server: DemoServer) -> None:
    async def scenario() -> None:
        async with listeners(demo_server) as listen:
            listener = await listen(reconnection=True)
            await listener.recorder.wait_for("authenticated")
            dropped = await asyncio.to_thread(demo_server.disconnect_all_sockets)
            assert dropped == 1
            await until(lambda: listener.recorder.disconnects == 1)
            # A dropped transport (not a polite goodbye): the client reconnects and authenticates again.
            await listener.recorder.wait_for("authenticated", count=2)
            await until(lambda: demo_server.authenticated_socket_count() == 1)
            sent = await asyncio.to_thread(demo_server.emit_inbound_message, "after the drop")
            assert await listener.recorder.wait_for("texting.message.new") == [sent]

    run(scenario())


def test_restart_on_the_same_port_and_reconnect(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = DemoServer(tmp_path / "demo.sqlite3", contacts=20)
        await asyncio.to_thread(server.start)
        listener = Listener(server, reconnection=True)
        try:
            await listener.connect()
            await listener.recorder.wait_for("authenticated")
            port = server.port
            await asyncio.to_thread(server.stop)
            await until(lambda: listener.recorder.disconnects == 1)
            assert server.authenticated_socket_count() == 0
            await asyncio.to_thread(server.start)
            assert server.port == port
            await listener.recorder.wait_for("authenticated", count=2, within=10)
            sent = await asyncio.to_thread(server.emit_inbound_message, "back again")
            assert await listener.recorder.wait_for("texting.message.new") == [sent]
        finally:
            await listener.close()
            await asyncio.to_thread(server.close)

    run(scenario())


def test_traffic_generator_makes_the_demo_look_alive(tmp_path: Path) -> None:
    async def scenario() -> None:
        server = DemoServer(tmp_path / "demo.sqlite3", contacts=30, traffic=True, traffic_interval=0.3)
        await asyncio.to_thread(server.start)
        listener = Listener(server)
        started = time.monotonic()
        try:
            await listener.connect()
            new = await listener.recorder.wait_for("texting.message.new", count=3, within=8)
            statuses = await listener.recorder.wait_for("user_status_updated", count=3, within=8)
        finally:
            await listener.close()
            await asyncio.to_thread(server.close)
        assert time.monotonic() - started < 8
        for message in new:
            check_message(message)
            assert message["direction"] == "inbound"
        assert {s["status"]["status"] for s in statuses} <= STATUSES

    run(scenario())


# -- an independent client: Node + npm socket.io-client, from the document's JS example ------


def _npm_install() -> None:
    if (JS_DIR / "node_modules" / "socket.io-client").is_dir():
        return
    npm = shutil.which("npm")
    assert npm is not None
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=JS_DIR,
        check=True,
        timeout=180,
        capture_output=True,
    )


@pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed for the independent socket.io-client check",
)
def test_the_documents_javascript_client_receives_a_new_message(demo_server: DemoServer) -> None:
    _npm_install()
    node = shutil.which("node")
    assert node is not None
    process = subprocess.Popen(
        [node, str(JS_DIR / "client.mjs"), demo_server.url, demo_server.credentials.api_key],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()

    def next_step() -> dict[str, Any]:
        step: dict[str, Any] = json.loads(lines.get(timeout=15))
        return step

    try:
        assert next_step()["step"] == "connected"
        authenticated = next_step()
        assert authenticated["step"] == "authenticated"
        assert demo_server.authenticated_socket_count() == 1
        sent = demo_server.emit_inbound_message("Hello from the demo server")
        received = next_step()
        assert received == {"step": "texting.message.new", "data": sent}
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()
        assert process.stdout is not None
        process.stdout.close()
