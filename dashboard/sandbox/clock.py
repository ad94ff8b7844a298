"""The sandbox's "now": real time plus an offset stored in the database.

Tests move the clock (POST /sandbox/_control/clock) to expire codes without waiting; the offset
lives in the database so that every process serving the sandbox agrees on it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.sandbox.models import SandboxState
from dashboard.sandbox.routers import SANDBOX_DB


def clock_offset() -> float:
    offset = (
        SandboxState.objects.using(SANDBOX_DB)
        .filter(pk=1)
        .values_list("clock_offset_seconds", flat=True)
        .first()
    )
    return offset or 0.0


def set_clock_offset(seconds: float) -> None:
    SandboxState.objects.using(SANDBOX_DB).update_or_create(
        pk=1, defaults={"clock_offset_seconds": seconds}
    )


def sandbox_now() -> datetime:
    """The current time as the sandbox sees it (aware, UTC)."""
    return datetime.now(UTC) + timedelta(seconds=clock_offset())
