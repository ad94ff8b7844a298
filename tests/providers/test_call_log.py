"""One structured log line per provider call, with the request id and never a secret."""

from __future__ import annotations

import logging
from datetime import date

import httpx
import pytest

from dashboard.providers.b2core import B2CoreClient
from dashboard.providers.calllog import mask_phones, request_id_scope
from dashboard.providers.errors import Rejected, Unavailable
from dashboard.providers.wavix import WavixClient

from .fakes import FakeClock, script

BASE = "https://wavix.test/sandbox/wavix"
KEY = "sk-live-wavix-0123456789abcdef"
SESSION = "2953d4308f2e11ecb75fcdafd6d2d687"
PHONE = "+447911123456"
CODE = "483920"
FIELDS = {"provider", "operation", "method", "status", "duration_ms", "attempts", "outcome"}


def call_lines(caplog):
    return [r for r in caplog.records if r.name == "dashboard.provider_calls"]


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Each record's message and every attribute it carries (what a JSON line would hold)."""
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)


def wavix(server, clock: FakeClock) -> WavixClient:
    return WavixClient(BASE, KEY, transport=server.transport, sleep=clock.sleep, clock=clock)


def test_a_call_logs_one_line_with_its_fields_and_request_id(clock, caplog):
    server = script(httpx.Response(200, json={"success": True, "is_valid": True}))
    caplog.set_level(logging.DEBUG)

    with request_id_scope("req-42"):
        assert wavix(server, clock).check(SESSION, CODE) is True

    [line] = call_lines(caplog)
    assert line.levelno == logging.INFO
    fields = {name: getattr(line, name) for name in FIELDS | {"request_id"}}
    assert fields == {
        "provider": "wavix",
        "operation": "check",
        "method": "POST",
        "status": 200,
        "duration_ms": 0,
        "attempts": 1,
        "outcome": "ok",
        "request_id": "req-42",
    }


def test_no_key_token_code_or_phone_number_reaches_the_log(clock, caplog):
    # Wavix echoes what it was sent in its refusals; the log must not.
    server = script(
        httpx.Response(400, json={"success": False, "message": f"Bad code {CODE} (key {KEY})"}),
        httpx.Response(400, json={"success": False, "message": f"{PHONE} is not a mobile"}),
    )
    caplog.set_level(logging.DEBUG)
    client = wavix(server, clock)

    with pytest.raises(Rejected):
        client.check(SESSION, CODE)
    with pytest.raises(Rejected):
        client.create_verification("a" * 32, PHONE, "sms")

    logged = everything_logged(caplog)
    assert len(call_lines(caplog)) == 2
    for secret in (KEY, f"Bearer {KEY}", CODE, PHONE, PHONE.lstrip("+"), "7911123456"):
        assert secret not in logged
    assert server.requests[1].headers["Authorization"] == f"Bearer {KEY}"


def test_a_b2core_token_never_reaches_the_log(clock, caplog):
    token = "eyJ-b2core-access-token-0123456789"
    server = script(httpx.Response(503, json={"message": f"token {token} is on a bad node"}))
    caplog.set_level(logging.DEBUG)
    client = B2CoreClient(
        "https://b2core.test",
        access_token=token,
        transport=server.transport,
        sleep=clock.sleep,
        clock=clock,
    )

    with pytest.raises(Unavailable):
        client.get_methods(42)

    assert server.requests[0].headers["Authorization"] == f"Bearer {token}"
    assert token not in everything_logged(caplog)
    [line] = call_lines(caplog)
    assert (line.provider, line.operation, line.status) == ("b2core", "get_methods", 503)


def test_a_failed_call_logs_one_warning_naming_the_error_and_its_attempts(clock, caplog):
    server = script(httpx.Response(503), httpx.Response(502), httpx.Response(500))
    caplog.set_level(logging.INFO)

    with pytest.raises(Unavailable):
        wavix(server, clock).list_sessions("a" * 32, date(2024, 1, 1), date(2024, 1, 1))

    [line] = call_lines(caplog)
    assert line.levelno == logging.WARNING
    assert (line.operation, line.status, line.attempts, line.outcome) == (
        "list_sessions",
        500,
        3,
        "Unavailable",
    )
    assert "failed on its side (500)" in line.error
    # The attempts before it are DEBUG only: at INFO a call is one line.
    assert [r.name for r in caplog.records] == ["dashboard.provider_calls"]


def test_a_call_outside_a_request_logs_an_empty_request_id(clock, caplog):
    server = script(httpx.Response(200, json={"success": True}))
    caplog.set_level(logging.INFO)

    wavix(server, clock).cancel(SESSION)

    [line] = call_lines(caplog)
    assert (line.operation, line.method, line.request_id) == ("cancel", "PATCH", "")


def test_phone_like_digits_are_masked_but_their_last_two():
    assert mask_phones(f"no such number {PHONE} today") == "no such number **********56 today"
    assert mask_phones("+44 7911 123-456") == "**********56"
    assert mask_phones("session 123456 of 2024") == "session 123456 of 2024"
