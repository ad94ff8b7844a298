"""Server time of the mirror's pages on 1M rows, beside Django's admin changelist.

Run by bench/run.py in its own process (it sets the environment before Django starts).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
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

# Started as a server's worker is: dashboard/wsgi.py freezes what is loaded at start out of
# the garbage collector's passes (the admin peer runs in the same process, so it gains too).
import dashboard.wsgi  # noqa: F401
from bench.common import analyze, empty_tables, figure, summary
from dashboard.verifications.keyset import make_cursor
from dashboard.verifications.models import MirroredSession, Service, SyncWindow
from dashboard.verifications.session_filters import DEFAULT_SORT, SORTS

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
COUNTRIES = ["GB", "US", "FR", "DE", "IN", "BR", "NG", "ID", "PH", "MX", "ES", "IT"]
STATUSES = ["verified"] * 80 + ["expired"] * 8 + ["failed"] * 6 + ["canceled"] * 4 + ["pending"] * 2


BENCH_SERVICE_IDS = [f"{i:x}" * 32 for i in range(1, 4)]


def seed_mirror(total: int, days: int) -> None:
    # Only the bench's services: on a shared database (DATABASE_URL) the sync benchmark
    # leaves the sandbox's, which this process's empty sandbox would refuse at every page.
    Service.objects.exclude(service_id__in=BENCH_SERVICE_IDS).delete()
    if MirroredSession.objects.count() >= total:
        return
    empty_tables(MirroredSession._meta.db_table, SyncWindow._meta.db_table)
    services = [
        Service.objects.update_or_create(
            service_id=service_id, defaults={"name": f"Bench {i}", "source": "settings"}
        )[0]
        for i, service_id in enumerate(BENCH_SERVICE_IDS, start=1)
    ]
    rng = random.Random(42)
    now = timezone.now().replace(microsecond=0)
    table = MirroredSession._meta.db_table
    sql = (
        f"INSERT INTO {table} (session_id, service_id, created_at, phone_number, phone_last4, "
        "country, status, charge, synced_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    started = time.perf_counter()
    batch = []
    for i in range(total):
        phone = f"{rng.randint(1, 99)}{rng.randint(10**8, 10**10 - 1)}"
        created = now - dt.timedelta(seconds=rng.randint(0, days * 86400 - 1))
        batch.append(
            (
                f"{i:032x}",
                services[i % 3].pk,
                created,
                phone,
                phone[-4:],
                rng.choice(COUNTRIES),
                rng.choice(STATUSES),
                Decimal(rng.randint(100, 2000)) / 10000,
                now,
            )
        )
        if len(batch) == 20_000:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            batch.clear()
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    today = now.astimezone(dt.UTC).date()
    SyncWindow.objects.bulk_create(
        SyncWindow(
            service=s,
            day=today - dt.timedelta(days=d),
            fetched_at=now,
            settled=True,
            session_count=0,
        )
        for s in services
        for d in range(days + 1)
    )
    analyze(table)
    figure("mirror_seed_rows_per_second", total / (time.perf_counter() - started), "rows/s")


def measure_all(client: Client, targets: list[tuple[str, str, dict[str, str]]]) -> dict[str, float]:
    """Time every target REQUESTS times, round-robin, so noise falls on all of them alike."""
    for _, url, headers in targets:
        for _ in range(3):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
        # A refused cursor falls back to the first page: it would time the wrong page.
        if not hasattr(response, "streaming_content"):
            assert b"no longer valid" not in response.content, url
    samples: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    for _ in range(REQUESTS):
        for name, url, headers in targets:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            samples[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    p95s = {}
    for name, values in samples.items():
        median, p95 = summary(values)
        figure(f"{name}_median", median, "ms")
        figure(f"{name}_p95", p95, "ms")
        p95s[name] = p95
        p95s[name + ":median"] = median
    return p95s


def main() -> None:
    call_command("migrate", verbosity=0)
    # The in-process sandbox answers the page's service-list probe: an empty provider, so
    # the page shows the seeded services only (and syncs nothing).
    call_command("migrate", database="sandbox", verbosity=0)
    total = int(os.environ.get("BENCH_SESSIONS", "1000000"))
    seed_mirror(total, 365)
    figure("mirror_rows", MirroredSession.objects.count(), "rows")
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    user.is_superuser = user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    sample = MirroredSession.objects.order_by("-created_at").values_list("phone_number", flat=True)[
        500
    ]
    now = timezone.now()
    week = MirroredSession.objects.filter(
        created_at__gte=now - dt.timedelta(days=7), created_at__lt=now
    )
    # Row 10,000 of the default 7-day list (the last full page's worth when seeded small).
    deep_index = max(0, min(9999, week.count() - 2 * 50))
    deep = week.order_by("-created_at", "-session_id").values_list("created_at", "session_id")[
        deep_index
    ]
    deep_cursor = make_cursor(MirroredSession, SORTS[DEFAULT_SORT][1], list(deep))
    since = (now - dt.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")
    filtered = "/sessions/?range=30d&status=failed&country=GB"
    admin = "/admin/verifications/mirroredsession/"
    hx = {"HX-Request": "true"}
    results = measure_all(
        client,
        [
            ("page_list", "/sessions/", {}),
            ("page_filter_30d_status_country", filtered, {}),
            ("page_deep_10000", "/sessions/?" + urlencode({"after": deep_cursor}), {}),
            ("page_phone_search_90d", f"/sessions/?range=90d&phone=%2B{sample}", {}),
            ("page_phone_prefix_90d", f"/sessions/?range=90d&phone={sample[:6]}", {}),
            ("page_phone_last4_90d", f"/sessions/?range=90d&phone={sample[-4:]}", {}),
            ("page_htmx_partial", filtered, hx),
            ("admin_changelist_list", admin, {}),
            (
                "admin_changelist_filter_30d_status_country",
                f"{admin}?status__exact=failed&country__exact=GB&created_at__gte={since}",
                {},
            ),
        ],
    )
    for stat in ("p95", "median"):
        suffix = "" if stat == "p95" else ":median"
        for ours, peer in (
            ("page_list", "admin_changelist_list"),
            ("page_filter_30d_status_country", "admin_changelist_filter_30d_status_country"),
        ):
            short = ours.removeprefix("page_").split("_")[0]
            ratio = results[peer + suffix] / results[ours + suffix]
            figure(f"ratio_admin_over_ours_{short}_{stat}", ratio, "x")
    # CPU time of the same requests: on a machine shared with other work (load averages of
    # 8+ on 2 cores while these were measured), wall time mostly measures the queue for a core.
    cpu: dict[str, float] = {}
    for name, url in (
        ("page_list", "/sessions/"),
        ("page_filter_30d_status_country", filtered),
        ("admin_changelist_list", admin),
        (
            "admin_changelist_filter_30d_status_country",
            f"{admin}?status__exact=failed&country__exact=GB&created_at__gte={since}",
        ),
    ):
        samples = []
        for _ in range(REQUESTS):
            started = time.process_time()
            assert client.get(url).status_code == 200
            samples.append((time.process_time() - started) * 1000)
        cpu[name], p95 = summary(samples)
        figure(f"{name}_cpu_median", cpu[name], "ms")
        figure(f"{name}_cpu_p95", p95, "ms")
    for short, ours, peer in (
        ("list", "page_list", "admin_changelist_list"),
        ("filter", "page_filter_30d_status_country", "admin_changelist_filter_30d_status_country"),
    ):
        figure(f"ratio_admin_over_ours_{short}_cpu_median", cpu[peer] / cpu[ours], "x")


if __name__ == "__main__":
    main()
