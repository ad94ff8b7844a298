"""Decode time of a 100,000-session Wavix list: msgspec alone, and through WavixClient.

Plain Python (providers/ has no Django): the body is served from memory by an
httpx.MockTransport, so the figures are decoding and validation, not the network. Prints
median and p95 (wall clock) and the median CPU time over --runs runs, after one warm-up run
each.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import figure, summary
from dashboard.providers.wavix import Session, WavixClient

SERVICE = "7204a030201211ee9fb47d093f2f127c"
DAY = date(2022, 2, 16)
STATUSES = ["verified"] * 80 + ["expired"] * 8 + ["failed"] * 6 + ["canceled"] * 4 + ["pending"] * 2
COUNTRIES = ["GB", "US", "FR", "DE", "IN", "BR", "NG", "ID", "PH", "MX"]


def sessions_body(count: int, seed: int = 7) -> bytes:
    """A sessions list as Wavix sends it: distinct rows, one UTC day, charges as strings."""
    rng = random.Random(seed)
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
    rows = [
        {
            "created_at": (start + timedelta(seconds=rng.randrange(86_400)))
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "session_id": f"{rng.getrandbits(128):032x}",
            "phone_number": f"44{rng.randrange(7_000_000_000, 7_999_999_999)}",
            "destination_country": rng.choice(COUNTRIES),
            "status": rng.choice(STATUSES),
            "charge": f"{rng.randrange(0, 2000) / 10_000:.4f}",
            "service_id": SERVICE,
            "service_name": "Wavix 2FA Service",
        }
        for _ in range(count)
    ]
    return msgspec.json.encode(rows)


def timed(run: Callable[[], int], runs: int, expected: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per run; every run must yield every row.

    CPU time is the steadier figure on a shared machine: it leaves out waiting for a core.
    """
    wall, cpu = [], []
    for index in range(runs + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = run()
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if rows != expected:
            raise SystemExit(f"decoded {rows} sessions, expected {expected}")
        if index:  # the first run warms caches and is not counted
            wall.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
    return wall, cpu


def report(name: str, samples: tuple[list[float], list[float]]) -> None:
    wall, cpu = samples
    median, p95 = summary(wall)
    figure(f"{name}_median", median, "ms")
    figure(f"{name}_p95", p95, "ms")
    figure(f"{name}_cpu_median", summary(cpu)[0], "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    count, runs = options.sessions, options.runs
    body = sessions_body(count)
    figure("decode_body_size", len(body) / 1_000_000, "MB")

    decoder = msgspec.json.Decoder(list[Session])
    report("decode_msgspec", timed(lambda: len(decoder.decode(body)), runs, count))

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with WavixClient("http://wavix.bench/", "bench-key", transport=transport) as client:
        report(
            "decode_client",
            timed(lambda: len(client.list_sessions(SERVICE, DAY, DAY)), runs, count),
        )


if __name__ == "__main__":
    main()
