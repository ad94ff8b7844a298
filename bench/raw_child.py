"""The raw limit for sync: the same payloads fetched, parsed and inserted, without the app."""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

import httpx
import msgspec
from django.core.management import call_command
from django.db import connection, transaction

from bench.common import empty_tables, figure
from dashboard.sandbox import credentials
from dashboard.verifications.models import MirroredSession, Service


def main(base_url: str, days: int) -> None:
    call_command("migrate", verbosity=0)
    empty_tables(MirroredSession._meta.db_table)
    headers = {"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"}
    http = httpx.Client(base_url=base_url, headers=headers, timeout=60)
    listing = http.get("/v1/two-fa/service", params={"per_page": 100}).json()
    service_ids = [item["uuid"].replace("-", "") for item in listing["items"]]
    pks = {}
    for sid in service_ids:
        pks[sid] = Service.objects.get_or_create(service_id=sid, defaults={"source": "settings"})[
            0
        ].pk
    table = MirroredSession._meta.db_table
    sql = (
        f"INSERT INTO {table} (session_id, service_id, created_at, phone_number, phone_last4, "
        "country, status, charge, synced_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    today = dt.datetime.now(dt.UTC).date()
    now = dt.datetime.now(dt.UTC)
    total = 0
    started = time.perf_counter()
    for sid in service_ids:
        for offset in range(days):
            day = (today - dt.timedelta(days=offset)).isoformat()
            reply = http.get(f"/v1/two-fa/service/{sid}/sessions", params={"from": day, "to": day})
            if reply.status_code == 404:
                continue
            rows = msgspec.json.decode(reply.content)
            values = [
                (
                    r["session_id"],
                    pks[sid],
                    r["created_at"],
                    r["phone_number"],
                    r["phone_number"][-4:],
                    r["destination_country"],
                    r["status"],
                    r["charge"],
                    now,
                )
                for r in rows
            ]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, values)
            total += len(values)
    seconds = time.perf_counter() - started
    figure("raw_sessions", total, "sessions")
    figure("raw_throughput", total / seconds, "sessions/s")
    figure("raw_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
