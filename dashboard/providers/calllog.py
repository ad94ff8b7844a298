"""One log line per provider call, and the request id it belongs to.

This layer never imports Django: the dashboard puts the request id of the request (or task)
being served in ``REQUEST_ID`` (dashboard/logs.py), and every call made in that context,
worker threads included when they were started with a copy of it, logs it.

What a line holds: provider, operation, method, final status, duration, attempts, outcome,
request id; on failure the error's sentence, already scrubbed of the call's secrets, with
anything that looks like a phone number masked. Never a path, a query, a header or a body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["REQUEST_ID", "current_request_id", "log_call", "mask_phones", "request_id_scope"]

REQUEST_ID: ContextVar[str] = ContextVar("dashboard_request_id", default="")

log = logging.getLogger("dashboard.provider_calls")

# Seven or more digits, optionally led by "+" and split by spaces, dots, dashes or brackets.
_PHONE_LIKE = re.compile(r"\+?\d(?:[ ().-]{0,2}\d){6,}")


def current_request_id() -> str:
    """The id of the request or task being served here, "" outside one."""
    return REQUEST_ID.get()


@contextmanager
def request_id_scope(value: str) -> Iterator[str]:
    """Serve ``value`` as the request id inside the block (restored after it)."""
    token = REQUEST_ID.set(value)
    try:
        yield value
    finally:
        REQUEST_ID.reset(token)


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_phones(text: str) -> str:
    """``text`` with every run of seven or more digits (a phone number, perhaps) masked but
    its last two digits: "+44 7911 123456" becomes "**********56"."""
    return _PHONE_LIKE.sub(_mask, text)


def log_call(
    *,
    provider: str,
    operation: str,
    method: str,
    status: int | None,
    duration_ms: float,
    attempts: int,
    outcome: str,
    error: str = "",
) -> None:
    """Write the one line of a finished call: INFO when it succeeded, WARNING otherwise.

    ``error`` must already be scrubbed of the call's secrets; phone-like digits are masked
    here.
    """
    fields: dict[str, object] = {
        "provider": provider,
        "operation": operation,
        "method": method,
        "status": status,
        "duration_ms": round(duration_ms),
        "attempts": attempts,
        "outcome": outcome,
        "request_id": current_request_id(),
    }
    if error:
        fields["error"] = mask_phones(error)
    log.log(logging.INFO if outcome == "ok" else logging.WARNING, "provider call", extra=fields)
