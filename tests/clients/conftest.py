"""The client pages against the B2Core sandbox over a real socket, through a recording proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.connections import reset_clients
from dashboard.providers.b2core import B2CoreClient
from dashboard.sandbox import credentials
from tests.clients.b2core_proxy import RecordingProxy
from tests.conftest import SandboxServer
from tests.verifications.conftest import (  # noqa: F401 (fixtures)
    _empty_cache,
    _sync_inline,
    socket_providers,
    user_with_role,
)


@pytest.fixture
def b2core(socket_providers: SandboxServer, settings) -> Iterator[RecordingProxy]:  # noqa: F811
    """The dashboard's B2Core is the socket sandbox behind a proxy that notes every call."""
    proxy = RecordingProxy(upstream=socket_providers.origin)
    settings.B2CORE_BASE_URL = proxy.start()
    reset_clients()
    yield proxy
    reset_clients()
    proxy.stop()


@pytest.fixture
def direct(sandbox: SandboxServer) -> Iterator[B2CoreClient]:
    """A B2Core client straight to the sandbox, for the test's own reads (not counted)."""
    with B2CoreClient(
        sandbox.b2core_url,
        email=credentials.B2CORE_ADMIN_EMAIL,
        password=credentials.B2CORE_ADMIN_PASSWORD,
    ) as client:
        yield client


def sign_in(client, role: str, username: str | None = None):
    client.force_login(user_with_role(username or f"{role}-user", role))
    return client


def enabled_method(direct: B2CoreClient, prefer: str = "sms") -> tuple[str, str]:
    """A sandbox client with a method still enabled (tests disable them one by one)."""
    fallback = None
    for client in direct.iter_clients(sort_order="asc"):
        for method in direct.get_methods(client.id):
            if method.is_enabled and method.name == prefer:
                return client.id, method.name
            if method.is_enabled and fallback is None:
                fallback = (client.id, method.name)
    if fallback is None:
        pytest.fail("no sandbox client has a 2FA method left enabled")
    return fallback
