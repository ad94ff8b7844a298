"""The control API tests use to steer the sandbox."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from dashboard.sandbox import credentials


@pytest.fixture
def control(sandbox):
    with httpx.Client(
        base_url=sandbox.control_url,
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
    ) as client:
        yield client


@pytest.mark.parametrize("key", ["nothing", credentials.WAVIX_READONLY_API_KEY])
def test_the_control_api_needs_the_full_wavix_key(sandbox, key):
    response = httpx.post(
        sandbox.control_url + "/reset", headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 401


def test_the_clock_offset_moves_the_sandbox_now(control):
    before = datetime.fromisoformat(control.get("/clock").json()["now"])

    moved = control.post("/clock", json={"offset_seconds": 3600}).json()

    assert moved["offset_seconds"] == 3600
    assert 3590 < (datetime.fromisoformat(moved["now"]) - before).total_seconds() < 3700


def test_reset_clears_the_clock_and_the_faults(control, sandbox):
    sandbox.set_clock(99)
    sandbox.set_fault("500")

    control.post("/reset")

    assert control.get("/clock").json()["offset_seconds"] == 0
    assert control.get("/faults").json() == []


def test_a_fault_rule_with_an_unknown_kind_is_refused(control):
    response = control.post("/faults", json={"kind": "gremlins"})

    assert response.status_code == 400
    assert "gremlins" in response.json()["message"]


def test_stored_rules_are_listed_with_their_use_count(control, sandbox):
    rule = sandbox.set_fault("503", path_contains="/events", times=3)

    assert control.get("/faults").json() == [rule]
    assert rule["used"] == 0


def test_the_outbox_of_an_unknown_session_is_a_404(control):
    response = control.get("/outbox", params={"session_id": "0" * 32})

    assert response.status_code == 404


def test_the_outbox_gives_the_code_channel_and_destination(sandbox, start_session):
    session = start_session(to="12015550123", channel="voice")

    sent = sandbox.outbox(session["session_id"])

    assert (sent["channel"], sent["destination"]) == ("voice", "12015550123")
    assert sent["code"].isdigit()
