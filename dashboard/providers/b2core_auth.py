"""B2Core's bearer-token auth: refresh once on a 401, else sign in again, else give up.

Reference: httpx docs/advanced/authentication.md ("custom authentication schemes", the
access/refresh example) and specs/b2core-2fa.md. The way in is either a token pair handed
over by an operator (B2Core asks Back Office users for a second factor, which an unattended
service cannot give) or a service account's email and password.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import msgspec

from .errors import BadResponse, ProviderError, TwoFactorRequired, Unauthorized
from .http import Reply, decode_json
from .wire import cap_stream

__all__ = ["B2CoreAuth", "TokenPair"]

PROVIDER = "b2core"

_Flow = Generator[httpx.Request, httpx.Response, None]

# A token answer is a few hundred bytes; so is a 401's body, which httpx reads before we renew.
TOKEN_MAX_BYTES = 64 * 1024

# A refresh answered with one of these means "this refresh token is no good" (404/405: the
# host has no refresh endpoint): sign in instead. Anything else unexpected is an outage.
_REFUSED = (400, 401, 403, 404, 405, 410, 422)

TWO_FACTOR_MESSAGE = (
    "B2Core asks the dashboard's service account for a second factor, which the dashboard "
    "cannot give: sign in with a token pair instead (B2CORE_ACCESS_TOKEN and "
    "B2CORE_REFRESH_TOKEN)."
)


@dataclass(frozen=True)
class TokenPair:
    """An access token and its refresh token, as B2Core issued them (never in a repr)."""

    access: str = field(repr=False)
    refresh: str = field(default="", repr=False)
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None


class _Token(msgspec.Struct, kw_only=True, rename="camel"):
    token: str
    expires_at: str | None = None


class _Tokens(msgspec.Struct, kw_only=True, rename="camel"):
    two_fa_required: bool = msgspec.field(name="2faRequired", default=False)
    access_token: _Token | None = None  # absent when 2faRequired is true
    refresh_token: _Token | None = None


_TOKENS = msgspec.json.Decoder(_Tokens)


def _when(raw: str | None) -> datetime | None:
    """An expiry as an aware datetime; None when absent or unreadable (it is only a hint)."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class B2CoreAuth(httpx.Auth):
    """Adds the access token; renews it at most once per request when B2Core answers 401.

    Renewal order: a newer pair another process already obtained (``latest_tokens``), then
    the refresh token, then a fresh sign-in with email and password. Each new pair is passed
    to ``on_tokens`` (to be kept across restarts). Token state is shared between threads (one
    client serves many requests), so reads, writes and renewals are locked.
    """

    # False on purpose: True would make httpx read every final body before our
    # deadline-checked streaming sees it. Token answers are read explicitly below.
    requires_response_body = False

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str = "",
        refresh_token: str = "",
        email: str = "",
        password: str = "",
        on_token: Callable[[str], None] = lambda token: None,  # told of each new token
        on_tokens: Callable[[TokenPair], None] = lambda pair: None,  # told of each new pair
        latest_tokens: Callable[[], TokenPair | None] = lambda: None,
        error_for: Callable[[Reply], ProviderError],
    ) -> None:
        self._base = httpx.URL(base_url.rstrip("/") + "/")
        self._email = email
        self._password = password
        self._on_token = on_token
        self._on_tokens = on_tokens
        self._latest_tokens = latest_tokens
        self._error_for = error_for
        self._lock = threading.Lock()  # guards the two tokens
        self._renewing = threading.Lock()  # one renewal at a time (sign-in is throttled)
        self._access = access_token
        self._refresh = refresh_token

    def __repr__(self) -> str:
        return f"B2CoreAuth({str(self._base)!r}, has_token={bool(self._access)})"

    @property
    def has_credentials(self) -> bool:
        """Whether the service account can sign in by itself."""
        return bool(self._email and self._password)

    def auth_flow(self, request: httpx.Request) -> _Flow:
        """Send ``request`` with a token; on 401 refresh once (or sign in) and resend once."""
        if not self._tokens()[0]:
            yield from self._renew(request, "")
        used = self._tokens()[0]
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code != 401:
            return
        if not self._renew_possible():
            return  # the 401 stands and becomes Unauthorized
        cap_stream(PROVIDER, response, TOKEN_MAX_BYTES)  # httpx reads it when we go on
        yield from self._renew(request, used)
        request.headers["Authorization"] = f"Bearer {self._tokens()[0]}"
        yield request

    def _tokens(self) -> tuple[str, str]:
        with self._lock:
            return self._access, self._refresh

    def _adopt(self, pair: TokenPair) -> None:
        for token in (pair.access, pair.refresh):
            if token:
                self._on_token(token)
        with self._lock:
            self._access = pair.access
            self._refresh = pair.refresh or self._refresh

    def _store(self, tokens: _Tokens) -> None:
        if tokens.access_token is None:
            raise BadResponse(PROVIDER, "B2Core answered a sign-in without an access token.")
        refresh = tokens.refresh_token
        pair = TokenPair(
            tokens.access_token.token,
            refresh.token if refresh else self._tokens()[1],
            _when(tokens.access_token.expires_at),
            _when(refresh.expires_at) if refresh else None,
        )
        self._adopt(pair)
        self._on_tokens(pair)

    def _adopted_latest(self, used: str) -> bool:
        """Take a pair that another process renewed meanwhile, if there is a newer one."""
        latest = self._latest_tokens()
        if latest is None or not latest.access or latest.access == used:
            return False
        self._adopt(latest)
        return True

    def _renew_possible(self) -> bool:
        return bool(self._tokens()[1]) or self.has_credentials

    def _renew(self, original: httpx.Request, used: str) -> _Flow:
        with self._renewing:
            access, refresh = self._tokens()
            if access and access != used:
                return  # another thread renewed while we waited
            if used and self._adopted_latest(used):
                return
            if refresh:
                refreshed = yield from self._refresh_tokens(original, refresh)
                if refreshed or self._adopted_latest(used):
                    return
                if not self.has_credentials:
                    raise Unauthorized(
                        PROVIDER,
                        "B2Core no longer accepts the dashboard's access token and refused to "
                        "refresh it: set a new token pair (B2CORE_ACCESS_TOKEN and "
                        "B2CORE_REFRESH_TOKEN).",
                        status=401,
                    )
            yield from self._sign_in(original, after_refresh=bool(refresh))

    def _token_request(self, original: httpx.Request, path: str, body: object) -> httpx.Request:
        return httpx.Request(
            "POST",
            self._base.join(path),
            json=body,
            headers={"Accept": "application/json"},
            # Without the original's timeout extension the transport would wait forever.
            extensions={"timeout": original.extensions.get("timeout", {})},
        )

    def _refresh_tokens(
        self, original: httpx.Request, refresh: str
    ) -> Generator[httpx.Request, httpx.Response, bool]:
        response = yield self._token_request(original, "api/v2/refresh", {"refreshToken": refresh})
        cap_stream(PROVIDER, response, TOKEN_MAX_BYTES)
        response.read()
        if response.status_code in _REFUSED:
            return False
        reply = _reply(response)
        if response.status_code not in (200, 201):
            raise self._error_for(reply)  # an outage is not a refused token: no sign-in
        self._store(decode_json(PROVIDER, reply, _TOKENS, what="a token refresh"))
        return True

    def _sign_in(self, original: httpx.Request, *, after_refresh: bool) -> _Flow:
        if not self.has_credentials:
            raise Unauthorized(
                PROVIDER,
                "B2Core credentials are missing: set an access token (and its refresh token), "
                "or an email and password.",
            )
        response = yield self._token_request(
            original, "api/v2/signin", {"email": self._email, "password": self._password}
        )
        cap_stream(PROVIDER, response, TOKEN_MAX_BYTES)
        response.read()
        reply = _reply(response)
        if response.status_code in (400, 401, 403, 422):
            refused = "refused to refresh our token and " if after_refresh else ""
            raise Unauthorized(
                PROVIDER,
                f"B2Core {refused}refused the service account's sign-in "
                f"({response.status_code}); check its email and password.",
                status=response.status_code,
            )
        if response.status_code not in (200, 201):
            raise self._error_for(reply)
        tokens = decode_json(PROVIDER, reply, _TOKENS, what="a sign-in answer")
        if tokens.two_fa_required:
            raise TwoFactorRequired(PROVIDER, TWO_FACTOR_MESSAGE, status=response.status_code)
        self._store(tokens)


def _reply(response: httpx.Response) -> Reply:
    return Reply(response.status_code, response.headers, response.content)
