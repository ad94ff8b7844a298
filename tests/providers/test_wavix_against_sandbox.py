"""The real WavixClient against the Wavix sandbox served over a real socket (no mocks).

The sandbox's data is shared by the whole test session, so every test that changes state
creates its own verification. Faults and the clock are reset around each test by ``sandbox``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from dashboard.providers.errors import (
    BadResponse,
    Forbidden,
    ProviderError,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from dashboard.providers.http import Timeouts
from dashboard.providers.wavix import CreatedVerification, WavixClient
from dashboard.sandbox import credentials

if TYPE_CHECKING:
    from tests.conftest import SandboxServer

HEX32 = re.compile(r"[0-9a-f]{32}")
KNOWN_STATUSES = {"pending", "verified", "expired", "canceled", "failed"}
SEEDED_SERVICES = {"Acme Login", "Acme Payments", "Acme Support"}
PHONE = "447919433768"  # a UK mobile number, E.164 digits without "+"

Start = Callable[..., CreatedVerification]


@pytest.fixture
def wavix(sandbox: SandboxServer) -> Iterator[WavixClient]:
    with WavixClient(sandbox.wavix_url, credentials.WAVIX_API_KEY) as client:
        yield client


@pytest.fixture(scope="module")
def service_ids(sandbox_server: SandboxServer) -> dict[str, str]:
    """Seeded service name → service id, learnt through the client itself."""
    with WavixClient(sandbox_server.wavix_url, credentials.WAVIX_API_KEY) as client:
        services = client.list_services()
    assert services is not None
    return {service.name: service.service_id for service in services}


@pytest.fixture
def start(wavix: WavixClient, service_ids: dict[str, str]) -> Start:
    """Create a fresh verification of our own (state-changing tests must not share one)."""

    def create(service: str = "Acme Login", channel: str = "sms") -> CreatedVerification:
        return wavix.create_verification(service_ids[service], PHONE, channel)

    return create


def status_of(wavix: WavixClient, created: CreatedVerification) -> str:
    """A session's status as the sessions list shows it (there is no "get one session")."""
    day = created.created_at.astimezone(UTC).date()
    sessions = wavix.list_sessions(
        created.service_id, day - timedelta(days=1), day + timedelta(days=1)
    )
    return next(s.status for s in sessions if s.session_id == created.session_id)


def other_code(code: str) -> str:
    """A code of the same length that is surely not ``code``."""
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def fault_uses(sandbox: SandboxServer, rule: dict[str, Any]) -> int:
    """How often a stored fault rule has fired (proof that a fault test hit its path)."""
    response = httpx.get(
        sandbox.control_url + "/faults",
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
        timeout=10,
    )
    response.raise_for_status()
    return int(next(r["used"] for r in response.json() if r["id"] == rule["id"]))


# Reads


def test_list_services_gives_the_three_seeded_services(wavix: WavixClient) -> None:
    services = wavix.list_services()

    assert services is not None
    assert len(services) == 3
    assert {s.name for s in services} == SEEDED_SERVICES
    assert all(HEX32.fullmatch(s.service_id) for s in services)


def test_list_sessions_reads_typed_sessions_over_a_range(
    wavix: WavixClient, service_ids: dict[str, str]
) -> None:
    today = datetime.now(UTC).date()

    sessions = wavix.list_sessions(service_ids["Acme Login"], today - timedelta(days=7), today)

    assert sessions
    assert all(isinstance(s.charge, Decimal) for s in sessions)
    assert any(s.charge > 0 for s in sessions)
    assert all(s.created_at.utcoffset() == timedelta(0) for s in sessions)
    assert {s.status for s in sessions} <= KNOWN_STATUSES
    assert {s.service_name for s in sessions} == {"Acme Login"}


def test_a_range_without_sessions_is_an_empty_list(
    wavix: WavixClient, service_ids: dict[str, str]
) -> None:
    # Wavix answers 404 "Sessions not found" here; the client reads it as [].
    assert wavix.list_sessions(service_ids["Acme Login"], date(2001, 1, 1), date(2001, 1, 31)) == []


def test_list_events_gives_a_sessions_events_oldest_first(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start("Acme Payments", "sms")  # number validation on: a lookup comes first
    wavix.check(created.session_id, other_code(sandbox.outbox(created.session_id)["code"]))
    wavix.resend(created.session_id, "voice")

    events = wavix.list_events(created.session_id)

    assert [e.event for e in events] == [
        "Number lookup",
        "Code sent via SMS",
        "Verification",
        "Code sent via voice",
    ]
    assert [e.created_at for e in events] == sorted(e.created_at for e in events)
    assert events[2].status == "failed"


# Verifications


@pytest.mark.parametrize(
    ("service", "channel", "validated"),
    [("Acme Login", "sms", False), ("Acme Payments", "voice", True)],
)
def test_create_verification_sends_a_code(
    start: Start,
    sandbox: SandboxServer,
    service_ids: dict[str, str],
    service: str,
    channel: str,
    validated: bool,
) -> None:
    created = start(service, channel)

    assert HEX32.fullmatch(created.session_id)
    assert created.service_id == service_ids[service]
    assert created.destination == PHONE
    assert created.created_at.tzinfo is not None
    assert sandbox.outbox(created.session_id)["channel"] == channel
    if validated:
        assert created.number_lookup is not None
        assert created.number_lookup.country == "GB"
    else:
        assert created.number_lookup is None


def test_check_with_a_wrong_code_is_false(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()
    wrong = other_code(sandbox.outbox(created.session_id)["code"])

    assert wavix.check(created.session_id, wrong) is False
    assert status_of(wavix, created) == "pending"


def test_check_with_the_sent_code_verifies_the_session(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()

    assert wavix.check(created.session_id, sandbox.outbox(created.session_id)["code"]) is True
    assert status_of(wavix, created) == "verified"


def test_resend_by_voice_invalidates_the_earlier_code(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()
    old = sandbox.outbox(created.session_id)["code"]

    resent = wavix.resend(created.session_id, "voice")
    new = sandbox.outbox(created.session_id)["code"]

    assert resent.channel == "voice"
    assert new != old
    assert wavix.check(created.session_id, old) is False
    assert wavix.check(created.session_id, new) is True


def test_cancel_makes_the_session_list_as_canceled(wavix: WavixClient, start: Start) -> None:
    created = start()

    wavix.cancel(created.session_id)

    assert status_of(wavix, created) == "canceled"


AFTER_CANCEL: dict[str, Callable[[WavixClient, str, str], object]] = {
    "check": lambda wavix, session_id, code: wavix.check(session_id, code),
    "resend": lambda wavix, session_id, code: wavix.resend(session_id, "sms"),
}


@pytest.mark.parametrize("operation", sorted(AFTER_CANCEL))
def test_a_canceled_session_refuses_further_operations_readably(
    wavix: WavixClient, start: Start, sandbox: SandboxServer, operation: str
) -> None:
    created = start()
    code = sandbox.outbox(created.session_id)["code"]
    wavix.cancel(created.session_id)

    with pytest.raises(ProviderError) as raised:
        AFTER_CANCEL[operation](wavix, created.session_id, code)

    message = raised.value.message
    assert message.startswith("Wavix")
    assert "canceled" in message
    assert not any(mark in message for mark in ("{", "<", code))


def test_a_session_whose_code_is_older_than_five_minutes_lists_as_expired(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()

    sandbox.set_clock(301)

    assert status_of(wavix, created) == "expired"


# Keys


def test_read_only_key_cannot_create(sandbox: SandboxServer, service_ids: dict[str, str]) -> None:
    read_only = WavixClient(sandbox.wavix_url, credentials.WAVIX_READONLY_API_KEY)

    with read_only, pytest.raises(Forbidden) as raised:
        read_only.create_verification(service_ids["Acme Login"], PHONE, "sms")

    assert raised.value.status == 403


def test_wrong_key_is_unauthorized_without_echoing_it(sandbox: SandboxServer) -> None:
    key = "not-the-sandbox-key-4711"
    with WavixClient(sandbox.wavix_url, key) as wrong, pytest.raises(Unauthorized) as raised:
        wrong.list_services()
    assert raised.value.status == 401
    assert key not in str(raised.value)


# Faults over the socket


def test_read_is_retried_after_one_503(wavix: WavixClient, sandbox: SandboxServer) -> None:
    rule = sandbox.set_fault("503", "/v1/two-fa/service", times=1)

    services = wavix.list_services()

    assert services is not None
    assert len(services) == 3
    assert fault_uses(sandbox, rule) == 1


def test_resend_is_not_retried_after_503(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()
    sandbox.set_fault("503", f"/verification/{created.session_id}", times=1)

    with pytest.raises(Unavailable) as raised:
        wavix.resend(created.session_id, "sms")
    # A retry would have found the one-shot fault spent and succeeded: one call was made.
    wavix.resend(created.session_id, "sms")

    assert raised.value.status == 503
    assert len(sandbox.outbox(created.session_id)["all_codes"]) == 2  # create + one resend


def test_read_is_retried_after_429_once_retry_after_has_passed(
    wavix: WavixClient, sandbox: SandboxServer
) -> None:
    rule = sandbox.set_fault("429=0.3", "/v1/two-fa/service", times=1)
    started = time.monotonic()

    services = wavix.list_services()

    assert time.monotonic() - started >= 0.3
    assert services is not None
    assert len(services) == 3
    assert fault_uses(sandbox, rule) == 1


def test_429_on_create_is_rate_limited_with_its_retry_after(
    wavix: WavixClient, sandbox: SandboxServer, service_ids: dict[str, str]
) -> None:
    sandbox.set_fault("429=2", "/v1/two-fa/verification", times=1)

    with pytest.raises(RateLimited) as raised:
        wavix.create_verification(service_ids["Acme Login"], PHONE, "sms")

    assert raised.value.retry_after == 2


def test_502_html_is_unavailable_without_html_in_the_message(
    wavix: WavixClient, sandbox: SandboxServer, service_ids: dict[str, str]
) -> None:
    sandbox.set_fault("502-html", "/sessions")
    today = datetime.now(UTC).date()

    with pytest.raises(Unavailable) as raised:
        wavix.list_sessions(service_ids["Acme Login"], today, today)

    assert raised.value.status == 502
    assert not re.search(r"<|html|nginx|bad gateway", raised.value.message, re.IGNORECASE)


def test_html_with_200_is_a_bad_response(wavix: WavixClient, sandbox: SandboxServer) -> None:
    sandbox.set_fault("html-200", "/v1/two-fa/service")

    with pytest.raises(BadResponse, match="HTML instead of JSON"):
        wavix.list_services()


def test_malformed_json_is_a_bad_response(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()
    sandbox.set_fault("malformed-json", "/events")

    with pytest.raises(BadResponse, match="malformed JSON"):
        wavix.list_events(created.session_id)


def test_wrong_types_are_a_bad_response_naming_the_field(
    wavix: WavixClient, sandbox: SandboxServer, service_ids: dict[str, str]
) -> None:
    sandbox.set_fault("wrong-types", "/sessions")
    today = datetime.now(UTC).date()

    with pytest.raises(BadResponse) as raised:
        wavix.list_sessions(service_ids["Acme Login"], today - timedelta(days=7), today)

    assert re.search(r"`\$\[0\]\.(created_at|charge|phone_number)`", raised.value.message)


def test_dropped_connection_is_unavailable_or_bad_response(
    wavix: WavixClient, sandbox: SandboxServer
) -> None:
    rule = sandbox.set_fault("drop", "/v1/two-fa/service")

    with pytest.raises((Unavailable, BadResponse)):
        wavix.list_services()

    assert fault_uses(sandbox, rule) >= 1


def test_dripping_answer_is_cut_off_at_the_deadline(sandbox: SandboxServer) -> None:
    sandbox.set_fault("drip=0.05", "/v1/two-fa/service", times=1)  # ~1 KB: ~50 s in full
    client = WavixClient(
        sandbox.wavix_url, credentials.WAVIX_API_KEY, timeouts=Timeouts(deadline=1.5)
    )
    started = time.monotonic()

    with client, pytest.raises(Unavailable) as raised:
        client.list_services()

    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 3.0
    assert "1.5 s" in raised.value.message


def test_cancel_answered_204_without_a_body_succeeds(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()
    rule = sandbox.set_fault("cancel-204", "/cancel", times=1)

    wavix.cancel(created.session_id)  # returns None (typed so): no body to read, no error

    assert fault_uses(sandbox, rule) == 1
    assert status_of(wavix, created) == "canceled"


def test_cancel_whose_answer_was_lost_still_succeeds(
    wavix: WavixClient, start: Start, sandbox: SandboxServer
) -> None:
    created = start()
    # "drop" runs the real cancel, then cuts the answer: the client retries the PATCH.
    sandbox.set_fault("drop", "/cancel", times=1)

    wavix.cancel(created.session_id)

    assert status_of(wavix, created) == "canceled"
