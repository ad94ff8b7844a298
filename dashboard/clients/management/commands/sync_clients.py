"""Fetch B2Core clients' new 2FA changes into the mirror the clients feed reads."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.clients.mirror.sync import ClientSyncReport, sync_clients
from dashboard.connections import b2core_client


class Command(BaseCommand):
    help = "Sync every B2Core client's 2FA changes (only what is new since the last run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, help="clients fetched at once")
        parser.add_argument(
            "--force", action="store_true", help="ask clients synced a moment ago too"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        started = time.monotonic()
        last = [0.0]

        def progress(report: ClientSyncReport) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5:
                last[0] = now
                self.stdout.write(self._line(report))

        report = sync_clients(
            b2core_client(), workers=options["workers"], force=options["force"], progress=progress
        )
        seconds = time.monotonic() - started
        self.stdout.write(f"{self._line(report)} in {seconds:.1f} s")
        if report.fresh or report.held:
            self.stdout.write(
                f"  not asked: {report.fresh} synced a moment ago, "
                f"{report.held} held by another worker"
            )
        for failed in report.restricted:
            self.stdout.write(f"  client {failed.client_id}: restricted (403, expected)")
        for failed in report.failed:
            self.stderr.write(f"  client {failed.client_id} failed: {failed.message}")
        if report.list_error:
            self.stderr.write(f"  the client list stopped early: {report.list_error}")
        if report.skipped:
            self.stderr.write(f"  {report.skipped} client(s) not asked after B2Core failed")
        if not report.ok:
            raise CommandError("Some clients were not synced; see above.")

    def _line(self, report: ClientSyncReport) -> str:
        seen = report.done + report.fresh + report.held
        total = report.claimed_total if report.claimed_total is not None else report.clients
        return (
            f"clients {seen}/{total} · "
            f"{report.changes} change(s) stored · {len(report.restricted)} restricted · "
            f"{len(report.failed)} failed"
        )
