"""Sessions-page latency while a bulk sync runs: pages must not stall behind it.

Serves the sandbox on its own port (`sandbox_serve`) and the dashboard on another
(`runserver`, threaded), both on 127.0.0.1, with an empty mirror. Syncs the page's past days
(today is left out), then starts `manage.py sync --force` over DAYS days (3 services: at least
200 windows; it takes today's windows first) and, while it runs, has CLIENTS threads load
the sessions page (the last 7 days, so covering today) over HTTP, each every INTERVAL
seconds (timed from when the load was due), for at most SECONDS.
The sandbox takes LATENCY seconds to list a day, as a provider over the internet may, so
windows stay leased for a while. Prints the sync's progress as it goes, then the page's
p50/p95 and the count of requests; then the same load with no sync running, and the ratio
of the two p95s.

Usage: python bench/stall.py [--sessions 300000] [--days 70] [--clients 10] [--seconds 60]
                             [--interval 1] [--latency 3] [--processes N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DIR, ROOT, bench_env, figure, summary

WORK = BENCH_DIR / "stall"
SERVICES = 3  # the sandbox's


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=300_000, help="in the sandbox")
    parser.add_argument("--days", type=int, default=70, help="synced (3 windows a day)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0, help="longest measurement")
    parser.add_argument("--path", default="/sessions/", help="the page the clients load")
    parser.add_argument("--freshness", type=int, default=30, help="MIRROR_FRESHNESS_SECONDS")
    parser.add_argument("--baseline-seconds", type=float, default=20.0, help="load, no sync")
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="each client loads the page every INTERVAL seconds, timed from when the load "
        "was due; 0 = again as soon as answered",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=3.0,
        help="seconds the sandbox takes to list a day (its latency fault): a provider that "
        "takes a while, so the sync holds windows for a while; 0 = none",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="serve from N forked threaded processes (bench/prefork_serve.py), as a deployment "
        "with N workers would; 0 (default): one `runserver`",
    )
    return parser.parse_args()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[str]]:
    with log.open("w") as out:
        child = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=out, text=True
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


def seeded_sandbox(sessions: int, days: int, env: dict[str, str]) -> Path:
    """A sandbox database seeded today (its history ends now), kept between runs of the day."""
    today = dt.datetime.now(dt.UTC).date()
    path = BENCH_DIR / f"stall-sandbox-{sessions}-{days}-{today}.sqlite3"
    if not path.exists():
        seed_env = {**env, "SANDBOX_DATABASE_URL": f"sqlite:///{path}.tmp"}
        Path(f"{path}.tmp").unlink(missing_ok=True)
        manage(seed_env, "migrate", "--database", "sandbox", "-v", "0")
        manage(
            seed_env, "sandbox_seed", "--sessions", str(sessions), "--days", str(days),
            "--clients", "40", "--seed", "11",
        )  # fmt: skip
        Path(f"{path}.tmp").rename(path)
    return path


def main() -> None:
    options = parse()
    if SERVICES * options.days < 200:
        raise SystemExit("--days must give a sync of at least 200 windows (3 services a day)")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    base_env = bench_env(WORK, MIRROR_FRESHNESS_SECONDS=str(options.freshness))
    sandbox_db = seeded_sandbox(options.sessions, options.days, base_env)
    base_env["SANDBOX_DATABASE_URL"] = f"sqlite:///{sandbox_db}"
    os.environ.update(base_env)

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from dashboard.sandbox import credentials

    call_command("migrate", verbosity=0)
    serve = [sys.executable, "manage.py", "sandbox_serve", "--port", "0"]
    faults = {"SANDBOX_FAULTS": f"latency={options.latency}@/sessions"} if options.latency else {}
    with process(serve, {**base_env, **faults}, WORK / "sandbox.log") as sandbox:
        assert sandbox.stdout is not None
        match = re.search(r"(http://\S+)", sandbox.stdout.readline())
        if not match:
            raise SystemExit("sandbox did not start; see " + str(WORK / "sandbox.log"))
        origin = match.group(1)
        env = {
            **base_env,
            "WAVIX_BASE_URL": origin + credentials.WAVIX_PREFIX,
            "WAVIX_API_KEY": credentials.WAVIX_API_KEY,
            "B2CORE_BASE_URL": origin + credentials.B2CORE_PREFIX,
            "B2CORE_EMAIL": credentials.B2CORE_ADMIN_EMAIL,
            "B2CORE_PASSWORD": credentials.B2CORE_ADMIN_PASSWORD,
        }
        port = free_port()
        server = (
            [sys.executable, "bench/prefork_serve.py", str(port), str(options.processes)]
            if options.processes
            else [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        )
        with process(server, env, WORK / "dashboard.log"):
            wait_for_port(port)
            user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
            login = Client()
            login.force_login(user)
            cookie = login.cookies["sessionid"].value
            url = f"http://127.0.0.1:{port}{options.path}"
            measure(options, env, url, cookie)


@dataclass
class Load:
    """CLIENTS threads loading one URL until stopped; what they saw.

    With an interval, each client loads the page on a fixed schedule and a request's time
    counts from when it was due, so a stall counts for every load it delayed (a client that
    waits 8 s once would otherwise give one slow sample where a person saw eight seconds
    of nothing). Without one, each client loads it again as soon as it has the answer.
    """

    url: str
    cookie: str
    clients: int
    interval: float
    samples: list[float] = field(default_factory=list)
    non_200: int = 0
    fetching: int = 0  # answers naming days being fetched
    polling: int = 0  # answers asking to be polled
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._loop) for _ in range(self.clients)]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _loop(self) -> None:
        due = time.perf_counter() + random.uniform(0, self.interval)  # spread the clients
        with httpx.Client(cookies={"sessionid": self.cookie}, timeout=30) as client:
            while not self.stop.is_set():
                if self.interval:
                    time.sleep(max(0.0, due - time.perf_counter()))
                    started = due
                    due += self.interval
                else:
                    started = time.perf_counter()
                response = client.get(self.url)
                took = (time.perf_counter() - started) * 1000
                with self.lock:
                    self.samples.append(took)
                    self.non_200 += response.status_code != 200
                    self.fetching += "Fetching" in response.text
                    self.polling += 'hx-trigger="every' in response.text

    def report(self, prefix: str, seconds: float) -> float:
        figure(f"{prefix}_requests", len(self.samples), "requests")
        figure(f"{prefix}_requests_per_second", len(self.samples) / seconds, "req/s")
        median, p95 = summary(self.samples)
        figure(f"{prefix}_p50", median, "ms")
        figure(f"{prefix}_p95", p95, "ms")
        figure(f"{prefix}_max", max(self.samples), "ms")
        figure(f"{prefix}_non_200", self.non_200, "requests")
        figure(f"{prefix}_naming_days_being_fetched", self.fetching, "requests")
        figure(f"{prefix}_polling", self.polling, "requests")
        return p95


def measure(options: argparse.Namespace, env: dict[str, str], url: str, cookie: str) -> None:
    from dashboard.verifications.models import SyncWindow

    today = dt.datetime.now(dt.UTC).date()
    # The page's past days are held already, as on a dashboard in use; today is not.
    manage(
        env,
        "sync",
        "--from",
        str(today - dt.timedelta(days=8)),
        "--to",
        str(today - dt.timedelta(days=1)),
    )
    first = today - dt.timedelta(days=options.days - 1)
    windows = SERVICES * options.days
    figure("sync_windows", windows, "windows")
    sync_started = dt.datetime.now(dt.UTC)
    command = [sys.executable, "manage.py", "sync", "--from", str(first), "--force"]
    load = Load(url, cookie, options.clients, options.interval)
    with process(command, env, WORK / "sync.log") as sync:
        load.start()
        started = time.monotonic()
        next_report = started + 5
        while sync.poll() is None and time.monotonic() - started < options.seconds:
            time.sleep(0.2)
            if time.monotonic() >= next_report:
                next_report += 5
                stored = SyncWindow.objects.filter(fetched_at__gte=sync_started).count()
                print(
                    f"progress: t={time.monotonic() - started:3.0f} s  windows stored since "
                    f"the sync started {stored}/{windows}  page requests {len(load.samples)}",
                    flush=True,
                )
        load.finish()
        elapsed = time.monotonic() - started
        finished = sync.poll() is not None
        output = sync.stdout.read().strip() if finished and sync.stdout else ""
    stored = SyncWindow.objects.filter(fetched_at__gte=sync_started).count()
    print(f"sync: {'finished: ' + output if finished else 'still running; stopped'}")
    figure("sync_windows_stored_during_run", stored, "windows")
    figure("measured_seconds", elapsed, "s")
    during = load.report("page_during_sync", elapsed)

    # The same load with no sync running, for the ratio (the machine is shared and noisy).
    quiet = Load(url, cookie, options.clients, options.interval)
    quiet.start()
    time.sleep(min(elapsed, options.baseline_seconds))
    quiet.finish()
    alone = quiet.report("page_no_sync", min(elapsed, options.baseline_seconds))
    figure("ratio_p95_during_sync_over_no_sync", during / alone, "x")


if __name__ == "__main__":
    main()
