"""The fuzzer's world: Wavix and B2Core answered well by the fault matrix's server over a real
socket (tests/faults: one service with pending sessions, one client with two 2FA methods and
a change), one user per principal, a bulk cancel and a saved view; every route's parameters
point at these, so the pages show their forms and the actions reach the providers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from dashboard.accounts.models import Preference
from dashboard.connections import reset_clients
from dashboard.saved_views.models import SavedView
from tests.accounts.test_url_roles import principal
from tests.accounts.url_table import SAMPLES, WHO
from tests.faults import canned
from tests.faults.conftest import fault_server as fault_server  # a fixture
from tests.faults.conftest import use_canned_accounts
from tests.faults.fault_server import FaultServer
from tests.fuzz.surface import Target
from tests.slow_server import no_proxies

SESSION = canned.SESSION  # pending: its page shows the resend and cancel forms


@dataclass
class World:
    users: dict[str, User | None]
    bulk_id: int
    view_id: int

    def client(self, who: str) -> Client:
        client = Client()
        if (user := self.users[who]) is not None:
            client.force_login(user)
        return client

    def path(self, target: Target) -> str:
        """The target's address, with the held session, client, bulk and view in it."""
        real = {
            SAMPLES["service_id"]: canned.SERVICE,
            "5e55" * 8: SESSION,
            SAMPLES["client_id"]: canned.CLIENT,
            f"/changes/{SAMPLES['change_id']}/": f"/changes/{canned.CHANGE}/",
        }
        path = target.path
        for sample, value in real.items():
            path = path.replace(sample, value)
        path = re.sub(r"^/bulk/999999/", f"/bulk/{self.bulk_id}/", path)
        return re.sub(r"^/saved-views/999999/", f"/saved-views/{self.view_id}/", path)


@pytest.fixture
def providers(settings, fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch):
    no_proxies(monkeypatch)
    origin = fault_server.origin_for("")
    settings.WAVIX_BASE_URL = origin + canned.WAVIX
    settings.B2CORE_BASE_URL = origin + canned.B2CORE
    use_canned_accounts(settings, "fuzz")
    # Actions the fuzzer lets through (a bulk cancel) run inline, not on a task worker.
    settings.BULK_CANCEL_CONCURRENCY = 1
    fault_server.set("")
    cache.clear()
    reset_clients()
    yield fault_server
    reset_clients()
    cache.clear()


@pytest.fixture
def world(db: None, providers: FaultServer, settings) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = {who: principal(who) for who in WHO}
    # A fixed-offset zone (the kind Django names "-05") for one role, a zone with DST and a
    # phone region for another: every page is then also drawn in them.
    viewer, operator = User.objects.get(username="viewer"), User.objects.get(username="operator")
    Preference.objects.create(user=viewer, time_zone="Etc/GMT+5")
    Preference.objects.create(user=operator, time_zone="America/New_York", phone_region="GB")
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    # The list holds the server's sessions in the mirror; a bulk cancel drafted from them.
    assert admin.get("/sessions/", {"range": "today"}).status_code == 200
    drafted = admin.post("/sessions/bulk-cancel/", {"session": [SESSION, canned.SESSION_B]})
    bulk = re.search(r"/bulk/(\d+)/", drafted.get("Location", ""))
    assert bulk is not None, drafted
    saved = admin.post("/saved-views/sessions/save/", {"name": "fuzz", "query": "range=today"})
    assert saved.status_code in (200, 302), saved
    return World(users, int(bulk.group(1)), SavedView.objects.get(name="fuzz").pk)
