"""sync_clients against the B2Core sandbox served over loopback by sandbox_serve (its own
process): clients per second on a first run, and how much faster a second run with nothing
new is, both when the clients were just synced (skipped as fresh) and when every client is
asked again from its newest change (--force).

Run by bench/run.py (which starts the sandbox), or alone against a running sandbox:
    DASHBOARD_VAR_DIR=var/bench/clients-sync DJANGO_SETTINGS_MODULE=dashboard.settings \
    B2CORE_BASE_URL=http://127.0.0.1:8001/sandbox/b2core B2CORE_EMAIL=... B2CORE_PASSWORD=... \
        .venv/bin/python bench/clients_sync.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.conf import settings
from django.core.management import call_command

from bench.common import empty_tables, figure
from dashboard.clients.mirror.sync import ClientSyncReport, sync_clients
from dashboard.clients.models import ClientChange, ClientSyncState
from dashboard.connections import b2core_client


def timed(force: bool) -> tuple[float, ClientSyncReport]:
    started = time.perf_counter()
    report = sync_clients(b2core_client(), force=force)
    seconds = time.perf_counter() - started
    assert report.ok, (report.failed[:3], report.list_error)
    return seconds, report


def raw_walks(clients: list[str], workers: int) -> float:
    """The same change walks (a page, then the empty page) with plain httpx and no database:
    what the sandbox itself can serve, the ceiling for any sync."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from dashboard.sandbox import credentials

    http = httpx.Client(
        base_url=settings.B2CORE_BASE_URL,
        timeout=30,
        limits=httpx.Limits(max_connections=workers * 2),
    )
    answer = http.post(
        "/api/v2/signin",
        json={
            "email": credentials.B2CORE_ADMIN_EMAIL,
            "password": credentials.B2CORE_ADMIN_PASSWORD,
        },
    )
    http.headers["Authorization"] = f"Bearer {answer.json()['accessToken']['token']}"

    def walk(client_id: str) -> None:
        offset = 0
        while True:
            params: dict[str, str | int] = {"sort_by": "time", "sort_order": "asc"}
            params.update(limit=100, offset=offset)
            page = http.get(f"/api/v2/clients/{client_id}/2fa/changes", params=params)
            items = page.json()["data"]
            if not items:
                return
            offset += len(items)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(walk, clients))
    return time.perf_counter() - started


def main() -> None:
    call_command("migrate", verbosity=0)
    empty_tables(ClientChange._meta.db_table, ClientSyncState._meta.db_table)
    b2core_client().list_clients(limit=1)  # signs in outside the timing
    first, report = timed(force=False)
    clients = report.clients
    figure("client_sync_clients", clients, "clients")
    figure("client_sync_changes", report.changes, "changes")
    figure("client_sync_first_requests", report.requests, "requests")
    figure("client_sync_first_seconds", first, "s")
    figure("client_sync_first_clients_per_second", clients / first, "clients/s")
    again, report = timed(force=False)
    assert report.changes == 0, report
    assert report.fresh == clients, report
    figure("client_sync_second_fresh_seconds", again, "s")
    figure("client_sync_second_fresh_requests", report.requests, "requests")
    figure("ratio_first_over_second_fresh", first / again, "x")
    forced, report = timed(force=True)
    assert report.changes == 0, report
    assert report.fetched == clients, report
    figure("client_sync_second_forced_seconds", forced, "s")
    figure("client_sync_second_forced_requests", report.requests, "requests")
    figure("ratio_first_over_second_forced", first / forced, "x")
    ids = list(ClientSyncState.objects.values_list("client_id", flat=True))
    raw = raw_walks(ids, settings.CLIENT_SYNC_WORKERS)
    figure("client_raw_walks_clients_per_second", len(ids) / raw, "clients/s")
    figure("ratio_sync_over_raw_walks", raw / first, "x")


if __name__ == "__main__":
    main()
