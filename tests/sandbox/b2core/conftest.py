"""Fixtures for the B2Core sandbox tests: a JSON client, tokens, clients in known states.

Each test module marks itself ``django_db(databases=["default", "sandbox"])`` and
``urls("tests.sandbox.b2core.urls")`` (the B2Core sandbox at its real mount, alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.test import Client as HttpClient

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.models import Client, Method, Provider
from dashboard.sandbox.b2core.testing import Api, ClientToken, MakeClient, MoveClock, SecretOf
from dashboard.sandbox.clock import set_clock_offset
from dashboard.sandbox.routers import SANDBOX_DB

JOINED = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def api() -> Api:
    return Api(HttpClient())


@pytest.fixture
def secret_of() -> SecretOf:
    """The client's stored Google Authenticator key."""

    def secret(client: Client) -> str:
        method = Method.objects.using(SANDBOX_DB).get(client=client, provider=Provider.GOOGLE)
        return method.secret

    return secret


@pytest.fixture
def admin_token(api: Api) -> str:
    response = api.post(
        "/api/v2/signin",
        {"email": credentials.B2CORE_ADMIN_EMAIL, "password": credentials.B2CORE_ADMIN_PASSWORD},
    )
    assert response.status_code == 200, response.content
    return str(response.json()["accessToken"]["token"])


@pytest.fixture
def make_client() -> MakeClient:
    """A client with chosen methods on; google's TOTP secret is fresh (see secret_of)."""
    made = 0

    def make(*, google: bool = False, sms: bool = False, email: str = "") -> Client:
        nonlocal made
        made += 1
        client = Client.objects.using(SANDBOX_DB).create(
            email=email or f"client{made}@test.example",
            name=f"Test Client {made}",
            phone=f"+44770090{made:04d}",
            create_time=JOINED + timedelta(days=made),
        )
        Method.objects.using(SANDBOX_DB).create(
            client=client, provider=Provider.GOOGLE, is_enabled=google, secret=pyotp.random_base32()
        )
        Method.objects.using(SANDBOX_DB).create(
            client=client, provider=Provider.SMS, is_enabled=sms, phone=client.phone
        )
        return client

    return make


@pytest.fixture
def client_token(api: Api) -> ClientToken:
    """Sign a client without 2FA in through the wizard; its access token."""

    def sign_in(client: Client) -> str:
        uuid = api.get("/api/v2/my/signin/wizard").json()["uuid"]
        response = api.post(
            "/api/v2/my/signin",
            {
                "uuid": uuid,
                "email": client.email,
                "password": credentials.B2CORE_CLIENT_PASSWORD,
                "device_fingerprint": "test",
            },
        )
        assert response.status_code == 202, response.content
        return str(response.json()["data"]["accessToken"]["token"])

    return sign_in


@pytest.fixture
def move_clock() -> Iterator[MoveClock]:
    """Set the sandbox clock's offset from real time (tokens, codes and blocks expire)."""

    def move(by: timedelta) -> None:
        set_clock_offset(by.total_seconds())

    yield move
    set_clock_offset(0)
