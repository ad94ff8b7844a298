"""``manage.py sandbox_serve``: the sandbox's URLconf alone, on its own port."""

from __future__ import annotations

import httpx
import pytest

from dashboard.sandbox import credentials


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
