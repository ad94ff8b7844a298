"""Run a task worker for whichever queue is configured (TASKS_BACKEND): one name for both."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a task worker for the configured queue (the database, or RQ on Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue", default="default", help="the queue to take tasks from (default: default)"
        )
        parser.add_argument(
            "--burst", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument(
            "--no-fork",
            action="store_true",
            help="RQ only: run jobs in the worker process instead of a forked child",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        burst: bool = options["burst"]
        queue: str = options["queue"]
        backend = settings.TASKS_BACKEND
        if backend == "rq":
            # The RQ job class of django-tasks-rq reports results back to the tasks API.
            call_command(
                "rqworker",
                queue,
                burst=burst,
                with_scheduler=not burst,
                job_class="django_tasks_rq.backend.Job",
                worker_class="rq.worker.SimpleWorker" if options["no_fork"] else None,
                verbosity=options["verbosity"],
            )
        elif backend == "database":
            call_command(
                "db_worker",
                queue_name=queue,
                batch=burst,
                reload=False,
                startup_delay=not burst,
                verbosity=options["verbosity"],
            )
        else:
            self.stdout.write(f"TASKS_BACKEND={backend} runs tasks in place: no worker needed.")
