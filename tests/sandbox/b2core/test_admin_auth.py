"""Back Office sign-in, refresh, token expiry and sign-in throttling."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.testing import Api, ClientToken, MakeClient, MoveClock

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]

GOOD = {"email": credentials.B2CORE_ADMIN_EMAIL, "password": credentials.B2CORE_ADMIN_PASSWORD}
BAD = {"email": credentials.B2CORE_ADMIN_EMAIL, "password": "wrong"}


def test_signin_returns_a_token_pair_without_2fa(api: Api) -> None:
    response = api.post("/api/v2/signin", GOOD)
    assert response.status_code == 200
    body = response.json()
    assert body["2faRequired"] is False
    access, refresh = body["accessToken"], body["refreshToken"]
    assert access["token"] != refresh["token"]
    lifetime = datetime.fromisoformat(access["expiresAt"]) - datetime.fromisoformat(
        access["createdAt"]
    )
    assert lifetime == timedelta(minutes=15)
    assert access["createdAt"].endswith("+00:00")


def test_wrong_password_is_401_with_a_message(api: Api) -> None:
    response = api.post("/api/v2/signin", BAD)
    assert response.status_code == 401
    assert "Invalid" in response.json()["message"]


def test_missing_email_is_400(api: Api) -> None:
    response = api.post("/api/v2/signin", {"password": "x"})
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_access_token_opens_the_back_office(api: Api, admin_token: str) -> None:
    assert api.get("/api/v2/clients", token=admin_token).status_code == 200


def test_missing_or_unknown_token_is_401(api: Api) -> None:
    assert api.get("/api/v2/clients").status_code == 401
    response = api.get("/api/v2/clients", token="nope")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_access_token_expires_after_fifteen_minutes(
    api: Api, admin_token: str, move_clock: MoveClock
) -> None:
    move_clock(timedelta(minutes=14, seconds=50))
    assert api.get("/api/v2/clients", token=admin_token).status_code == 200
    move_clock(timedelta(minutes=15, seconds=1))
    response = api.get("/api/v2/clients", token=admin_token)
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_refresh_gives_a_working_new_pair(api: Api, move_clock: MoveClock) -> None:
    pair = api.post("/api/v2/signin", GOOD).json()
    move_clock(timedelta(minutes=20))  # the access token is dead by now
    response = api.post("/api/v2/refresh", {"refreshToken": pair["refreshToken"]["token"]})
    assert response.status_code == 200
    fresh = response.json()["accessToken"]["token"]
    assert fresh != pair["accessToken"]["token"]
    assert api.get("/api/v2/clients", token=fresh).status_code == 200


def test_refresh_token_is_spent_once_used(api: Api) -> None:
    refresh = api.post("/api/v2/signin", GOOD).json()["refreshToken"]
    assert api.post("/api/v2/refresh", {"refreshToken": refresh["token"]}).status_code == 200
    assert api.post("/api/v2/refresh", {"refreshToken": refresh["token"]}).status_code == 401


def test_refresh_accepts_the_token_object_as_signin_returned_it(api: Api) -> None:
    refresh = api.post("/api/v2/signin", GOOD).json()["refreshToken"]
    assert api.post("/api/v2/refresh", {"refreshToken": refresh}).status_code == 200


def test_unknown_or_expired_refresh_token_is_401(api: Api, move_clock: MoveClock) -> None:
    assert api.post("/api/v2/refresh", {"refreshToken": "nope"}).status_code == 401
    refresh = api.post("/api/v2/signin", GOOD).json()["refreshToken"]["token"]
    move_clock(timedelta(days=1, seconds=1))
    assert api.post("/api/v2/refresh", {"refreshToken": refresh}).status_code == 401


def test_sixth_failed_attempt_in_a_minute_is_blocked_even_with_the_right_password(api: Api) -> None:
    statuses = [api.post("/api/v2/signin", BAD).status_code for _ in range(5)]
    assert statuses == [401] * 5
    response = api.post("/api/v2/signin", GOOD)
    assert response.status_code == 429
    assert 590 <= int(response["Retry-After"]) <= 600


def test_block_lifts_after_ten_minutes(api: Api, move_clock: MoveClock) -> None:
    for _ in range(5):
        api.post("/api/v2/signin", BAD)
    move_clock(timedelta(minutes=9, seconds=50))
    assert api.post("/api/v2/signin", GOOD).status_code == 429
    move_clock(timedelta(minutes=10, seconds=1))
    assert api.post("/api/v2/signin", GOOD).status_code == 200


def test_failures_spread_over_more_than_a_minute_do_not_block(
    api: Api, move_clock: MoveClock
) -> None:
    for minute in range(6):
        move_clock(timedelta(minutes=minute))
        assert api.post("/api/v2/signin", BAD).status_code == 401
    assert api.post("/api/v2/signin", GOOD).status_code == 200


def test_client_token_does_not_open_the_back_office(
    api: Api, make_client: MakeClient, client_token: ClientToken
) -> None:
    token = client_token(make_client())
    assert api.get("/api/v2/clients", token=token).status_code == 401


def test_wrong_http_method_is_405_with_allow(api: Api) -> None:
    response = api.get("/api/v2/signin")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
