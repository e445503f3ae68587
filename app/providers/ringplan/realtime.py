"""The RingPlan live stream (Socket.IO at ``/ws``) as domain events.

:class:`RingPlanListener` owns one supervised task. Each connection attempt uses a fresh
``socketio.AsyncClient(reconnection=False)``: connect, emit ``authenticate``, wait for
``authenticated`` (ONLINE) or ``unauthorized`` (UNAUTHORIZED, and no more attempts). When
the connection fails or drops, the listener publishes OFFLINE with the delay before the
next attempt (capped exponential backoff with full jitter, reset after a connection that
stayed up for ``stable_after`` seconds). Every ONLINE after a reconnect tells the services
to catch up over REST.

Server events are validated with the wire models and published as domain events; a
malformed event is logged in one short line and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp
import socketio
from pydantic import ValidationError

from app.domain.account import Credentials, validate_server_url
from app.domain.events import (
    ConnectionChanged,
    ConnectionState,
    ConversationCreated,
    ConversationDeleted,
    MessageDeleted,
    MessageReceived,
    MessagesRead,
    PresenceChanged,
)
from app.providers.errors import NetworkError
from app.providers.ringplan.backoff import Backoff
from app.providers.ringplan.wire import (
    WireChatDeleted,
    WireConversation,
    WireMessage,
    WireMessageDeleted,
    WireMessagesRead,
    WireUserStatus,
    conversation_from_wire,
    describe_payload,
    message_from_wire,
    presence_from_wire,
    summarize_validation_error,
)

log = logging.getLogger(__name__)

SOCKETIO_PATH = "ws"
STOP_TIMEOUT = 5.0  # seconds stop() waits for the connection to close
_STRAGGLERS: set[asyncio.Task[None]] = set()
UNAUTHORIZED_DETAIL = "The server refused the API key for live updates: sign in again…"

# Server events and how each becomes a domain event.
_PARSERS: dict[str, Callable[[object], object]] = {
    "texting.message.new": lambda data: MessageReceived(
        message_from_wire(WireMessage.model_validate(data))
    ),
    "texting.message.delete": lambda data: _message_deleted(
        WireMessageDeleted.model_validate(data)
    ),
    "texting.message.markAsRead": lambda data: _messages_read(
        WireMessagesRead.model_validate(data)
    ),
    "texting.chat.new": lambda data: ConversationCreated(
        conversation_from_wire(WireConversation.model_validate(data))
    ),
    "texting.chat.delete": lambda data: ConversationDeleted(
        WireChatDeleted.model_validate(data).id
    ),
    "user_status_updated": lambda data: PresenceChanged(
        presence_from_wire(WireUserStatus.model_validate(data))
    ),
}

SERVER_EVENTS: tuple[str, ...] = tuple(_PARSERS)


def _message_deleted(wire: WireMessageDeleted) -> MessageDeleted:
    return MessageDeleted(conversation_id=wire.conversation_id, message_id=wire.id)


def _messages_read(wire: WireMessagesRead) -> MessagesRead:
    return MessagesRead(conversation_id=wire.conversation_id, message_ids=tuple(wire.messagesIds))


@dataclass(slots=True)
class _Attempt:
    """What happened on one connection; handlers set flags and poke ``changed``."""

    changed: asyncio.Event = field(default_factory=asyncio.Event)
    authenticated: bool = False
    rejected: bool = False
    ended: bool = False

    def poke(self) -> None:
        self.changed.set()

    def was_rejected(self) -> bool:
        # A method, not the attribute: the flag changes while we await.
        return self.rejected


@dataclass(frozen=True, slots=True)
class _Outcome:
    unauthorized: bool = False
    online_for: float = 0.0


class RingPlanListener:
    """Keeps the live connection up and publishes what arrives.

    ``publish`` receives :class:`ConnectionChanged` and the live domain events; it is
    called on the event loop and must not block.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        publish: Callable[[object], None],
        *,
        backoff: Backoff | None = None,
        connect_timeout: float = 10.0,
        auth_timeout: float = 10.0,
        stable_after: float = 30.0,
    ) -> None:
        self._url = validate_server_url(base_url)
        self._credentials = credentials
        self._publish_callback = publish
        self._backoff = backoff if backoff is not None else Backoff(base=1.0, cap=60.0)
        self._connect_timeout = connect_timeout
        self._auth_timeout = auth_timeout
        self._stable_after = stable_after
        self._state = ConnectionState.OFFLINE
        self._task: asyncio.Task[None] | None = None
        self._client: socketio.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"RingPlanListener({self._url!r}, state={self._state.value})"

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the supervised connection task (no-op when it already runs)."""
        if self.running:
            return
        self._task = asyncio.get_running_loop().create_task(
            self._supervise(), name="ringplan-listener"
        )

    async def stop(self) -> None:
        """Stop reconnecting, close the connection and publish OFFLINE."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            # python-engineio can swallow a cancellation while it closes a websocket and then
            # wait for good (seen when switching accounts): never let that hold up a shutdown.
            done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT)
            if done:
                with contextlib.suppress(asyncio.CancelledError):
                    task.result()
            else:
                log.warning("live connection: still closing after %g s; not waiting for it", STOP_TIMEOUT)
                _STRAGGLERS.add(task)  # keep it referenced until it ends by itself
                task.add_done_callback(_STRAGGLERS.discard)
        self._client = None
        self._set_state(ConnectionState.OFFLINE)

    async def mark_as_read(self, conversation_id: str, message_ids: Sequence[str]) -> None:
        """Emit ``texting.message.markAsRead`` to the server and the user's other clients.

        Raises :class:`NetworkError` when the live connection is not ONLINE.
        """
        client = self._client
        if client is None or self._state is not ConnectionState.ONLINE:
            raise NetworkError("The live connection is not open; messages were not marked read")
        ids = [message_ids] if isinstance(message_ids, str) else list(message_ids)
        payload = {"conversation_id": conversation_id, "messagesIds": ids}
        try:
            await client.emit("texting.message.markAsRead", payload)
        except socketio.exceptions.SocketIOError as exc:
            raise NetworkError("The live connection closed before messages were marked read") from exc

    # -- supervision ---------------------------------------------------------------------

    async def _supervise(self) -> None:
        attempt = 0
        session = aiohttp.ClientSession()
        try:
            while True:
                self._set_state(ConnectionState.CONNECTING)
                try:
                    outcome = await self._connect_once(session)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a bug or an unforeseen library error: log, retry
                    log.exception("live connection attempt failed unexpectedly")
                    outcome = _Outcome()
                if outcome.unauthorized:
                    self._set_state(ConnectionState.UNAUTHORIZED, detail=UNAUTHORIZED_DETAIL)
                    return
                if outcome.online_for >= self._stable_after:
                    attempt = 0
                delay = self._backoff.delay(attempt)
                attempt += 1
                self._set_state(ConnectionState.OFFLINE, retry_in=delay)
                await asyncio.sleep(delay)
        finally:
            self._client = None
            await session.close()

    async def _connect_once(self, session: aiohttp.ClientSession) -> _Outcome:
        """One connection, from connect to its end."""
        attempt = _Attempt()
        client = socketio.AsyncClient(
            reconnection=False,
            handle_sigint=False,
            http_session=session,
            request_timeout=self._connect_timeout,
        )
        self._register(client, attempt)
        try:
            try:
                async with asyncio.timeout(self._connect_timeout):
                    await client.connect(
                        self._url,
                        transports=["websocket"],
                        socketio_path=SOCKETIO_PATH,
                        wait_timeout=self._connect_timeout,
                    )
            except (TimeoutError, socketio.exceptions.ConnectionError, aiohttp.ClientError, OSError) as exc:
                log.info("live connection to %s failed: %s", self._url, _reason(exc))
                return _Outcome()

            try:
                await client.emit(
                    "authenticate",
                    {"token": self._credentials.api_key, "user_email": self._credentials.user_email},
                )
            except socketio.exceptions.SocketIOError as exc:
                log.info("live connection closed before authenticating: %s", _reason(exc))
                return _Outcome()

            try:
                async with asyncio.timeout(self._auth_timeout):
                    while not (attempt.authenticated or attempt.rejected or attempt.ended):
                        attempt.changed.clear()
                        await attempt.changed.wait()
            except TimeoutError:
                log.warning("live connection: no answer to authenticate in %g s", self._auth_timeout)
                return _Outcome()
            if not attempt.authenticated and not attempt.rejected:
                # The socket closed; a rejection sent just before the close may still be
                # in flight in the client's handler tasks.
                await asyncio.sleep(0.05)
            if attempt.rejected:
                return _Outcome(unauthorized=True)
            if not attempt.authenticated:
                log.info("live connection closed before authentication finished")
                return _Outcome()

            online_since = time.monotonic()
            self._client = client
            self._set_state(ConnectionState.ONLINE)
            while not (attempt.ended or attempt.rejected):
                attempt.changed.clear()
                await attempt.changed.wait()
            self._client = None
            online_for = time.monotonic() - online_since
            if attempt.was_rejected():
                return _Outcome(unauthorized=True, online_for=online_for)
            log.info("live connection lost after %.1f s", online_for)
            return _Outcome(online_for=online_for)
        finally:
            if self._client is client:
                self._client = None
            await _close(client)

    def _register(self, client: socketio.AsyncClient, attempt: _Attempt) -> None:
        def on_disconnect(*_args: object) -> None:
            attempt.ended = True
            attempt.poke()

        def on_authenticated(*_args: object) -> None:
            attempt.authenticated = True
            attempt.poke()

        def on_unauthorized(*_args: object) -> None:
            log.warning("live connection: the server refused the credentials")
            attempt.rejected = True
            attempt.poke()

        def on_other(event: object, *_args: object) -> None:
            log.debug("live connection: ignoring unknown event %s", describe_payload(event, 80))

        client.on("disconnect", on_disconnect)
        client.on("authenticated", on_authenticated)
        client.on("unauthorized", on_unauthorized)
        for name in SERVER_EVENTS:
            client.on(name, self._handler(name, attempt))
        client.on("*", on_other)

    def _handler(self, name: str, attempt: _Attempt) -> Callable[..., None]:
        parse = _PARSERS[name]

        def handle(*args: object) -> None:
            if not attempt.authenticated or attempt.ended:
                return
            try:
                if len(args) != 1:
                    raise _WrongArity(len(args))
                event = parse(args[0])
            except ValidationError as exc:
                log.warning(
                    "dropping malformed %s event (%s); payload: %s",
                    name,
                    summarize_validation_error(exc, 160),
                    describe_payload(args[0], 120),
                )
                return
            except _WrongArity as exc:
                log.warning("dropping malformed %s event: %d arguments instead of 1", name, exc.count)
                return
            except Exception as exc:  # never let a payload break the connection
                log.warning("dropping %s event that could not be read (%s)", name, type(exc).__name__)
                return
            self._publish(event)

        return handle

    # -- publishing ----------------------------------------------------------------------

    def _set_state(
        self, state: ConnectionState, *, retry_in: float | None = None, detail: str = ""
    ) -> None:
        self._state = state
        self._publish(ConnectionChanged(state, retry_in=retry_in, detail=detail))

    def _publish(self, event: object) -> None:
        try:
            self._publish_callback(event)
        except Exception:
            log.exception("publishing %s failed", type(event).__name__)


class _WrongArity(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


async def _close(client: socketio.AsyncClient) -> None:
    """Disconnect a client whatever state it is in; never raises (but lets cancel through)."""
    try:
        async with asyncio.timeout(5.0):
            await client.disconnect()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.debug("closing the live connection: %s", _reason(exc))
