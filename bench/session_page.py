"""Server time of one session's page over the 1M-session mirror, its timeline held.

Peer: Django admin's change page of the same session, measured in the same run.
Run by bench/run.py in its own process (it sets the environment before Django starts).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bench.common import figure
from bench.pages import measure_all, seed_mirror
from dashboard.verifications.models import MirroredSession, SessionEvent, SessionTimeline

SAMPLE = 20


def hold_timelines(sessions: list[MirroredSession]) -> None:
    """Store a four-step timeline for each session, as a first opening would have."""
    now = timezone.now()
    SessionEvent.objects.filter(session__in=sessions).delete()
    events = []
    for session in sessions:
        at = session.created_at
        for position, (event, status) in enumerate(
            [
                ("Number lookup", "success"),
                ("Code sent via SMS", "delivered"),
                ("Verification", "failed"),
                ("Verification", "success"),
            ]
        ):
            events.append(
                SessionEvent(
                    session=session,
                    position=position,
                    created_at=at + dt.timedelta(seconds=20 * position),
                    event=event,
                    status=status,
                    charge=Decimal("0.0050"),
                )
            )
        SessionTimeline.objects.update_or_create(
            session=session, defaults={"fetched_at": now, "final": True}
        )
    SessionEvent.objects.bulk_create(events)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    seed_mirror(int(os.environ.get("BENCH_SESSIONS", "1000000")), 365)
    figure("mirror_rows", MirroredSession.objects.count(), "rows")
    # Ended sessions spread over the year: their timelines are read from the database.
    sessions = list(
        MirroredSession.objects.filter(status="verified").order_by("session_id")[
            : SAMPLE * 5000 : 5000
        ]
    )
    hold_timelines(sessions)
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    targets: list[tuple[str, str, dict[str, str]]] = []
    for i, session in enumerate(sessions[:5]):
        targets.append((f"session_page_{i}", f"/sessions/{session.session_id}/", {}))
        targets.append(
            (
                f"admin_change_{i}",
                f"/admin/verifications/mirroredsession/{session.session_id}/change/",
                {},
            )
        )
    results = measure_all(client, targets)
    ours = sorted(results[f"session_page_{i}"] for i in range(5))
    peer = sorted(results[f"admin_change_{i}"] for i in range(5))
    figure("session_page_worst_p95", ours[-1], "ms")
    figure("ratio_admin_change_over_session_page_p95", peer[2] / ours[2], "x")


if __name__ == "__main__":
    main()
