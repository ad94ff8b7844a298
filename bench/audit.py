"""Server time of the audit page over 1M records, and verify_audit's walk of the chain.

Run by bench/run.py in its own process, or alone:
    DASHBOARD_VAR_DIR=var/bench/audit DJANGO_SETTINGS_MODULE=dashboard.settings \
        .venv/bin/python bench/audit.py
(BENCH_AUDIT_RECORDS sets the size; DATABASE_URL a PostgreSQL database.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.common import analyze, empty_tables, figure, summary
from bench.pages import REQUESTS, measure_all
from dashboard.audit import triggers
from dashboard.audit.chain import GENESIS, Content, content_hash
from dashboard.audit.models import AuditRecord
from dashboard.audit.verify import verify
from dashboard.audit.views import NEWEST_FIRST
from dashboard.verifications.keyset import make_cursor

ACTORS = [f"user{i:02d}" for i in range(40)] + ["task:bulk_cancel"]
ACTIONS = (
    ["resend"] * 40 + ["cancel"] * 40 + ["bulk_cancel"] * 5 + ["disable"] * 10 + ["test_send"] * 5
)
OUTCOMES = ["success"] * 90 + ["failed"] * 7 + ["unknown"] * 3
REASONS = ["", "suspected fraud", "user request", "duplicate", "other: customer called"]
COLUMNS = (
    "created_at", "actor_username", "client_ip", "action", "targets", "first_target", "reason",
    "outcome", "provider_message", "request_id", "prev_hash", "hash",
)  # fmt: skip


def seed(total: int, days: int) -> None:
    """A computed chain, inserted in batches by plain SQL: what record() would have written."""
    if AuditRecord.objects.count() == total:
        return
    triggers.remove(connection)  # emptying an append-only table, as a DBA would
    empty_tables(AuditRecord._meta.db_table)
    triggers.install(connection)
    rng = random.Random(7)
    start = timezone.now() - dt.timedelta(days=days)
    step = dt.timedelta(days=days) / total
    sql = (
        f"INSERT INTO {AuditRecord._meta.db_table} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    adapt = connection.ops.adapt_datetimefield_value
    started, prev, batch = time.perf_counter(), GENESIS, []
    for i in range(total):
        created = (start + step * i).replace(microsecond=rng.randint(0, 999_999))
        action = rng.choice(ACTIONS)
        count = rng.randint(2, 40) if action == "bulk_cancel" else 1
        targets = [f"{rng.getrandbits(128):032x}" for _ in range(count)]
        content = Content(
            created,
            rng.choice(ACTORS),
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            action,
            targets,
            rng.choice(REASONS) if action in ("cancel", "bulk_cancel", "disable") else "",
            rng.choice(OUTCOMES),
            "",
            f"{rng.getrandbits(64):016x}",
        )
        own = content_hash(content, prev)
        row: tuple[str | None, ...] = (
            adapt(created),
            content.actor_username,
            content.client_ip,
            action,
        )
        row += (json.dumps(targets), targets[0], content.reason, content.outcome)
        row += (content.provider_message, content.request_id, prev, own)
        batch.append(row)
        prev = own
        if len(batch) == 20_000:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    analyze(AuditRecord._meta.db_table)
    figure("audit_seed_rows_per_second", total / (time.perf_counter() - started), "rows/s")


def main() -> None:
    call_command("migrate", verbosity=0)
    total = int(os.environ.get("BENCH_AUDIT_RECORDS", "1000000"))
    seed(total, 365)
    figure("audit_rows", AuditRecord.objects.count(), "rows")
    user, _ = User.objects.get_or_create(username="bench-auditor")
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    newest = AuditRecord.objects.order_by("-created_at", "-id")
    deep = newest.values_list("created_at", "id")[min(9_999, total - 100)]
    target = newest.values_list("first_target", flat=True)[5_000]
    month_ago = timezone.localdate() - dt.timedelta(days=40)
    dates = urlencode({"date_from": month_ago, "date_to": month_ago + dt.timedelta(days=6)})
    admin = "/admin/audit/auditrecord/"
    filtered = "/audit/?action=cancel&outcome=failed"
    measure_all(
        client,
        [
            ("audit_list", "/audit/", {}),
            ("audit_filter_action_outcome", filtered, {}),
            ("audit_filter_actor", "/audit/?actor=user07", {}),
            ("audit_filter_target", "/audit/?" + urlencode({"target": target}), {}),
            ("audit_filter_week_40d_ago", f"/audit/?{dates}", {}),
            (
                "audit_deep_10000",
                "/audit/?"
                + urlencode({"after": make_cursor(AuditRecord, NEWEST_FIRST, list(deep))}),
                {},
            ),
            ("audit_htmx_partial", "/audit/?outcome=unknown", {"HX-Request": "true"}),
            ("admin_changelist_audit", admin, {}),
        ],
    )
    # CPU time of the same requests: on a machine shared with other work (load averages of
    # 10+ on 2 cores here), wall time mostly measures the queue for a core.
    for name, url in (("audit_list", "/audit/"), ("audit_filter_action_outcome", filtered)):
        samples = []
        for _ in range(REQUESTS):
            started = time.process_time()
            assert client.get(url).status_code == 200
            samples.append((time.process_time() - started) * 1000)
        median, p95 = summary(samples)
        figure(f"{name}_cpu_median", median, "ms")
        figure(f"{name}_cpu_p95", p95, "ms")
    started = time.perf_counter()
    cpu_started = time.process_time()
    report = verify()
    seconds = time.perf_counter() - started
    assert report.broken_id is None, report.problem
    figure("verify_audit_seconds", seconds, "s")
    figure("verify_audit_cpu_seconds", time.process_time() - cpu_started, "s")
    figure("verify_audit_rows_per_second", report.count / seconds, "rows/s")


if __name__ == "__main__":
    main()
