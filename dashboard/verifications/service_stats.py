"""Per-service figures for a period, from the daily rollups (their totals over countries).

Rollups are per UTC day; a period is any two instants (the last 7 days up to now, or whole
days in the operator's zone). The whole UTC days inside it are read from rollups. A UTC day
the period cuts (at most two) is read from its sessions when the period holds less than
half of it, else as the day's rollup less the sessions of the rest; today's rollup holds no
session after now, so a period ending now reads next to nothing raw. Every figure is exact
and at most a day of sessions is read raw, usually far less.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dashboard.verifications.models import DailyTotal, MirroredSession, Service
from dashboard.verifications.rollups import day_start, utc_day

COUNTED = ("verified", "failed", "expired", "canceled", "pending")


@dataclass(frozen=True)
class DayFigures:
    """One service's sessions on one UTC day of the period (``partial``: the period cuts it)."""

    day: dt.date
    sessions: int = 0
    verified: int = 0
    failed: int = 0
    expired: int = 0
    canceled: int = 0
    pending: int = 0
    partial: bool = False

    @property
    def verified_percent(self) -> float | None:
        return 100.0 * self.verified / self.sessions if self.sessions else None


@dataclass(frozen=True)
class ServiceStats:
    service: Service
    sessions: int = 0
    verified: int = 0
    failed: int = 0
    expired: int = 0
    canceled: int = 0
    pending: int = 0
    spend: Decimal = Decimal(0)
    last_activity: dt.datetime | None = None
    # Every UTC day of the period, oldest first, days without sessions included.
    days: tuple[DayFigures, ...] = field(default=(), compare=False)

    @property
    def verified_percent(self) -> float | None:
        return 100.0 * self.verified / self.sessions if self.sessions else None


@dataclass(frozen=True)
class PeriodSplit:
    """A period as whole UTC days (``first``..``last``, or none) and the cut parts around."""

    first: dt.date | None
    last: dt.date | None
    # (start, end) instants, each within one UTC day.
    parts: tuple[tuple[dt.datetime, dt.datetime], ...]


def split_period(start: dt.datetime, end: dt.datetime) -> PeriodSplit:
    if end <= start:
        return PeriodSplit(None, None, ())
    first_whole = utc_day(start) + dt.timedelta(days=0 if start == day_start(utc_day(start)) else 1)
    end_day = utc_day(end)
    last_whole = end_day - dt.timedelta(days=1)
    if first_whole > last_whole:
        # No whole day: at most two cut parts, split at the midnight between them.
        midnight = day_start(end_day)
        if start < midnight < end:
            return PeriodSplit(None, None, ((start, midnight), (midnight, end)))
        return PeriodSplit(None, None, ((start, end),))
    parts = []
    if start < day_start(first_whole):
        parts.append((start, day_start(first_whole)))
    if day_start(end_day) < end:
        parts.append((day_start(end_day), end))
    return PeriodSplit(first_whole, last_whole, tuple(parts))


def service_stats(
    services: Sequence[Service], start: dt.datetime, end: dt.datetime
) -> list[ServiceStats]:
    """Figures per service for [start, end), with one entry a UTC day for charts."""
    split = split_period(start, end)
    by_day: dict[tuple[int, dt.date], DayFigures] = {}
    spend: dict[int, Decimal] = {s.pk: Decimal(0) for s in services}
    if split.first is not None and split.last is not None:
        _add_rollups(services, split.first, split.last, by_day, spend)
    for part_start, part_end in split.parts:
        _add_part(services, part_start, part_end, by_day, spend)
    partial_days = {utc_day(s) for s, _ in split.parts}
    all_days = _days(start, end)
    last = _last_activity(services, start, end)
    stats = []
    for service in services:
        days = []
        for day in all_days:
            figures = by_day.get((service.pk, day)) or DayFigures(day)
            days.append(dataclasses.replace(figures, partial=day in partial_days))
        stats.append(_total(service, tuple(days), spend[service.pk], last.get(service.pk)))
    return stats


def _days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    if end <= start:
        return []
    first, last = utc_day(start), utc_day(end - dt.timedelta(microseconds=1))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _by_status(field_name: str, aggregate: type[Sum] | type[Count]) -> dict[str, Any]:
    return {status: aggregate(field_name, filter=Q(status=status)) for status in COUNTED}


def _add_rollups(
    services: Sequence[Service],
    first: dt.date,
    last: dt.date,
    by_day: dict[tuple[int, dt.date], DayFigures],
    spend: dict[int, Decimal],
) -> None:
    """Counts a day from the totals, spend once a service (a year is a thousand days a
    service: converting a decimal for each costs more than the query)."""
    rows = DailyTotal.objects.filter(service__in=services, day__gte=first, day__lte=last)
    daily = (
        rows.values("service", "day")
        .annotate(total=Sum("sessions"), **_by_status("sessions", Sum))
        .order_by()
        .values_list("service", "day", "total", *COUNTED)
    )
    for service_pk, day, total, *counts in daily:
        by_day[(int(service_pk), day)] = _day_figures(day, total, counts)
    overall = rows.values("service").annotate(spend=Sum("spend")).order_by()
    for service_pk, amount in overall.values_list("service", "spend"):
        spend[int(service_pk)] += amount or Decimal(0)


def _add_part(
    services: Sequence[Service],
    start: dt.datetime,
    end: dt.datetime,
    by_day: dict[tuple[int, dt.date], DayFigures],
    spend: dict[int, Decimal],
) -> None:
    """A part of one UTC day: its sessions read raw, or, when the rest of the day holds
    less time up to now, the day's rollup less the sessions of the rest (a period ending now
    leaves nothing of today to read raw). Either way at most half a day raw."""
    day = utc_day(start)
    midnight, next_midnight = day_start(day), day_start(day + dt.timedelta(days=1))
    rest = [(a, b) for a, b in ((midnight, start), (end, next_midnight)) if a < b]
    now = timezone.now()

    def held(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        # What raw reading costs: sessions of the time up to now (none are later).
        return max(dt.timedelta(0), min(b, now) - a)

    if held(start, end) <= sum((held(a, b) for a, b in rest), dt.timedelta(0)):
        for service_pk, figures, amount in _from_sessions(services, start, end):
            by_day[(service_pk, day)] = figures
            spend[service_pk] += amount
        return
    whole: dict[int, DayFigures] = {}
    rows = DailyTotal.objects.filter(service__in=services, day=day)
    daily = (
        rows.values("service")
        .annotate(total=Sum("sessions"), amount=Sum("spend"), **_by_status("sessions", Sum))
        .order_by()
        .values_list("service", "amount", "total", *COUNTED)
    )
    for service_pk, amount, total, *counts in daily:
        whole[int(service_pk)] = _day_figures(day, total, counts)
        spend[int(service_pk)] += amount or Decimal(0)
    for rest_start, rest_end in rest:
        for service_pk, figures, amount in _from_sessions(services, rest_start, rest_end):
            whole[service_pk] = _minus(whole.get(service_pk, DayFigures(day)), figures)
            spend[service_pk] -= amount
    for service_pk, figures in whole.items():
        by_day[(service_pk, day)] = figures


def _minus(a: DayFigures, b: DayFigures) -> DayFigures:
    return DayFigures(
        a.day,
        a.sessions - b.sessions,
        a.verified - b.verified,
        a.failed - b.failed,
        a.expired - b.expired,
        a.canceled - b.canceled,
        a.pending - b.pending,
    )


def _from_sessions(
    services: Sequence[Service], start: dt.datetime, end: dt.datetime
) -> list[tuple[int, DayFigures, Decimal]]:
    day = utc_day(start)
    rows = (
        MirroredSession.objects.filter(
            created_at__gte=start, created_at__lt=end, service__in=services
        )
        .values("service")
        .annotate(total=Count("pk"), amount=Sum("charge"), **_by_status("pk", Count))
        .order_by()
        .values_list("service", "amount", "total", *COUNTED)
    )
    return [
        (int(service_pk), _day_figures(day, total, counts), amount or Decimal(0))
        for service_pk, amount, total, *counts in rows
    ]


def _last_activity(
    services: Sequence[Service], start: dt.datetime, end: dt.datetime
) -> dict[int, dt.datetime]:
    """The newest session of each service in the period: one index seek a service."""
    found = {}
    for service in services:
        newest = (
            MirroredSession.objects.filter(
                service=service, created_at__gte=start, created_at__lt=end
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if newest is not None:
            found[service.pk] = newest
    return found


def _day_figures(day: dt.date, total: int | None, counts: Sequence[int | None]) -> DayFigures:
    verified, failed, expired, canceled, pending = (n or 0 for n in counts)
    return DayFigures(day, total or 0, verified, failed, expired, canceled, pending)


def _total(
    service: Service, days: tuple[DayFigures, ...], spend: Decimal, last: dt.datetime | None
) -> ServiceStats:
    return ServiceStats(
        service=service,
        sessions=sum(d.sessions for d in days),
        verified=sum(d.verified for d in days),
        failed=sum(d.failed for d in days),
        expired=sum(d.expired for d in days),
        canceled=sum(d.canceled for d in days),
        pending=sum(d.pending for d in days),
        spend=spend,
        last_activity=last,
        days=days,
    )
