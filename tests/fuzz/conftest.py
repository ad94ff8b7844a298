"""The fuzzer's world: a scripted Wavix and B2Core (in-process and on a local socket, as
test_url_roles.py has them), one user per principal, and a held session, a bulk cancel and
a saved view, so that the pages with a parameter show their forms and reach deeper code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from dashboard.accounts.models import Preference
from dashboard.saved_views.models import SavedView
from tests.accounts.test_url_roles import principal
from tests.accounts.test_url_roles import providers as providers
from tests.accounts.url_table import WHO
from tests.fuzz.surface import Target
from tests.verifications.fake_wavix import SERVICE_A, FakeWavix

SESSION = "b1".ljust(32, "0")  # pending: its page shows the resend and cancel forms


@dataclass
class World:
    users: dict[str, User | None]
    session_id: str
    bulk_id: int
    view_id: int

    def client(self, who: str) -> Client:
        client = Client()
        if (user := self.users[who]) is not None:
            client.force_login(user)
        return client

    def path(self, target: Target) -> str:
        """The target's address, with the held session, bulk and view in it."""
        path = target.path.replace("5e55" * 8, self.session_id)
        path = re.sub(r"^/bulk/999999/", f"/bulk/{self.bulk_id}/", path)
        return re.sub(r"^/saved-views/999999/", f"/saved-views/{self.view_id}/", path)


@pytest.fixture
def world(db: None, providers: FakeWavix, settings) -> Iterator[World]:
    settings.MIRROR_SYNC_WORKERS = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MIRROR_PAGE_SYNC_BUDGET = 60.0
    cache.clear()
    providers.add(SERVICE_A, SESSION, timezone.now(), phone="447911654321", status="pending")
    users = {who: principal(who) for who in WHO}
    # A fixed-offset zone (the kind Django names "-05") for one role, a zone with DST and a
    # phone region for another: every page is then also drawn in them.
    viewer, operator = User.objects.get(username="viewer"), User.objects.get(username="operator")
    Preference.objects.create(user=viewer, time_zone="Etc/GMT+5")
    Preference.objects.create(user=operator, time_zone="America/New_York", phone_region="GB")
    admin = Client()
    admin.force_login(users["admin"])  # type: ignore[arg-type]
    # The list holds the fake's session in the mirror; a bulk cancel drafted from it.
    assert admin.get("/sessions/", {"range": "today"}).status_code == 200
    drafted = admin.post("/sessions/bulk-cancel/", {"session": [SESSION]})
    bulk = re.search(r"/bulk/(\d+)/", drafted.get("Location", ""))
    assert bulk is not None, drafted
    saved = admin.post("/saved-views/sessions/save/", {"name": "fuzz", "query": "range=today"})
    assert saved.status_code in (200, 302), saved
    view = SavedView.objects.get(name="fuzz")
    yield World(users, SESSION, int(bulk.group(1)), view.pk)
    cache.clear()
