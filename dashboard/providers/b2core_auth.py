"""B2Core's bearer-token auth: sign in, refresh once on a 401, sign in again, give up.

Reference: httpx docs/advanced/authentication.md ("custom authentication schemes", the
access/refresh example) and specs/b2core-2fa.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator

import httpx
import msgspec

from .errors import BadResponse, ProviderError, Unauthorized
from .http import Reply, decode_json

__all__ = ["B2CoreAuth"]

PROVIDER = "b2core"

_Flow = Generator[httpx.Request, httpx.Response, None]


class _Token(msgspec.Struct, kw_only=True, rename="camel"):
    token: str
    expires_at: str | None = None


class _Tokens(msgspec.Struct, kw_only=True, rename="camel"):
    two_fa_required: bool = msgspec.field(name="2faRequired", default=False)
    access_token: _Token | None = None  # absent when 2faRequired is true
    refresh_token: _Token | None = None


_TOKENS = msgspec.json.Decoder(_Tokens)


class B2CoreAuth(httpx.Auth):
    """Adds the access token; renews it at most once per request when B2Core answers 401.

    With a configured access token that token is used until it is refused; otherwise the
    service account signs in with email and password. Token state is shared between
    threads (one client serves many requests), so reads, writes and renewals are locked.
    """

    # False on purpose: True would make httpx read every final body before our
    # deadline-checked streaming sees it. Token answers are read explicitly below.
    requires_response_body = False

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str = "",
        email: str = "",
        password: str = "",
        on_token: Callable[[str], None] = lambda token: None,  # told of each new token
        error_for: Callable[[Reply], ProviderError],
    ) -> None:
        self._base = httpx.URL(base_url.rstrip("/") + "/")
        self._email = email
        self._password = password
        self._on_token = on_token
        self._error_for = error_for
        self._lock = threading.Lock()  # guards the two tokens
        self._renewing = threading.Lock()  # one renewal at a time (sign-in is throttled)
        self._access = access_token
        self._refresh = ""

    def __repr__(self) -> str:
        return f"B2CoreAuth({str(self._base)!r}, has_token={bool(self._access)})"

    @property
    def has_credentials(self) -> bool:
        """Whether the service account can sign in by itself."""
        return bool(self._email and self._password)

    def auth_flow(self, request: httpx.Request) -> _Flow:
        """Send ``request`` with a token; on 401 refresh once (or sign in) and resend once."""
        if not self._tokens()[0]:
            yield from self._renew(request, "", allow_refresh=False)
        used = self._tokens()[0]
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        if response.status_code != 401:
            return
        if not self._renew_possible():
            return  # the 401 stands and becomes Unauthorized
        yield from self._renew(request, used, allow_refresh=True)
        request.headers["Authorization"] = f"Bearer {self._tokens()[0]}"
        yield request

    def _tokens(self) -> tuple[str, str]:
        with self._lock:
            return self._access, self._refresh

    def _store(self, tokens: _Tokens) -> None:
        if tokens.access_token is None:
            raise BadResponse(PROVIDER, "B2Core answered a sign-in without an access token.")
        refresh = tokens.refresh_token.token if tokens.refresh_token else ""
        for token in (tokens.access_token.token, refresh):
            if token:
                self._on_token(token)
        with self._lock:
            self._access = tokens.access_token.token
            self._refresh = refresh or self._refresh

    def _renew_possible(self) -> bool:
        return bool(self._tokens()[1]) or self.has_credentials

    def _renew(self, original: httpx.Request, used: str, *, allow_refresh: bool) -> _Flow:
        with self._renewing:
            access, refresh = self._tokens()
            if access and access != used:
                return  # another thread renewed while we waited
            if allow_refresh and refresh:
                refreshed = yield from self._refresh_tokens(original, refresh)
                if refreshed:
                    return
                if not self.has_credentials:
                    raise Unauthorized(
                        PROVIDER,
                        "B2Core no longer accepts our access token and refreshing it failed.",
                        status=401,
                    )
            yield from self._sign_in(original)

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
        response.read()
        if response.status_code not in (200, 201):
            return False
        self._store(decode_json(PROVIDER, _reply(response), _TOKENS, what="a token refresh"))
        return True

    def _sign_in(self, original: httpx.Request) -> _Flow:
        if not self.has_credentials:
            raise Unauthorized(
                PROVIDER,
                "B2Core credentials are missing: set an access token, or an email and password.",
            )
        response = yield self._token_request(
            original, "api/v2/signin", {"email": self._email, "password": self._password}
        )
        response.read()
        reply = _reply(response)
        if response.status_code in (400, 401, 403, 422):
            raise Unauthorized(
                PROVIDER,
                f"B2Core refused the service account's sign-in ({response.status_code}); "
                "check its email and password.",
                status=response.status_code,
            )
        if response.status_code not in (200, 201):
            raise self._error_for(reply)
        tokens = decode_json(PROVIDER, reply, _TOKENS, what="a sign-in answer")
        if tokens.two_fa_required:
            raise Unauthorized(
                PROVIDER,
                "B2Core asks the service account for a second factor; the dashboard needs "
                "an account without 2FA.",
                status=response.status_code,
            )
        self._store(tokens)


def _reply(response: httpx.Response) -> Reply:
    return Reply(response.status_code, response.headers, response.content)
