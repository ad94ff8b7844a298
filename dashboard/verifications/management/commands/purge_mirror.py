"""Delete mirrored sessions older than the retention period (they hold phone numbers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dashboard.verifications.models import SyncWindow
from dashboard.verifications.rollups import delete_before


class Command(BaseCommand):
    help = "Delete mirrored sessions older than MIRROR_RETENTION_DAYS, and their windows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="override the setting")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.MIRROR_RETENTION_DAYS if options["days"] is None else options["days"]
        cutoff = timezone.now() - dt.timedelta(days=days)
        # Their rollups go with them (the cutoff's own day is recomputed), in one transaction.
        sessions, _ = delete_before(cutoff)
        # Forget the windows too, or they would claim to hold data they no longer do.
        windows, _ = SyncWindow.objects.filter(day__lt=cutoff.date()).delete()
        self.stdout.write(
            f"Deleted {sessions} session(s) and {windows} window(s) before {cutoff:%Y-%m-%d}."
        )
