"""Run every benchmark and print figures (`name: value unit`), ratios included."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DIR, ROOT, bench_env, figure


def run_child(script: str, env: dict[str, str], *args: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"{script} failed")
    return {m[1]: float(m[2]) for m in re.finditer(r"^(\w+): ([\d.]+)", result.stdout, re.M)}


def sync_benchmark(sessions: int, days: int) -> None:
    work = BENCH_DIR / "sync"
    sandbox_db = BENCH_DIR / f"sandbox-{sessions}-{days}.sqlite3"
    env = bench_env(work, SANDBOX_DATABASE_URL=f"sqlite:///{sandbox_db}")
    if not sandbox_db.exists():
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--database", "sandbox", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "sandbox_seed",
                "--sessions",
                str(sessions),
                "--days",
                str(days),
                "--clients",
                "0",
                "--seed",
                "11",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "sandbox_serve", "--port", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            raise SystemExit(f"sandbox did not start: {line!r}")
        wavix_url = match.group(1) + "/sandbox/wavix"
        from dashboard.sandbox import credentials

        for name, script, args in (
            ("sync", "sync_child.py", [str(days)]),
            ("raw", "raw_child.py", [wavix_url, str(days)]),
        ):
            shutil.rmtree(BENCH_DIR / f"mirror-{name}", ignore_errors=True)
            child_env = bench_env(
                BENCH_DIR / f"mirror-{name}",
                WAVIX_BASE_URL=wavix_url,
                WAVIX_API_KEY=credentials.WAVIX_API_KEY,
            )
            results = run_child(script, child_env, *args)
            if name == "sync":
                ours = results["sync_throughput"]
            else:
                figure("ratio_sync_over_raw_throughput", ours / results["raw_throughput"], "x")
    finally:
        server.terminate()
        server.wait(timeout=10)


def clients_sync_benchmark(clients: int) -> None:
    """sync_clients against sandbox_serve in its own process, seeded with `clients` clients."""
    from dashboard.sandbox import credentials

    work = BENCH_DIR / "clients-sync"
    sandbox_db = BENCH_DIR / f"sandbox-clients-{clients}.sqlite3"
    env = bench_env(work, SANDBOX_DATABASE_URL=f"sqlite:///{sandbox_db}")
    command = [sys.executable, "manage.py", "sandbox_serve", "--port", "0", "--migrate"]
    command += ["--seed-if-empty", "--sessions", "100", "--clients", str(clients)]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            raise SystemExit(f"sandbox did not start: {line!r}")
        child_env = bench_env(
            work,
            B2CORE_BASE_URL=match.group(1) + credentials.B2CORE_PREFIX,
            B2CORE_EMAIL=credentials.B2CORE_ADMIN_EMAIL,
            B2CORE_PASSWORD=credentials.B2CORE_ADMIN_PASSWORD,
        )
        run_child("clients_sync.py", child_env)
    finally:
        server.terminate()
        server.wait(timeout=10)


def services_benchmark(sizes: list[int], pages_sessions: int) -> None:
    """The Services page at each mirror size, then its figures at 10M sessions, estimated.

    The page's cost has a part that grows with days (rollups, windows, chart: the same at
    every size) and a part that grows with sessions (the raw reading of cut days, at most
    half a day of sessions): time = a + b × sessions, fitted by least squares to the sizes
    measured, is its model. Rollup rows stop growing once every (service, day, status,
    country) holds a session, so the line overestimates rather than under. Fitted to CPU
    time: wall time on a shared machine moves with everyone else's load between the sizes
    (a fit to it came out negative), and with SQLite in process the page's CPU time is what
    its wall time comes to on a quiet machine.
    """
    measured: dict[int, dict[str, float]] = {}
    for size in sizes:
        # The pages benchmark's mirror when the size is its own: seeded once for both.
        work = BENCH_DIR / ("pages" if size == pages_sessions else f"services-{size}")
        env = bench_env(work, BENCH_SESSIONS=str(size))
        results = run_child("services_page.py", env)
        label = f"services_{round(size / 1000)}k_"
        measured[size] = {
            name.removeprefix(label): value
            for name, value in results.items()
            if name.startswith(label)
        }
    if len(measured) < 2:
        return
    target = 10_000_000
    for days in (7, 30, 90, 365):
        for stat in ("cpu_median", "cpu_p95"):
            name = f"page_{days}d_{stat}"
            points = [(size, figures[name]) for size, figures in measured.items()]
            mean_x = sum(x for x, _ in points) / len(points)
            mean_y = sum(y for _, y in points) / len(points)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum(
                (x - mean_x) ** 2 for x, _ in points
            )
            estimate = mean_y + slope * (target - mean_x)
            figure(f"services_10000k_{name}_estimate", estimate, "ms")
            figure(f"services_{name}_ms_per_million_sessions", slope * 1e6, "ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--sync-sessions", type=int, default=1_000_000)
    parser.add_argument("--sync-days", type=int, default=30)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--audit-records", type=int, default=1_000_000)
    parser.add_argument("--skip-audit", action="store_true")
    parser.add_argument("--skip-session-page", action="store_true")
    parser.add_argument("--skip-bulk", action="store_true")
    parser.add_argument("--skip-decode", action="store_true")
    parser.add_argument("--client-changes", type=int, default=1_000_000)
    parser.add_argument("--skip-clients-feed", action="store_true")
    parser.add_argument("--sync-clients", type=int, default=2000)
    parser.add_argument("--skip-clients-sync", action="store_true")
    parser.add_argument("--services-sizes", default="250000,1000000,2000000")
    parser.add_argument("--skip-services", action="store_true")
    options = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not options.skip_pages:
        run_child("pages.py", bench_env(BENCH_DIR / "pages", BENCH_SESSIONS=str(options.sessions)))
    if not options.skip_services:
        sizes = [int(size) for size in options.services_sizes.split(",") if size]
        services_benchmark(sizes, options.sessions)
    if not options.skip_session_page:
        # The same 1M-session mirror as the pages benchmark (seeded once, kept).
        env = bench_env(BENCH_DIR / "pages", BENCH_SESSIONS=str(options.sessions))
        run_child("session_page.py", env)
    if not options.skip_bulk:
        run_child("bulk_cancel.py", bench_env(BENCH_DIR / "bulk"), "500", "0.1")
    if not options.skip_audit:
        records = str(options.audit_records)
        run_child("audit.py", bench_env(BENCH_DIR / "audit", BENCH_AUDIT_RECORDS=records))
    if not options.skip_clients_feed:
        changes = str(options.client_changes)
        run_child(
            "clients_feed.py", bench_env(BENCH_DIR / "clients-feed", BENCH_CLIENT_CHANGES=changes)
        )
    if not options.skip_clients_sync:
        clients_sync_benchmark(options.sync_clients)
    if not options.skip_sync:
        sync_benchmark(options.sync_sessions, options.sync_days)
    if not options.skip_decode:
        run_child("decode.py", bench_env(BENCH_DIR / "decode"))


if __name__ == "__main__":
    main()
