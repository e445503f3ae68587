"""Signing in: check a server URL and API key, list who the user may act as, check that choice.

Nothing is saved here; the caller stores the account and the key once :func:`verify_user`
has succeeded. Failures raise :class:`SignInFailed`, whose ``problem`` tells the kind
(wrong key, unreachable server, TLS, ...) and whose text is a sentence for the user that
never contains the key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.domain.account import Credentials, InvalidServerUrl, validate_server_url
from app.providers.errors import (
    ApiError,
    Forbidden,
    MalformedResponse,
    NetworkError,
    ProviderError,
    TimedOut,
    TlsError,
    Unauthorized,
)

if TYPE_CHECKING:
    from app.providers.ringplan.rest import RingPlanClient

log = logging.getLogger(__name__)

PRIMARY_USER = "primary"
MAX_LISTED_USERS = 1000
USERS_PER_PAGE = 500
SIGN_IN_TIMEOUT = 15.0


class SignInProblem(StrEnum):
    INVALID_URL = "invalid-url"
    MISSING_KEY = "missing-key"
    WRONG_KEY = "wrong-key"
    FORBIDDEN = "forbidden"
    UNREACHABLE = "unreachable"
    TIMED_OUT = "timed-out"
    TLS = "tls"
    SERVER = "server"
    BAD_ANSWER = "bad-answer"


class SignInFailed(Exception):
    def __init__(self, problem: SignInProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class UserChoice:
    """Someone the key may act as."""

    id: str
    name: str
    email: str = ""

    @property
    def label(self) -> str:
        if self.id == PRIMARY_USER:
            return "primary (the company's administrator)"
        return f"{self.name} <{self.email}>" if self.email else self.name


@dataclass(frozen=True, slots=True)
class CompanyDirectory:
    """What the key opened: the company and its users (at most ``MAX_LISTED_USERS``)."""

    server_url: str
    company_name: str
    users: tuple[UserChoice, ...]
    truncated: bool = False

    def find(self, user_id: str) -> UserChoice | None:
        return next((u for u in self.users if u.id == user_id), None)


def check_server_url(text: str) -> str:
    try:
        return validate_server_url(text)
    except InvalidServerUrl as exc:
        raise SignInFailed(SignInProblem.INVALID_URL, f"The server URL is not usable: {exc}.") from None


async def fetch_company_users(server_url: str, api_key: str) -> CompanyDirectory:
    """Check the key (acting as ``primary``) and list the company's users."""
    url = check_server_url(server_url)
    api_key = _checked_key(api_key)
    users = [UserChoice(PRIMARY_USER, PRIMARY_USER)]
    truncated = False
    async with _client(url, Credentials(api_key, PRIMARY_USER)) as client:
        try:
            company = await client.get_company()
            async for page in client.iter_company_contacts(items_per_page=USERS_PER_PAGE):
                for contact in page:
                    users.append(
                        UserChoice(
                            contact.source_id,
                            contact.display_name,
                            contact.emails[0] if contact.emails else "",
                        )
                    )
                if len(users) > MAX_LISTED_USERS:
                    truncated = True
                    break
        except ProviderError as exc:
            raise _failure(exc, url) from None
    people = sorted(users[1 : MAX_LISTED_USERS + 1], key=lambda u: u.name.casefold())
    return CompanyDirectory(url, company.name, (users[0], *people), truncated)


async def verify_user(server_url: str, api_key: str, user_id: str) -> str:
    """Check that the key may act as ``user_id``; returns the company's name."""
    url = check_server_url(server_url)
    api_key = _checked_key(api_key)
    user_id = user_id.strip() or PRIMARY_USER

    async with _client(url, Credentials(api_key, user_id)) as client:
        try:
            return (await client.get_company()).name
        except ProviderError as exc:
            raise _failure(exc, url, user_id=user_id) from None


def _client(url: str, credentials: Credentials) -> RingPlanClient:
    from app.providers.ringplan.rest import RingPlanClient

    # One attempt: a person is waiting for the answer and can press the button again.
    return RingPlanClient(url, credentials, timeout=SIGN_IN_TIMEOUT, max_attempts=1)


def _checked_key(api_key: str) -> str:
    api_key = api_key.strip()
    if not api_key:
        raise SignInFailed(SignInProblem.MISSING_KEY, "Enter the company's API key.")
    if any(ch.isspace() or ord(ch) < 32 for ch in api_key):
        raise SignInFailed(SignInProblem.WRONG_KEY, "An API key has no spaces or line breaks in it.")
    return api_key


def _failure(exc: ProviderError, url: str, *, user_id: str = PRIMARY_USER) -> SignInFailed:
    log.info("sign-in to %s failed: %s", url, type(exc).__name__)
    if isinstance(exc, Unauthorized):
        if user_id != PRIMARY_USER:
            return SignInFailed(
                SignInProblem.WRONG_KEY,
                "The server refused this user with this API key (HTTP 401). Pick another user.",
            )
        return SignInFailed(
            SignInProblem.WRONG_KEY,
            "The server did not accept this API key (HTTP 401). Check that it was copied whole "
            "from the Self Service Portal and has not been revoked.",
        )
    if isinstance(exc, Forbidden):
        return SignInFailed(SignInProblem.FORBIDDEN, f"The server refused access (HTTP 403): {exc}")
    if isinstance(exc, TlsError):
        return SignInFailed(
            SignInProblem.TLS,
            f"{exc}. The connection is not safe, so RingDesk did not send the key over it; check "
            "the URL, or the certificates of your network.",
        )
    if isinstance(exc, TimedOut):
        return SignInFailed(
            SignInProblem.TIMED_OUT, f"The server at {url} did not answer in {SIGN_IN_TIMEOUT:g} s."
        )
    if isinstance(exc, NetworkError):
        return SignInFailed(
            SignInProblem.UNREACHABLE,
            f"Could not reach {url}. Check the address and your network connection.",
        )
    if isinstance(exc, MalformedResponse):
        return SignInFailed(
            SignInProblem.BAD_ANSWER, f"{url} answered, but not like a RingPlan server: {exc}"
        )
    if isinstance(exc, ApiError):
        return SignInFailed(SignInProblem.SERVER, str(exc))
    return SignInFailed(SignInProblem.SERVER, str(exc))
