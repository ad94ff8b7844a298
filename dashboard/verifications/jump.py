"""'Jump to a date' on the sessions list: where in the keyset order a day begins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from dashboard.verifications.models import MirroredSession
from dashboard.verifications.session_filters import SessionCriteria

PARAM = "jump"


@dataclass(frozen=True)
class JumpPoint:
    day: dt.date
    # Sort-key values to start strictly after, and how many rows come before (None: more
    # than the cap, so the page shows no row numbers rather than a slow exact count).
    start: list[Any] | None
    rows_before: int | None
    notice: str = ""


def jump_point(
    raw: str,
    criteria: SessionCriteria,
    queryset: QuerySet[MirroredSession],
    cap: int,
    zone: dt.tzinfo,
) -> JumpPoint | None:
    """Where the list starts for `?jump=YYYY-MM-DD`, a day in `zone` (the operator's, as
    the list's times are); None when there is no jump."""
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return JumpPoint(dt.date.min, None, None, "Jump to a date takes a day, such as 2026-05-31.")
    key = criteria.sort_key
    if key.fields[0] != "created_at":
        return JumpPoint(day, None, None, "Jump to a date works when sorted by time.")
    newest_first = key.descending[0]
    # Newest first: the day's last row comes first, so start just before the next midnight.
    boundary = dt.datetime.combine(day + dt.timedelta(days=newest_first), dt.time(), zone)
    notice = ""
    if not criteria.start <= dt.datetime.combine(day, dt.time(), zone) < criteria.end:
        notice = f"{day.day} {day:%b %Y} is outside the period shown."
    # "" sorts before every session ID: nothing at the boundary itself is skipped.
    start = [boundary, ""]
    before = (
        queryset.filter(created_at__gte=boundary)
        if newest_first
        else queryset.filter(created_at__lt=boundary)
    )
    counted = before.order_by()[: cap + 1].count()
    return JumpPoint(day, start, counted if counted <= cap else None, notice)
