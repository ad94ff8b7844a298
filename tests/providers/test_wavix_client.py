"""WavixClient: wire quirks, tolerant records and the never-retry rules for sends."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from dashboard.providers.errors import BadResponse, NotFound, Rejected, Unavailable
from dashboard.providers.wavix import (
    CODE_LIFETIME,
    MAX_CHECKS,
    MAX_SENDS,
    TERMINAL_STATUSES,
    Session,
    WavixClient,
)

from .fakes import FakeClock, ScriptedServer, script

BASE = "http://127.0.0.1:8000/sandbox/wavix"
KEY = "wavix-test-key-123456"
SERVICE = "7204a030201211ee9fb47d093f2f127c"
SESSION = "2953d4308f2e11ecb75fcdafd6d2d687"


def session_json(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "created_at": "2022-02-16T13:41:38.000Z",
        "session_id": SESSION,
        "phone_number": "447919433768",
        "destination_country": "GB",
        "status": "verified",
        "charge": "0.0840",
        "service_id": SERVICE,
        "service_name": "Wavix 2FA Service",
    }
    row.update(overrides)
    return row


def client_for(server: ScriptedServer, clock: FakeClock) -> WavixClient:
    return WavixClient(BASE, KEY, transport=server.transport, sleep=clock.sleep, clock=clock)


def sessions_of(body: object, clock: FakeClock) -> list[Session]:
    server = script(httpx.Response(200, json=body))
    return list(
        client_for(server, clock).list_sessions(SERVICE, date(2022, 2, 1), date(2022, 2, 28))
    )


def raw_sessions(body: bytes, clock: FakeClock) -> list[Session]:
    server = script(httpx.Response(200, content=body))
    return list(
        client_for(server, clock).list_sessions(SERVICE, date(2022, 2, 1), date(2022, 2, 1))
    )


def test_platform_limits_are_exported() -> None:
    assert timedelta(minutes=5) == CODE_LIFETIME
    assert (MAX_CHECKS, MAX_SENDS) == (5, 5)
    assert {"verified", "expired", "canceled", "failed"} == TERMINAL_STATUSES


def test_list_sessions_sends_bearer_key_and_date_range(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=[session_json()]))
    client_for(server, clock).list_sessions(SERVICE, date(2024, 3, 1), date(2024, 3, 31))
    request = server.requests[0]
    assert request.method == "GET"
    assert request.url.path == f"/sandbox/wavix/v1/two-fa/service/{SERVICE}/sessions"
    assert dict(request.url.params) == {"from": "2024-03-01", "to": "2024-03-31"}
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_list_sessions_reads_every_field(clock: FakeClock) -> None:
    (session,) = sessions_of([session_json()], clock)
    assert session.session_id == SESSION
    assert session.service_name == "Wavix 2FA Service"
    assert session.phone_number == "447919433768"
    assert session.destination_country == "GB"


def test_charge_keeps_decimal_precision(clock: FakeClock) -> None:
    (session,) = sessions_of([session_json(charge="0.0840")], clock)
    assert session.charge == Decimal("0.0840")
    assert str(session.charge) == "0.0840"


def test_numeric_charge_is_read_without_float_error(clock: FakeClock) -> None:
    (session,) = raw_sessions(json.dumps([session_json(charge=0.1)]).encode(), clock)
    assert session.charge == Decimal("0.1")


def test_created_at_is_timezone_aware_utc(clock: FakeClock) -> None:
    (session,) = sessions_of([session_json()], clock)
    assert session.created_at == datetime(2022, 2, 16, 13, 41, 38, tzinfo=UTC)
    assert session.created_at.utcoffset() == timedelta(0)


def test_unknown_status_is_kept(clock: FakeClock) -> None:
    (session,) = sessions_of([session_json(status="undelivered_retrying")], clock)
    assert session.status == "undelivered_retrying"


def test_uppercase_status_is_lowercased(clock: FakeClock) -> None:
    rows = sessions_of([session_json(status="VERIFIED"), session_json(status="pending")], clock)
    assert [row.status for row in rows] == ["verified", "pending"]


def test_unknown_fields_are_ignored(clock: FakeClock) -> None:
    (session,) = sessions_of([session_json(brand_new_field={"x": 1})], clock)
    assert session.session_id == SESSION


def test_empty_range_404_is_an_empty_list(clock: FakeClock) -> None:
    server = script(httpx.Response(404, json={"success": False, "message": "Sessions not found"}))
    assert (
        client_for(server, clock).list_sessions(SERVICE, date(2020, 1, 1), date(2020, 1, 1)) == []
    )
    assert server.calls == 1


def test_other_404_is_not_found(clock: FakeClock) -> None:
    server = script(httpx.Response(404, json={"success": False, "message": "Service not found"}))
    with pytest.raises(NotFound, match="Service not found"):
        client_for(server, clock).list_sessions(SERVICE, date(2020, 1, 1), date(2020, 1, 1))


def test_html_200_is_bad_response(clock: FakeClock) -> None:
    page = b"<!doctype html><html><body>Maintenance</body></html>"
    server = script(httpx.Response(200, content=page, headers={"Content-Type": "text/html"}))
    with pytest.raises(BadResponse) as caught:
        client_for(server, clock).list_sessions(SERVICE, date(2022, 1, 1), date(2022, 1, 1))
    assert str(caught.value) == "Wavix answered HTML instead of JSON (status 200)."


def test_malformed_json_is_bad_response(clock: FakeClock) -> None:
    with pytest.raises(BadResponse, match="malformed JSON"):
        raw_sessions(b'[{"session_id": "abc",', clock)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ([session_json(charge="abc")], "$[0].charge"),
        ([session_json(), session_json(created_at="yesterday")], "$[1].created_at"),
        ([session_json(created_at="2022-02-16T13:41:38")], "$[0].created_at"),
        ([session_json(session_id=12345)], "$[0].session_id"),
        ([{k: v for k, v in session_json().items() if k != "session_id"}], "session_id"),
        ([session_json(charge="NaN")], "$[0].charge"),
        ({"sessions": []}, "array"),
        ("not a list", "array"),
    ],
    ids=[
        "charge-abc",
        "date-garbage",
        "naive-date",
        "int-id",
        "missing-id",
        "nan",
        "object",
        "string",
    ],
)
def test_wrong_types_are_bad_response_naming_the_field(
    clock: FakeClock, body: object, named: str
) -> None:
    with pytest.raises(BadResponse) as caught:
        sessions_of(body, clock)
    assert named in str(caught.value)
    assert str(caught.value).startswith("Wavix sent a sessions list we cannot read")


def test_reads_are_retried_on_503(clock: FakeClock) -> None:
    server = script(httpx.Response(503), httpx.Response(200, json=[session_json()]))
    rows = client_for(server, clock).list_sessions(SERVICE, date(2022, 1, 1), date(2022, 1, 1))
    assert len(rows) == 1
    assert server.calls == 2


def test_list_events_reads_timeline(clock: FakeClock) -> None:
    events = [
        {
            "created_at": "2022-02-16T13:41:38.000Z",
            "event": "Number lookup",
            "status": "success",
            "charge": "0.005",
            "error": None,
        },
        {
            "created_at": "2022-02-16T13:41:39.000Z",
            "event": "Code sent via SMS",
            "status": "Delivered",
            "charge": "0.0790",
            "error": "late",
        },
    ]
    server = script(httpx.Response(200, json=events))
    first, second = client_for(server, clock).list_events(SESSION)
    assert server.requests[0].url.path.endswith(f"/v1/two-fa/session/{SESSION}/events")
    assert (first.event, first.charge, first.error) == ("Number lookup", Decimal("0.005"), None)
    assert (second.status, second.error) == ("delivered", "late")


def test_session_ids_cannot_add_path_segments(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=[]))
    client_for(server, clock).list_events("../../service?x=1")
    assert server.requests[0].url.raw_path.endswith(b"/session/..%2F..%2Fservice%3Fx%3D1/events")


def created_json(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "success": True,
        "service_id": SERVICE,
        "session_url": f"https://api.wavix.com/v1/two-fa/verification/{SESSION}",
        "session_id": SESSION,
        "destination": "447919433768",
        "created_at": "2022-02-16T13:41:38.000Z",
    }
    body.update(overrides)
    return body


LOOKUP = {"number_type": "mobile", "country": "GB", "current_carrier": "Vodafone"}


def test_create_verification_sends_request_and_reads_lookup(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=created_json(number_lookup=LOOKUP)))
    created = client_for(server, clock).create_verification(SERVICE, "447919433768", "SMS")
    assert json.loads(server.requests[0].content) == {
        "service_id": SERVICE,
        "to": "447919433768",
        "channel": "sms",
    }
    assert created.session_id == SESSION
    assert created.number_lookup is not None
    assert created.number_lookup.current_carrier == "Vodafone"


def test_number_lookup_legacy_key(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=created_json(lookup=LOOKUP)))
    created = client_for(server, clock).create_verification(SERVICE, "447919433768", "voice")
    assert created.number_lookup is not None
    assert created.number_lookup.number_type == "mobile"


def test_number_lookup_is_optional(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=created_json()))
    assert client_for(server, clock).create_verification(SERVICE, "44", "sms").number_lookup is None


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(503), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")],
    ids=["503", "timeout", "dropped"],
)
def test_create_is_never_retried(clock: FakeClock, answer: httpx.Response | Exception) -> None:
    server = script(answer, httpx.Response(200, json=created_json()))
    with pytest.raises(Unavailable):
        client_for(server, clock).create_verification(SERVICE, "447919433768", "sms")
    assert server.calls == 1


def test_create_success_false_is_rejected(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json={"success": False, "message": "Unknown service"}))
    with pytest.raises(Rejected, match="Unknown service"):
        client_for(server, clock).create_verification(SERVICE, "447919433768", "sms")


RESENT = {
    "success": True,
    "channel": "Voice",
    "destination": "447919433768",
    "created_at": "2022-02-16T13:41:38.000Z",
}


def test_resend_posts_channel_and_reads_answer(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=RESENT))
    resent = client_for(server, clock).resend(SESSION, "voice")
    assert server.requests[0].url.path.endswith(f"/v1/two-fa/verification/{SESSION}")
    assert json.loads(server.requests[0].content) == {"channel": "voice"}
    assert resent.channel == "voice"
    assert resent.created_at.tzinfo is not None


def test_resend_is_never_retried_after_timeout(clock: FakeClock) -> None:
    server = script(httpx.ReadTimeout("slow"), httpx.Response(200, json=RESENT))
    with pytest.raises(Unavailable):
        client_for(server, clock).resend(SESSION, "sms")
    assert server.calls == 1
    assert clock.sleeps == []


def test_resend_makes_exactly_one_call_on_503(clock: FakeClock) -> None:
    server = script(httpx.Response(503), httpx.Response(200, json=RESENT))
    with pytest.raises(Unavailable):
        client_for(server, clock).resend(SESSION, "sms")
    assert server.calls == 1


def test_resend_refuses_unknown_channel_without_calling(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=RESENT))
    with pytest.raises(ValueError, match="channel"):
        client_for(server, clock).resend(SESSION, "email")
    assert server.calls == 0


@pytest.mark.parametrize("valid", [True, False])
def test_check_returns_is_valid(clock: FakeClock, valid: bool) -> None:
    server = script(httpx.Response(200, json={"is_valid": valid}))
    assert client_for(server, clock).check(SESSION, "123456") is valid
    assert server.requests[0].url.path.endswith(f"/verification/{SESSION}/check")


def test_check_is_not_retried_on_503(clock: FakeClock) -> None:
    server = script(httpx.Response(503), httpx.Response(200, json={"is_valid": True}))
    with pytest.raises(Unavailable):
        client_for(server, clock).check(SESSION, "123456")
    assert server.calls == 1


def test_check_code_absent_from_error_message(clock: FakeClock) -> None:
    body = {"success": False, "message": "Code 987654 has expired"}
    server = script(httpx.Response(400, json=body))
    with pytest.raises(Rejected) as caught:
        client_for(server, clock).check(SESSION, "987654")
    assert "987654" not in str(caught.value)
    assert "expired" in str(caught.value)


def test_cancel_accepts_204_without_body(clock: FakeClock) -> None:
    server = script(httpx.Response(204))
    client_for(server, clock).cancel(SESSION)
    assert server.requests[0].method == "PATCH"
    assert server.requests[0].url.path.endswith(f"/verification/{SESSION}/cancel")


def test_cancel_accepts_200_success(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json={"success": True}))
    client_for(server, clock).cancel(SESSION)
    assert server.calls == 1


def test_cancel_success_false_is_rejected(clock: FakeClock) -> None:
    body = {"success": False, "message": "Two FA session is not canceled"}
    server = script(httpx.Response(200, json=body))
    with pytest.raises(Rejected, match="not canceled"):
        client_for(server, clock).cancel(SESSION)


def test_cancel_is_retried_because_idempotent(clock: FakeClock) -> None:
    server = script(httpx.Response(502), httpx.Response(204))
    client_for(server, clock).cancel(SESSION)
    assert server.calls == 2


def service_page(items: list[dict[str, object]], page: int, pages: int) -> httpx.Response:
    pagination = {"limit": 100, "total": 0, "current_page": page, "total_pages": pages}
    return httpx.Response(200, json={"pagination": pagination, "items": items})


SERVICE_ITEM = {
    "id": 2,
    "uuid": "EEDDCA80-1e7e-11ef-871f-b5f648545118",
    "name": "test",
    "code_length": 4,
    "validation_enabled": False,
    "senderid": "523",
    "created_at": "2024-05-30T12:19:59.000Z",
}


def test_list_services_pages_and_normalises_uuid(clock: FakeClock) -> None:
    second = {**SERVICE_ITEM, "uuid": "5475f7d0-1e7c-11ef-9489-8f650efdd1e0", "name": "Two"}
    server = script(service_page([SERVICE_ITEM], 1, 2), service_page([second], 2, 2))
    services = client_for(server, clock).list_services()
    assert services is not None
    assert [s.service_id for s in services] == [
        "eeddca801e7e11ef871fb5f648545118",
        "5475f7d01e7c11ef94898f650efdd1e0",
    ]
    assert services[0].code_length == 4
    assert services[0].validation_enabled is False
    assert services[0].created_at == datetime(2024, 5, 30, 12, 19, 59, tzinfo=UTC)
    assert [r.url.params["page"] for r in server.requests] == ["1", "2"]


@pytest.mark.parametrize("status", [404, 405])
def test_list_services_is_none_when_the_endpoint_is_missing(clock: FakeClock, status: int) -> None:
    server = script(httpx.Response(status, json={"message": "Not Found"}))
    assert client_for(server, clock).list_services() is None


def test_list_services_stops_at_page_cap_when_pages_never_end(clock: FakeClock) -> None:
    server = script(lambda request: service_page([SERVICE_ITEM] * 100, 1, 10**6))
    services = client_for(server, clock).list_services()
    assert services is not None
    assert server.calls == 50


def test_close_and_context_manager(clock: FakeClock) -> None:
    server = script(httpx.Response(200, json=[]))
    with client_for(server, clock) as client:
        client.list_events(SESSION)
    assert client.http._client.is_closed
