"""``manage.py sandbox_serve``: the sandbox's URLconf alone, on its own port, and never on the
network beside a real provider."""

from __future__ import annotations

import httpx
import pytest
from django.core.management import CommandError, call_command

from dashboard.sandbox import credentials
from dashboard.sandbox.management.commands.sandbox_serve import _is_loopback


@pytest.mark.parametrize("path", ["/", "/sessions/", "/accounts/login/", "/admin/login/"])
def test_the_server_serves_no_dashboard_page(sandbox, path):
    assert httpx.get(sandbox.origin + path).status_code == 404


def test_the_server_serves_the_sandbox_at_its_prefixes(sandbox):
    with sandbox.wavix() as wavix:
        assert wavix.get("/v1/two-fa/service").status_code == 200
    signin = httpx.post(
        sandbox.b2core_url + "/api/v2/signin",
        json={
            "email": credentials.B2CORE_ADMIN_EMAIL,
            "password": credentials.B2CORE_ADMIN_PASSWORD,
        },
    )
    assert signin.status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "sandbox.example.com"])  # noqa: S104
def test_it_refuses_a_network_address_while_a_real_provider_is_configured(settings, host):
    settings.WAVIX_BASE_URL = "https://api.wavix.invalid"

    with pytest.raises(CommandError, match="WAVIX_BASE_URL"):
        call_command("sandbox_serve", "--host", host, "--port", "0")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses_stay_allowed_beside_a_real_provider(host):
    # What `make sandbox` and the tests use, with WAVIX_BASE_URL pointed at the server.
    assert _is_loopback(host)
