"""Enqueue the recurring tasks on the configured task queue: a sync of the recent days, and
the resume of any bulk cancel whose worker stopped mid-run.

Run exactly one scheduler per deployment; any number of workers share what it enqueues.
A new sync is enqueued only once the previous one has finished, so a slow provider never
piles up a backlog.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django_tasks import TaskResult

from dashboard.verifications.tasks import resume_stale_bulk_cancels, sync_recent_days


class Command(BaseCommand):
    help = "Enqueue a sync of the recent days every SCHEDULED_SYNC_SECONDS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        every: float = settings.SCHEDULED_SYNC_SECONDS
        days: int = settings.SCHEDULED_SYNC_DAYS
        pending: TaskResult[dict[str, int]] | None = None
        while True:
            pending = self.tick(pending, days)
            for bulk_id in resume_stale_bulk_cancels():
                self.stdout.write(f"bulk cancel #{bulk_id} stopped mid-run: resume enqueued")
            if options["once"]:
                return
            time.sleep(every)

    def tick(
        self, pending: TaskResult[dict[str, int]] | None, days: int
    ) -> TaskResult[dict[str, int]]:
        """Enqueue a sync unless the previous one is still queued or running."""
        if pending is not None:
            pending.refresh()
            if not pending.is_finished:
                return pending
        result = sync_recent_days.enqueue(days)
        self.stdout.write(f"enqueued a sync of the last {days} day(s) ({result.id})")
        return result
