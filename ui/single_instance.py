"""One RingDesk per user and profile: a second start hands its request to the first.

The first instance listens on a Unix socket whose path is scoped to the user and the
profile. A later ``ringdesk`` (or ``ringdesk tel:+1555...`` started by a browser) connects,
sends one JSON line — ``{"activate": true}`` or ``{"link": "tel:..."}`` — waits for ``ok``
and exits 0. The socket lives in ``$XDG_RUNTIME_DIR`` (private to the user) when there is
one, and is created readable and writable by the user only.

Plain ``socket`` with ``QSocketNotifier``, not QtNetwork: loading QtNetwork for this alone
cost ~3 MB of the app's memory.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
CONNECT_SECONDS = 1.0
REPLY_SECONDS = 3.0
REPLY = b"ok\n"
# sockaddr_un.sun_path holds 108 bytes on Linux, the terminating NUL included.
MAX_SOCKET_PATH = 107


@dataclass(frozen=True, slots=True)
class InstanceRequest:
    """What a later start asked the running instance for."""

    link: str = ""  # a tel:/sip:/callto:/sms: link to act on, or ""

    def to_bytes(self) -> bytes:
        payload: dict[str, object] = {"activate": True}
        if self.link:
            payload["link"] = self.link
        return json.dumps(payload).encode() + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> InstanceRequest | None:
        try:
            payload = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(payload, dict):
            return None
        link = payload.get("link", "")
        return cls(link if isinstance(link, str) else "")


def instance_name(config_dir: Path, env: dict[str, str] | None = None) -> str:
    """The server name for this user and profile (an absolute socket path)."""
    env = dict(os.environ) if env is None else env
    digest = hashlib.sha256(str(config_dir.resolve()).encode()).hexdigest()[:16]
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):
        path = str(Path(runtime) / f"ringdesk-{digest}.sock")
        if len(path.encode()) <= MAX_SOCKET_PATH:
            return path
    return str(Path(tempfile.gettempdir()) / f"ringdesk-{os.getuid()}-{digest}.sock")


def hand_over(name: str, request: InstanceRequest) -> bool:
    """Give the request to a running instance; False when none answers (we are the first).

    Blocking, with short timeouts: used at start-up before the event loop runs.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(CONNECT_SECONDS)
        try:
            connection.connect(name)
        except OSError:
            return False
        connection.settimeout(REPLY_SECONDS)
        reply = b""
        try:
            connection.sendall(request.to_bytes())
            while not reply.endswith(b"\n") and len(reply) <= len(REPLY):
                chunk = connection.recv(64)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            return False
        return reply == REPLY


def listen_privately(path: str) -> socket.socket:
    """A non-blocking listening socket at ``path`` that only this user may connect to.

    A socket file left by an instance that crashed (it did not answer ``hand_over``) is
    replaced."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        umask = os.umask(0o177)  # the file is created rw------- : no window for others
        try:
            try:
                listener.bind(path)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                os.unlink(path)
                listener.bind(path)
        finally:
            os.umask(umask)
        listener.listen(8)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    return listener


class _Connection:
    """One later start talking to us: its socket, what it sent so far, and its notifier."""

    def __init__(self, sock: socket.socket, notifier: QSocketNotifier) -> None:
        self.socket = sock
        self.notifier = notifier
        self.data = b""

    def close(self) -> None:
        self.notifier.setEnabled(False)
        self.notifier.deleteLater()
        self.socket.close()


class InstanceServer(QObject):
    """Listens for later starts; emits ``request_received`` for each one."""

    request_received = Signal(object)  # InstanceRequest

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._listener: socket.socket | None = None
        self._accept_notifier: QSocketNotifier | None = None
        self._connections: dict[int, _Connection] = {}

    def listen(self) -> bool:
        try:
            self._listener = listen_privately(self.name)
        except OSError as exc:
            log.warning("single instance: cannot listen on %s: %s", self.name, exc.strerror or exc)
            return False
        notifier = QSocketNotifier(self._listener.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(self._on_listener_activated)
        self._accept_notifier = notifier
        return True

    def close(self) -> None:
        for connection in list(self._connections.values()):
            connection.close()
        self._connections.clear()
        if self._accept_notifier is not None:
            self._accept_notifier.setEnabled(False)
            self._accept_notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            with contextlib.suppress(OSError):
                os.unlink(self.name)

    def _on_listener_activated(self, *_: object) -> None:
        if self._listener is None:
            return
        while True:
            try:
                sock, _address = self._listener.accept()
            except OSError:  # BlockingIOError: no one else waiting
                return
            sock.setblocking(False)
            notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
            connection = _Connection(sock, notifier)
            self._connections[sock.fileno()] = connection
            notifier.activated.connect(lambda *_, c=connection: self._on_connection_readable(c))

    def _on_connection_readable(self, connection: _Connection) -> None:
        try:
            chunk = connection.socket.recv(MAX_MESSAGE_BYTES)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # hung up
            self._forget(connection)
            return
        connection.data += chunk
        if len(connection.data) > MAX_MESSAGE_BYTES:
            log.warning("single instance: dropping an oversized request")
            self._forget(connection)
            return
        if b"\n" not in connection.data:
            return
        request = InstanceRequest.from_bytes(connection.data.split(b"\n", 1)[0])
        if request is None:
            log.warning("single instance: dropping a malformed request")
            self._forget(connection)
            return
        with contextlib.suppress(OSError):  # it gave up waiting: the request still counts
            connection.socket.send(REPLY)  # a few bytes into an empty buffer: never blocks
        self._forget(connection)
        log.info("single instance: request from a later start%s", " with a link" if request.link else "")
        self.request_received.emit(request)

    def _forget(self, connection: _Connection) -> None:
        self._connections.pop(connection.socket.fileno(), None)
        connection.close()
