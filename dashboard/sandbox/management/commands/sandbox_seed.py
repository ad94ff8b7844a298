"""Fill the sandbox with deterministic generated data (Wavix services and sessions, B2Core)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.sandbox.seed import sandbox_is_empty, seed_sandbox


def _moment(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--now: {raw!r} is not an ISO 8601 date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Replace the sandbox's data with generated data (same seed and day: same data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sessions", type=int, default=30_000)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--clients", type=int, default=500, help="B2Core clients; 0 = skip")
        parser.add_argument("--seed", type=int, default=None, help="default: SANDBOX_SEED")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if seeded")
        parser.add_argument("--now", type=_moment, default=None, help="anchor (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        sessions, days, clients = options["sessions"], options["days"], options["clients"]
        if sessions < 0 or days < 1 or clients < 0:
            raise CommandError("--sessions and --clients must be >= 0 and --days >= 1")
        if options["if_empty"] and not sandbox_is_empty():
            self.stdout.write("sandbox already seeded; nothing to do")
            return
        seed = settings.SANDBOX_SEED if options["seed"] is None else options["seed"]
        now = options["now"] or datetime.now(UTC)
        result = seed_sandbox(seed=seed, sessions=sessions, days=days, clients=clients, now=now)
        self.stdout.write(
            f"seeded sandbox (seed {seed}): {result.services} services, "
            f"{result.sessions} sessions, {result.clients} B2Core clients "
            f"in {result.seconds:.1f}s"
        )
