"""Fixtures for the credentials tests: the dashboard pointed at the socket sandbox's B2Core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from django.core.cache import cache

from dashboard.connections import reset_clients
from dashboard.providers.b2core import TokenPair
from dashboard.sandbox import credentials

if TYPE_CHECKING:
    from tests.conftest import SandboxServer


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def b2core_host(settings: Any, sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """B2CORE_BASE_URL is the socket sandbox; no credentials yet (each test sets its own)."""
    settings.B2CORE_BASE_URL = sandbox.b2core_url
    settings.B2CORE_ACCESS_TOKEN = settings.B2CORE_REFRESH_TOKEN = ""
    settings.B2CORE_EMAIL = settings.B2CORE_PASSWORD = ""
    reset_clients()
    yield sandbox
    reset_clients()


def issued_pair(sandbox: SandboxServer) -> TokenPair:
    """A pair the sandbox issues to its admin, as an operator would obtain one by hand."""
    response = httpx.post(
        sandbox.b2core_url + "/api/v2/signin",
        json={
            "email": credentials.B2CORE_ADMIN_EMAIL,
            "password": credentials.B2CORE_ADMIN_PASSWORD,
        },
        timeout=10,
    )
    response.raise_for_status()
    body = response.json()
    return TokenPair(body["accessToken"]["token"], body["refreshToken"]["token"])
