"""The load benchmark's data: run by bench/load.py in its own process, environment set.

`load_prep.py seed PLAN` makes the database (kept between runs): 1,000,000 mirrored sessions
over 365 days (bench/pages.py's mirror, its rollups), audit records (bench/audit.py's seed),
clients' 2FA changes (bench/clients_feed.py's seed), timelines held for a sample of sessions,
operators of each role, and the sandbox's service; then writes what the simulated operators
need to PLAN (JSON): sign-ins, session IDs, phone numbers, deep-page cursors.

`load_prep.py pending PLAN` creates pending verifications in the sandbox (each created by the
provider API, as a real one would be) and mirrors them with the sync's own code: the
sessions the simulated operators resend codes for and cancel. Run just before the load, as
the sandbox's codes expire after 5 minutes (a session whose code expired reads as expired).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone

from bench import audit as audit_bench
from bench import clients_feed as feed_bench
from bench.common import figure
from bench.pages import BENCH_SERVICE_IDS, COUNTRIES, seed_mirror
from bench.services_page import ensure_rollups
from bench.session_page import hold_timelines
from dashboard.audit.models import AuditRecord
from dashboard.audit.views import NEWEST_FIRST as AUDIT_NEWEST_FIRST
from dashboard.clients.feed.views import NEWEST_FIRST as FEED_NEWEST_FIRST
from dashboard.clients.models import ClientChange
from dashboard.connections import wavix_client
from dashboard.sandbox.models import Service as SandboxService
from dashboard.verifications.keyset import make_cursor
from dashboard.verifications.models import MirroredSession, Service, SessionTimeline, SyncWindow
from dashboard.verifications.session_filters import DEFAULT_SORT, SORTS
from dashboard.verifications.sync import sync_range

DAYS = 365
ROLES = ("operator", "auditor", "admin")
# Every simulated operator signs in with it (the bench's own database only).
PASSWORD = "load-bench-only-password"  # noqa: S105
TIMELINES = 2_000
# Pending sessions made for each operator and admin who acts (each cancel ends one).
PENDING_EACH = 4


def username(role: str, index: int) -> str:
    return f"load-{role}-{index:03d}"


def ensure_operators(per_role: int) -> dict[str, list[str]]:
    """per_role accounts of each role, one password hash for all (hashing is the slow part)."""
    hashed = ""
    for role in ROLES:
        group = Group.objects.get(name=role)
        for index in range(per_role):
            user, created = User.objects.get_or_create(username=username(role, index))
            if created:
                hashed = hashed or make_password(PASSWORD)
                user.password = hashed
                user.save(update_fields=["password"])
                user.groups.add(group)
    return {role: [username(role, i) for i in range(per_role)] for role in ROLES}


def held_sessions(now: dt.datetime) -> list[str]:
    """Sessions whose timelines are held (as after a first opening), mostly of the last week."""
    held = list(
        SessionTimeline.objects.filter(final=True).values_list("session__session_id", flat=True)
    )
    if held:
        return held
    rng = random.Random(5)
    recent = list(
        MirroredSession.objects.filter(
            created_at__gte=now - dt.timedelta(days=7), status="verified"
        ).values_list("pk", flat=True)
    )
    older = list(
        MirroredSession.objects.filter(
            created_at__gte=now - dt.timedelta(days=90),
            created_at__lt=now - dt.timedelta(days=7),
            status="verified",
        ).values_list("pk", flat=True)
    )
    chosen = rng.sample(recent, min(len(recent), TIMELINES * 3 // 4))
    chosen += rng.sample(older, min(len(older), TIMELINES // 4))
    started = time.perf_counter()
    for start in range(0, len(chosen), 500):
        hold_timelines(list(MirroredSession.objects.filter(pk__in=chosen[start : start + 500])))
    figure("load_timelines_held_seconds", time.perf_counter() - started, "s")
    return list(
        SessionTimeline.objects.filter(final=True).values_list("session__session_id", flat=True)
    )


def cover_every_day(now: dt.datetime) -> None:
    """Windows for every day to today, held: on a later day the seeded services are never
    fetched (two of the three are unknown to the sandbox, which would reject them)."""
    today = now.astimezone(dt.UTC).date()
    services = list(Service.objects.filter(service_id__in=BENCH_SERVICE_IDS))
    SyncWindow.objects.bulk_create(
        [
            SyncWindow(service=s, day=today - dt.timedelta(days=d), fetched_at=now, settled=True)
            for s in services
            for d in range(DAYS + 1)
        ],
        ignore_conflicts=True,
    )


def seed(plan_path: Path) -> None:
    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    started = time.perf_counter()
    sessions = int(os.environ.get("BENCH_SESSIONS", "1000000"))
    seed_mirror(sessions, DAYS)
    ensure_rollups()
    records = int(os.environ.get("BENCH_AUDIT_RECORDS", "1000000"))
    if AuditRecord.objects.count() < records:
        audit_bench.seed(records, DAYS)
    changes = int(os.environ.get("BENCH_CLIENT_CHANGES", "1000000"))
    if ClientChange.objects.count() < changes:
        feed_bench.seed(changes)
    now = timezone.now()
    cover_every_day(now)
    # The sandbox's account has one service, the first seeded one: the one the simulated
    # operators' pending sessions belong to (the other two are only in the mirror).
    SandboxService.objects.get_or_create(
        service_id=BENCH_SERVICE_IDS[0], defaults={"name": "Bench 1", "created_at": now}
    )
    users = ensure_operators(int(os.environ.get("LOAD_USERS_PER_ROLE", "60")))
    held = held_sessions(now)
    figure("load_prepare_seconds", time.perf_counter() - started, "s")
    figure("load_mirror_rows", MirroredSession.objects.count(), "rows")
    figure("load_audit_rows", AuditRecord.objects.count(), "rows")
    figure("load_client_changes", ClientChange.objects.count(), "rows")

    rng = random.Random(3)
    week = MirroredSession.objects.filter(created_at__gte=now - dt.timedelta(days=7))
    newest = week.order_by("-created_at", "-session_id")
    deep = newest.values_list("created_at", "session_id")[min(9_999, week.count() - 100)]
    phones = list(
        MirroredSession.objects.filter(created_at__gte=now - dt.timedelta(days=80))
        .order_by("-created_at")
        .values_list("phone_number", flat=True)[:20_000]
    )
    audit_newest = AuditRecord.objects.order_by("-created_at", "-id")
    audit_deep = audit_newest.values_list("created_at", "id")[min(9_999, records - 100)]
    feed_newest = ClientChange.objects.order_by("-time", "-id")
    feed_deep = feed_newest.values_list("time", "id")[min(9_999, changes - 100)]
    plan = {
        "password": PASSWORD,
        "users": users,
        "held_sessions": held,
        "phones": rng.sample(phones, 500),
        "countries": COUNTRIES,
        "session_deep_cursor": make_cursor(MirroredSession, SORTS[DEFAULT_SORT][1], list(deep)),
        "audit_deep_cursor": make_cursor(AuditRecord, AUDIT_NEWEST_FIRST, list(audit_deep)),
        "audit_actors": audit_bench.ACTORS,
        "audit_targets": list(audit_newest.values_list("first_target", flat=True)[:2000:20]),
        "feed_deep_cursor": make_cursor(ClientChange, FEED_NEWEST_FIRST, list(feed_deep)),
        "feed_clients": list(feed_newest.values_list("client_id", flat=True)[:2000:20]),
        "pending": {},
    }
    plan_path.write_text(json.dumps(plan))


def pending(plan_path: Path) -> None:
    """Pending verifications for every operator and admin, made through the provider API."""
    plan = json.loads(plan_path.read_text())
    client = wavix_client()
    service = Service.objects.get(service_id=BENCH_SERVICE_IDS[0])
    rng = random.Random()
    started = time.perf_counter()
    made: dict[str, list[str]] = {}
    for role in ("operator", "admin"):
        for name in plan["users"][role]:
            made[name] = [
                client.create_verification(
                    service.service_id, f"4479{rng.randint(0, 10**8 - 1):08d}", "sms"
                ).session_id
                for _ in range(PENDING_EACH)
            ]
    today = timezone.now().astimezone(dt.UTC).date()
    report = sync_range(client, [service], today, today, force=True)
    ids = [session_id for sessions in made.values() for session_id in sessions]
    mirrored = MirroredSession.objects.filter(session_id__in=ids, status="pending").count()
    if mirrored != len(ids):
        raise SystemExit(f"{mirrored} of {len(ids)} pending sessions mirrored: {report}")
    figure("load_pending_sessions", mirrored, "sessions")
    figure("load_pending_seconds", time.perf_counter() - started, "s")
    plan["pending"] = made
    plan_path.write_text(json.dumps(plan))


if __name__ == "__main__":
    step, path = sys.argv[1], Path(sys.argv[2])
    {"seed": seed, "pending": pending}[step](path)
