"""An operator opens a session from the list, reads it, resends by voice and cancels it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from dashboard.audit.models import AuditRecord
from dashboard.connections import wavix_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pending_session() -> str:
    client = wavix_client()
    login = next(s for s in client.list_services() or [] if s.name == "Acme Login")
    return client.create_verification(login.service_id, "447911123400", "sms").session_id


def test_open_resend_by_voice_then_cancel_with_a_reason(
    live_server, page, socket_providers, screenshot
):
    session_id = _pending_session()
    user = User.objects.create_user("otto", password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    page.goto(
        live_server.url + "/accounts/login/?next=/sessions/%3Frange%3Dtoday%26status%3Dpending"
    )
    page.get_by_label("Username").fill("otto")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    # Open it from the list: a side panel, with the session's own URL.
    page.locator(f'table.sessions a[href="/sessions/{session_id}/"]').click()
    page.locator("#panel .timeline").wait_for()
    page.wait_for_url(re.compile(rf"/sessions/{session_id}/$"))
    assert page.locator("#panel .step-sms").count() == 1
    screenshot("session-panel")

    page.get_by_text("Resend by voice…").click()
    page.get_by_label("Why").fill("user says no SMS arrived")
    assert page.locator("input[name=channel][value=voice]").is_checked()
    page.get_by_role("button", name="Send a new code").click()
    page.get_by_text("A new code was sent by voice call").wait_for()
    assert page.locator("#panel .step-voice").count() == 1

    page.get_by_text("Cancel verification…").click()
    page.get_by_label("Reason").select_option("suspected_fraud")
    page.get_by_label("Details").fill("three services in a minute")
    page.get_by_role("button", name="Cancel the verification").click()
    page.get_by_text("Canceled.").wait_for()
    screenshot("session-panel-canceled")

    assert page.locator("#panel .summary .status").inner_text() == "canceled"
    history = page.locator("#panel table.history tbody tr").all_inner_texts()
    assert len(history) == 2
    assert "cancel" in history[0]
    assert "Suspected fraud" in history[0]
    assert "resend" in history[1]
    assert "voice call" in history[1]
    actions = AuditRecord.objects.exclude(action="sign_in").order_by("id")
    assert list(actions.values_list("action", "outcome")) == [
        ("resend", "success"),
        ("cancel", "success"),
    ]
