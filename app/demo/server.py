"""DemoServer: the RingPlan API (REST + Socket.IO) on loopback, in a background thread.

    with DemoServer(contacts=200, seed=1) as server:
        server.url, server.credentials  # point a client here

The server runs uvicorn on its own asyncio loop in a daemon thread. The test controls
(``emit_inbound_message``, ``inject_faults``, ...) may be called from any thread: those
that emit schedule their work on the server loop and wait for it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import shutil
import socket
import tempfile
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import socketio
import uvicorn

from app.demo.database import DemoDatabase
from app.demo.faults import HANG, LATE_ANSWER, FaultInjector, FaultMiddleware
from app.demo.fax import fax_routes
from app.demo.fax_database import FaxDatabase
from app.demo.operations import DemoOperations
from app.demo.realtime import RealtimeHub
from app.demo.rest import build_rest_app
from app.demo.texts import STATUS_VALUES
from app.demo.traffic import TrafficGenerator
from app.demo.voicemail import voicemail_routes
from app.demo.wire import JsonDict

log = logging.getLogger(__name__)

T = TypeVar("T")

START_TIMEOUT = 20.0
CONTROL_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    """What a client needs: ``Authorization: Bearer <api_key>``, ``X-User-Id: <user_id>``."""

    api_key: str
    user_id: str
    user_email: str


class _Uvicorn(uvicorn.Server):
    """uvicorn.Server that reports when it listens and stops without waiting for a tick."""

    def __init__(self, config: uvicorn.Config, listening: threading.Event) -> None:
        super().__init__(config)
        self._listening = listening
        self._wake = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._listening.set()

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        self.should_exit = True
        self._wake.set()


@dataclass(slots=True)
class _Running:
    """What exists while the server runs (rebuilt on every start)."""

    loop: asyncio.AbstractEventLoop
    uvicorn: _Uvicorn
    hub: RealtimeHub
    ops: DemoOperations
    traffic: asyncio.Task[None] | None


def _cleanup(db: DemoDatabase, faxes: FaxDatabase, temp_dir: str | None) -> None:
    try:
        faxes.close()
        db.close()
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


class DemoServer:
    """The embedded RingPlan server. See the module docstring."""

    def __init__(
        self,
        db_path: Path | None = None,
        *,
        contacts: int = 200,
        seed: int = 1,
        traffic: bool = False,
        traffic_interval: float = 4.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if traffic_interval <= 0:
            raise ValueError("traffic_interval must be positive")
        temp_dir: str | None = None
        if db_path is None:
            temp_dir = tempfile.mkdtemp(prefix="ringdesk-demo-")
            db_path = Path(temp_dir) / "ringplan.sqlite3"
        self.db_path = Path(db_path)
        self.db = DemoDatabase(self.db_path, seed=seed, contacts=contacts)
        self.faxes = FaxDatabase.for_company(self.db, seed=seed)
        self.faults = FaultInjector()
        self.seed = seed
        self.traffic = traffic
        self.traffic_interval = traffic_interval
        self.host = host
        self._port = port
        self._thread: threading.Thread | None = None
        self._running: _Running | None = None
        self._failure: BaseException | None = None
        self._state_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _cleanup, self.db, self.faxes, temp_dir)

    # -- properties ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def credentials(self) -> DemoCredentials:
        return DemoCredentials(
            api_key=self.db.api_key,
            user_id=self.db.acting_user_id,
            user_email=self.db.acting_user_email,
        )

    @property
    def running(self) -> bool:
        return self._running is not None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Listen and serve in a background thread; returns once the port accepts."""
        with self._state_lock:
            if self._thread is not None:
                return
            sock = self._bind()
            self._port = int(sock.getsockname()[1])
            listening = threading.Event()
            self._failure = None
            thread = threading.Thread(
                target=self._thread_main,
                args=(sock, listening),
                name=f"ringplan-demo-{self._port}",
                daemon=True,
            )
            self._thread = thread
            thread.start()
            while not listening.wait(0.02):
                if not thread.is_alive():
                    break
            if not listening.is_set() or self._failure is not None:
                thread.join(START_TIMEOUT)
                self._thread = None
                raise RuntimeError(f"demo server failed to start on {self.url}") from self._failure

    def stop(self) -> None:
        """Close every connection and stop serving (the port is kept for a later start)."""
        with self._state_lock:
            thread = self._thread
            if thread is None:
                return
            running = self._running
            if running is not None:
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    asyncio.run_coroutine_threadsafe(self._shutdown(running), running.loop)
            thread.join(START_TIMEOUT)
            if thread.is_alive():
                log.error("demo server thread did not stop in time")
            self._thread = None

    def close(self) -> None:
        """Stop and release the database (a temporary one is deleted)."""
        self.stop()
        self._finalizer()

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
        # without it every keep-alive response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._port))
        except OSError:
            sock.close()
            raise
        return sock

    def _thread_main(self, sock: socket.socket, listening: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve(loop, sock, listening))
        except BaseException as exc:  # SystemExit from uvicorn on a failed startup, too
            self._failure = exc
            if not listening.is_set():
                log.exception("demo server failed to start")
            else:
                log.exception("demo server stopped with an error")
        finally:
            self._running = None
            try:
                pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                sock.close()

    async def _serve(
        self, loop: asyncio.AbstractEventLoop, sock: socket.socket, listening: threading.Event
    ) -> None:
        hub = RealtimeHub(self.db)
        ops = DemoOperations(self.db, hub)
        routes = [*fax_routes(self.faxes), *voicemail_routes(self.db)]
        rest = FaultMiddleware(build_rest_app(self.db, ops, routes), self.faults)
        app = socketio.ASGIApp(hub.sio, other_asgi_app=rest, socketio_path="ws")
        config = uvicorn.Config(
            app,
            lifespan="off",
            ws="wsproto",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
        )
        server = _Uvicorn(config, listening)
        traffic_task: asyncio.Task[None] | None = None
        if self.traffic:
            generator = TrafficGenerator(
                self.db, ops, interval=self.traffic_interval, seed=self.seed, faxes=self.faxes
            )
            traffic_task = loop.create_task(generator.run(), name="ringplan-demo-traffic")
        self._running = _Running(loop, server, hub, ops, traffic_task)
        try:
            await server.serve(sockets=[sock])
        finally:
            self._running = None
            if traffic_task is not None:
                traffic_task.cancel()
            await hub.shutdown()

    @staticmethod
    async def _shutdown(running: _Running) -> None:
        if running.traffic is not None:
            running.traffic.cancel()
        try:
            # Drop the Socket.IO connections first (clients see a transport error and will
            # reconnect), so that no long-poll keeps the graceful shutdown waiting.
            await running.hub.drop_all()
        finally:
            running.uvicorn.request_exit()

    # -- thread-safe controls ------------------------------------------------------------

    def _on_loop(self, make: Callable[[_Running], Awaitable[T]], timeout: float = CONTROL_TIMEOUT) -> T:
        """Run ``make(running)`` on the server loop and wait for its result."""
        running = self._running
        if running is None:
            raise RuntimeError("the demo server is not running")

        async def call() -> T:
            return await make(running)

        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(call(), running.loop)
        return future.result(timeout)

    def inject_faults(
        self,
        path_prefix: str,
        statuses: list[int],
        retry_after: float | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next ``len(statuses)`` HTTP requests under ``path_prefix`` get these statuses
        (0 = hang ``delay`` seconds, then answer normally; -1 = process at once, answer
        ``delay`` seconds later; see :mod:`app.demo.faults`)."""
        self.faults.add(path_prefix, statuses, retry_after, delay)

    def inject_random_faults(
        self,
        path_pattern: str,
        rate: float,
        statuses: tuple[int, ...] = (500, 503, HANG, LATE_ANSWER),
        delay: float = 0.0,
        seed: int | None = None,
    ) -> None:
        """From now until :meth:`clear_faults`, a ``rate`` share of the HTTP requests whose
        path matches the regular expression ``path_pattern`` fail with one of ``statuses``
        (``HANG``: no answer for ``delay`` seconds, the request is not processed if the
        client gave up; ``LATE_ANSWER``: processed at once, answered ``delay`` seconds later,
        so a client with a shorter timeout never learns that it worked)."""
        self.faults.add_random(path_pattern, rate, statuses, delay, seed)

    def emit_inbound_messages(self, conversation_id: str, texts: list[str]) -> list[JsonDict]:
        """Store many inbound SMS in one transaction, then emit ``texting.message.new`` for
        each; returns their Message JSON. KeyError: unknown conversation."""
        if self._running is None:
            messages = self.db.add_inbound_many(conversation_id, texts)
            if messages is None:
                raise KeyError(conversation_id)
            return messages
        return self._on_loop(lambda r: r.ops.receive_inbound_many(conversation_id, texts), timeout=60)

    def clear_faults(self) -> None:
        self.faults.clear()

    def disconnect_all_sockets(self) -> int:
        """Drop every Socket.IO connection server-side (clients see a transport error)."""
        if self._running is None:
            return 0
        return self._on_loop(lambda r: r.hub.drop_all())

    def emit_inbound_message(
        self, text: str, conversation_id: str | None = None, files: list[JsonDict] | None = None
    ) -> JsonDict:
        """Store an inbound SMS (in a random conversation if none given; an MMS with
        ``files``, File objects such as :func:`app.demo.media.photo_file` makes) and emit
        ``texting.message.new``; returns the Message JSON. KeyError: unknown conversation."""
        if self._running is None:
            if conversation_id is None:
                ids = self.db.conversation_ids()
                if not ids:
                    raise KeyError("no conversation to receive a message in")
                conversation_id = ids[0]
            message = self.db.add_inbound(conversation_id, text, files or ())
            if message is None:
                raise KeyError(conversation_id)
            return message
        return self._on_loop(lambda r: r.ops.receive_inbound(text, conversation_id, files=files or ()))

    def emit_raw(self, event: str, payload: object) -> None:
        """Emit anything (even a malformed payload) to the authenticated sockets."""
        if self._running is not None:
            self._on_loop(lambda r: r.hub.emit_company(event, payload))

    def set_user_status(self, user_id: str, status: str) -> JsonDict:
        """Set a user's presence and emit ``user_status_updated``; returns its payload."""
        if status not in STATUS_VALUES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUS_VALUES)}")
        if self._running is None:
            payload = self.db.set_user_status(user_id, status, "manual")
        else:
            payload = self._on_loop(lambda r: r.ops.set_user_status(user_id, status, "manual"))
        if payload is None:
            raise KeyError(user_id)
        return payload

    def add_contact(self, **fields: Any) -> JsonDict:
        """Add a company user (a partial Contact object); returns the Contact JSON."""
        return self.db.add_contact(fields)

    def update_contact(self, contact_id: str, **fields: Any) -> JsonDict:
        """Deep-merge fields into a company user; KeyError when it does not exist."""
        updated = self.db.update_contact(contact_id, fields)
        if updated is None:
            raise KeyError(contact_id)
        return updated

    def delete_contact(self, contact_id: str) -> None:
        """Remove a company user; KeyError when it does not exist."""
        if not self.db.delete_contact(contact_id):
            raise KeyError(contact_id)

    def receive_fax(self) -> JsonDict:
        """A new inbound fax from a customer (as the traffic generator makes); its JSON."""
        return self.faxes.receive()

    def authenticated_socket_count(self) -> int:
        running = self._running
        return 0 if running is None else running.hub.authenticated_count()

    def run_coroutine(self, coro: Coroutine[Any, Any, T], timeout: float = CONTROL_TIMEOUT) -> T:
        """Run a coroutine on the server loop (for tests that need something custom)."""
        running = self._running
        if running is None:
            coro.close()
            raise RuntimeError("the demo server is not running")
        return asyncio.run_coroutine_threadsafe(coro, running.loop).result(timeout)
