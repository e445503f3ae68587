"""One RingDesk per user and profile: a second start hands its request to the first.

The first instance listens on a local socket (``QLocalServer``) whose name is scoped to the
user and the profile. A later ``ringdesk`` (or ``ringdesk tel:+1555...`` started by a
browser) connects with ``QLocalSocket``, sends one JSON line — ``{"activate": true}`` or
``{"link": "tel:..."}`` — waits for ``ok`` and exits 0. The socket lives in
``$XDG_RUNTIME_DIR`` (private to the user) when there is one, and only the user may connect.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
CONNECT_MS = 1000
REPLY_MS = 3000
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
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    try:
        socket.write(request.to_bytes())
        if socket.bytesToWrite() > 0:
            socket.waitForBytesWritten(REPLY_MS)
        reply = b""
        while not reply.endswith(b"\n"):
            ready = socket.waitForReadyRead(REPLY_MS)
            reply += bytes(socket.readAll().data())  # also what came before a hang-up
            if not ready:
                break
        return reply == REPLY
    finally:
        socket.disconnectFromServer()


class InstanceServer(QObject):
    """Listens for later starts; emits ``request_received`` for each one."""

    request_received = Signal(object)  # InstanceRequest

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed instance is removed first."""
        if self._server.listen(self.name):
            return True
        if self._server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            QLocalServer.removeServer(self.name)
            if self._server.listen(self.name):
                return True
        log.warning("single instance: cannot listen on %s: %s", self.name, self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE_BYTES:
            log.warning("single instance: dropping an oversized request")
            socket.abort()
            return
        self._buffers[socket] = data
        if b"\n" not in data:
            return
        line = data.split(b"\n", 1)[0]
        request = InstanceRequest.from_bytes(line)
        if request is None:
            log.warning("single instance: dropping a malformed request")
            socket.abort()
            return
        socket.write(REPLY)
        socket.flush()  # the client hangs up once it has read the reply
        log.info("single instance: request from a later start%s", " with a link" if request.link else "")
        self.request_received.emit(request)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()
