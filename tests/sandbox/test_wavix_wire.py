"""Wavix's wire format as the sandbox serves it: auth, errors, lists and their quirks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import phonenumbers
import pytest

from dashboard.sandbox import credentials

ISO_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z")
HEX32 = re.compile(r"[0-9a-f]{32}")
TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(1)


def sessions(client: httpx.Client, service_id: str, first, last) -> httpx.Response:
    return client.get(
        f"/v1/two-fa/service/{service_id}/sessions",
        params={"from": first.isoformat(), "to": last.isoformat()},
    )


@pytest.fixture(scope="module")
def recent_sessions(sandbox_server, service_ids) -> list[dict[str, Any]]:
    """The seeded login service's past days (not today, where other tests create sessions)."""
    with sandbox_server.wavix() as client:
        response = sessions(client, service_ids["Acme Login"], TODAY - timedelta(89), YESTERDAY)
    rows: list[dict[str, Any]] = response.raise_for_status().json()
    return rows


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-key"}, {"Authorization": credentials.WAVIX_API_KEY}],
    ids=["missing", "unknown", "not-bearer"],
)
def test_a_missing_or_unknown_key_is_a_401_with_error_true(sandbox, service_ids, headers):
    url = f"{sandbox.wavix_url}/v1/two-fa/service/{service_ids['Acme Login']}/sessions"

    response = httpx.get(url, params={"from": "2024-01-01", "to": "2024-01-02"}, headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert (body["success"], body["error"]) == (False, True)
    assert body["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/two-fa/verification", {"service_id": "x", "to": "1", "channel": "sms"}),
        ("POST", "/v1/two-fa/verification/" + "a" * 32, {"channel": "sms"}),
        ("POST", "/v1/two-fa/verification/" + "a" * 32 + "/check", {"code": "1"}),
        ("PATCH", "/v1/two-fa/verification/" + "a" * 32 + "/cancel", None),
    ],
    ids=["create", "resend", "check", "cancel"],
)
def test_the_read_only_key_is_forbidden_to_write(sandbox, conforming, method, path, body):
    with sandbox.wavix(credentials.WAVIX_READONLY_API_KEY) as client:
        response = client.request(method, path, json=body)

    assert response.status_code == 403
    assert response.json()["success"] is False
    assert "two_fa:write" in response.json()["message"]
    conforming(response)


def test_the_read_only_key_may_read(sandbox, service_ids):
    with sandbox.wavix(credentials.WAVIX_READONLY_API_KEY) as client:
        response = sessions(client, service_ids["Acme Login"], TODAY - timedelta(89), TODAY)

    assert response.status_code == 200


def test_an_empty_range_is_a_404_sessions_not_found(wavix, service_ids):
    response = sessions(
        wavix, service_ids["Acme Login"], TODAY + timedelta(30), TODAY + timedelta(31)
    )

    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Sessions not found"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"to": "2024-01-01"}, "from"), ({"from": "2024-01-01"}, "to")],
)
def test_a_missing_date_is_a_400_naming_it(wavix, service_ids, params, field):
    response = wavix.get(f"/v1/two-fa/service/{service_ids['Acme Login']}/sessions", params=params)

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": f'Request validation errors: Field "{field}" is required',
    }


@pytest.mark.parametrize("bad", ["2024-1-01", "20240101", "2024-02-30", "yesterday"])
def test_a_malformed_date_is_a_400(wavix, service_ids, bad):
    response = wavix.get(
        f"/v1/two-fa/service/{service_ids['Acme Login']}/sessions",
        params={"from": bad, "to": "2024-03-01"},
    )

    assert response.status_code == 400
    assert 'Field "from"' in response.json()["message"]


def test_an_unknown_service_is_a_400_with_a_message(wavix):
    response = sessions(wavix, "f" * 32, TODAY, TODAY)

    assert response.status_code == 400
    assert "cannot be found" in response.json()["message"]


def test_the_sessions_list_is_a_bare_array_oldest_first(recent_sessions):
    stamps = [row["created_at"] for row in recent_sessions]

    assert len(recent_sessions) > 500
    assert stamps == sorted(stamps)


def test_session_rows_have_exactly_the_documented_fields_and_formats(recent_sessions, service_ids):
    for row in recent_sessions:
        assert set(row) == {
            "created_at", "session_id", "phone_number", "destination_country", "status",
            "charge", "service_id", "service_name",
        }  # fmt: skip
        assert ISO_SECONDS.fullmatch(row["created_at"])
        assert HEX32.fullmatch(row["session_id"])
        assert re.fullmatch(r"\d+\.\d{4}", row["charge"])
        assert row["service_id"] == service_ids["Acme Login"]
        assert row["service_name"] == "Acme Login"


def test_seeded_phone_numbers_are_valid_for_their_country(recent_sessions):
    for row in recent_sessions:
        number = phonenumbers.parse("+" + row["phone_number"])
        assert phonenumbers.is_valid_number(number), row
        assert phonenumbers.region_code_for_number(number) == row["destination_country"]


def test_seeded_statuses_are_mostly_verified_with_every_outcome(recent_sessions):
    statuses = [row["status"] for row in recent_sessions]

    assert statuses.count("verified") / len(statuses) > 0.6
    assert {"verified", "expired", "failed", "canceled"} <= set(statuses)


def test_seeded_data_has_an_sms_pumping_burst(recent_sessions):
    # Many sessions within an hour to one prefix, almost none verified.
    by_prefix_hour: dict[tuple[str, str], list[str]] = {}
    for row in recent_sessions:
        key = (row["phone_number"][:-4], row["created_at"][:13])
        by_prefix_hour.setdefault(key, []).append(row["status"])
    burst = max(by_prefix_hour.values(), key=len)

    assert len(burst) >= 5
    assert burst.count("verified") <= len(burst) // 5


def test_the_range_is_inclusive_of_whole_utc_days(wavix, recent_sessions, service_ids):
    day = recent_sessions[len(recent_sessions) // 2]["created_at"][:10]
    expected = [row for row in recent_sessions if row["created_at"].startswith(day)]

    rows = wavix.get(
        f"/v1/two-fa/service/{service_ids['Acme Login']}/sessions",
        params={"from": day, "to": day},
    ).json()

    assert [row["session_id"] for row in rows] == [row["session_id"] for row in expected]


def test_events_are_a_bare_array_oldest_first(wavix, recent_sessions):
    session_id = recent_sessions[0]["session_id"]

    timeline = wavix.get(f"/v1/two-fa/session/{session_id}/events").json()

    assert timeline
    assert [e["created_at"] for e in timeline] == sorted(e["created_at"] for e in timeline)
    assert all(set(e) == {"created_at", "event", "status", "charge", "error"} for e in timeline)


def test_events_of_an_unknown_session_are_a_404_with_a_message(wavix):
    response = wavix.get(f"/v1/two-fa/session/{'0' * 32}/events")

    assert response.status_code == 404
    assert response.json()["success"] is False
    assert "cannot be found" in response.json()["message"]


def test_create_answers_the_documented_fields(wavix, start_session, service_ids):
    created = start_session(service="Acme Payments", to="447400123456")

    assert created["success"] is True
    assert created["service_id"] == service_ids["Acme Payments"]
    assert HEX32.fullmatch(created["session_id"])
    assert created["session_url"].endswith(
        f"{credentials.WAVIX_PREFIX}/v1/two-fa/verification/{created['session_id']}"
    )
    assert created["destination"] == "447400123456"
    assert created["number_lookup"] == {
        "number_type": "mobile",
        "country": "GB",
        "current_carrier": created["number_lookup"]["current_carrier"],
    }


def test_create_has_no_number_lookup_without_number_validation(start_session):
    assert "number_lookup" not in start_session(service="Acme Login")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"to": "447400123456", "channel": "sms"}, 'Field "service_id" is required'),
        ({"service_id": "SERVICE", "channel": "sms"}, 'Field "to" is required'),
        ({"service_id": "SERVICE", "to": "447400123456"}, 'Field "channel" is required'),
        ({"service_id": "SERVICE", "to": "447400123456", "channel": "fax"}, "sms, voice"),
        ({"service_id": "SERVICE", "to": "+447400123456", "channel": "sms"}, "E.164"),
        ({"service_id": "SERVICE", "to": "44 7400", "channel": "sms"}, "E.164"),
    ],
    ids=["no-service", "no-to", "no-channel", "bad-channel", "plus", "spaces"],
)
def test_create_rejects_a_missing_or_invalid_field(wavix, service_ids, body, message):
    body = {k: service_ids["Acme Login"] if v == "SERVICE" else v for k, v in body.items()}

    response = wavix.post("/v1/two-fa/verification", json=body)

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert message in response.json()["message"]


def test_create_for_an_unknown_service_is_a_400(wavix):
    body = {"service_id": "e" * 32, "to": "447400123456", "channel": "sms"}

    response = wavix.post("/v1/two-fa/verification", json=body)

    assert response.status_code == 400
    assert "cannot be found" in response.json()["message"]


def test_resend_requires_a_known_channel(wavix, start_session):
    session = start_session()

    response = wavix.post(
        f"/v1/two-fa/verification/{session['session_id']}", json={"channel": "carrier-pigeon"}
    )

    assert response.status_code == 400


def test_check_requires_a_code(wavix, start_session):
    session = start_session()

    response = wavix.post(f"/v1/two-fa/verification/{session['session_id']}/check", json={})

    assert response.status_code == 400
    assert response.json()["message"] == 'Request validation errors: Field "code" is required'


def test_cancel_of_an_unknown_session_is_a_404(wavix):
    response = wavix.patch(f"/v1/two-fa/verification/{'0' * 32}/cancel")

    assert response.status_code == 404
    assert "cannot be found" in response.json()["message"]


def test_the_service_list_has_the_2025_10_20_shape(sandbox, service_ids):
    with sandbox.wavix() as client:
        body = client.get("/v1/two-fa/service", params={"page": 1, "per_page": 2}).json()

    assert body["pagination"] == {"limit": 2, "total": 3, "current_page": 1, "total_pages": 2}
    first = body["items"][0]
    assert set(first) == {
        "id", "uuid", "name", "validation_enabled", "failover_enabled", "code_length",
        "senderid", "callerid", "with_shared_sender", "created_at",
    }  # fmt: skip
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", first["uuid"]
    )
    assert first["uuid"].replace("-", "") == service_ids[first["name"]]


def test_an_unknown_wavix_path_answers_json(sandbox):
    with sandbox.wavix() as client:
        response = client.get("/v1/two-fa/nothing-here")

    assert response.status_code == 404
    assert response.json()["success"] is False
