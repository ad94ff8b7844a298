"""The B2Core sandbox over a real socket (``sandbox_serve``, seeded with 40 clients)."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
import pytest

from dashboard.sandbox import credentials

# The server process owns its database; these tests only speak HTTP to it.


@pytest.fixture
def admin(sandbox: Any) -> httpx.Client:
    http = httpx.Client(base_url=sandbox.b2core_url, timeout=10)
    signin = http.post(
        "/api/v2/signin",
        json={
            "email": credentials.B2CORE_ADMIN_EMAIL,
            "password": credentials.B2CORE_ADMIN_PASSWORD,
        },
    )
    assert signin.status_code == 200, signin.text
    http.headers["Authorization"] = f"Bearer {signin.json()['accessToken']['token']}"
    return http


def test_seeded_clients_page_over_the_socket(admin: httpx.Client) -> None:
    first = admin.get("/api/v2/clients", params={"limit": 25}).json()
    second = admin.get("/api/v2/clients", params={"limit": 25, "offset": 25}).json()
    assert first["total"] == second["total"] == 40
    ids = [c["id"] for c in first["data"] + second["data"]]
    assert len(set(ids)) == 40


def test_client_enables_google_and_the_back_office_sees_it(
    sandbox: Any, admin: httpx.Client
) -> None:
    # A seeded client with Google Authenticator off (enabling needs it off).
    clients = admin.get("/api/v2/clients", params={"limit": 40}).json()["data"]
    client = next(
        c
        for c in clients
        if not admin.get(f"/api/v2/clients/{c['id']}/2fa/google").json()["isEnabled"]
        and not admin.get(f"/api/v2/clients/{c['id']}/2fa/sms").json()["isEnabled"]
    )
    my = httpx.Client(base_url=sandbox.b2core_url, timeout=10)
    uuid = my.get("/api/v2/my/signin/wizard").json()["uuid"]
    signin = my.post(
        "/api/v2/my/signin",
        json={
            "uuid": uuid,
            "email": client["email"],
            "password": credentials.B2CORE_CLIENT_PASSWORD,
        },
    )
    assert signin.status_code == 202, signin.text
    my.headers["Authorization"] = f"Bearer {signin.json()['data']['accessToken']['token']}"
    wizard = my.get("/api/v2/my/2fa/google/enable/wizard").json()
    key = wizard["data"]["key"]
    done = my.post(
        "/api/v2/my/2fa/wizard",
        json={"uuid": wizard["uuid"], "action": "code", "code": pyotp.TOTP(key).now(), "key": key},
    )
    assert done.status_code == 202, done.text
    latest = admin.get(
        f"/api/v2/clients/{client['id']}/2fa/changes",
        params={"sort_by": "time", "sort_order": "desc", "limit": 1},
    ).json()["data"][0]
    assert (latest["provider"], latest["isEnabled"], latest["actor"]) == ("google", True, "client")


def test_total_fault_claims_the_given_total_beside_the_real_records(admin: httpx.Client) -> None:
    body = admin.get(
        "/api/v2/clients", params={"limit": 5}, headers={"X-Sandbox-Fault": "total=1"}
    ).json()

    assert body["total"] == 1
    assert len(body["data"]) == 5


def test_cap_limit_fault_serves_fewer_records_than_asked_silently(admin: httpx.Client) -> None:
    params = {"limit": 20, "offset": 3}
    real = admin.get("/api/v2/clients", params=params).json()

    capped = admin.get("/api/v2/clients", params=params, headers={"X-Sandbox-Fault": "cap-limit=7"})

    assert capped.status_code == 200
    assert capped.json() == {"total": 40, "data": real["data"][:7]}
