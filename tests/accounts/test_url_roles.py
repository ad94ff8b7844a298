"""Every URL of the dashboard, requested as every kind of user, against url_table.py."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from tests.accounts.url_table import EXPECTED, SAMPLES, WHO, NotProbed, Row
from tests.clients.b2core_proxy import RecordingProxy
from tests.verifications.fake_wavix import SERVICE_A, FakeWavix

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def patterns(
    urlpatterns: Iterable[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern | URLResolver]]:
    """Each route of the URLconf, includes walked, except those a table row stands for."""
    for pattern in urlpatterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            entry = EXPECTED.get(route)
            if isinstance(entry, NotProbed) or (isinstance(entry, Row) and entry.include):
                yield route, pattern
            else:
                yield from patterns(pattern.url_patterns, route)
        else:
            yield route, pattern


def routes() -> list[str]:
    return [route for route, _ in patterns(get_resolver().url_patterns)]


def address(route: str, row: Row) -> str:
    if row.path is not None:
        return row.path

    def sample(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in SAMPLES:
            pytest.fail(f"{route!r}: add a sample value for <{name}> to SAMPLES in url_table.py")
        return SAMPLES[name]

    return "/" + PARAMETER.sub(sample, route)


def outcome(response, path: str) -> str:
    status = response.status_code
    if status in (301, 302):
        location = urlsplit(response["Location"])
        next_ = parse_qs(location.query).get("next")
        if location.path == reverse("accounts:login") and next_ == [path]:
            return "login"
        if location.path == reverse("admin:login"):
            return "admin"
        return "302"
    if status == 403:
        used = {t.name for t in response.templates}
        return "403" if "accounts/denied.html" in used else "403 (not the access-denied page)"
    return str(status)


def principal(who: str) -> User | None:
    if who == "anonymous":
        return None
    if who == "superuser":
        return User.objects.create(username="sue", is_staff=True, is_superuser=True)
    user = User.objects.create(username=who.replace(" ", "-"))
    if who != "no role":
        user.groups.add(Group.objects.get_or_create(name=who)[0])
    return user


@pytest.fixture
def providers(settings):
    """A small scripted Wavix, so that reading pages answer 200 without a network."""
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A]
    settings.MIRROR_SYNC_WORKERS = 1  # worker threads cannot see the test's transaction
    fake = FakeWavix(names={SERVICE_A: "Login"})
    fake.add(SERVICE_A, "a1".ljust(32, "0"), timezone.now(), phone="447911123456")
    # B2Core: an empty client list, and no such client or change.
    b2core = RecordingProxy(upstream=None)
    b2core.answer("GET", "/api/v2/clients", 200, {"total": 0, "data": []})
    settings.B2CORE_BASE_URL = b2core.start()
    settings.B2CORE_ACCESS_TOKEN = "test-token"
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()
    b2core.stop()


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_every_url_pattern_is_in_the_table():
    found = routes()

    unchecked = [route for route in found if route not in EXPECTED]
    gone = [route for route in EXPECTED if route not in found]
    assert not unchecked, (
        f"new view shipped unchecked: add it to the table in tests/accounts/url_table.py: "
        f"{unchecked}"
    )
    assert not gone, f"the table lists routes that no longer exist: remove them: {gone}"


def test_every_dashboard_view_says_what_it_requires():
    # Behind the table, a second lock: the dashboard's own views carry @requires, so a table
    # row written to match a view that forgot it does not pass unnoticed.
    # Django's own views, open by design, the load balancers' health check (no data) and
    # the browsers' CSP violation reports (nothing shown, nothing stored).
    public = {"accounts/login/", "accounts/logout/", "healthz", "csp-report/"}
    # The operator's own second-factor pages need a signed-in user whatever the role: they
    # say so with @signed_in(...).
    unguarded = [
        route
        for route, pattern in patterns(get_resolver().url_patterns)
        if isinstance(pattern, URLPattern)
        and route not in public
        and not hasattr(pattern.callback, "required_capability")
        and not hasattr(pattern.callback, "required_sign_in")
    ]
    assert not unguarded, f"views without @requires(...) or @signed_in(...): {unguarded}"


def test_the_table_has_one_outcome_per_principal():
    for route, row in EXPECTED.items():
        if isinstance(row, Row):
            assert len(row.get.split()) == len(WHO), (route, "GET")
            assert len(row.post.split()) == len(WHO), (route, "POST")


PROBED = [route for route, row in EXPECTED.items() if isinstance(row, Row)]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROBED, ids=lambda route: "/" + route)
def test_each_principal_gets_the_expected_outcome(route, providers):
    row = EXPECTED[route]
    assert isinstance(row, Row)
    path = address(route, row)
    users = {who: principal(who) for who in WHO}

    seen: dict[str, list[str]] = {"GET": [], "POST": []}
    for method in seen:
        for who in WHO:
            client = Client()  # CSRF checks off here; test_csrf.py checks them
            if (user := users[who]) is not None:
                client.force_login(user)
            response = client.get(path) if method == "GET" else client.post(path)
            seen[method].append(outcome(response, path))

    expected = {"GET": row.get.split(), "POST": row.post.split()}
    assert seen == expected, "\n".join(
        f"{method} {path} as {who}: expected {want}, got {got}"
        for method in seen
        for who, want, got in zip(WHO, expected[method], seen[method], strict=True)
        if want != got
    )
