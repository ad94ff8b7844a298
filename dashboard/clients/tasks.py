"""Clients mirror work on the task queue (django-tasks): the scheduled sync_clients."""

from __future__ import annotations

from django_tasks import task

from dashboard.clients.mirror.sync import sync_clients
from dashboard.connections import b2core_client


@task()
def sync_clients_task(force: bool = False) -> dict[str, int]:
    """Fetch every due client's new 2FA changes; return the counts.

    Clients another worker holds are left to it (leases), so any number of these may run
    at once on any number of workers.
    """
    report = sync_clients(b2core_client(), force=force)
    return {
        "clients": report.clients,
        "fetched": report.fetched,
        "changes": report.changes,
        "restricted": len(report.restricted),
        "failed": len(report.failed),
    }
