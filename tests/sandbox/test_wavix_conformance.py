"""Every kind of Wavix answer the sandbox gives, checked against the published OpenAPI file.

(The ``wavix`` fixture also checks every response of the other Wavix tests the same way.)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

TODAY = datetime.now(UTC).date()


@pytest.fixture
def plain(sandbox):
    """A client with the full key and no response hook, to look at raw answers."""
    with sandbox.wavix() as client:
        yield client


def _exchanges(plain: httpx.Client, sandbox, service_ids) -> dict[str, httpx.Response]:
    login, payments = service_ids["Acme Login"], service_ids["Acme Payments"]
    created = plain.post(
        "/v1/two-fa/verification",
        json={"service_id": payments, "to": "447400123456", "channel": "sms"},
    )
    sid = created.json()["session_id"]
    resent = plain.post(f"/v1/two-fa/verification/{sid}", json={"channel": "voice"})
    code = sandbox.outbox(sid)["code"]
    with sandbox.wavix("sandbox-wavix-readonly-key") as read_only:
        forbidden = read_only.post(f"/v1/two-fa/verification/{sid}", json={"channel": "sms"})
    canceled = plain.post(
        "/v1/two-fa/verification",
        json={"service_id": login, "to": "12015550123", "channel": "voice"},
    ).json()["session_id"]
    answers = {
        "create 200": created,
        "create 400": plain.post("/v1/two-fa/verification", json={"to": "447400123456"}),
        "create 403": forbidden,
        "resend 200": resent,
        "resend 400": plain.post(f"/v1/two-fa/verification/{sid}", json={}),
        "check 200": plain.post(f"/v1/two-fa/verification/{sid}/check", json={"code": code}),
        "check 400": plain.post(f"/v1/two-fa/verification/{sid}/check", json={"code": code}),
        "cancel 200": plain.patch(f"/v1/two-fa/verification/{canceled}/cancel"),
        "cancel 400": plain.patch(f"/v1/two-fa/verification/{canceled}/cancel"),
        "cancel 404": plain.patch(f"/v1/two-fa/verification/{'0' * 32}/cancel"),
        "events 200": plain.get(f"/v1/two-fa/session/{sid}/events"),
        "events 404": plain.get(f"/v1/two-fa/session/{'0' * 32}/events"),
    }
    for name, (first, last) in {
        "sessions 200": (TODAY - timedelta(89), TODAY),
        "sessions 404": (TODAY + timedelta(10), TODAY + timedelta(11)),
    }.items():
        answers[name] = plain.get(
            f"/v1/two-fa/service/{login}/sessions",
            params={"from": first.isoformat(), "to": last.isoformat()},
        )
    answers["sessions 400"] = plain.get(f"/v1/two-fa/service/{login}/sessions")
    return answers


def test_every_documented_answer_conforms(plain, sandbox, service_ids, spec_errors):
    answers = _exchanges(plain, sandbox, service_ids)

    for name, response in answers.items():
        assert str(response.status_code) == name.split()[1], (name, response.text)
        assert spec_errors(response) == [], name


def test_create_without_number_validation_deviates_only_by_the_missing_lookup(
    plain, service_ids, spec_errors
):
    body = {"service_id": service_ids["Acme Login"], "to": "447400123456", "channel": "sms"}

    response = plain.post("/v1/two-fa/verification", json=body)

    assert spec_errors(response) == ["'number_lookup' is a required property"]


def test_the_checker_rejects_a_response_with_wrong_types(plain, service_ids, spec_errors):
    response = plain.get(
        f"/v1/two-fa/service/{service_ids['Acme Login']}/sessions",
        params={"from": (TODAY - timedelta(89)).isoformat(), "to": TODAY.isoformat()},
        headers={"X-Sandbox-Fault": "wrong-types"},
    )

    assert spec_errors(response) != []
