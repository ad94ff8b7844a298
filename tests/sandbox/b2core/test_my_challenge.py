"""2FA challenges: a confirmation token, a code by e-mail, a success token."""

from __future__ import annotations

import pytest

from dashboard.sandbox.b2core.testing import Api, ClientToken, MakeClient

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]


def test_authorized_challenge_trades_the_emailed_code_for_a_success_token(
    api: Api, admin_token: str, make_client: MakeClient, client_token: ClientToken
) -> None:
    client = make_client()
    token = client_token(client)
    started = api.get("/api/v2/my/2fa/challenge", token=token)
    assert started.status_code == 200
    confirmation = started.json()["token"]
    [sent] = api.outbox(admin_token, client_id=client.id)
    assert (sent["channel"], sent["destination"]) == ("email", client.email)
    response = api.post(
        "/api/v2/my/2fa/challenge", {"token": confirmation, "code": sent["code"]}, token=token
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiresAt"}
    assert body["token"] != confirmation


def test_challenge_with_a_wrong_code_is_400(
    api: Api, make_client: MakeClient, client_token: ClientToken
) -> None:
    token = client_token(make_client())
    confirmation = api.get("/api/v2/my/2fa/challenge", token=token).json()["token"]
    response = api.post(
        "/api/v2/my/2fa/challenge", {"token": confirmation, "code": "x"}, token=token
    )
    assert response.status_code == 400


def test_unauthorized_challenge_by_email(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client()
    started = api.get("/api/v2/my/2fa/unauthorized/challenge", email=client.email.upper())
    assert started.status_code == 200
    code = api.last_code(admin_token, client_id=client.id)
    response = api.post(
        "/api/v2/my/2fa/challenge", {"token": started.json()["token"], "code": code}
    )
    assert response.status_code == 200


def test_unauthorized_challenge_does_not_reveal_unknown_emails(api: Api) -> None:
    response = api.get("/api/v2/my/2fa/unauthorized/challenge", email="nobody@test.example")
    assert response.status_code == 200
    assert response.json()["token"]


def test_authorized_challenge_needs_a_token(api: Api) -> None:
    assert api.get("/api/v2/my/2fa/challenge").status_code == 401
