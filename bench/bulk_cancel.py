"""Bulk cancel of N pending sessions against the sandbox with 100 ms of latency a call.

The sandbox runs as its own process (sandbox_serve, over loopback HTTP) with a latency fault
on cancel calls; 500 verifications are created there, mirrored, and cancelled through the
bulk runner the task runs, at BULK_CANCEL_CONCURRENCY calls at once. Prints the wall time,
cancels per second, peak memory of this process, and the calls the sandbox received.
Usage: python bench/bulk_cancel.py [sessions] [latency seconds]
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
LATENCY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
WORK = Path(tempfile.mkdtemp(prefix="bench-bulk-"))


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "DASHBOARD_VAR_DIR": str(WORK / "sandbox"),
        "SANDBOX_DATABASE_URL": f"sqlite:///{WORK / 'sandbox.sqlite3'}",
        "SANDBOX_FAULTS": f"latency={LATENCY:g}@/cancel",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "sandbox_serve", "--port", "0", "--migrate",
         "--seed-if-empty", "--sessions", "1000", "--clients", "0", "--seed", "3"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    for _ in range(200):
        line = server.stdout.readline()
        if match := re.search(r"listening on (http://\S+)", line):
            return server, match.group(1)
    server.kill()
    raise SystemExit("sandbox_serve did not start")


def main() -> None:
    server, origin = start_sandbox()
    from dashboard.sandbox import credentials

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DASHBOARD_VAR_DIR": str(WORK / "dashboard"),
            "WAVIX_BASE_URL": origin + credentials.WAVIX_PREFIX,
            "WAVIX_API_KEY": credentials.WAVIX_API_KEY,
            "LOG_LEVEL": "WARNING",
        }
    )
    try:
        run(origin)
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(origin: str) -> None:
    import django

    django.setup()
    import datetime as dt

    import httpx
    from django.conf import settings
    from django.core.management import call_command

    from bench.common import figure
    from dashboard.audit.trail import Actor
    from dashboard.connections import wavix_client
    from dashboard.sandbox import credentials
    from dashboard.verifications.actions import bulk
    from dashboard.verifications.models import BulkCancelItem, MirroredSession, Service
    from dashboard.verifications.service_catalog import refresh_catalog
    from dashboard.verifications.sync import sync_range

    call_command("migrate", verbosity=0)
    client = wavix_client()
    refresh_catalog(client)
    service = Service.objects.order_by("service_id").first()
    assert service is not None
    created = [
        client.create_verification(service.service_id, f"4479{n:08d}", "sms").session_id
        for n in range(SESSIONS)
    ]
    today = dt.datetime.now(dt.UTC).date()
    sync_range(client, [service], today, today, force=True)
    sessions = list(MirroredSession.objects.filter(session_id__in=created))
    assert len(sessions) == SESSIONS, len(sessions)
    actor = Actor(user_id=None, username="bench")
    draft = bulk.create_draft(sessions, actor, "bench")
    bulk.start(draft, "bench", actor)

    started = time.perf_counter()
    bulk.run(draft.pk, client, concurrency=settings.BULK_CANCEL_CONCURRENCY)
    seconds = time.perf_counter() - started

    states = set(BulkCancelItem.objects.filter(bulk=draft).values_list("state", flat=True))
    with httpx.Client(
        base_url=origin + credentials.CONTROL_PREFIX,
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
    ) as control:
        calls = [c for c in control.get("/calls", params={"path_contains": "/cancel"}).json()]
    figure("bulk_cancel_sessions", SESSIONS, "sessions")
    figure("bulk_cancel_latency_per_call", LATENCY * 1000, "ms")
    figure("bulk_cancel_concurrency", settings.BULK_CANCEL_CONCURRENCY, "calls")
    figure("bulk_cancel_seconds", seconds, "s")
    figure("bulk_cancel_per_second", SESSIONS / seconds, "sessions/s")
    figure("bulk_cancel_calls_received", len(calls), "calls")
    figure("bulk_cancel_peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")
    print(f"bulk_cancel_outcomes: {sorted(states)}")


if __name__ == "__main__":
    main()
