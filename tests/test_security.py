"""HTTPS by default when DEBUG is off, the settings that turn it off, and `check --deploy`."""

from __future__ import annotations

import json

import httpx
import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import Client, RequestFactory

from dashboard.connections import SANDBOX_ORIGIN
from dashboard.sandbox import credentials
from dashboard.sandbox.transport import SandboxTransport
from tests.test_settings import run_manage, run_python

# Every variable that changes what these tests read, removed from the inherited environment.
HTTPS_VARS = (
    "DASHBOARD_HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)
PRODUCTION = {
    "SECRET_KEY": "production-like-9f8e7d6c5b4a3210fedcba9876543210-zyxwvutsrqponm",
    "ALLOWED_HOSTS": "ops.example.com",
}
READ = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER]))"
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in HTTPS_VARS:
        monkeypatch.delenv(name, raising=False)
    # Set for the whole process by a browser test run before in the same worker
    # (tests/browser/conftest.py); production never has it, and `check --deploy` fails on it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


def read_https_settings(tmp_path, **env: str) -> list[object]:
    result = run_python(READ, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


def test_https_is_on_by_default_when_debug_is_off(tmp_path, clean_env):
    assert read_https_settings(tmp_path) == [True, 31_536_000, True, True, True, True, None]


def test_debug_turns_the_https_defaults_off(tmp_path, clean_env):
    assert read_https_settings(tmp_path, DEBUG="1") == [False, 0, False, False, False, False, None]


def test_plain_http_for_make_run_turns_them_off_with_debug_off(tmp_path, clean_env):
    assert read_https_settings(tmp_path, DASHBOARD_HTTPS="0") == [
        False,
        0,
        False,
        False,
        False,
        False,
        None,
    ]


def test_each_https_setting_can_be_set_on_its_own(tmp_path, clean_env):
    values = read_https_settings(
        tmp_path,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_PRELOAD="0",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert values == [False, 300, True, False, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]]


def test_the_proxy_header_may_name_its_value(tmp_path, clean_env):
    values = read_https_settings(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Ssl=on")
    assert values[-1] == ["HTTP_X_FORWARDED_SSL", "on"]


def test_a_bad_proxy_header_is_reported_by_check(tmp_path, clean_env):
    result = run_manage("check", tmp_path=tmp_path, SECURE_PROXY_SSL_HEADER="X Forwarded: https")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER: 'X Forwarded: https' is not a header name" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path, clean_env):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_served_over_plain_http(tmp_path, clean_env):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DASHBOARD_HTTPS="0",
        **PRODUCTION,
    )
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.django_db
def test_a_plain_http_request_is_sent_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/sessions/?status=failed")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/sessions/?status=failed"


@pytest.mark.django_db
def test_the_proxy_header_marks_a_request_secure(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = Client().get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_load_balancers_health_check_is_not_redirected(settings):
    settings.SECURE_SSL_REDIRECT = True
    middleware = SecurityMiddleware(lambda request: HttpResponse())

    assert middleware.process_request(RequestFactory().get("/healthz")) is None
    assert middleware.process_request(RequestFactory().get("/healthz/")) is None
    redirected = middleware.process_request(RequestFactory().get("/healthz/../sessions/"))
    assert redirected is not None
    assert redirected.status_code == 301


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_the_in_process_sandbox_is_never_redirected(settings):
    # Reached over http://sandbox.internal by the dashboard itself, not by a browser.
    settings.SECURE_SSL_REDIRECT = True
    with httpx.Client(
        transport=SandboxTransport(),
        base_url=SANDBOX_ORIGIN + credentials.CONTROL_PREFIX,
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
    ) as control:
        response = control.get("/calls")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.django_db
def test_sign_in_cookies_are_secure_http_only_and_same_site():
    User.objects.create_user("dora", password="correct horse battery")
    client = Client()
    client.get("/accounts/login/", secure=True)

    response = client.post(
        "/accounts/login/",
        {"username": "dora", "password": "correct horse battery"},
        secure=True,
    )

    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
