"""Shared bits of the benchmarks: environment, timing statistics, output format."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


def bench_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DASHBOARD_VAR_DIR": str(var_dir),
            # Pages must measure the mirror, not the provider: windows stay fresh.
            "MIRROR_FRESHNESS_SECONDS": "86400",
            "LOG_LEVEL": "WARNING",
            # Served over plain http on 127.0.0.1: no redirect to https.
            "DASHBOARD_HTTPS": "0",
        }
    )
    env.update(extra)
    return env


def figure(name: str, value: float, unit: str) -> None:
    print(f"{name}: {value:.2f} {unit}", flush=True)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), percentile(samples, 95)


def empty_tables(*tables: str) -> None:
    """Empty bench tables. TRUNCATE on PostgreSQL: a DELETE leaves every index entry
    behind until vacuum, and the next run would measure a bloated index. CASCADE: it
    refuses a table that others reference (timelines reference sessions) even when empty;
    rows pointing at the emptied rows go with them."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def analyze(table: str) -> None:
    """Fresh planner statistics (and, on PostgreSQL, a visibility map for index-only scans,
    as autovacuum would have made on a live table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        postgresql = connection.vendor == "postgresql"
        cursor.execute(f"VACUUM ANALYZE {table}" if postgresql else "ANALYZE")
