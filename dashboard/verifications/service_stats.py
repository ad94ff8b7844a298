"""Per-service figures for a period, computed by the database from the mirror."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum

from dashboard.verifications.models import MirroredSession, Service


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

    @property
    def verified_percent(self) -> float | None:
        return 100.0 * self.verified / self.sessions if self.sessions else None


def service_stats(
    services: Sequence[Service], start: dt.datetime, end: dt.datetime
) -> list[ServiceStats]:
    """One GROUP BY over the period: no rows are loaded into Python."""
    rows = (
        MirroredSession.objects.filter(
            created_at__gte=start, created_at__lt=end, service__in=services
        )
        .values("service")
        .annotate(
            sessions=Count("pk"),
            verified=Count("pk", filter=Q(status="verified")),
            failed=Count("pk", filter=Q(status="failed")),
            expired=Count("pk", filter=Q(status="expired")),
            canceled=Count("pk", filter=Q(status="canceled")),
            pending=Count("pk", filter=Q(status="pending")),
            spend=Sum("charge"),
            last_activity=Max("created_at"),
        )
        .order_by()
    )
    by_service: dict[int, dict[str, Any]] = {int(row["service"]): dict(row) for row in rows}
    stats = []
    for service in services:
        row = by_service.get(service.pk)
        if row is None:
            stats.append(ServiceStats(service=service))
            continue
        stats.append(
            ServiceStats(
                service=service,
                sessions=row["sessions"],
                verified=row["verified"],
                failed=row["failed"],
                expired=row["expired"],
                canceled=row["canceled"],
                pending=row["pending"],
                spend=row["spend"] or Decimal(0),
                last_activity=row["last_activity"],
            )
        )
    return stats
