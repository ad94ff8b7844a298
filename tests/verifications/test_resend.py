"""Resend: a confirmation, then exactly one call whatever the provider does, audited."""

from __future__ import annotations

from html import unescape

import pytest

from dashboard.audit.models import AuditRecord
from tests.verifications.actions_helpers import form_key, start_pending, start_pendings, writes_to
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, socket_providers, settings):
    settings.PROVIDER_READ_TIMEOUT = 1.0
    settings.PROVIDER_DEADLINE = 2.0
    client.force_login(user_with_role("otto", "operator"))
    return client


def _resend(client, session_id, key, channel="voice", reason="user got no SMS"):
    return client.post(
        f"/sessions/{session_id}/resend/",
        {"channel": channel, "reason": reason, "key": key},
        follow=True,
    )


def test_confirmation_warns_that_earlier_codes_stop_working_and_it_costs_money(
    operator, socket_providers
):
    session_id = start_pending(operator, socket_providers)

    html = operator.get(f"/sessions/{session_id}/resend/?channel=voice").content.decode()

    assert "Every earlier code stops working" in html
    assert "costs money" in html
    assert 'value="voice" checked' in html


def test_resend_by_voice_sends_one_code_and_is_audited(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/resend/?channel=voice")

    page = _resend(operator, session_id, key)

    assert "A new code was sent by voice call" in page.content.decode()
    assert writes_to(socket_providers, session_id) == 1
    assert socket_providers.outbox(session_id)["channel"] == "voice"
    entry = AuditRecord.objects.get(action="resend")
    assert (entry.outcome, entry.actor_username, entry.targets) == ("success", "otto", [session_id])
    assert entry.reason == "voice call: user got no SMS"


# What each fault makes of the one call. A 429 is a refusal before any work (failed); after a
# 5xx, a lost or a garbled answer Wavix may have sent the code (unknown), whatever this
# sandbox happens to do first. Never a second call.
FAULTS = [
    ("500", "unknown"),
    ("502-html", "unknown"),
    ("503", "unknown"),
    ("429=1", "failed"),
    ("html-200", "unknown"),
    ("malformed-json", "unknown"),
    ("wrong-types", "unknown"),
    ("drop", "unknown"),
    ("latency=3", "unknown"),
]


@pytest.mark.parametrize(("fault", "outcome"), FAULTS)
def test_resend_makes_exactly_one_call_under_each_fault(operator, socket_providers, fault, outcome):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/resend/?channel=sms")
    socket_providers.set_fault(fault, f"/verification/{session_id}")

    page = _resend(operator, session_id, key, channel="sms")

    assert page.status_code == 200
    assert writes_to(socket_providers, session_id) == 1
    entry = AuditRecord.objects.get(action="resend")
    assert entry.outcome == outcome
    html = page.content.decode()
    if outcome == "unknown":
        assert "Wavix may have sent a new code" in html
    else:
        assert "No code was sent" in html


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("500", "Wavix failed on its side (500): Internal server error."),
        ("malformed-json", "Wavix answered malformed JSON (status 200)."),
    ],
)
def test_an_unclear_resend_says_what_went_wrong(operator, socket_providers, fault, said):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/resend/?channel=sms")
    socket_providers.set_fault(fault, f"/verification/{session_id}")

    html = unescape(_resend(operator, session_id, key, channel="sms").content.decode())

    assert f"but no clear answer came back: {said} Check the timeline" in html


def test_the_same_form_submitted_twice_makes_one_call(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/resend/")

    _resend(operator, session_id, key)
    second = _resend(operator, session_id, key)

    assert writes_to(socket_providers, session_id) == 1
    html = second.content.decode()
    assert "already submitted; nothing was sent again" in html
    assert "A new code was sent by voice call" in html
    assert AuditRecord.objects.filter(action="resend").count() == 1


def test_a_forged_key_makes_no_call(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)

    page = _resend(operator, session_id, "not-a-key")

    assert "This form has expired" in page.content.decode()
    assert writes_to(socket_providers, session_id) == 0


def test_a_key_from_another_sessions_form_makes_no_call(operator, socket_providers):
    first, second = start_pendings(operator, socket_providers, 2)
    key = form_key(operator, f"/sessions/{first}/resend/")
    _resend(operator, first, key)

    page = _resend(operator, second, key)

    assert "This form has expired" in page.content.decode()
    assert writes_to(socket_providers, second) == 0


def test_a_reason_is_required(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/resend/")

    page = _resend(operator, session_id, key, reason="")

    assert page.status_code == 400
    assert writes_to(socket_providers, session_id) == 0


def test_a_viewer_cannot_resend(client, socket_providers):
    client.force_login(user_with_role("otto", "operator"))
    session_id = start_pending(client, socket_providers)
    client.force_login(user_with_role("vera", "viewer"))

    response = client.post(
        f"/sessions/{session_id}/resend/",
        {"channel": "sms", "reason": "x" * 5, "key": "a" * 32},
    )

    assert response.status_code == 403
    assert writes_to(socket_providers, session_id) == 0


def test_resend_needs_the_csrf_token(socket_providers):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role("otto", "operator"))
    session_id = start_pending(client, socket_providers)

    response = client.post(
        f"/sessions/{session_id}/resend/", {"channel": "sms", "reason": "xyz", "key": "a" * 32}
    )

    assert response.status_code == 403
    assert writes_to(socket_providers, session_id) == 0
