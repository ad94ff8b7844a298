"""A client's own 2FA: enable/disable wizards with real codes, seen by the Back Office."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.models import Client
from dashboard.sandbox.b2core.testing import Api, ClientToken, MakeClient

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]
TERMINATE = {
    "code": 202,
    "data": [],
    "done": True,
    "workflow": "B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow",
}


@pytest.fixture
def fresh(make_client: MakeClient, client_token: ClientToken) -> tuple[Client, str]:
    """A client without 2FA, signed in: (client, access token)."""
    client = make_client()
    return client, client_token(client)


def enable_google(api: Api, token: str) -> tuple[str, Any]:
    wizard = api.get("/api/v2/my/2fa/google/enable/wizard", token=token).json()
    key = wizard["data"]["key"]
    body = {"uuid": wizard["uuid"], "action": "code", "code": pyotp.TOTP(key).now(), "key": key}
    return key, api.post("/api/v2/my/2fa/wizard", body, token=token)


def next_code(key: str) -> str:
    """The key's code for the next 30-second step: the current one was spent enabling it."""
    return pyotp.TOTP(key).at(time.time() + 30)


def test_status_lists_both_methods(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    body = api.get("/api/v2/my/2fa", token=token).json()
    assert body["total"] == 2
    assert {m["name"]: m["isEnabled"] for m in body["data"]} == {"google": False, "sms": False}


def test_status_needs_a_client_token(api: Api, admin_token: str) -> None:
    assert api.get("/api/v2/my/2fa").status_code == 401
    assert api.get("/api/v2/my/2fa", token=admin_token).status_code == 401


def test_google_enable_wizard_offers_a_base32_key(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    response = api.get("/api/v2/my/2fa/google/enable/wizard", token=token)
    assert response.status_code == 200
    body = response.json()
    assert (body["workflow"], body["done"], body["code"]) == ("2fa_google", False, 200)
    key = body["data"]["key"]
    assert len(key) == 32
    assert pyotp.TOTP(key).now().isdigit()  # decodes as base32


def test_enable_google_with_a_real_totp_code(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    _, response = enable_google(api, token)
    assert response.status_code == 202
    assert {k: v for k, v in response.json().items() if k != "uuid"} == TERMINATE
    assert api.get("/api/v2/my/2fa/google", token=token).json()["isEnabled"] is True


def test_enabling_google_is_logged_for_the_back_office(
    api: Api, admin_token: str, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    enable_google(api, token)
    [change] = api.changes_of(admin_token, client)
    assert (change["provider"], change["isEnabled"], change["actor"]) == ("google", True, "client")


def test_wrong_totp_code_keeps_the_enable_wizard_open(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    wizard = api.get("/api/v2/my/2fa/google/enable/wizard", token=token).json()
    key = wizard["data"]["key"]
    bad = {"uuid": wizard["uuid"], "action": "code", "code": "000000", "key": key}
    if pyotp.TOTP(key).verify("000000", valid_window=1):  # one chance in ~333k
        pytest.skip("000000 happens to be valid now")
    response = api.post("/api/v2/my/2fa/wizard", bad, token=token)
    assert response.status_code == 400
    assert response.json()["message"]
    good = {**bad, "code": pyotp.TOTP(key).now()}
    assert api.post("/api/v2/my/2fa/wizard", good, token=token).status_code == 202


def test_key_other_than_the_wizards_is_400(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    wizard = api.get("/api/v2/my/2fa/google/enable/wizard", token=token).json()
    other = pyotp.random_base32()
    body = {"uuid": wizard["uuid"], "action": "code", "code": pyotp.TOTP(other).now(), "key": other}
    response = api.post("/api/v2/my/2fa/wizard", body, token=token)
    assert response.status_code == 400
    assert "key" in response.json()["message"]


def test_sign_in_with_the_google_key_just_enabled(api: Api, fresh: tuple[Client, str]) -> None:
    client, token = fresh
    key, _ = enable_google(api, token)
    uuid = api.get("/api/v2/my/signin/wizard").json()["uuid"]
    signin = {"uuid": uuid, "email": client.email, "password": credentials.B2CORE_CLIENT_PASSWORD}
    assert api.post("/api/v2/my/signin", signin).json()["workflow"] == "2fa_google_auth"
    response = api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": next_code(key)})
    assert response.status_code == 202


def test_a_totp_code_already_used_is_refused(api: Api, fresh: tuple[Client, str]) -> None:
    client, token = fresh
    wizard = api.get("/api/v2/my/2fa/google/enable/wizard", token=token).json()
    key = wizard["data"]["key"]
    code = pyotp.TOTP(key).now()
    body = {"uuid": wizard["uuid"], "action": "code", "code": code, "key": key}
    assert api.post("/api/v2/my/2fa/wizard", body, token=token).status_code == 202
    uuid = api.get("/api/v2/my/signin/wizard").json()["uuid"]
    signin = {"uuid": uuid, "email": client.email, "password": credentials.B2CORE_CLIENT_PASSWORD}
    api.post("/api/v2/my/signin", signin)

    # The code that enabled the key, replayed within its drift window.
    response = api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": code})

    assert response.status_code == 400


def test_an_older_totp_step_is_refused_after_a_newer_one(
    api: Api, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    key, _ = enable_google(api, token)
    uuid = api.get("/api/v2/my/signin/wizard").json()["uuid"]
    signin = {"uuid": uuid, "email": client.email, "password": credentials.B2CORE_CLIENT_PASSWORD}
    api.post("/api/v2/my/signin", signin)
    newer = api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": next_code(key)})
    assert newer.status_code == 202

    uuid = api.get("/api/v2/my/signin/wizard").json()["uuid"]
    api.post("/api/v2/my/signin", {**signin, "uuid": uuid})
    previous = pyotp.TOTP(key).at(time.time() - 30)
    response = api.post("/api/v2/my/2fa/google", {"uuid": uuid, "code": previous})

    assert response.status_code == 400


def test_disable_google_with_a_totp_code(
    api: Api, admin_token: str, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    key, _ = enable_google(api, token)
    wizard = api.get("/api/v2/my/2fa/google/disable/wizard", token=token).json()
    assert (wizard["workflow"], wizard["done"]) == ("2fa_google", False)
    body = {"uuid": wizard["uuid"], "action": "code", "code": next_code(key)}
    response = api.post("/api/v2/my/2fa/wizard", body, token=token)
    assert response.status_code == 202
    assert response.json()["done"] is True
    history = api.changes_of(admin_token, client)
    assert [(c["isEnabled"], c["actor"]) for c in history] == [(True, "client"), (False, "client")]


def test_enabling_an_enabled_method_is_400(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    enable_google(api, token)
    assert api.get("/api/v2/my/2fa/google/enable/wizard", token=token).status_code == 400


def test_disabling_a_disabled_method_is_400(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    assert api.get("/api/v2/my/2fa/sms/disable/wizard", token=token).status_code == 400


def test_enable_sms_with_the_code_sent_to_the_phone(
    api: Api, admin_token: str, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    wizard = api.get("/api/v2/my/2fa/sms/enable/wizard", token=token).json()
    assert (wizard["workflow"], wizard["data"]) == ("2fa_sms_phone_create", None)
    step = api.post(
        "/api/v2/my/2fa/wizard", {"uuid": wizard["uuid"], "phone": "+35799123456"}, token=token
    )
    assert step.status_code == 200
    body = step.json()
    assert (body["workflow"], body["done"]) == ("phone", False)
    assert body["data"]["recipient"]["phone"] == "+35799123456"
    assert body["data"]["expiredAt"].endswith("Z")
    code = api.last_code(admin_token, phone="+35799123456")
    done = api.post(
        "/api/v2/my/2fa/wizard",
        {"uuid": wizard["uuid"], "action": "code", "code": code},
        token=token,
    )
    assert done.status_code == 202
    [change] = api.changes_of(admin_token, client, **{"filter[provider]": "sms"})
    assert (change["isEnabled"], change["actor"]) == (True, "client")


def test_invalid_phone_is_400(api: Api, fresh: tuple[Client, str]) -> None:
    _, token = fresh
    uuid = api.get("/api/v2/my/2fa/sms/enable/wizard", token=token).json()["uuid"]
    response = api.post("/api/v2/my/2fa/wizard", {"uuid": uuid, "phone": "12"}, token=token)
    assert response.status_code == 400
    assert "phone" in response.json()["errors"]


def test_wrong_sms_code_does_not_enable(
    api: Api, admin_token: str, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    uuid = api.get("/api/v2/my/2fa/sms/enable/wizard", token=token).json()["uuid"]
    api.post("/api/v2/my/2fa/wizard", {"uuid": uuid, "phone": "+447700900999"}, token=token)
    code = api.last_code(admin_token, phone="+447700900999")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = api.post(
        "/api/v2/my/2fa/wizard", {"uuid": uuid, "action": "code", "code": wrong}, token=token
    )
    assert response.status_code == 400
    assert api.get("/api/v2/my/2fa/sms", token=token).json()["isEnabled"] is False
    assert api.changes_of(admin_token, client) == []


def test_disable_sms_with_the_code_sent_by_the_wizard(
    api: Api, admin_token: str, make_client: MakeClient, client_token: ClientToken
) -> None:
    client = make_client()
    token = client_token(client)
    uuid = api.get("/api/v2/my/2fa/sms/enable/wizard", token=token).json()["uuid"]
    api.post("/api/v2/my/2fa/wizard", {"uuid": uuid, "phone": client.phone}, token=token)
    code = api.last_code(admin_token, phone=client.phone)
    api.post("/api/v2/my/2fa/wizard", {"uuid": uuid, "action": "code", "code": code}, token=token)
    wizard = api.get("/api/v2/my/2fa/sms/disable/wizard", token=token).json()
    assert wizard["data"]["recipient"]["phone"] == client.phone
    code = api.last_code(admin_token, phone=client.phone)
    response = api.post(
        "/api/v2/my/2fa/wizard",
        {"uuid": wizard["uuid"], "action": "code", "code": code},
        token=token,
    )
    assert response.status_code == 202
    assert [c["isEnabled"] for c in api.changes_of(admin_token, client)] == [True, False]


def test_another_clients_wizard_is_404(
    api: Api, make_client: MakeClient, client_token: ClientToken
) -> None:
    owner, intruder = make_client(), make_client()
    wizard = api.get("/api/v2/my/2fa/google/enable/wizard", token=client_token(owner)).json()
    key = wizard["data"]["key"]
    body = {"uuid": wizard["uuid"], "action": "code", "code": pyotp.TOTP(key).now(), "key": key}
    assert api.post("/api/v2/my/2fa/wizard", body, token=client_token(intruder)).status_code == 404


def test_my_changes_match_the_back_office(
    api: Api, admin_token: str, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    enable_google(api, token)
    mine = api.get("/api/v2/my/2fa/changes", token=token, sort_by="time", sort_order="desc").json()
    assert mine == {"total": 1, "data": api.changes_of(admin_token, client)}
    change_id = mine["data"][0]["id"]
    detail = api.get(f"/api/v2/my/2fa/changes/{change_id}", token=token)
    assert detail.json() == mine["data"][0]


def test_admin_disable_after_client_enable_shows_both_actors(
    api: Api, admin_token: str, fresh: tuple[Client, str]
) -> None:
    client, token = fresh
    enable_google(api, token)
    api.put(f"/api/v2/clients/{client.id}/2fa/google", {"isEnabled": False}, token=admin_token)
    actors = [c["actor"] for c in api.changes_of(admin_token, client, sort_by="time")]
    assert actors == ["client", f"admin:{credentials.B2CORE_ADMIN_EMAIL}"]
    assert api.get("/api/v2/my/2fa/google", token=token).json()["isEnabled"] is False
