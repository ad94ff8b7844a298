"""Back Office change history: every filter, sort and page, and one record by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboard.sandbox.b2core.models import Change, Client, Provider
from dashboard.sandbox.b2core.testing import Api, MakeClient
from dashboard.sandbox.routers import SANDBOX_DB

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]
T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def history(make_client: MakeClient) -> Client:
    """Six changes an hour apart: google on/off/on, sms on/off/on."""
    client = make_client(google=True, sms=True)
    plan = [
        (Provider.GOOGLE, True),
        (Provider.SMS, True),
        (Provider.GOOGLE, False),
        (Provider.SMS, False),
        (Provider.GOOGLE, True),
        (Provider.SMS, True),
    ]
    for hour, (provider, enabled) in enumerate(plan):
        Change.objects.using(SANDBOX_DB).create(
            client=client,
            provider=provider,
            is_enabled=enabled,
            time=T0 + timedelta(hours=hour),
            actor="client",
        )
    return client


def changes(api: Api, token: str, client: Client, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/v2/clients/{client.id}/2fa/changes", token=token, **params)
    assert response.status_code == 200, response.content
    return dict(response.json())


def hours(body: dict[str, Any]) -> list[int]:
    return [
        int((datetime.fromisoformat(c["time"]) - T0) / timedelta(hours=1)) for c in body["data"]
    ]


def test_history_in_time_order_with_total(api: Api, admin_token: str, history: Client) -> None:
    body = changes(api, admin_token, history)
    assert body["total"] == 6
    assert hours(body) == [0, 1, 2, 3, 4, 5]
    assert set(body["data"][0]) == {"id", "provider", "isEnabled", "time", "actor"}
    assert body["data"][0]["time"] == "2025-03-01T12:00:00+00:00"


def test_sort_by_time_descending(api: Api, admin_token: str, history: Client) -> None:
    assert hours(changes(api, admin_token, history, sort_by="time", sort_order="desc")) == [
        5,
        4,
        3,
        2,
        1,
        0,
    ]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("0", False), ("FALSE", False)]
)
def test_filter_is_enabled_accepts_digits_and_words(
    api: Api, admin_token: str, history: Client, raw: str, expected: bool
) -> None:
    body = changes(api, admin_token, history, **{"filter[isEnabled]": raw})
    assert body["total"] == (4 if expected else 2)
    assert {c["isEnabled"] for c in body["data"]} == {expected}


def test_empty_is_enabled_filter_means_no_filter(
    api: Api, admin_token: str, history: Client
) -> None:
    assert changes(api, admin_token, history, **{"filter[isEnabled]": ""})["total"] == 6


def test_bad_is_enabled_filter_is_400(api: Api, admin_token: str, history: Client) -> None:
    response = api.get(
        f"/api/v2/clients/{history.id}/2fa/changes",
        token=admin_token,
        **{"filter[isEnabled]": "yes"},
    )
    assert response.status_code == 400


def test_filter_by_provider(api: Api, admin_token: str, history: Client) -> None:
    body = changes(api, admin_token, history, **{"filter[provider]": "sms"})
    assert body["total"] == 3
    assert {c["provider"] for c in body["data"]} == {"sms"}


def test_unknown_provider_filter_is_400(api: Api, admin_token: str, history: Client) -> None:
    response = api.get(
        f"/api/v2/clients/{history.id}/2fa/changes",
        token=admin_token,
        **{"filter[provider]": "fax"},
    )
    assert response.status_code == 400


def test_time_window_is_inclusive_at_both_ends(api: Api, admin_token: str, history: Client) -> None:
    params = {
        "filter[timeFrom]": (T0 + timedelta(hours=1)).isoformat(),
        "filter[timeTo]": (T0 + timedelta(hours=3)).isoformat(),
    }
    body = changes(api, admin_token, history, **params)
    assert body["total"] == 3
    assert hours(body) == [1, 2, 3]


def test_time_filter_honours_the_offset(api: Api, admin_token: str, history: Client) -> None:
    # 15:30+03:00 is 12:30 UTC: only the changes from 13:00 UTC on.
    body = changes(api, admin_token, history, **{"filter[timeFrom]": "2025-03-01T15:30:00+03:00"})
    assert hours(body) == [1, 2, 3, 4, 5]


def test_time_filter_with_an_unencoded_plus(api: Api, admin_token: str, history: Client) -> None:
    # "+00:00" typed into a query string unencoded reaches the server as " 00:00".
    body = changes(api, admin_token, history, **{"filter[timeTo]": "2025-03-01T13:00:00 00:00"})
    assert hours(body) == [0, 1]


def test_bad_time_filter_is_400_naming_it(api: Api, admin_token: str, history: Client) -> None:
    response = api.get(
        f"/api/v2/clients/{history.id}/2fa/changes",
        token=admin_token,
        **{"filter[timeFrom]": "yesterday"},
    )
    assert response.status_code == 400
    assert "timeFrom" in response.json()["message"]


def test_filters_combine_with_paging(api: Api, admin_token: str, history: Client) -> None:
    params = {"filter[isEnabled]": "1", "limit": 2, "offset": 1, "sort_order": "desc"}
    body = changes(api, admin_token, history, **params)
    assert body["total"] == 4
    assert hours(body) == [4, 1]


def test_change_detail(api: Api, admin_token: str, history: Client) -> None:
    first = changes(api, admin_token, history)["data"][0]
    response = api.get(f"/api/v2/clients/{history.id}/2fa/changes/{first['id']}", token=admin_token)
    assert response.status_code == 200
    assert response.json() == first


def test_another_clients_change_is_404(
    api: Api, admin_token: str, history: Client, make_client: MakeClient
) -> None:
    other = make_client()
    change_id = changes(api, admin_token, history)["data"][0]["id"]
    response = api.get(f"/api/v2/clients/{other.id}/2fa/changes/{change_id}", token=admin_token)
    assert response.status_code == 404
    assert "message" in response.json()


def test_changes_of_an_unknown_client_is_404(api: Api, admin_token: str) -> None:
    assert api.get("/api/v2/clients/31337/2fa/changes", token=admin_token).status_code == 404
