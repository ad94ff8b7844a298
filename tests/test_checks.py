"""System checks of dashboard/checks.py that need Django set up (settings ones: test_settings)."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.urls import clear_url_caches

from dashboard.checks import check_sandbox_not_served

EXPOSING_URLCONF = "tests.urls_with_sandbox"


@pytest.fixture
def exposing(settings):
    """A root URLconf that still includes the sandbox, as the dashboard's once did."""
    settings.ROOT_URLCONF = EXPOSING_URLCONF
    yield
    clear_url_caches()


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.parametrize(
    "setting", [("WAVIX_BASE_URL", "WAVIX_API_KEY"), ("B2CORE_BASE_URL", "B2CORE_ACCESS_TOKEN")]
)
def test_deploy_check_fails_when_the_urlconf_serves_the_sandbox_beside_a_real_provider(
    settings, exposing, setting
):
    url, secret = setting
    setattr(settings, url, "https://provider.invalid")
    setattr(settings, secret, "real-secret")

    messages = run_checks(include_deployment_checks=True)
    # Ours only: Django's own deploy checks depend on the process (async.E001 once a browser
    # test has set DJANGO_ALLOW_ASYNC_UNSAFE).
    errors = [m for m in messages if m.is_serious() and (m.id or "").startswith("dashboard.")]

    assert ids(errors) == ["dashboard.E006"]
    assert "sandbox/" in errors[0].msg
    assert url in errors[0].msg


def test_deploy_check_walks_into_includes_to_find_sandbox_views(settings, exposing):
    settings.WAVIX_BASE_URL, settings.WAVIX_API_KEY = "https://provider.invalid", "k"

    (message,) = check_sandbox_not_served()

    # tests/urls_with_sandbox.py: one sandbox view below an include of the dashboard's own.
    assert "sandbox/" in message.msg
    assert "deep/ping" in message.msg


def test_deploy_check_warns_when_the_urlconf_serves_the_sandbox_without_real_providers(
    settings, exposing
):
    settings.WAVIX_BASE_URL = settings.B2CORE_BASE_URL = ""

    assert ids(check_sandbox_not_served()) == ["dashboard.W002"]


def test_deploy_check_fails_when_the_wsgi_application_is_the_sandboxs(settings):
    settings.WAVIX_BASE_URL, settings.WAVIX_API_KEY = "https://provider.invalid", "k"
    settings.WSGI_APPLICATION = "dashboard.sandbox.wsgi.application"

    assert ids(check_sandbox_not_served()) == ["dashboard.E006"]


@pytest.mark.parametrize("wavix", ["", "https://provider.invalid"])
def test_deploy_check_passes_on_the_dashboards_own_urlconf(settings, wavix):
    settings.WAVIX_BASE_URL, settings.WAVIX_API_KEY = wavix, "k"

    assert check_sandbox_not_served() == []


def test_deploy_check_is_a_deploy_check_only(settings, exposing):
    settings.WAVIX_BASE_URL, settings.WAVIX_API_KEY = "https://provider.invalid", "k"

    assert "dashboard.E006" not in ids(run_checks())
