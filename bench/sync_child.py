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
    report = sync_range(client, services, today - dt.timedelta(days=days - 1), today, force=True)
    seconds = time.perf_counter() - started
    if report.errors:
        raise SystemExit(f"sync failed: {report.errors[0].error}")
    figure("sync_sessions", report.sessions, "sessions")
    figure("sync_seconds", seconds, "s")
    figure("sync_throughput", report.sessions / seconds, "sessions/s")
    figure("sync_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")


if __name__ == "__main__":
    main(int(sys.argv[1]))
