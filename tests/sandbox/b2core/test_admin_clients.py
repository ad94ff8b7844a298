"""Back Office client list (paging, filters, sort) and a client's 2FA methods."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.sandbox.b2core.models import Client
from dashboard.sandbox.b2core.seed import seed_b2core
from dashboard.sandbox.b2core.testing import Api, MakeClient
from dashboard.sandbox.routers import SANDBOX_DB

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
COUNT = 45


@pytest.fixture
def seeded() -> list[Client]:
    assert seed_b2core(seed=7, clients=COUNT, now=NOW) == COUNT
    return list(Client.objects.using(SANDBOX_DB).order_by("id"))


def clients(api: Api, token: str, **params: Any) -> dict[str, Any]:
    response = api.get("/api/v2/clients", token=token, **params)
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_list_defaults_to_twenty_with_the_full_total(
    api: Api, admin_token: str, seeded: list[Client]
) -> None:
    body = clients(api, admin_token)
    assert body["total"] == COUNT
    assert len(body["data"]) == 20
    first = body["data"][0]
    assert set(first) >= {"id", "email", "name", "createTime"}
    assert first["id"] == seeded[0].id


def test_pages_cover_every_client_once(api: Api, admin_token: str, seeded: list[Client]) -> None:
    seen = []
    for offset in range(0, COUNT, 10):
        seen += [c["id"] for c in clients(api, admin_token, limit=10, offset=offset)["data"]]
    assert seen == [c.id for c in seeded]


def test_offset_past_the_end_is_an_empty_page_with_the_total(
    api: Api, admin_token: str, seeded: list[Client]
) -> None:
    body = clients(api, admin_token, offset=1000)
    assert body == {"total": COUNT, "data": []}


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_limit_outside_one_to_hundred_is_400(api: Api, admin_token: str, limit: str) -> None:
    response = api.get("/api/v2/clients", token=admin_token, limit=limit)
    assert response.status_code == 400
    assert "limit" in response.json()["message"]


def test_limit_of_one_hundred_is_allowed(api: Api, admin_token: str, seeded: list[Client]) -> None:
    assert len(clients(api, admin_token, limit=100)["data"]) == COUNT


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_by_create_time(api: Api, admin_token: str, seeded: list[Client], order: str) -> None:
    body = clients(api, admin_token, sort_by="createTime", sort_order=order, limit=100)
    times = [datetime.fromisoformat(c["createTime"]) for c in body["data"]]
    assert times == sorted(times, reverse=order == "desc")
    assert len(set(times)) > 1


def test_unknown_sort_field_is_400(api: Api, admin_token: str) -> None:
    assert api.get("/api/v2/clients", token=admin_token, sort_by="bogus").status_code == 400


def test_bad_sort_order_is_400(api: Api, admin_token: str) -> None:
    response = api.get("/api/v2/clients", token=admin_token, sort_order="up")
    assert response.status_code == 400


def test_filter_by_client_ids(api: Api, admin_token: str, seeded: list[Client]) -> None:
    wanted = [seeded[3].id, seeded[9].id]
    body = clients(api, admin_token, **{"filter[clientId]": f"{wanted[0]},{wanted[1]}"})
    assert body["total"] == 2
    assert [c["id"] for c in body["data"]] == wanted


def test_non_numeric_client_id_filter_is_400(api: Api, admin_token: str) -> None:
    response = api.get("/api/v2/clients", token=admin_token, **{"filter[clientId]": "x"})
    assert response.status_code == 400


def test_filter_by_email_substring_ignores_case(
    api: Api, admin_token: str, seeded: list[Client]
) -> None:
    target = seeded[5]
    needle = target.email.split("@")[0].upper()
    body = clients(api, admin_token, **{"filter[email]": needle})
    assert [c["id"] for c in body["data"]] == [target.id]


def test_filter_by_name_substring(api: Api, admin_token: str, seeded: list[Client]) -> None:
    last = seeded[0].name.split()[-1]
    expected = [c.id for c in seeded if last.lower() in c.name.lower()]
    body = clients(api, admin_token, limit=100, **{"filter[name]": last.lower()})
    assert body["total"] == len(expected)
    assert [c["id"] for c in body["data"]] == expected


def test_filters_combine(api: Api, admin_token: str, seeded: list[Client]) -> None:
    target = seeded[2]
    params = {"filter[clientId]": str(target.id), "filter[email]": "no-such-address"}
    assert clients(api, admin_token, **params) == {"total": 0, "data": []}


def test_methods_list_both_providers_with_their_state(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client(google=True)
    response = api.get(f"/api/v2/clients/{client.id}/2fa", token=admin_token)
    assert response.status_code == 200
    assert response.json() == {
        "total": 2,
        "data": [
            {"caption": "SMS Confirmation", "isEnabled": False, "name": "sms"},
            {"caption": "Google Authenticator", "isEnabled": True, "name": "google"},
        ],
    }


def test_one_method_by_type_any_case(api: Api, admin_token: str, make_client: MakeClient) -> None:
    client = make_client(sms=True)
    response = api.get(f"/api/v2/clients/{client.id}/2fa/SMS", token=admin_token)
    assert response.status_code == 200
    assert response.json() == {"caption": "SMS Confirmation", "isEnabled": True, "name": "sms"}


def test_unknown_method_type_is_404_with_a_message(
    api: Api, admin_token: str, make_client: MakeClient
) -> None:
    client = make_client()
    response = api.get(f"/api/v2/clients/{client.id}/2fa/email", token=admin_token)
    assert response.status_code == 404
    assert "email" in response.json()["message"]


def test_unknown_client_is_404_with_a_message(api: Api, admin_token: str) -> None:
    response = api.get("/api/v2/clients/999999/2fa", token=admin_token)
    assert response.status_code == 404
    assert "999999" in response.json()["message"]


def test_unknown_path_is_a_json_404(api: Api, admin_token: str) -> None:
    response = api.get("/api/v2/no/such/thing", token=admin_token)
    assert response.status_code == 404
    assert "/api/v2/no/such/thing" in response.json()["message"]
