"""The last B2Core authentication problem, kept in the cache for the pages' banner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from dashboard.providers.errors import TwoFactorRequired, Unauthorized

CACHE_KEY = "credentials:b2core:auth-problem"
# Long enough to outlive a quiet night; a success clears it sooner.
KEEP_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class AuthProblem:
    """What went wrong when the dashboard last tried to authenticate with B2Core."""

    two_factor_required: bool
    message: str  # the provider error's sentence: already free of secrets
    seen_at: datetime


def record(problem: Unauthorized | None) -> None:
    """Remember ``problem`` (the client's on_auth_problem hook); None clears it."""
    if problem is None:
        cache.delete(CACHE_KEY)
        return
    cache.set(
        CACHE_KEY,
        AuthProblem(isinstance(problem, TwoFactorRequired), problem.message, timezone.now()),
        KEEP_SECONDS,
    )


def last() -> AuthProblem | None:
    """The problem last recorded and not cleared since."""
    value = cache.get(CACHE_KEY)
    return value if isinstance(value, AuthProblem) else None
