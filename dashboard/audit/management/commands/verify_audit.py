from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from dashboard.audit import triggers
from dashboard.audit.verify import verify


class Command(BaseCommand):
    help = "Walk the audit trail's hash chain; name the first broken link (exit 1) or say OK."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify(options["database"])
        seconds = time.perf_counter() - started
        if report.broken_id is not None:
            raise CommandError(
                f"BROKEN after {report.count} good records: {report.problem}", returncode=1
            )
        absent = triggers.missing(connections[options["database"]])
        if absent:
            raise CommandError(
                f"The chain of {report.count} records is intact, but the append-only triggers "
                f"{', '.join(sorted(absent))} are missing: reinstall them "
                "(dashboard.audit.triggers.install) before trusting new records.",
                returncode=2,
            )
        # The head hash, noted elsewhere, also reveals records cut from the end later.
        self.stdout.write(
            f"OK: {report.count} records, chain intact, head {report.head} ({seconds:.1f} s)"
        )
