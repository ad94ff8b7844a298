"""Fixtures of the fault matrix: one fault server a module, providers pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.template.loader import get_template
from django.test import Client

from dashboard.connections import reset_clients
from tests.faults import canned, matrix
from tests.faults.fault_server import FaultServer
from tests.slow_server import no_proxies
from tests.verifications.conftest import user_with_role

# Compiled before the first combination, whose time would otherwise include it.
TEMPLATES = (
    "verifications/services.html",
    "verifications/sessions.html",
    "verifications/session.html",
    "verifications/console.html",
    "verifications/bulk.html",
    "clients/clients.html",
    "clients/client.html",
    "clients/change.html",
    "clients/disable.html",
    "clients/feed.html",
)


@pytest.fixture(scope="module")
def fault_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[FaultServer]:
    # The first page a process serves loads the URLconf, the views and the middleware: done
    # here, not inside the first combination's timing. The sign-in page writes nothing.
    with django_db_blocker.unblock():
        assert Client().get("/accounts/login/").status_code == 200
    for name in TEMPLATES:
        get_template(name)
    server = FaultServer(canned.answer)
    try:
        yield server
    finally:
        server.stop()


class Providers:
    """Points the dashboard's Wavix and B2Core at the fault server (or at a dead address).

    With the timeouts the fault calls for (matrix.timeouts_for).
    """

    def __init__(self, server: FaultServer, settings: Any) -> None:
        self.server = server
        self.settings = settings

    def point(self, fault: str) -> None:
        origin = self.server.origin_for(fault)
        self.settings.WAVIX_BASE_URL = origin + canned.WAVIX
        self.settings.B2CORE_BASE_URL = origin + canned.B2CORE
        timeouts = matrix.timeouts_for(fault)
        self.settings.PROVIDER_CONNECT_TIMEOUT = timeouts.connect
        self.settings.PROVIDER_READ_TIMEOUT = timeouts.read
        self.settings.PROVIDER_DEADLINE = timeouts.deadline
        reset_clients()

    def heal(self) -> None:
        """Every call answered well again (the calls noted so far are kept)."""
        self.server.heal()
        self.point("")


def use_canned_accounts(settings: Any, label: str) -> None:
    """The canned Wavix service and B2Core token pair, and page fetches run inline (a test's
    transaction is invisible to worker threads), every one of them: the number of calls a
    page makes is then fixed, and so is its bound."""
    settings.WAVIX_API_KEY = f"{label}-wavix-key"
    settings.WAVIX_SERVICE_IDS = [canned.SERVICE]
    settings.B2CORE_ACCESS_TOKEN = f"{label}-b2core-token"
    settings.B2CORE_REFRESH_TOKEN = ""
    settings.B2CORE_EMAIL = ""
    settings.B2CORE_PASSWORD = ""
    settings.MIRROR_SYNC_WORKERS = 1
    settings.MIRROR_PAGE_SYNC_BUDGET = 60.0
    settings.CLIENT_SYNC_WORKERS = 1


@pytest.fixture
def providers(settings, fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch):
    no_proxies(monkeypatch)
    use_canned_accounts(settings, "fault-matrix")
    settings.PROVIDER_MAX_RESPONSE_BYTES = matrix.MAX_RESPONSE_BYTES
    settings.WAVIX_MAX_SESSIONS_BYTES = matrix.MAX_SESSIONS_BYTES
    settings.BULK_CANCEL_CONCURRENCY = 2
    fault_server.set("")
    cache.clear()
    wiring = Providers(fault_server, settings)
    wiring.point("")
    yield wiring
    fault_server.set("")
    reset_clients()
    cache.clear()


@pytest.fixture
def admin_client(client, db):
    # force_login, as the other page tests: the operator's own sign-in is not under test.
    client.force_login(user_with_role("ada-admin", "admin"))
    return client
