"""Recompute the daily rollups from the mirrored sessions (after a restore or an upgrade)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from dashboard.verifications.models import DailyRollup
from dashboard.verifications.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Recompute every daily rollup from the mirrored sessions, a month of one service per "
        "transaction; syncs may run meanwhile."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        days = rebuild(progress=self._progress if options["verbosity"] > 1 else None)
        rows = DailyRollup.objects.count()
        self.stdout.write(
            f"Recomputed {days} service-day(s): {rows} rollup row(s) "
            f"in {time.perf_counter() - started:.1f} s."
        )

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
