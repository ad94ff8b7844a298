"""The Services page over 7, 30, 90 and 365 days, from rollups, beside the raw aggregation.

Run by bench/run.py in its own process (it sets the environment before Django starts), once
per mirror size. Seeds the mirror as bench/pages.py does (kept between runs), makes sure its
rollups are complete (rebuild_rollups when not), then times, round-robin over the periods,
REQUESTS times each: the whole page through Django's handler, the figures alone
(service_stats, as the page reads them), and the peer, the aggregation the page ran before
rollups (one GROUP BY over the period's sessions), measured in the same run (its first
BENCH_PEER_REQUESTS rounds: at a year it takes seconds a call).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, Max, Q, Sum
from django.test import Client
from django.utils import timezone

# Started as a server's worker is: dashboard/wsgi.py freezes what is loaded at start out of
# the garbage collector's passes.
import dashboard.wsgi  # noqa: F401
from bench.common import figure, summary
from bench.pages import seed_mirror
from dashboard.verifications.models import DailyRollup, MirroredSession, Service
from dashboard.verifications.service_stats import service_stats

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
# The peer takes seconds a call at a year: timed in the first rounds only (still interleaved).
PEER_REQUESTS = int(os.environ.get("BENCH_PEER_REQUESTS", "5"))
PERIODS = (7, 30, 90, 365)


def raw_service_stats(services: list[Service], start: dt.datetime, end: dt.datetime) -> list[Any]:
    """The page's aggregation before rollups, verbatim: the peer."""
    return list(
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


def ensure_rollups() -> None:
    held = MirroredSession.objects.count()
    rolled = DailyRollup.objects.aggregate(n=Sum("sessions"))["n"] or 0
    if rolled == held:
        return
    started = time.perf_counter()
    call_command("rebuild_rollups", verbosity=0)
    figure("services_rebuild_rollups_seconds", time.perf_counter() - started, "s")


def url(days: int, now: dt.datetime) -> str:
    if days in (7, 30, 90):
        return f"/?range={days}d"
    today = now.astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    return f"/?range=custom&date_from={first}&date_to={today}"


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    total = int(os.environ.get("BENCH_SESSIONS", "1000000"))
    seed_mirror(total, 365)
    ensure_rollups()
    label = f"{round(MirroredSession.objects.count() / 1000)}k"
    figure(f"services_{label}_mirror_rows", MirroredSession.objects.count(), "rows")
    figure(f"services_{label}_rollup_rows", DailyRollup.objects.count(), "rows")
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    services = list(Service.objects.filter(unwatched_at__isnull=True))

    now = timezone.now()
    for days in PERIODS:
        response = client.get(url(days, now))
        assert response.status_code == 200, days
        assert b"daily-chart" in response.content
        # The figures are the raw aggregation's, to the session.
        start, end = now - dt.timedelta(days=days), now
        raw = {row["service"]: row["sessions"] for row in raw_service_stats(services, start, end)}
        ours = {s.service.pk: s.sessions for s in service_stats(services, start, end)}
        assert {pk: n for pk, n in ours.items() if n} == raw, days

    samples: dict[str, list[float]] = {}
    # CPU time too: SQLite runs in this process, so it counts the database's work, without
    # the wait for a core that dominates wall time on a busy shared machine.
    cpu: dict[str, list[float]] = {}
    for round_ in range(REQUESTS):
        for days in PERIODS:
            now = timezone.now()
            start, end = now - dt.timedelta(days=days), now
            for name, run in (
                (f"page_{days}d", lambda d=days: client.get(url(d, timezone.now()))),
                (f"figures_{days}d", lambda s=start, e=end: service_stats(services, s, e)),
                (f"raw_peer_{days}d", lambda s=start, e=end: raw_service_stats(services, s, e)),
            ):
                if name.startswith("raw_peer") and round_ >= PEER_REQUESTS:
                    continue
                started, cpu_started = time.perf_counter(), time.process_time()
                run()
                samples.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                cpu.setdefault(name, []).append((time.process_time() - cpu_started) * 1000)
    for name, values in samples.items():
        median, p95 = summary(values)
        figure(f"services_{label}_{name}_median", median, "ms")
        figure(f"services_{label}_{name}_p95", p95, "ms")
    for name, values in cpu.items():
        median, p95 = summary(values)
        figure(f"services_{label}_{name}_cpu_median", median, "ms")
        figure(f"services_{label}_{name}_cpu_p95", p95, "ms")
    for days in PERIODS:
        ratio = summary(samples[f"raw_peer_{days}d"])[0] / summary(samples[f"figures_{days}d"])[0]
        figure(f"services_{label}_ratio_raw_over_rollups_{days}d_median", ratio, "x")


if __name__ == "__main__":
    main()
