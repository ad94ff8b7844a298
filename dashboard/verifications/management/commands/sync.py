"""Fetch Wavix sessions into the mirror for a range of days; or keep recent days warm."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dashboard.connections import wavix_client
from dashboard.verifications.models import Service
from dashboard.verifications.service_catalog import (
    normalise_service_id,
    recheck_rejected,
    refresh_catalog,
)
from dashboard.verifications.sync import SyncReport, sync_range


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Sync Wavix sessions into the mirror, by (service, UTC day) window."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", type=_date, help="first UTC day")
        parser.add_argument("--to", dest="date_to", type=_date, help="last UTC day (default today)")
        parser.add_argument("--days", type=int, default=2, help="the last N days (default 2)")
        parser.add_argument(
            "--service", action="append", default=[], help="service ID (repeatable)"
        )
        parser.add_argument("--force", action="store_true", help="fetch settled days again")
        parser.add_argument(
            "--watch", type=float, metavar="SECONDS", help="repeat every SECONDS until stopped"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        client = wavix_client()
        refresh_catalog(client)
        services = list(Service.objects.filter(unwatched_at__isnull=True))
        if options["service"]:
            wanted = {normalise_service_id(s) for s in options["service"]}
            services = [s for s in services if s.service_id in wanted]
            if not services:
                raise CommandError("None of those service IDs is known (see the Services page).")
        while True:
            today = timezone.now().astimezone(dt.UTC).date()
            date_to = options["date_to"] or today
            date_from = options["date_from"] or date_to - dt.timedelta(days=options["days"] - 1)
            if date_from > date_to:
                raise CommandError("--from is after --to.")
            started = time.monotonic()
            # Pages never ask Wavix about a service it rejected; this is where it is asked
            # again (once per MIRROR_REJECTED_RECHECK_SECONDS), so a fixed one comes back.
            for service in recheck_rejected(client, services):
                self.stderr.write(
                    f"  {service.service_id} skipped: rejected by Wavix "
                    f"({service.rejected_message})"
                )
            report = sync_range(client, services, date_from, date_to, force=options["force"])
            self._print(report, time.monotonic() - started)
            if not options["watch"]:
                if report.errors:
                    raise CommandError(f"{len(report.errors)} window(s) failed.")
                return
            time.sleep(options["watch"])

    def _print(self, report: SyncReport, seconds: float) -> None:
        self.stdout.write(
            f"{report.fetched} window(s) fetched, {report.sessions} session(s) in "
            f"{seconds:.1f} s; {len(report.errors)} failed."
        )
        for outcome in report.errors:
            self.stderr.write(f"  {outcome.service_id} {outcome.day}: {outcome.error}")
        for outcome in {o.service_id: o for o in report.rejected}.values():
            self.stderr.write(
                f"  {outcome.service_id}: {outcome.error} Marked on the Services page; "
                "not fetched again until Wavix accepts it."
            )
