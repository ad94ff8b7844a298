"""The sandbox's verification state machine, driven over a real socket like a real client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest


def check(wavix, session_id: str, code: str):
    return wavix.post(f"/v1/two-fa/verification/{session_id}/check", json={"code": code})


def resend(wavix, session_id: str, channel: str = "sms"):
    return wavix.post(f"/v1/two-fa/verification/{session_id}", json={"channel": channel})


def cancel(wavix, session_id: str):
    return wavix.patch(f"/v1/two-fa/verification/{session_id}/cancel")


def events(wavix, session_id: str) -> list[dict[str, Any]]:
    timeline: list[dict[str, Any]] = wavix.get(f"/v1/two-fa/session/{session_id}/events").json()
    return timeline


def wrong(code: str) -> str:
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def listed_status(wavix, service_id: str, session_id: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    rows = wavix.get(
        f"/v1/two-fa/service/{service_id}/sessions", params={"from": today, "to": today}
    ).json()
    return str(next(row["status"] for row in rows if row["session_id"] == session_id))


def test_the_code_sent_verifies_the_session(wavix, sandbox, start_session, service_ids):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]

    assert check(wavix, session["session_id"], code).json() == {"is_valid": True}
    assert listed_status(wavix, service_ids["Acme Login"], session["session_id"]) == "verified"


def test_a_wrong_code_is_invalid_and_the_session_stays_pending(
    wavix, sandbox, start_session, service_ids
):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]

    assert check(wavix, session["session_id"], wrong(code)).json() == {"is_valid": False}
    assert listed_status(wavix, service_ids["Acme Login"], session["session_id"]) == "pending"


def test_the_code_length_is_the_services(sandbox, start_session):
    session = start_session(service="Acme Support")  # a 4-digit service

    assert len(sandbox.outbox(session["session_id"])["code"]) == 4


def test_a_code_still_works_just_before_five_minutes(wavix, sandbox, start_session):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]
    sandbox.set_clock(290)

    assert check(wavix, session["session_id"], code).json() == {"is_valid": True}


def test_after_five_minutes_the_session_reads_expired_and_refuses_checks(
    wavix, sandbox, start_session, service_ids
):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]
    sandbox.set_clock(301)

    assert listed_status(wavix, service_ids["Acme Login"], session["session_id"]) == "expired"
    response = check(wavix, session["session_id"], code)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "2FA verification session is expired",
    }


def test_an_expired_session_refuses_a_resend(wavix, sandbox, start_session):
    session = start_session()
    sandbox.set_clock(301)

    response = resend(wavix, session["session_id"])

    assert response.status_code == 400
    assert "expired" in response.json()["message"]


def test_a_resend_restarts_the_five_minutes(wavix, sandbox, start_session):
    session = start_session()
    sandbox.set_clock(200)
    assert resend(wavix, session["session_id"]).status_code == 200
    code = sandbox.outbox(session["session_id"])["code"]
    sandbox.set_clock(450)  # 250 s after the resend, 450 s after the first code

    assert check(wavix, session["session_id"], code).json() == {"is_valid": True}


def test_a_resend_invalidates_the_earlier_code(wavix, sandbox, start_session):
    session = start_session()
    first = sandbox.outbox(session["session_id"])["code"]
    answer = resend(wavix, session["session_id"], "voice")
    sent = sandbox.outbox(session["session_id"])
    if sent["code"] == first:
        pytest.skip("the random new code happened to equal the old one")

    assert answer.json()["channel"] == "voice"
    assert sent["all_codes"] == [first, sent["code"]]
    assert check(wavix, session["session_id"], first).json() == {"is_valid": False}
    assert check(wavix, session["session_id"], sent["code"]).json() == {"is_valid": True}


def test_five_checks_are_allowed_and_the_sixth_fails_the_session(
    wavix, sandbox, start_session, service_ids
):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]
    for _ in range(5):
        assert check(wavix, session["session_id"], wrong(code)).json() == {"is_valid": False}

    sixth = check(wavix, session["session_id"], code)

    assert sixth.status_code == 400
    assert "Maximum number of checks" in sixth.json()["message"]
    assert listed_status(wavix, service_ids["Acme Login"], session["session_id"]) == "failed"


def test_the_fifth_check_may_still_be_the_right_code(wavix, sandbox, start_session):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]
    for _ in range(4):
        check(wavix, session["session_id"], wrong(code))

    assert check(wavix, session["session_id"], code).json() == {"is_valid": True}


def test_five_sends_are_allowed_and_the_sixth_fails_the_session(
    wavix, sandbox, start_session, service_ids
):
    session = start_session()  # the first send
    for _ in range(4):
        assert resend(wavix, session["session_id"]).status_code == 200

    sixth = resend(wavix, session["session_id"])

    assert sixth.status_code == 400
    assert "Maximum number of codes sent" in sixth.json()["message"]
    assert listed_status(wavix, service_ids["Acme Login"], session["session_id"]) == "failed"
    assert check(wavix, session["session_id"], "000000").status_code == 400


def test_cancel_answers_success_and_the_session_reads_canceled(wavix, start_session, service_ids):
    session = start_session()

    response = cancel(wavix, session["session_id"])

    assert (response.status_code, response.json()) == (200, {"success": True})
    assert listed_status(wavix, service_ids["Acme Login"], session["session_id"]) == "canceled"


def test_a_canceled_session_refuses_checks_resends_and_a_second_cancel(
    wavix, sandbox, start_session
):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]
    cancel(wavix, session["session_id"])

    for response in (
        check(wavix, session["session_id"], code),
        resend(wavix, session["session_id"]),
        cancel(wavix, session["session_id"]),
    ):
        assert response.status_code == 400
        assert "canceled" in response.json()["message"]


def test_a_verified_session_refuses_further_checks(wavix, sandbox, start_session):
    session = start_session()
    code = sandbox.outbox(session["session_id"])["code"]
    check(wavix, session["session_id"], code)

    response = check(wavix, session["session_id"], code)

    assert response.status_code == 400
    assert "verified" in response.json()["message"]


def test_every_operation_appends_its_event_with_a_charge(wavix, sandbox, start_session):
    session = start_session(service="Acme Payments")  # validates numbers: a lookup first
    code = sandbox.outbox(session["session_id"])["code"]
    resend(wavix, session["session_id"], "voice")
    check(wavix, session["session_id"], code)  # the first code: no longer valid

    timeline = events(wavix, session["session_id"])

    assert [(e["event"], e["status"]) for e in timeline] == [
        ("Number lookup", "success"),
        ("Code sent via SMS", "delivered"),
        ("Code sent via voice", "success"),
        ("Verification", "failed"),
    ]
    assert [e["charge"] for e in timeline] == ["0.0040", "0.0390", "0.0250", "0.0000"]
    assert [e["error"] for e in timeline] == [None, None, None, "Invalid code"]


def test_the_session_charge_is_the_sum_of_its_events(wavix, sandbox, start_session, service_ids):
    session = start_session(service="Acme Payments")
    check(wavix, session["session_id"], sandbox.outbox(session["session_id"])["code"])
    today = datetime.now(UTC).date().isoformat()

    rows = wavix.get(
        f"/v1/two-fa/service/{service_ids['Acme Payments']}/sessions",
        params={"from": today, "to": today},
    ).json()

    row = next(r for r in rows if r["session_id"] == session["session_id"])
    assert row["charge"] == "0.0480"  # lookup 0.0040 + SMS to GB 0.0390 + verified 0.0050


def test_a_service_without_number_validation_logs_no_lookup(wavix, start_session):
    session = start_session(service="Acme Login")

    assert [e["event"] for e in events(wavix, session["session_id"])] == ["Code sent via SMS"]
