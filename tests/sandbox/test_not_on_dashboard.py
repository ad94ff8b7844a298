"""The sandbox is never served on the dashboard's own URLs: its keys are public (issue 7, item 1).

Through the dashboard's real URLconf, with one provider configured or none, signed in or not,
no /sandbox/ URL answers and no fault can be triggered; the sandbox's own URLconf (what the
in-process transport and ``sandbox_serve`` use) still answers the same requests.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import dashboard.urls
from dashboard.sandbox import credentials
from dashboard.sandbox.models import FaultRule
from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.transport import SandboxTransport
from dashboard.sandbox.wsgi import URLCONF as SANDBOX_URLCONF

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

AUTH = {"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"}
SANDBOX_PATHS = [
    f"{credentials.CONTROL_PREFIX}/faults",
    f"{credentials.CONTROL_PREFIX}/reset",
    f"{credentials.CONTROL_PREFIX}/clock",
    f"{credentials.CONTROL_PREFIX}/outbox",
    f"{credentials.WAVIX_PREFIX}/v1/two-fa/service",
    f"{credentials.WAVIX_PREFIX}/v1/two-fa/verification",
    f"{credentials.WAVIX_PREFIX}/v1/two-fa/service/{'0' * 32}/sessions",
    f"{credentials.B2CORE_PREFIX}/api/v2/signin",
    f"{credentials.B2CORE_PREFIX}/api/v2/clients",
]
PROVIDERS = {
    "none": {"WAVIX_BASE_URL": "", "B2CORE_BASE_URL": ""},
    "wavix only": {
        "WAVIX_BASE_URL": "https://api.wavix.invalid",
        "WAVIX_API_KEY": "real-key",
        "B2CORE_BASE_URL": "",
    },
    "b2core only": {
        "WAVIX_BASE_URL": "",
        "B2CORE_BASE_URL": "https://b2core.invalid",
        "B2CORE_ACCESS_TOKEN": "real-token",
    },
}


def _reload_dashboard_urls() -> None:
    importlib.reload(dashboard.urls)
    clear_url_caches()


@pytest.fixture(params=list(PROVIDERS), ids=list(PROVIDERS))
def providers(request: pytest.FixtureRequest) -> Iterator[str]:
    """The dashboard's URLconf, imported afresh under this provider configuration."""
    with override_settings(**PROVIDERS[request.param]):
        _reload_dashboard_urls()
        yield request.param
    _reload_dashboard_urls()


@pytest.fixture(params=["anonymous", "admin"])
def browser(request: pytest.FixtureRequest) -> HttpClient:
    client = HttpClient()
    if request.param == "admin":
        user = User.objects.create_user("ada", password="x")
        user.groups.add(Group.objects.get(name="admin"))
        client.force_login(user)
    return client


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", SANDBOX_PATHS)
def test_no_sandbox_url_answers_on_the_dashboard(
    providers: str, browser: HttpClient, method: str, path: str
) -> None:
    body: dict[str, Any] = {"kind": "500", "offset_seconds": 3600}

    if method == "get":
        response = browser.get(path, headers=AUTH)
    else:
        response = browser.post(path, body, content_type="application/json", headers=AUTH)

    assert response.status_code == 404
    assert not FaultRule.objects.using(SANDBOX_DB).exists()


@pytest.mark.parametrize("path", SANDBOX_PATHS)
def test_the_dashboards_urlconf_resolves_nothing_below_sandbox(providers: str, path: str) -> None:
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.parametrize("path", SANDBOX_PATHS)
def test_the_same_paths_answer_through_the_sandbox_transport(path: str) -> None:
    # The 404s above are not typos: the sandbox's own URLconf serves every one of them.
    assert resolve(path, urlconf=SANDBOX_URLCONF)
    with httpx.Client(transport=SandboxTransport(), base_url="http://sandbox.internal") as sandbox:
        response = sandbox.get(path, headers=AUTH)

    # The sandbox answers in JSON, even its own 4xx; the dashboard's 404 page is HTML.
    assert response.headers["content-type"].startswith("application/json")


def test_a_fault_header_is_ignored_on_the_dashboard(browser: HttpClient) -> None:
    started = time.monotonic()

    slow = browser.get(
        f"{credentials.WAVIX_PREFIX}/v1/two-fa/service", headers={"X-Sandbox-Fault": "latency=5"}
    )
    failing = browser.get("/accounts/login/", headers={"X-Sandbox-Fault": "500"})

    assert time.monotonic() - started < 2
    assert slow.status_code == 404
    assert failing.status_code in (200, 302)  # the sign-in page, or on past it when signed in


def test_the_environments_faults_never_touch_the_dashboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SANDBOX_FAULTS", "500")

    assert HttpClient().get(f"{credentials.WAVIX_PREFIX}/v1/two-fa/service").status_code == 404
    assert HttpClient().get("/accounts/login/").status_code == 200


def test_a_stored_fault_rule_is_not_consumed_by_the_dashboard() -> None:
    rule = FaultRule.objects.using(SANDBOX_DB).create(kind="500", times=1)

    response = HttpClient().get(f"{credentials.WAVIX_PREFIX}/v1/two-fa/service")

    rule.refresh_from_db(using=SANDBOX_DB)
    assert (response.status_code, rule.used) == (404, 0)


# Committed: the in-process sandbox answers on its own thread, outside the test's transaction.
@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_a_stored_fault_rule_still_applies_through_the_transport() -> None:
    FaultRule.objects.using(SANDBOX_DB).create(kind="503", times=1)
    with httpx.Client(transport=SandboxTransport(), base_url="http://sandbox.internal") as sandbox:
        first = sandbox.get(f"{credentials.WAVIX_PREFIX}/v1/two-fa/service", headers=AUTH)
        second = sandbox.get(f"{credentials.WAVIX_PREFIX}/v1/two-fa/service", headers=AUTH)

    assert (first.status_code, second.status_code) == (503, 200)
