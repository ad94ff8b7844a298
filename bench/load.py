"""Load: 50 simulated operators for 60 s against gunicorn over 1,000,000 mirrored sessions.

For each database asked for (SQLite, PostgreSQL, or both one after the other):
1. prepares the database with bench/load_prep.py (kept between runs; made again from empty
   when its seed is over two days old, or with --reseed): 1,000,000 mirrored sessions over
   365 days, 1,000,000 audit records, 1,000,000 clients' 2FA changes, held timelines,
   operators of each role, the sandbox's service;
2. starts gunicorn (2 workers) on a free port of 127.0.0.1 and 2 task workers
   (`manage.py worker`), production-like: DEBUG off, a long SECRET_KEY, ALLOWED_HOSTS set;
   providers are played by the sandbox, reached in process;
3. has the sandbox make pending verifications for the operators (bench/load_prep.py pending);
4. runs locust headless (bench/locustfile.py), bounded: 50 users, 10 a second, 60 s;
5. prints p50/p95/p99 and errors for each page type and overall (from each request locust
   timed), the machine's load average at the start, the end and its peak, the CPU time the
   server processes used, and the resends and cancels the sandbox received; then checks the
   targets: no errors, and p95 ≤ 300 ms for every page type (sign-in aside: its cost is the
   password hash, by design; it is shown and its errors count).

Usage: python bench/load.py [--db sqlite|postgresql|both] [--users 50] [--spawn-rate 10]
                            [--time 60s] [--reseed] [--nice -10] [--quiet-below 1.5]
With no --db: PostgreSQL when DATABASE_URL is set (that database), else SQLite. On a shared
machine, --nice -10 (as root) runs the bench ahead of the other work (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DIR, ROOT, bench_env, percentile

PG_URL = "postgres://postgres@127.0.0.1:5432/dash_load"
TARGET_P95_MS = 300.0
# Its cost is PBKDF2 (Django's 1,000,000 iterations): slow on purpose, once per operator.
NOT_TIMED = {"sign-in"}
STALE_AFTER = dt.timedelta(days=2)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default=None)
    parser.add_argument("--pg-url", default=os.environ.get("DATABASE_URL") or PG_URL)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", default="60s", help="locust's run time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--reseed", action="store_true", help="make the database from empty")
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.0,
        help="before the load, wait (at most --quiet-wait seconds) until the machine's "
        "1-minute load average is below this; 0: do not wait",
    )
    parser.add_argument("--quiet-wait", type=float, default=1800.0)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the servers and locust each in a session of its own at this niceness "
        "(negative, as root: ahead of other work on a shared machine)",
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="folder of the files (default var/bench/load-DB)"
    )
    options = parser.parse_args()
    if options.db is None:
        options.db = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    return options


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, child: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"the server exited ({child.returncode}) before listening")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    wanted, total = set(pids), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, ..., utime (11th), stime (12th).
        if int(entry.name) in wanted or int(fields[1]) in wanted:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_for_quiet(below: float, seconds: float) -> None:
    """Wait until the 1-minute load average is below `below`, or `seconds` have passed."""
    if below <= 0:
        return
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(10)
    state = "quiet" if os.getloadavg()[0] < below else "still busy"
    print(f"machine {state} after waiting: load average {load_average()}", flush=True)


class PeakLoad(threading.Thread):
    """The highest 1-minute load average seen, sampled every 5 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = os.getloadavg()[0]
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(5):
            self.peak = max(self.peak, os.getloadavg()[0])


class BoostBackends(threading.Thread):
    """Give the PostgreSQL backends serving the bench's database the servers' niceness,
    every second as connections come and go. Each backend is a session of its own (so an
    autogroup of its own): unboosted, it would queue for a core behind the machine's other
    work while the workers waiting on it do not, and PostgreSQL would look slower than
    SQLite, which runs inside the workers. Only when the server runs on this machine."""

    def __init__(self, pg_url: str, niceness: int) -> None:
        super().__init__(daemon=True)
        self.pg_url, self.niceness = pg_url, niceness
        self.done = threading.Event()
        self.boosted: set[int] = set()

    def run(self) -> None:
        import psycopg

        name = self.pg_url.rsplit("/", 1)[1]
        with psycopg.connect(self.pg_url, autocommit=True) as pg:
            while not self.done.wait(1):
                rows = pg.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])
                for (pid,) in rows.fetchall():
                    if pid in self.boosted:
                        continue
                    try:
                        Path(f"/proc/{pid}/autogroup").write_text(str(self.niceness))
                        os.setpriority(os.PRIO_PROCESS, pid, self.niceness)
                    except OSError:
                        continue  # ended meanwhile, or not on this machine
                    self.boosted.add(pid)


@dataclass
class Stats:
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def drop_database(db: str, work: Path, pg_url: str) -> None:
    for name in ("dashboard.sqlite3", "sandbox.sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            (work / f"{name}{suffix}").unlink(missing_ok=True)
    if db == "postgresql":
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def ensure_database(pg_url: str) -> None:
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
        if not pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            pg.execute(f'CREATE DATABASE "{name}"')


def prepare(db: str, work: Path, env: dict[str, str], options: argparse.Namespace) -> Path:
    marker, plan = work / "seeded.json", work / "plan.json"
    seeded_at = None
    if marker.exists() and not options.reseed:
        seeded_at = dt.datetime.fromisoformat(json.loads(marker.read_text())["seeded_at"])
    if seeded_at is None or dt.datetime.now(dt.UTC) - seeded_at > STALE_AFTER:
        print(f"== {db}: making the database from empty (minutes)", flush=True)
        drop_database(db, work, options.pg_url)
        marker.unlink(missing_ok=True)
        seeded_at = dt.datetime.now(dt.UTC)
    if db == "postgresql":
        ensure_database(options.pg_url)
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_prep.py"), "seed", str(plan)],
        env=env,
        cwd=ROOT,
        check=True,
    )
    if not marker.exists():
        marker.write_text(json.dumps({"seeded_at": seeded_at.isoformat()}))
    return plan


def launch(command: list[str], niceness: int, **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start a command at this niceness. The kernel shares the CPU between sessions first
    (autogroups) and by niceness only within one: the command gets a session of its own,
    and the session the niceness."""
    if not niceness:
        return subprocess.Popen(command, cwd=ROOT, **kwargs)
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        start_new_session=True,
        preexec_fn=partial(os.setpriority, os.PRIO_PROCESS, 0, niceness),
        **kwargs,
    )
    autogroup = Path(f"/proc/{child.pid}/autogroup")
    if autogroup.exists():
        autogroup.write_text(str(niceness))
    return child


def start(
    command: list[str], env: dict[str, str], log: Path, niceness: int
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return launch(command, niceness, env=env, stdout=out, stderr=out)


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def sandbox_calls(work: Path, since: dt.datetime) -> dict[str, int]:
    """Resends and cancels the sandbox received (its log of writes) since the run began."""
    with sqlite3.connect(work / "sandbox.sqlite3") as sandbox:
        rows = sandbox.execute(
            "SELECT path FROM sandbox_receivedcall WHERE received_at >= ?",
            [since.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")],
        ).fetchall()
    # POST …/verification/<id> resends a code; POST …/verification/<id>/cancel cancels.
    resend = re.compile(r"/verification/[0-9a-f]{32}$")
    return {
        "resend": sum(1 for (path,) in rows if resend.search(path)),
        "cancel": sum(1 for (path,) in rows if path.endswith("/cancel")),
    }


Sample = tuple[str, float, float, str]  # page type, start (UNIX time), ms, error or ""


def report(title: str, samples: list[Sample]) -> list[str]:
    """Print the figures of each page type and overall; return the targets missed."""
    by_name: dict[str, Stats] = {}
    for name, _, ms, error in samples:
        stats = by_name.setdefault(name, Stats())
        stats.times.append(ms)
        if error:
            stats.errors.append(error)
    overall, timed = Stats(), Stats()
    for name, stats in by_name.items():
        for whole in (overall, timed) if name not in NOT_TIMED else (overall,):
            whole.times += stats.times
            whole.errors += stats.errors
    print(f"\n{title}")
    if not samples:
        print("(no requests)")
        return []
    print(f"{'page type':<28}{'requests':>9}{'errors':>8}{'p50':>8}{'p95':>8}{'p99':>8}  ms")
    missed: list[str] = []
    rows = [*sorted(by_name.items()), ("overall", overall), ("overall less sign-in", timed)]
    for name, stats in rows:
        if not stats.times:
            continue
        p50, p95, p99 = (percentile(stats.times, pct) for pct in (50, 95, 99))
        line = f"{name:<28}{len(stats.times):>9}{len(stats.errors):>8}"
        print(f"{line}{p50:>8.0f}{p95:>8.0f}{p99:>8.0f}", flush=True)
        if stats.errors and not name.startswith("overall"):
            missed.append(f"{name}: {len(stats.errors)} errors")
        if p95 > TARGET_P95_MS and name not in NOT_TIMED and not name.startswith("overall"):
            missed.append(f"{name}: p95 {p95:.0f} ms > {TARGET_P95_MS:.0f} ms")
    seen: dict[str, int] = {}
    for error in overall.errors:
        seen[error] = seen.get(error, 0) + 1
    for error, count in sorted(seen.items(), key=lambda item: -item[1])[:10]:
        print(f"  error ×{count}: {error}")
    return missed


def after_sign_ins(samples: list[Sample]) -> tuple[float, list[Sample]]:
    """The requests made after the last sign-in was answered, and when that was (s in)."""
    first = min(start for _, start, _, _ in samples)
    signed_in = max(
        (start + ms / 1000 for name, start, ms, _ in samples if name in NOT_TIMED), default=first
    )
    return signed_in - first, [sample for sample in samples if sample[1] >= signed_in]


def run(db: str, options: argparse.Namespace) -> list[str]:
    work = options.work / db if options.work else BENCH_DIR / f"load-{db}"
    work.mkdir(parents=True, exist_ok=True)
    env = bench_env(
        work,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on 127.0.0.1, where production has TLS at its proxy: no redirect to
        # https, and cookies that a client sends over http (the CPU cost is the same).
        DASHBOARD_HTTPS="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    env.pop("DEBUG", None)
    if db == "postgresql":
        env["DATABASE_URL"] = options.pg_url
    else:
        env.pop("DATABASE_URL", None)
    for name in ("WAVIX_BASE_URL", "B2CORE_BASE_URL", "REDIS_URL", "TASKS_BACKEND"):
        env.pop(name, None)
    plan = prepare(db, work, env, options)

    port = free_port()
    logs = work / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    gunicorn = [sys.executable, "-m", "gunicorn", "dashboard.wsgi:application"]
    gunicorn += ["--workers", str(options.workers), "--bind", f"127.0.0.1:{port}"]
    gunicorn += ["--threads", str(options.threads), "--timeout", "60"]
    # Threaded workers keep connections open between requests: longer than a simulated
    # operator thinks, or a request may go out on a connection the server is closing.
    gunicorn += ["--keep-alive", "75"]
    children = [start(gunicorn, env, logs / "gunicorn.log", options.nice)]
    manage = [sys.executable, "manage.py"]
    try:
        for n in range(options.task_workers):
            worker = [*manage, "worker", "-v", "0"]
            children.append(start(worker, env, logs / f"worker-{n}.log", options.nice))
        wait_for_port(port, children[0])
        wait_for_quiet(options.quiet_below, options.quiet_wait)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load_prep.py"), "pending", str(plan)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        samples_path = work / "samples.json"
        samples_path.unlink(missing_ok=True)
        locust = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")]
        locust += ["--headless", "-u", str(options.users), "-r", str(options.spawn_rate)]
        locust += ["-t", options.time, "--host", f"http://127.0.0.1:{port}"]
        locust += ["--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING"]
        started_at = dt.datetime.now(dt.UTC)
        print(f"\n== {db}: locust {' '.join(locust[5:])}", flush=True)
        print(f"load average at start (1, 5, 15 min): {load_average()}", flush=True)
        peak = PeakLoad()
        peak.start()
        boost = BoostBackends(options.pg_url, options.nice)
        if options.nice and db == "postgresql":
            boost.start()
        cpu_before = cpu_seconds([child.pid for child in children])
        began = time.monotonic()
        locust_env = {**env, "LOAD_PLAN": str(plan), "LOAD_SAMPLES": str(samples_path)}
        with (logs / "locust.log").open("wb") as out:
            launch(locust, options.nice, env=locust_env, stdout=out, stderr=out).wait()
        seconds = time.monotonic() - began
        cpu = cpu_seconds([child.pid for child in children]) - cpu_before
        peak.done.set()
        boost.done.set()
        if boost.boosted:
            print(f"PostgreSQL backends run at niceness {options.nice}: {len(boost.boosted)}")
        print(f"load average at end (1, 5, 15 min): {load_average()}", flush=True)
        print(f"peak 1-minute load average during the run: {peak.peak:.2f}")
        print(f"server CPU (gunicorn and task workers): {cpu:.1f} s in {seconds:.0f} s")
    finally:
        stop(children)
    if not samples_path.exists():
        print((logs / "locust.log").read_text()[-3000:])
        raise SystemExit("locust wrote no samples")
    samples = [(n, float(t), float(ms), e) for n, t, ms, e in json.loads(samples_path.read_text())]
    print(f"requests per second: {len(samples) / seconds:.1f}")
    missed = report(f"{db}, the whole run (the sign-ins' burst included):", samples)
    at, steady = after_sign_ins(samples)
    title = f"{db}, after the last sign-in was answered ({at:.0f} s into the run):"
    missed += [f"after the sign-ins: {miss}" for miss in report(title, steady)]
    received = sandbox_calls(work, started_at)
    posted = {
        kind: sum(1 for name, _, _, error in samples if name == kind and not error)
        for kind in ("resend", "cancel")
    }
    for kind in ("resend", "cancel"):
        print(f"{kind}s: {posted[kind]} answered, {received[kind]} received by the sandbox")
        if posted[kind] != received[kind]:
            missed.append(f"{kind}: {posted[kind]} answered, {received[kind]} received")
    for log in sorted(logs.iterdir()):
        text = log.read_text(errors="replace")
        if log.name != "locust.log" and ("Traceback" in text or re.search(r"\bERROR\b", text)):
            missed.append(f"{log.name} logged errors (see {log})")
    return missed


def main() -> None:
    # Stopped by a signal: stop the servers too (the finally in run()).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    options = parse()
    if options.nice:
        print(f"servers and locust at niceness {options.nice}", flush=True)
    dbs = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    verdicts = {db: run(db, options) for db in dbs}
    print()
    for db, missed in verdicts.items():
        if missed:
            print(f"{db}: TARGETS MISSED: " + "; ".join(missed))
        else:
            print(f"{db}: targets met (no errors, p95 ≤ {TARGET_P95_MS:.0f} ms on every page)")


if __name__ == "__main__":
    main()
