"""Enqueue the recurring tasks on the configured task queue: a sync of the recent days (Wavix
sessions) and a sync of B2Core clients' 2FA changes, each on its own interval, and the resume
of any bulk cancel whose worker stopped mid-run.

Run exactly one scheduler per deployment; any number of workers share what it enqueues.
A new sync is enqueued only once the previous one of its kind has finished, so a slow
provider never piles up a backlog.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django_tasks import TaskResult
from django_tasks.exceptions import TaskResultDoesNotExist

from dashboard.clients.tasks import sync_clients_task
from dashboard.verifications.tasks import resume_stale_bulk_cancels, sync_recent_days


class Command(BaseCommand):
    help = (
        "Enqueue a sync of the recent days every SCHEDULED_SYNC_SECONDS and a sync of B2Core "
        "clients' 2FA changes every SCHEDULED_CLIENT_SYNC_SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        every: float = settings.SCHEDULED_SYNC_SECONDS
        clients_every: float = settings.SCHEDULED_CLIENT_SYNC_SECONDS
        days: int = settings.SCHEDULED_SYNC_DAYS
        pending: TaskResult[dict[str, int]] | None = None
        clients_pending: TaskResult[dict[str, int]] | None = None
        next_sync = next_clients = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= next_sync:
                pending = self.tick(pending, days)
                next_sync = now + every
                for bulk_id in resume_stale_bulk_cancels():
                    self.stdout.write(f"bulk cancel #{bulk_id} stopped mid-run: resume enqueued")
            if now >= next_clients:
                clients_pending = self.tick_clients(clients_pending)
                next_clients = now + clients_every
            if options["once"]:
                return
            time.sleep(max(0.0, min(next_sync, next_clients) - time.monotonic()))

    def tick(
        self, pending: TaskResult[dict[str, int]] | None, days: int
    ) -> TaskResult[dict[str, int]]:
        """Enqueue a sync unless the previous one is still queued or running."""
        if pending is not None and _in_progress(pending):
            return pending
        result = sync_recent_days.enqueue(days)
        self.stdout.write(f"enqueued a sync of the last {days} day(s) ({result.id})")
        return result

    def tick_clients(
        self, pending: TaskResult[dict[str, int]] | None
    ) -> TaskResult[dict[str, int]]:
        """Enqueue sync_clients unless the previous one is still queued or running."""
        if pending is not None and _in_progress(pending):
            return pending
        result = sync_clients_task.enqueue()
        self.stdout.write(f"enqueued a sync of B2Core clients' 2FA changes ({result.id})")
        return result


def _in_progress(pending: TaskResult[dict[str, int]]) -> bool:
    """Still queued or running. A result the queue no longer knows (RQ keeps a finished
    job's for minutes only, and a restarted Redis may have lost it) is not in progress."""
    try:
        pending.refresh()
    except TaskResultDoesNotExist:
        return False
    return not pending.is_finished
