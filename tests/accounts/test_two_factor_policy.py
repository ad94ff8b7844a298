"""Who owes a second factor (OPERATOR_2FA), and that every dashboard page asks for it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from tests.accounts.conftest import operator, with_device
from tests.accounts.test_url_roles import address, patterns
from tests.accounts.url_table import EXPECTED, Row

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:two_factor")
CODE = reverse("accounts:login_code")
# Open before the second factor: the password step, signing out, the second-factor steps.
BEFORE_SECOND_FACTOR = {
    "accounts/login/",
    "accounts/logout/",
    "accounts/login/code/",
    "accounts/two-factor/",
    # The load balancers' health check: no sign-in at all, no data.
    "healthz",
    # Browsers' CSP violation reports: sent without a session's say, nothing shown.
    "csp-report/",
}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)  # the password step, and no more
    return client


def sent_to(response) -> tuple[str, list[str] | None]:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query).get("next")


def test_auto_requires_it_when_a_real_provider_is_configured(production_2fa):
    response = signed_in(operator()).get("/accounts/preferences/")
    assert sent_to(response) == (ENROL, ["/accounts/preferences/"])


def test_auto_only_offers_it_when_the_sandbox_plays_every_provider(sandbox_only_2fa):
    response = signed_in(operator()).get("/accounts/preferences/")
    assert response.status_code == 200
    assert "Set up two-factor sign-in" in response.content.decode()


def test_required_requires_it_with_the_sandbox_too(settings, sandbox_only_2fa):
    settings.OPERATOR_2FA = "required"
    response = signed_in(operator()).get("/accounts/preferences/")
    assert sent_to(response) == (ENROL, ["/accounts/preferences/"])


def test_optional_does_not_require_it_with_a_real_provider(settings, production_2fa):
    settings.OPERATOR_2FA = "optional"
    assert signed_in(operator()).get("/accounts/preferences/").status_code == 200


def test_a_user_with_a_device_is_asked_for_the_code_even_where_optional(settings):
    settings.OPERATOR_2FA = "optional"
    user = operator()
    with_device(user)
    response = signed_in(user).get("/accounts/preferences/?next=/sessions/")
    assert sent_to(response) == (CODE, ["/accounts/preferences/?next=/sessions/"])


def test_the_step_comes_before_the_role_check(production_2fa):
    # A user without any role is not told "no access" before proving the second factor.
    response = signed_in(User.objects.create(username="nobody")).get("/audit/")
    assert sent_to(response) == (ENROL, ["/audit/"])


def dashboard_routes() -> list[str]:
    return [
        route
        for route, pattern in patterns(get_resolver().url_patterns)
        if isinstance(pattern, URLPattern)
        and route not in BEFORE_SECOND_FACTOR
        and isinstance(EXPECTED.get(route), Row)
    ]


def test_every_dashboard_url_sends_an_unverified_admin_to_enrolment(production_2fa):
    admin = operator("ada", role="admin")
    client = signed_in(admin)
    missed = []
    for route in dashboard_routes():
        row = EXPECTED[route]
        assert isinstance(row, Row)
        path = address(route, row)
        for method, expected in (("GET", row.get.split()[5]), ("POST", row.post.split()[5])):
            if expected == "405":
                continue
            response = client.get(path) if method == "GET" else client.post(path)
            if response.status_code != 302 or sent_to(response) != (ENROL, [path]):
                missed.append(f"{method} {path}: {response.status_code}")
    assert dashboard_routes(), "no routes walked"
    assert missed == []


def test_an_htmx_request_is_sent_to_the_code_step_with_hx_redirect(production_2fa):
    user = operator()
    with_device(user)
    response = signed_in(user).get("/sessions/?status=pending", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    location = urlsplit(response["HX-Redirect"])
    assert location.path == CODE
    assert parse_qs(location.query)["next"] == ["/sessions/?status=pending"]


def test_an_htmx_post_comes_back_to_the_page_it_was_sent_from(production_2fa):
    response = signed_in(operator()).post(
        "/accounts/time-zone/",
        {"time_zone": "UTC"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/sessions/?status=failed",
    )
    location = urlsplit(response["HX-Redirect"])
    assert location.path == ENROL
    assert parse_qs(location.query)["next"] == ["/sessions/?status=failed"]


def test_the_django_admin_needs_the_second_factor(production_2fa):
    staff = User.objects.create_user("sue", password="x", is_staff=True, is_superuser=True)
    with_device(staff)
    client = signed_in(staff)
    response = client.get("/admin/")
    assert sent_to(response)[0] == reverse("admin:login")
    response = client.get(response["Location"])
    assert sent_to(response) == (CODE, ["/admin/"])


def test_the_django_admin_opens_once_the_code_is_given(production_2fa):
    from django_otp import DEVICE_ID_SESSION_KEY

    staff = User.objects.create_user("sue", password="x", is_staff=True, is_superuser=True)
    device = with_device(staff)
    client = signed_in(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what the code step stores
    session.save()
    assert client.get("/admin/").status_code == 200


def test_the_django_admin_has_no_password_form_of_its_own():
    response = Client().get("/admin/login/?next=/admin/auth/user/")
    assert sent_to(response) == (reverse("accounts:login"), ["/admin/auth/user/"])
    response = Client().post("/admin/login/", {"username": "sue", "password": "x"})
    assert sent_to(response)[0] == reverse("accounts:login")
