"""Every view that takes a POST refuses one without the CSRF token, before it acts."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.test_url_roles import address, principal
from tests.accounts.url_table import EXPECTED, WHO, Row

# Outcomes that show the view itself never ran for a POST.
REFUSED = {"405", "login", "403", "admin"}


def posting_principal(row: Row) -> str | None:
    """The first principal whose POST reaches the view, per the table."""
    for who, result in zip(WHO, row.post.split(), strict=True):
        if result not in REFUSED:
            return who
    return None


# Exempt on purpose: browsers send CSP violation reports without any token, and the view
# changes nothing and shows nothing (tests/test_csp_reports.py posts with the checks on).
EXEMPT = {"csp-report/"}
POSTS = [
    route
    for route, row in EXPECTED.items()
    if isinstance(row, Row) and posting_principal(row) is not None and route not in EXEMPT
]


def test_only_the_csp_reports_are_exempt():
    from django.urls import resolve

    exempt = {
        route
        for route, row in EXPECTED.items()
        if isinstance(row, Row)
        and not row.include
        and getattr(resolve(address(route, row).split("?")[0]).func, "csrf_exempt", False)
    }
    assert exempt == EXEMPT


def test_the_post_views_are_found():
    assert {"services/register/", "accounts/time-zone/", "accounts/logout/"} <= set(POSTS)


@pytest.mark.django_db
@pytest.mark.parametrize("route", POSTS, ids=lambda route: "/" + route)
def test_a_post_without_the_csrf_token_is_refused(route):
    row = EXPECTED[route]
    assert isinstance(row, Row)
    who = posting_principal(row)
    assert who is not None
    client = Client(enforce_csrf_checks=True)
    if (user := principal(who)) is not None:
        client.force_login(user)

    response = client.post(address(route, row), {"service_id": "a" * 32, "time_zone": "UTC"})

    assert response.status_code == 403, who
    assert "CSRF verification failed" in response.content.decode()
