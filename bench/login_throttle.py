"""Wrong passwords in a row against the sign-in form, then the right one: what each answer
was and what each cost in CPU (issue 11: "30 wrong passwords in a row all answered 'did not
match', each costing ~240 ms of CPU, and the right one was accepted straight after").

Runs in its own throw-away SQLite database through Django's test client (every middleware
and authentication backend on the way, no network):
    .venv/bin/python bench/login_throttle.py
BENCH_LOGIN_ATTEMPTS sets how many wrong passwords (30); the tree measured is the one on
PYTHONPATH, else this file's own.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if not any((Path(p) / "dashboard" / "settings.py").exists() for p in sys.path if p):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ["DASHBOARD_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-login-")
for name in ("DATABASE_URL", "WAVIX_BASE_URL", "B2CORE_BASE_URL", "REDIS_URL"):
    os.environ.pop(name, None)

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

USERNAME, PASSWORD = "ops", "correct horse battery staple"
ATTACKER, OPERATOR = "203.0.113.7", "198.51.100.20"  # documentation ranges; never contacted


def answer(response) -> str:
    body = response.content.decode(errors="replace")
    if response.status_code == 302:
        return f"302 accepted → {response['Location']}"
    if "did not match" in body:
        return f"{response.status_code} 'did not match'"
    if "Try again" in body or "try again" in body:
        return f"{response.status_code} locked out"
    return f"{response.status_code} other"


# One client for every attempt: a new one would build the middleware chain again (WhiteNoise
# alone scans every static file), which no real request pays.
CLIENT = Client()


def attempt(password: str, address: str) -> tuple[str, float, float]:
    credentials = {"username": USERNAME, "password": password}
    CLIENT.cookies.clear()  # each attempt a stranger: no session from an earlier one
    cpu, wall = time.process_time(), time.perf_counter()
    response = CLIENT.post("/accounts/login/", credentials, REMOTE_ADDR=address)
    return answer(response), time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    User.objects.create_user(USERNAME, password=PASSWORD)
    attempt("warm-up: imports and templates", "192.0.2.1")
    total = int(os.environ.get("BENCH_LOGIN_ATTEMPTS", "30"))
    runs: list[tuple[str, list[float], list[float], int]] = []  # answer, cpu, wall, first #
    for number in range(1, total + 1):
        said, cpu, wall = attempt(f"wrong-{number}", ATTACKER)
        if not runs or runs[-1][0] != said:
            runs.append((said, [], [], number))
        runs[-1][1].append(cpu)
        runs[-1][2].append(wall)
    print(f"{total} wrong passwords for {USERNAME!r} from {ATTACKER}:")
    for said, cpus, walls, first in runs:
        last = first + len(cpus) - 1
        cpu_ms, wall_ms = statistics.median(cpus) * 1000, statistics.median(walls) * 1000
        print(
            f"  attempts {first:>2}–{last:<2} {said:<24} CPU median {cpu_ms:6.1f} ms,"
            f" wall median {wall_ms:6.1f} ms"
        )
    all_cpu = sum(sum(run[1]) for run in runs)
    print(f"  CPU for all {total}: {all_cpu:.2f} s")
    said, cpu, _ = attempt(PASSWORD, ATTACKER)
    print(f"right password straight after, from {ATTACKER}: {said} (CPU {cpu * 1000:.1f} ms)")
    said, cpu, _ = attempt(PASSWORD, OPERATOR)
    print(f"right password from another address, {OPERATOR}: {said} (CPU {cpu * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
