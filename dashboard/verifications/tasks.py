"""Work on the task queue (django-tasks): scheduled syncs of recent days, bulk cancels."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from dashboard.connections import wavix_client
from dashboard.verifications.actions import bulk
from dashboard.verifications.models import Service
from dashboard.verifications.service_catalog import refresh_catalog
from dashboard.verifications.sync import sync_range


@task()
def sync_recent_days(days: int = 2) -> dict[str, int]:
    """Make the last ``days`` UTC days of every watched service fresh; return the counts.

    Windows that another worker is fetching are left to it (leases), so any number of
    these may run at once on any number of workers.
    """
    client = wavix_client()
    refresh_catalog(client)
    today = timezone.now().astimezone(dt.UTC).date()
    report = sync_range(
        client, Service.objects.all(), today - dt.timedelta(days=max(1, days) - 1), today
    )
    return {
        "windows_fetched": report.fetched,
        "sessions": report.sessions,
        "windows_failed": len(report.errors),
    }


@task()
def run_bulk_cancel(bulk_id: int) -> bool:
    """Run or resume a bulk cancel (see actions/bulk.py); False when another run holds it."""
    return bulk.run(bulk_id, wavix_client(), concurrency=settings.BULK_CANCEL_CONCURRENCY)


def resume_stale_bulk_cancels() -> list[int]:
    """Enqueue a resume of every bulk cancel whose run stopped; their IDs."""
    stale = bulk.stale_runs()
    for bulk_id in stale:
        run_bulk_cancel.enqueue(bulk_id)
    return stale
