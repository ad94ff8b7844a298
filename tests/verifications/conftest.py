from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from dashboard.connections import reset_clients
from dashboard.sandbox import credentials


def user_with_role(username: str, role: str) -> User:
    # No password: tests sign in with force_login, and hashing one costs ~0.3 s.
    user = User.objects.create(username=username)
    # get_or_create: transactional tests flush the groups the migration made.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def socket_providers(settings, sandbox):
    """Point the dashboard at the sandbox served over a real socket by another process."""
    settings.WAVIX_BASE_URL = sandbox.wavix_url
    settings.WAVIX_API_KEY = credentials.WAVIX_API_KEY
    settings.B2CORE_BASE_URL = sandbox.b2core_url
    settings.B2CORE_EMAIL = credentials.B2CORE_ADMIN_EMAIL
    settings.B2CORE_PASSWORD = credentials.B2CORE_ADMIN_PASSWORD
    reset_clients()
    yield sandbox
    reset_clients()


@pytest.fixture
def viewer_client(client, db):
    client.force_login(user_with_role("vera", "viewer"))
    return client


@pytest.fixture
def operator_client(client, db):
    client.force_login(user_with_role("otto", "operator"))
    return client


@pytest.fixture(autouse=True)
def _sync_inline(settings):
    # Worker threads have their own connections: they cannot see (or wait for) a test's
    # open transaction. Concurrency tests use transaction=True and set workers themselves.
    settings.MIRROR_SYNC_WORKERS = 1
    # A page's own fetches must all land in tests that are not about the budget: on a busy
    # machine the 2 s default cut a 30-day page short and dropped its older windows. Tests
    # of the budget set it themselves.
    settings.MIRROR_PAGE_SYNC_BUDGET = 60.0


@pytest.fixture(autouse=True)
def _empty_cache():
    # The service catalog is cached; each test starts from its own database.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
