"""The sign-in settings as read from the environment: production defaults and bad values."""

from __future__ import annotations

import pytest

from tests.test_settings import run_manage, run_python

PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.OPERATOR_2FA, s.TRUSTED_PROXY_COUNT, s.CLIENT_IP_HEADER, s.AXES_FAILURE_LIMIT, "
    "int(s.AXES_COOLOFF_TIME.total_seconds()))"
)
OURS = (
    "OPERATOR_2FA",
    "TRUSTED_PROXY_COUNT",
    "CLIENT_IP_HEADER",
    "AUDIT_CLIENT_IP_HEADER",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES",
)


@pytest.fixture(autouse=True)
def _unset(monkeypatch):
    for name in OURS:
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_require_2fa_with_a_real_provider_and_five_failures_per_15_minutes(
    tmp_path,
):
    result = run_python(PRINT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["auto", "0", "X-Forwarded-For", "5", "900"]


def test_the_settings_are_read_from_the_environment(tmp_path):
    result = run_python(
        PRINT,
        tmp_path,
        OPERATOR_2FA="Required",
        TRUSTED_PROXY_COUNT="2",
        CLIENT_IP_HEADER="X-Real-IP",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_COOLOFF_MINUTES="30",
    )
    assert result.stdout.split() == ["required", "2", "X-Real-IP", "3", "1800"]


def test_the_older_audit_header_setting_stands_for_one_proxy(tmp_path):
    result = run_python(PRINT, tmp_path, AUDIT_CLIENT_IP_HEADER="X-Client-IP")
    assert result.stdout.split()[1:3] == ["1", "X-Client-IP"]


def test_an_unknown_policy_is_reported_and_requires_2fa_meanwhile(tmp_path):
    check = run_manage("check", tmp_path=tmp_path, OPERATOR_2FA="sometimes")
    assert check.returncode != 0
    assert "OPERATOR_2FA: 'sometimes' is not auto, required or optional" in check.stderr
    assert "Traceback" not in check.stderr
    result = run_python(PRINT, tmp_path, OPERATOR_2FA="sometimes")
    assert result.stdout.split()[0] == "required"


def test_a_cool_off_of_zero_is_refused_so_a_lockout_is_never_permanent(tmp_path):
    check = run_manage("check", tmp_path=tmp_path, LOGIN_COOLOFF_MINUTES="0")
    assert check.returncode != 0
    assert "LOGIN_COOLOFF_MINUTES: 0 is below the minimum of 1" in check.stderr
