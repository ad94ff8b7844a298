"""Provider clients built from settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from dashboard.connections import b2core_client, reset_clients
from dashboard.providers.b2core import PageBoundReached
from dashboard.sandbox import credentials

if TYPE_CHECKING:
    from tests.conftest import SandboxServer


@pytest.fixture
def b2core_over_socket(settings: Any, sandbox: SandboxServer) -> Iterator[None]:
    settings.B2CORE_BASE_URL = sandbox.b2core_url
    settings.B2CORE_EMAIL = credentials.B2CORE_ADMIN_EMAIL
    settings.B2CORE_PASSWORD = credentials.B2CORE_ADMIN_PASSWORD
    reset_clients()
    yield
    reset_clients()


@pytest.mark.django_db  # a real host's client looks for a stored token pair
def test_b2core_max_pages_setting_bounds_a_walk(settings: Any, b2core_over_socket: None) -> None:
    settings.B2CORE_MAX_PAGES = 2

    walk = b2core_client().iter_clients(limit=7)  # 40 seeded clients need 7 pages
    with pytest.raises(PageBoundReached):
        list(walk)

    assert (walk.pages, walk.received) == (2, 14)
