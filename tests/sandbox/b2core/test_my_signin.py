"""Client sign-in wizard: no 2FA, Google Authenticator (real TOTP), SMS, a choice of both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.models import Client
from dashboard.sandbox.b2core.testing import Api, ClientToken, MakeClient, MoveClock, SecretOf

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]


def start_signin(
    api: Api, client: Client, password: str = credentials.B2CORE_CLIENT_PASSWORD
) -> tuple[str, Any]:
    wizard = api.get("/api/v2/my/signin/wizard").json()
    body = {
        "uuid": wizard["uuid"],
        "email": client.email,
        "password": password,
        "device_fingerprint": "pytest",
    }
    return wizard["uuid"], api.post("/api/v2/my/signin", body)


def test_wizard_envelope(api: Api) -> None:
    response = api.get("/api/v2/my/signin/wizard")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "data", "done", "uuid", "workflow"}
    assert (body["code"], body["data"], body["done"]) == (200, None, False)


def test_without_2fa_signin_finishes_with_tokens(api: Api, make_client: MakeClient) -> None:
    uuid, response = start_signin(api, make_client())
    assert response.status_code == 202
    body = response.json()
    assert (body["code"], body["done"], body["uuid"], body["workflow"]) == (
        202,
        True,
        uuid,
        "login",
    )
    token = body["data"]["accessToken"]["token"]
    assert api.get("/api/v2/my/2fa", token=token).status_code == 200


def test_wrong_password_is_401(api: Api, make_client: MakeClient) -> None:
    _, response = start_signin(api, make_client(), password="nope")
    assert response.status_code == 401


def test_unknown_wizard_is_404(api: Api, make_client: MakeClient) -> None:
    client = make_client()
    body = {"uuid": "6f1c1d8e-0000-4000-8000-000000000000", "email": client.email, "password": "x"}
    assert api.post("/api/v2/my/signin", body).status_code == 404


def test_client_signin_is_throttled_after_five_failures(api: Api, make_client: MakeClient) -> None:
    client = make_client()
    for _ in range(5):
        assert start_signin(api, client, password="nope")[1].status_code == 401
    assert start_signin(api, client)[1].status_code == 429


def test_google_signin_needs_a_real_totp_code(
    api: Api, make_client: MakeClient, secret_of: SecretOf
) -> None:
    client = make_client(google=True)
    uuid, response = start_signin(api, client)
    assert response.status_code == 200
    assert response.json()["workflow"] == "2fa_google_auth"
    done = api.post(
        "/api/v2/my/2fa/google", {"uuid": uuid, "code": pyotp.TOTP(secret_of(client)).now()}
    )
    assert done.status_code == 202
    body = done.json()
    assert body["workflow"] == "login"
    assert set(body["data"]) == {"accessToken", "refreshToken"}


def test_wrong_totp_code_keeps_the_wizard_open(
    api: Api, make_client: MakeClient, secret_of: SecretOf
) -> None:
    client = make_client(google=True)
    uuid, _ = start_signin(api, client)
    wrong = pyotp.TOTP(pyotp.random_base32()).now()
    response = api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": wrong})
    assert response.status_code == 400
    assert "code" in response.json()["message"]
    right = api.post(
        "/api/v2/my/2fa/google", {"uuid": uuid, "code": pyotp.TOTP(secret_of(client)).now()}
    )
    assert right.status_code == 202


def test_totp_code_from_long_ago_is_refused(
    api: Api, make_client: MakeClient, move_clock: MoveClock, secret_of: SecretOf
) -> None:
    client = make_client(google=True)
    uuid, _ = start_signin(api, client)
    stale = pyotp.TOTP(secret_of(client)).now()
    move_clock(timedelta(minutes=2))
    assert api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": stale}).status_code == 400


def test_five_wrong_codes_close_the_wizard(
    api: Api, make_client: MakeClient, secret_of: SecretOf
) -> None:
    client = make_client(google=True)
    uuid, _ = start_signin(api, client)
    for _ in range(5):
        api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": "000000x"})
    response = api.post(
        "/api/v2/my/2fa/google", {"uuid": uuid, "code": pyotp.TOTP(secret_of(client)).now()}
    )
    assert response.status_code == 404


def test_sms_signin_sends_a_code_that_completes_it(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(sms=True)
    uuid, response = start_signin(api, client)
    assert response.json()["workflow"] == "2fa_sms_auth"
    [sent] = api.outbox(admin_token, phone=client.phone)
    assert sent["uuid"] == uuid
    done = api.post("/api/v2/my/2fa/sms", {"uuid": uuid, "code": sent["code"]})
    assert done.status_code == 202
    assert done.json()["data"]["accessToken"]["token"]


def test_sms_code_expires_after_ten_minutes(
    api: Api, admin_token: str, make_client: MakeClient, move_clock: MoveClock
) -> None:
    client = make_client(sms=True)
    uuid, _ = start_signin(api, client)
    code = api.last_code(admin_token, phone=client.phone)
    move_clock(timedelta(minutes=10, seconds=1))
    assert api.post("/api/v2/my/2fa/sms", {"uuid": uuid, "code": code}).status_code == 400


def test_with_both_methods_the_client_chooses_one(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(google=True, sms=True)
    uuid, response = start_signin(api, client)
    assert response.status_code == 200
    assert response.json()["workflow"] == "2fa"
    assert api.outbox(admin_token, client_id=client.id) == []  # nothing sent before choosing
    chosen = api.post("/api/v2/my/signin/2fa", {"uuid": uuid, "type": "sms"})
    assert chosen.status_code == 200
    assert chosen.json() == {
        "code": 200,
        "data": None,
        "done": False,
        "uuid": uuid,
        "workflow": "2fa_sms_auth",
    }
    code = api.last_code(admin_token, client_id=client.id)
    assert api.post("/api/v2/my/2fa/sms", {"uuid": uuid, "code": code}).status_code == 202


def test_choosing_a_method_that_is_off_is_400(api: Api, make_client: MakeClient) -> None:
    client = make_client(google=True)
    uuid, _ = start_signin(api, client)
    assert api.post("/api/v2/my/signin/2fa", {"uuid": uuid, "type": "sms"}).status_code == 400


def test_code_step_before_the_password_is_400(api: Api) -> None:
    uuid = api.get("/api/v2/my/signin/wizard").json()["uuid"]
    assert api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": "123456"}).status_code == 400


def test_client_refresh_gives_a_new_pair(api: Api, make_client: MakeClient) -> None:
    _, response = start_signin(api, make_client())
    refresh = response.json()["data"]["refreshToken"]["token"]
    renewed = api.post("/api/v2/my/refresh", {"refreshToken": refresh})
    assert renewed.status_code == 200
    assert (
        api.get("/api/v2/my/2fa", token=renewed.json()["accessToken"]["token"]).status_code == 200
    )


def test_outbox_needs_the_admin_token(
    api: Api, make_client: MakeClient, client_token: ClientToken
) -> None:
    client = make_client()
    assert api.get("/_outbox", phone=client.phone).status_code == 401
    assert api.get("/_outbox", token=client_token(client), phone=client.phone).status_code == 401
