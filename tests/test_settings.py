"""Settings import with nothing set; bad values are reported by checks, not tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "WAVIX_BASE_URL",
    "WAVIX_API_KEY",
    "WAVIX_SERVICE_IDS",
    "B2CORE_BASE_URL",
    "B2CORE_ACCESS_TOKEN",
    "B2CORE_EMAIL",
    "B2CORE_PASSWORD",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
)


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PROVIDER_VARS}
    clean.update(
        {"DASHBOARD_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "dashboard.settings"}
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run_manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from django.core.management import execute_from_command_line; "
    code += f"execute_from_command_line(['manage.py', *{list(args)!r}])"
    return run_python(code, tmp_path, **env)


def test_settings_import_with_an_empty_environment(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False"]


def test_bad_boolean_is_reported_by_check_without_traceback(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG: 'maybe' is not a boolean" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_secret_file_is_reported_by_check(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, SECRET_KEY_FILE=str(tmp_path / "missing"))
    assert result.returncode != 0
    assert "SECRET_KEY_FILE: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_is_read_from_its_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-a-file-0123456789\n", encoding="utf-8")
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)",
        tmp_path,
        SECRET_KEY_FILE=str(secret),
    )
    assert result.stdout.strip() == "from-a-file-0123456789"


def test_wavix_url_without_key_fails_the_check(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, WAVIX_BASE_URL="https://api.wavix.com")
    assert result.returncode != 0
    assert "WAVIX_API_KEY is empty" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(c.fetchone()[0], connection.transaction_mode)",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_database_url_selects_postgresql(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES; print(d['default']['ENGINE'], d['sandbox']['ENGINE'])",
        tmp_path,
        DATABASE_URL="postgres://someone@db.example:5432/dash",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ]


def test_a_response_cap_below_a_kilobyte_is_reported_by_check(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, PROVIDER_MAX_RESPONSE_BYTES="100")
    assert result.returncode != 0
    assert "PROVIDER_MAX_RESPONSE_BYTES: 100 is below the minimum of 1024" in result.stderr
    assert "Traceback" not in result.stderr
