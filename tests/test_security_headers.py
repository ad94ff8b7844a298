"""Every URL pattern of the dashboard answers with the security headers production needs.

Walks the same table as tests/accounts/test_url_roles.py, each route requested (GET and
POST) over HTTPS as the first principal the table lets in, and checks the response: a
Content-Security-Policy with the required directives and nothing unsafe, HSTS, no-store,
nosniff, framing denied, Referrer-Policy and Cross-Origin-Opener-Policy.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.test_url_roles import _empty_cache, address, principal, providers
from tests.accounts.url_table import EXPECTED, WHO, Row

# Keep the imported fixtures (pytest finds them by name in this module).
__all__ = ["_empty_cache", "providers"]

REQUIRED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Outcomes for which the view (or the page the principal is sent to) is not the route's own.
NOT_LET_IN = {"login", "403", "admin"}


def opener(row: Row, method: str) -> str:
    """The first principal whose request reaches the route's view (a 200 if anyone gets one)."""
    outcomes = list(zip(WHO, (row.get if method == "GET" else row.post).split(), strict=True))
    for who, outcome in outcomes:
        if outcome == "200":
            return who
    for who, outcome in outcomes:
        if who != "anonymous" and outcome not in NOT_LET_IN:
            return who
    return "superuser"


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if csp is None:
        problems.append("no Content-Security-Policy")
    else:
        directives = policy(csp)
        problems += [
            f"CSP {name} is {directives.get(name)}, not {sources}"
            for name, sources in REQUIRED_CSP.items()
            if directives.get(name) != sources
        ]
        if "unsafe" in csp:
            problems.append(f"CSP allows something unsafe: {csp}")
    expected = {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    problems += [
        f"{name}: {response.headers.get(name)!r}, not {value!r}"
        for name, value in expected.items()
        if response.headers.get(name) != value
    ]
    if "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control: {response.headers.get('Cache-Control')!r}, no no-store")
    return problems


PROBED = [route for route, row in EXPECTED.items() if isinstance(row, Row)]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("route", PROBED, ids=lambda route: "/" + route)
def test_each_url_answers_with_the_security_headers(route, method, providers):
    row = EXPECTED[route]
    assert isinstance(row, Row)
    who = opener(row, method)
    client = Client()
    if (user := principal(who)) is not None:
        client.force_login(user)

    path = address(route, row)
    response = client.get(path, secure=True) if method == "GET" else client.post(path, secure=True)

    assert response.status_code < 500, (who, response.status_code)
    assert header_problems(response) == [], f"{method} {path} as {who} ({response.status_code})"


def test_the_walk_reaches_the_pages_themselves():
    # Most routes are opened by someone the table lets in, not answered by a refusal.
    openers = {route: opener(row, "GET") for route, row in EXPECTED.items() if isinstance(row, Row)}
    assert openers["sessions/export.csv"] == "auditor"
    assert openers["accounts/login/"] == "anonymous"
    assert openers["admin/"] == "superuser"
    assert openers["console/"] == "admin"


@pytest.mark.django_db
def test_a_csv_of_phone_numbers_is_not_stored(providers):
    auditor = principal("auditor")
    assert auditor is not None
    client = Client()
    client.force_login(auditor)

    response = client.get("/sessions/export.csv", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_static_files_keep_their_caching(client):
    response = client.get("/static/app.css", secure=True)

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
