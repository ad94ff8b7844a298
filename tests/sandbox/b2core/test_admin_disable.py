"""Back Office PUT/PATCH on a method: admins disable (logged once), never enable."""

from __future__ import annotations

import pytest

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.testing import Api, MakeClient

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]
ACTOR = f"admin:{credentials.B2CORE_ADMIN_EMAIL}"


@pytest.mark.parametrize("verb", ["put", "patch"])
def test_disable_answers_the_disabled_method(
    api: Api, admin_token: str, make_client: MakeClient, verb: str
) -> None:
    client = make_client(google=True)
    send = getattr(api, verb)
    response = send(
        f"/api/v2/clients/{client.id}/2fa/google", {"isEnabled": False}, token=admin_token
    )
    assert response.status_code == 200
    assert response.json() == {
        "caption": "Google Authenticator",
        "isEnabled": False,
        "name": "google",
    }
    detail = api.get(f"/api/v2/clients/{client.id}/2fa/google", token=admin_token).json()
    assert detail["isEnabled"] is False


def test_disable_writes_one_change_naming_the_admin(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(sms=True)
    api.put(f"/api/v2/clients/{client.id}/2fa/sms", {"isEnabled": False}, token=admin_token)
    [change] = api.changes_of(admin_token, client)
    assert change["provider"] == "sms"
    assert change["isEnabled"] is False
    assert change["actor"] == ACTOR


def test_disabling_a_disabled_method_is_idempotent(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(sms=True)
    path = f"/api/v2/clients/{client.id}/2fa/sms"
    first = api.put(path, {"isEnabled": False}, token=admin_token)
    second = api.put(path, {"isEnabled": False}, token=admin_token)
    assert first.status_code == second.status_code == 200
    assert second.json()["isEnabled"] is False
    assert len(api.changes_of(admin_token, client)) == 1


def test_disable_leaves_the_other_method_alone(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(google=True, sms=True)
    api.put(f"/api/v2/clients/{client.id}/2fa/google", {"isEnabled": False}, token=admin_token)
    sms = api.get(f"/api/v2/clients/{client.id}/2fa/sms", token=admin_token).json()
    assert sms["isEnabled"] is True


def test_admins_cannot_enable(api: Api, admin_token: str, make_client: MakeClient) -> None:
    client = make_client()
    path = f"/api/v2/clients/{client.id}/2fa/google"
    response = api.put(path, {"isEnabled": True}, token=admin_token)
    assert response.status_code == 422
    assert "client must re-enable" in response.json()["message"]
    assert api.get(path, token=admin_token).json()["isEnabled"] is False
    assert api.changes_of(admin_token, client) == []


def test_update_without_is_enabled_is_400(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(google=True)
    response = api.put(f"/api/v2/clients/{client.id}/2fa/google", {}, token=admin_token)
    assert response.status_code == 400
    assert "isEnabled" in response.json()["message"]


def test_update_with_a_broken_body_is_400(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(google=True)
    response = api.http.put(
        f"{credentials.B2CORE_PREFIX}/api/v2/clients/{client.id}/2fa/google",
        data="{nope",
        content_type="application/json",
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["message"]


def test_disable_needs_a_token(api: Api, make_client: MakeClient) -> None:
    client = make_client(google=True)
    response = api.put(f"/api/v2/clients/{client.id}/2fa/google", {"isEnabled": False})
    assert response.status_code == 401


def test_disable_for_an_unknown_client_is_404(api: Api, admin_token: str) -> None:
    response = api.put("/api/v2/clients/424242/2fa/google", {"isEnabled": False}, token=admin_token)
    assert response.status_code == 404
