"""What an action came to, and which provider errors leave that open."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.audit.models import FAILED, SUCCESS, UNKNOWN
from dashboard.providers.errors import BadResponse, ProviderError, Unavailable

__all__ = ["FAILED", "SUCCESS", "UNKNOWN", "Outcome", "may_have_reached"]


@dataclass(frozen=True)
class Outcome:
    """``state`` is an audit outcome: success, failed or unknown."""

    state: str
    message: str
    provider_message: str = ""
    # The session's status as Wavix last told us, when we learnt it (to store locally).
    status_seen: str = ""


def may_be_in_flight(exc: ProviderError) -> bool:
    """True when no answer came back at all (a timeout, a dropped connection): the provider
    may still be working on the request, so reading its state now may be too early."""
    return isinstance(exc, Unavailable) and exc.status is None


def may_have_reached(exc: ProviderError) -> bool:
    """True when the provider may have acted although we got no clear answer: a timeout,
    a dropped connection, a 5xx or an unreadable body. 4xx answers are definite refusals."""
    return isinstance(exc, Unavailable | BadResponse)
