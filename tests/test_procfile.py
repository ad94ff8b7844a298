"""The Procfile's processes start what they name (README "Production")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")


def processes() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if match := LINE.match(line):
            found[match.group(1)] = match.group(2)
    return found


def run(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``command`` through sh as a Procfile runner would, with this virtualenv's programs."""
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("PORT", "WEB_CONCURRENCY")},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DASHBOARD_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_procfile_has_a_web_a_worker_and_a_scheduler():
    assert set(processes()) == {"web", "worker", "scheduler"}


def test_web_is_gunicorn_loading_the_app_with_several_workers_on_port(tmp_path):
    web = processes()["web"]
    assert web.startswith("gunicorn dashboard.wsgi ")

    result = run(f"{web} --print-config", tmp_path, PORT="8123")

    # --print-config implies --check-config: the WSGI app is imported, settings and all.
    assert result.returncode == 0, result.stdout + result.stderr
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert config["bind"] == "['0.0.0.0:8123']"
    assert int(config["workers"]) >= 2
    # Longer than a provider call may take (PROVIDER_DEADLINE, 30 s by default).
    assert int(config["timeout"]) > 30


def test_web_concurrency_sets_the_number_of_workers(tmp_path):
    result = run(f"{processes()['web']} --print-config", tmp_path, WEB_CONCURRENCY="3")

    assert result.returncode == 0, result.stderr
    assert re.search(r"^workers\s+= 3$", result.stdout, re.MULTILINE)


@pytest.mark.parametrize("name", ["worker", "scheduler"])
def test_worker_and_scheduler_are_management_commands(name, tmp_path):
    result = run(f"{processes()[name]} --help", tmp_path)

    assert result.returncode == 0, result.stderr
    assert processes()[name] == f"python manage.py {name}"
    assert f"manage.py {name}" in result.stdout
