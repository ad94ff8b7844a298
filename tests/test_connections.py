"""Provider clients built from settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from dashboard.connections import b2core_client, reset_clients, wavix_client
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


@pytest.mark.django_db
def test_response_size_caps_come_from_settings(settings: Any) -> None:
    settings.PROVIDER_MAX_RESPONSE_BYTES = 123_456
    settings.WAVIX_MAX_SESSIONS_BYTES = 7_654_321
    reset_clients()
    try:
        wavix, b2core = wavix_client(), b2core_client()
        caps = (
            wavix.http.max_response_bytes,
            wavix.max_sessions_bytes,
            b2core.http.max_response_bytes,
        )
    finally:
        reset_clients()

    assert caps == (123_456, 7_654_321, 123_456)
