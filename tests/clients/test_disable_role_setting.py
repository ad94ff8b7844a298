"""CLIENT_DISABLE_ROLE: admin (the default) or operator; anything else fails the check."""

from __future__ import annotations

from tests.test_settings import run_manage


def test_an_unknown_disable_role_is_reported_by_check_without_traceback(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, CLIENT_DISABLE_ROLE="viewer")

    assert result.returncode != 0
    assert "CLIENT_DISABLE_ROLE: 'viewer' is not admin or operator" in result.stderr
    assert "Traceback" not in result.stderr


def test_operator_is_accepted_in_any_case(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, CLIENT_DISABLE_ROLE="Operator")

    assert result.returncode == 0, result.stderr
