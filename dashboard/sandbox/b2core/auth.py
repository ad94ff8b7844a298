"""Bearer tokens (issue, refresh, check) and sign-in throttling, for both audiences."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.models import (
    Audience,
    Client,
    SigninBlock,
    SigninFailure,
    Token,
    TokenKind,
)
from dashboard.sandbox.b2core.wire import ApiError, iso, now
from dashboard.sandbox.routers import SANDBOX_DB

# Short-lived access tokens, so that the dashboard's refresh path is exercised for real.
ACCESS_TOKEN_TTL = timedelta(minutes=15)
REFRESH_TOKEN_TTL = timedelta(days=1)
# B2Core: "5 attempts a minute by default, then a 10-minute block".
THROTTLE_ATTEMPTS = 5
THROTTLE_WINDOW = timedelta(minutes=1)
THROTTLE_BLOCK = timedelta(minutes=10)


def issue_pair(
    *, audience: str, admin_email: str = "", client: Client | None = None
) -> dict[str, Any]:
    """A new access/refresh pair as B2Core spells it: ``{accessToken, refreshToken}``."""
    created = now()
    body: dict[str, Any] = {}
    for kind, ttl, field in (
        (TokenKind.ACCESS, ACCESS_TOKEN_TTL, "accessToken"),
        (TokenKind.REFRESH, REFRESH_TOKEN_TTL, "refreshToken"),
    ):
        token = Token.objects.using(SANDBOX_DB).create(
            token=secrets.token_urlsafe(32),
            kind=kind,
            audience=audience,
            admin_email=admin_email,
            client=client,
            created_at=created,
            expires_at=created + ttl,
        )
        body[field] = {
            "token": token.token,
            "createdAt": iso(token.created_at),
            "expiresAt": iso(token.expires_at),
        }
    return body


def refresh_pair(body: dict[str, Any], *, audience: str) -> dict[str, Any]:
    """Trade a refresh token for a new pair; the old refresh token is spent (rotation)."""
    raw = body.get("refreshToken")
    if isinstance(raw, dict):  # the object sign-in returned, passed back whole
        raw = raw.get("token")
    if not isinstance(raw, str) or not raw:
        raise ApiError(400, "The refreshToken field is required.")
    with transaction.atomic(using=SANDBOX_DB):
        token = (
            Token.objects.using(SANDBOX_DB)
            .select_related("client")
            .filter(token=raw, kind=TokenKind.REFRESH, audience=audience)
            .first()
        )
        if token is None or token.expires_at <= now():
            raise ApiError(401, "The refresh token is invalid or has expired.")
        token.delete()
        return issue_pair(audience=audience, admin_email=token.admin_email, client=token.client)


def _bearer(request: HttpRequest, audience: str) -> Token:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise _unauthenticated("Unauthenticated.")
    token = (
        Token.objects.using(SANDBOX_DB)
        .select_related("client")
        .filter(token=raw, kind=TokenKind.ACCESS, audience=audience)
        .first()
    )
    if token is None:
        raise _unauthenticated("Unauthenticated.")
    if token.expires_at <= now():
        # Distinct message, same status: the client is expected to refresh and retry.
        raise _unauthenticated("The access token has expired.")
    return token


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def admin_email(request: HttpRequest) -> str:
    """The Back Office admin behind the request's bearer token (else 401)."""
    return _bearer(request, Audience.ADMIN).admin_email


def signed_in_client(request: HttpRequest) -> Client:
    """The client behind the request's bearer token (else 401)."""
    client = _bearer(request, Audience.CLIENT).client
    if client is None:
        raise _unauthenticated("Unauthenticated.")
    return client


def check_admin_password(email: str, password: str) -> bool:
    return secrets.compare_digest(
        email.lower(), credentials.B2CORE_ADMIN_EMAIL.lower()
    ) & secrets.compare_digest(password, credentials.B2CORE_ADMIN_PASSWORD)


def check_client_password(password: str) -> bool:
    return secrets.compare_digest(password, credentials.B2CORE_CLIENT_PASSWORD)


def ensure_not_blocked(audience: str, email: str) -> None:
    """429 with Retry-After while a block from too many failures runs."""
    block = (
        SigninBlock.objects.using(SANDBOX_DB)
        .filter(audience=audience, email=email.lower(), until__gt=now())
        .first()
    )
    if block is not None:
        seconds = math.ceil((block.until - now()).total_seconds())
        raise ApiError(
            429,
            f"Too many sign-in attempts. Try again in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )


def record_failure(audience: str, email: str) -> None:
    """Count a failed sign-in; the THROTTLE_ATTEMPTS-th in a window starts a block.

    Only failures count (as in Laravel's login throttle, which B2Core is built on): a
    dashboard that signs in from several processes must not lock itself out.
    """
    moment = now()
    key = email.lower()
    failures = SigninFailure.objects.using(SANDBOX_DB)
    failures.create(audience=audience, email=key, time=moment)
    recent = failures.filter(audience=audience, email=key, time__gt=moment - THROTTLE_WINDOW)
    if recent.count() >= THROTTLE_ATTEMPTS:
        SigninBlock.objects.using(SANDBOX_DB).update_or_create(
            audience=audience, email=key, defaults={"until": moment + THROTTLE_BLOCK}
        )
        failures.filter(audience=audience, email=key).delete()


def clear_failures(audience: str, email: str) -> None:
    SigninFailure.objects.using(SANDBOX_DB).filter(audience=audience, email=email.lower()).delete()
