"""The Socket.IO side of the RingPlan API (document section "WebSocket"), at path ``/ws``.

A client connects, emits ``authenticate`` with ``{"token": API_KEY}`` (``user_email`` is
optional) and gets ``authenticated`` or ``unauthorized``. Only authenticated sockets join
the company room and receive the server events (``texting.*``, ``user_status_updated``).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Mapping
from typing import Any

import socketio

from app.demo.database import DemoDatabase

log = logging.getLogger(__name__)

COMPANY_ROOM = "company"
UNAUTHORIZED_DISCONNECT_AFTER = 1.0


class RealtimeHub:
    """The python-socketio server, the authenticated sockets and emits to the company."""

    def __init__(self, db: DemoDatabase) -> None:
        self.db = db
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            cors_allowed_origins="*",
            logger=False,
            engineio_logger=False,
        )
        self._connected: set[str] = set()
        self._authenticated: dict[str, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("authenticate", self._on_authenticate)
        self.sio.on("texting.message.markAsRead", self._on_mark_as_read)
        self.sio.on("*", self._on_other_event)

    # -- state ---------------------------------------------------------------------------

    def authenticated_count(self) -> int:
        return len(self._authenticated)

    def connected_count(self) -> int:
        return len(self._connected)

    # -- handlers ------------------------------------------------------------------------

    async def _on_connect(self, sid: str, environ: Mapping[str, Any], *args: object) -> None:
        self._connected.add(sid)

    async def _on_disconnect(self, sid: str, *args: object) -> None:
        self._connected.discard(sid)
        self._authenticated.pop(sid, None)

    async def _on_authenticate(self, sid: str, *args: object) -> None:
        data = args[0] if args else None
        token = data.get("token") if isinstance(data, Mapping) else None
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), self.db.api_key.encode()):
            await self._reject(sid, "Invalid token")
            return
        user_id = self.db.acting_user_id
        email = data.get("user_email") if isinstance(data, Mapping) else None
        if isinstance(email, str) and email:
            user_id = self.db.user_by_email(email) or user_id
        await self.sio.enter_room(sid, COMPANY_ROOM)
        self._authenticated[sid] = user_id
        await self.sio.emit(
            "authenticated",
            {
                "message": "Authentication successful.",
                "company_id": self.db.company_id,
                "user_id": user_id,
            },
            to=sid,
        )

    async def _reject(self, sid: str, message: str) -> None:
        await self.sio.emit("unauthorized", {"message": message}, to=sid)
        task = asyncio.get_running_loop().create_task(self._disconnect_if_unauthorized(sid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _disconnect_if_unauthorized(self, sid: str) -> None:
        await asyncio.sleep(UNAUTHORIZED_DISCONNECT_AFTER)
        if sid in self._connected and sid not in self._authenticated:
            await self.sio.disconnect(sid)

    async def _on_mark_as_read(self, sid: str, *args: object) -> None:
        user_id = self._authenticated.get(sid)
        if user_id is None:
            await self._reject(sid, "Client attempted to send data without authenticating.")
            return
        data = args[0] if args else None
        if not isinstance(data, Mapping):
            return
        conversation_id = data.get("conversation_id")
        ids = data.get("messagesIds")
        if not isinstance(conversation_id, str) or not isinstance(ids, list):
            return
        wanted = [i for i in ids if isinstance(i, str)]
        marked = self.db.set_read(conversation_id, wanted, True)
        if marked:
            await self.emit_company(
                "texting.message.markAsRead",
                {
                    "conversation_id": conversation_id,
                    "messagesIds": marked,
                    "timezone": self.db.user_timezone(user_id),
                },
                skip_sid=sid,
            )

    async def _on_other_event(self, event: str, sid: str, *args: object) -> None:
        if sid not in self._authenticated:
            await self._reject(sid, "Client attempted to send data without authenticating.")

    # -- emitting ------------------------------------------------------------------------

    async def emit_company(self, event: str, payload: object, skip_sid: str | None = None) -> None:
        """Emit a server event to every authenticated socket of the company."""
        await self.sio.emit(event, payload, room=COMPANY_ROOM, skip_sid=skip_sid)

    # -- connection control --------------------------------------------------------------

    async def drop_all(self) -> int:
        """Drop every connection as a network failure would: the websocket is closed without
        an Engine.IO/Socket.IO goodbye, so clients see a transport error and reconnect."""
        eio = self.sio.eio
        sockets = list(getattr(eio, "sockets", {}).values())
        for sock in sockets:
            try:
                await sock.close(wait=False, abort=True, reason=eio.reason.TRANSPORT_CLOSE)
                await sock.queue.put(None)  # ends the websocket writer, which closes the socket
            except Exception:  # pragma: no cover - depends on engine.io internals
                log.exception("could not drop socket %s", getattr(sock, "sid", "?"))
        for sid in list(self._connected):
            self._connected.discard(sid)
            self._authenticated.pop(sid, None)
        return len(sockets)

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.sio.shutdown()
