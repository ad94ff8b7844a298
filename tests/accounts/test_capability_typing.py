"""A misspelt capability is a type error, not a check that silently never passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import get_args

from django.conf import settings

from dashboard.accounts.roles import (
    ALL_CAPABILITIES,
    CAPABILITIES,
    DESCRIPTIONS,
    ROLES,
    Capability,
    roles_granting,
)

ROOT = Path(__file__).resolve().parents[2]

PROBE = """\
from django.contrib.auth.models import AnonymousUser

from dashboard.accounts.access import requires
from dashboard.accounts.roles import can

can(AnonymousUser(), "read")
requires("export")
can(AnonymousUser(), "raed")
requires("exprot")
"""


def test_mypy_refuses_a_misspelt_capability(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)

    # A cache of its own, kept between runs: a cold one costs ~10 s of reading django-stubs.
    cache = settings.VAR_DIR / "mypy-probe-cache"
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    command += ["--cache-dir", str(cache), "--no-error-summary", str(probe)]

    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)

    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(": error: ")[0].rsplit(":", 1)[-1] for line in lines] == ["8", "9"], lines


def test_every_capability_has_a_description_and_a_role():
    assert set(ALL_CAPABILITIES) == set(get_args(Capability)) == set(DESCRIPTIONS)
    for capability in ALL_CAPABILITIES:
        assert roles_granting(capability), capability
    assert set(CAPABILITIES) == set(ROLES)
