"""Sync a range from a Wavix served over loopback into an empty mirror; print the figures."""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.core.management import call_command
from django.utils import timezone

from bench.common import empty_tables, figure
from dashboard.connections import wavix_client
from dashboard.verifications.models import MirroredSession, Service
from dashboard.verifications.service_catalog import refresh_catalog
from dashboard.verifications.sync import sync_range


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(days: int) -> None:
    call_command("migrate", verbosity=0)
    empty_tables(MirroredSession._meta.db_table)
    client = wavix_client()
    refresh_catalog(client)
    # Only what the sandbox lists: on a shared database (DATABASE_URL) the pages benchmark
    # leaves its own services, unknown to this sandbox.
    services = list(Service.objects.filter(source=Service.Source.PROVIDER))
    today = timezone.now().astimezone(dt.UTC).date()
    started = time.perf_counter()
    cpu_started = _cpu()
    report = sync_range(client, services, today - dt.timedelta(days=days - 1), today, force=True)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_started
    if report.errors:
        raise SystemExit(f"sync failed: {report.errors[0].error}")
    figure("sync_sessions", report.sessions, "sessions")
    figure("sync_seconds", seconds, "s")
    figure("sync_throughput", report.sessions / seconds, "sessions/s")
    # Every thread's CPU, SQLite's included (it runs in this process): steadier than wall
    # time on a shared machine, where wall time is mostly the wait for a core.
    figure("sync_cpu_seconds", cpu, "s")
    figure("sync_cpu_throughput", report.sessions / cpu, "sessions/cpu-s")
    figure("sync_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")


if __name__ == "__main__":
    main(int(sys.argv[1]))
