"""Server time of the clients feed over 1M mirrored 2FA changes, beside the Django admin's
changelist of the same table.

Run by bench/run.py in its own process, or alone:
    DASHBOARD_VAR_DIR=var/bench/clients-feed DJANGO_SETTINGS_MODULE=dashboard.settings \
        .venv/bin/python bench/clients_feed.py
(BENCH_CLIENT_CHANGES sets the size; DATABASE_URL a PostgreSQL database.)
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
from dashboard.clients.feed.views import NEWEST_FIRST
from dashboard.clients.models import ClientChange, ClientSyncState
from dashboard.verifications.keyset import make_cursor

CLIENTS = 50_000
DAYS = 365
COLUMNS = (
    "client_id", "change_id", "provider", "is_enabled", "time", "time_reported", "extra",
    "rapid_toggle", "synced_at",
)  # fmt: skip


def seed(total: int) -> None:
    """Changes over a year across CLIENTS clients, by plain SQL in large batches: what
    sync_clients would have stored (about 1 in 50 a rapid toggle)."""
    if ClientChange.objects.count() == total:
        return
    empty_tables(ClientChange._meta.db_table, ClientSyncState._meta.db_table)
    rng = random.Random(9)
    now = timezone.now()
    step = dt.timedelta(days=DAYS) / total
    start = now - dt.timedelta(days=DAYS)
    adapt = connection.ops.adapt_datetimefield_value
    synced = adapt(now)
    sql = (
        f"INSERT INTO {ClientChange._meta.db_table} ({', '.join(COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    actors = [json.dumps({"actor": "client"})] * 3 + [json.dumps({"actor": "admin:risk@x"})]
    started, batch = time.perf_counter(), []
    for i in range(total):
        moment = (start + step * i).replace(microsecond=0)
        client_id, provider = str(rng.randint(1, CLIENTS)), rng.choice(("google", "sms"))
        extra, rapid = rng.choice(actors), rng.random() < 0.02
        batch.append(
            (client_id, i + 1, provider, i % 2 == 0, adapt(moment), True, extra, rapid, synced)
        )
        if len(batch) == 50_000:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    ClientSyncState.objects.bulk_create(
        [
            ClientSyncState(client_id=str(n), email=f"client{n}@example.com", name=f"Client {n}")
            for n in range(1, CLIENTS + 1)
        ],
        batch_size=5000,
    )
    analyze(ClientChange._meta.db_table)
    figure("feed_seed_rows_per_second", total / (time.perf_counter() - started), "rows/s")


def main() -> None:
    call_command("migrate", verbosity=0)
    total = int(os.environ.get("BENCH_CLIENT_CHANGES", "1000000"))
    seed(total)
    figure("feed_rows", ClientChange.objects.count(), "rows")
    user, _ = User.objects.get_or_create(username="bench-admin")
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    newest = ClientChange.objects.order_by("-time", "-id")
    deep = newest.values_list("time", "id")[min(9_999, total - 100)]
    a_client = newest.values_list("client_id", flat=True)[10]
    month_ago = timezone.localdate() - dt.timedelta(days=40)
    dates = urlencode({"date_from": month_ago, "date_to": month_ago + dt.timedelta(days=6)})
    filtered = "/clients/feed/?method=google&state=disabled"
    measure_all(
        client,
        [
            ("feed_default_7_days", "/clients/feed/", {}),
            ("feed_filter_google_disabled", filtered, {}),
            ("feed_filter_rapid_any_date", "/clients/feed/?rapid=1&date_from=", {}),
            (
                "feed_filter_client_any_date",
                "/clients/feed/?" + urlencode({"client": a_client, "date_from": ""}),
                {},
            ),
            ("feed_filter_week_40d_ago", f"/clients/feed/?{dates}", {}),
            (
                "feed_deep_10000_any_date",
                "/clients/feed/?"
                + urlencode(
                    {
                        "date_from": "",
                        "after": make_cursor(ClientChange, NEWEST_FIRST, list(deep)),
                    }
                ),
                {},
            ),
            ("feed_htmx_partial", "/clients/feed/?state=enabled", {"HX-Request": "true"}),
            ("admin_changelist_clientchange", "/admin/clients/clientchange/", {}),
            (
                "admin_changelist_clientchange_filtered",
                "/admin/clients/clientchange/?provider=google&is_enabled__exact=0",
                {},
            ),
        ],
    )
    # CPU time: on a shared machine wall time also measures the queue for a core.
    for name, url in (("feed_default_7_days", "/clients/feed/"), ("feed_filter", filtered)):
        samples = []
        for _ in range(REQUESTS):
            started = time.process_time()
            assert client.get(url).status_code == 200
            samples.append((time.process_time() - started) * 1000)
        median, p95 = summary(samples)
        figure(f"{name}_cpu_median", median, "ms")
        figure(f"{name}_cpu_p95", p95, "ms")


if __name__ == "__main__":
    main()
