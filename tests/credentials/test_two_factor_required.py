"""B2Core asking the service account for a second factor: the error, the check, the banner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.core.checks import run_checks
from django.test import Client

from dashboard.connections import b2core_client
from dashboard.credentials import problems
from dashboard.providers.errors import TwoFactorRequired, Unauthorized
from dashboard.sandbox import credentials

if TYPE_CHECKING:
    from tests.conftest import SandboxServer

BANNER = "B2Core asks this service account for a second factor"
PROBE_URLCONF = "tests.credentials.urls"


@pytest.fixture
def password_only(settings: Any, b2core_host: SandboxServer) -> SandboxServer:
    settings.B2CORE_EMAIL = credentials.B2CORE_ADMIN_EMAIL
    settings.B2CORE_PASSWORD = credentials.B2CORE_ADMIN_PASSWORD
    return b2core_host


@pytest.fixture
def probe_pages(settings: Any) -> None:
    settings.ROOT_URLCONF = PROBE_URLCONF


def check_ids(**kwargs: Any) -> list[str]:
    return [m.id or "" for m in run_checks(**kwargs) if (m.id or "").startswith("provider_")]


@pytest.mark.django_db
def test_a_sign_in_answering_2fa_required_over_the_socket_is_two_factor_required(
    password_only: SandboxServer,
) -> None:
    password_only.set_fault("2fa-required", "/api/v2/signin")

    with pytest.raises(TwoFactorRequired) as caught:
        b2core_client().list_clients(limit=1)

    assert "B2CORE_ACCESS_TOKEN and B2CORE_REFRESH_TOKEN" in caught.value.message
    recorded = problems.last()
    assert recorded is not None
    assert recorded.two_factor_required


@pytest.mark.django_db
def test_a_wrong_password_stays_a_plain_refusal_under_the_2fa_fault(
    settings: Any, password_only: SandboxServer
) -> None:
    settings.B2CORE_PASSWORD = "not-the-password"
    password_only.set_fault("2fa-required", "/api/v2/signin")

    with pytest.raises(Unauthorized) as caught:
        b2core_client().list_clients(limit=1)

    assert not isinstance(caught.value, TwoFactorRequired)


@pytest.mark.django_db
def test_a_later_success_clears_the_recorded_problem(password_only: SandboxServer) -> None:
    password_only.set_fault("2fa-required", "/api/v2/signin", times=1)
    with pytest.raises(TwoFactorRequired):
        b2core_client().list_clients(limit=1)

    b2core_client().list_clients(limit=1)

    assert problems.last() is None


@pytest.mark.django_db
def test_the_banner_on_a_clients_page_points_to_the_token_pair(
    password_only: SandboxServer, probe_pages: None, client: Client
) -> None:
    password_only.set_fault("2fa-required", "/api/v2/signin")
    with pytest.raises(TwoFactorRequired):
        b2core_client().list_clients(limit=1)

    page = client.get("/clients/_banner-probe/").content.decode()

    assert BANNER in page
    assert "<code>B2CORE_ACCESS_TOKEN</code> and <code>B2CORE_REFRESH_TOKEN</code>" in page


@pytest.mark.django_db
def test_the_banner_stays_off_pages_that_do_not_call_b2core(
    probe_pages: None, client: Client
) -> None:
    problems.record(TwoFactorRequired("b2core", "B2Core asks for a second factor."))

    page = client.get("/elsewhere/_banner-probe/").content.decode()

    assert BANNER not in page
    assert 'id="b2core-auth-problem"' not in page


@pytest.mark.django_db
def test_no_banner_without_a_recorded_problem(probe_pages: None, client: Client) -> None:
    page = client.get("/clients/_banner-probe/").content.decode()

    assert 'id="b2core-auth-problem"' not in page


@pytest.mark.django_db
def test_another_refusal_shows_its_own_sentence_in_the_banner(
    probe_pages: None, client: Client
) -> None:
    problems.record(
        Unauthorized("b2core", "B2Core no longer accepts the dashboard's access token.")
    )

    page = client.get("/clients/_banner-probe/").content.decode()

    assert "B2Core does not accept the dashboard's credentials." in page
    assert "no longer accepts the dashboard&#x27;s access token" in page
    assert BANNER not in page


def test_check_warns_when_a_real_host_has_only_an_email_and_password(settings: Any) -> None:
    settings.B2CORE_BASE_URL = "https://b2core.example.test"
    settings.B2CORE_EMAIL, settings.B2CORE_PASSWORD = "ops@example.test", "pw"
    settings.B2CORE_ACCESS_TOKEN = settings.B2CORE_REFRESH_TOKEN = ""

    (message,) = [m for m in run_checks() if m.id == "provider_credentials.W001"]

    assert "2FA" in message.msg
    assert "B2CORE_ACCESS_TOKEN and B2CORE_REFRESH_TOKEN" in (message.hint or "")


def test_check_is_quiet_with_a_token_pair(settings: Any) -> None:
    settings.B2CORE_BASE_URL = "https://b2core.example.test"
    settings.B2CORE_EMAIL, settings.B2CORE_PASSWORD = "ops@example.test", "pw"
    settings.B2CORE_ACCESS_TOKEN, settings.B2CORE_REFRESH_TOKEN = "access", "refresh"

    assert check_ids() == []


def test_check_is_quiet_for_the_sandbox(settings: Any) -> None:
    settings.B2CORE_BASE_URL = ""

    assert check_ids() == []


def test_check_warns_when_an_access_token_cannot_be_renewed(settings: Any) -> None:
    settings.B2CORE_BASE_URL = "https://b2core.example.test"
    settings.B2CORE_EMAIL = settings.B2CORE_PASSWORD = settings.B2CORE_REFRESH_TOKEN = ""
    settings.B2CORE_ACCESS_TOKEN = "access"

    assert check_ids() == ["provider_credentials.W002"]


def test_a_refresh_token_alone_counts_as_credentials(settings: Any) -> None:
    settings.B2CORE_BASE_URL = "https://b2core.example.test"
    settings.B2CORE_EMAIL = settings.B2CORE_PASSWORD = settings.B2CORE_ACCESS_TOKEN = ""
    settings.B2CORE_REFRESH_TOKEN = "refresh"

    assert "dashboard.E003" not in [m.id for m in run_checks()]
