"""Cancel: a reason, one call, and an unclear answer settled by reading the session back."""

from __future__ import annotations

import pytest

from dashboard.audit.models import AuditRecord
from dashboard.verifications.models import MirroredSession
from tests.verifications.actions_helpers import form_key, start_pending, writes_to
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, socket_providers, settings):
    settings.PROVIDER_READ_TIMEOUT = 1.0
    settings.PROVIDER_DEADLINE = 2.0
    client.force_login(user_with_role("otto", "operator"))
    return client


def _cancel(client, session_id, key, reason="suspected_fraud", note="many attempts"):
    return client.post(
        f"/sessions/{session_id}/cancel/",
        {"reason": reason, "note": note, "key": key},
        follow=True,
    )


def _status_at_sandbox(sandbox, session_id):
    from dashboard.connections import wavix_client

    client = wavix_client()
    services = client.list_services() or []
    for service in services:
        import datetime as dt

        today = dt.datetime.now(dt.UTC).date()
        for session in client.list_sessions(service.service_id, today, today):
            if session.session_id == session_id:
                return session.status
    return None


def test_cancel_confirmation_says_it_is_final(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)

    html = operator.get(f"/sessions/{session_id}/cancel/").content.decode()

    assert "Cancelling is final" in html
    assert "Suspected fraud" in html


def test_cancel_with_a_reason_cancels_once_and_records_it(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")

    page = _cancel(operator, session_id, key)

    html = page.content.decode()
    assert "Canceled." in html
    assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert MirroredSession.objects.get(pk=session_id).status == "canceled"
    entry = AuditRecord.objects.get(action="cancel")
    assert entry.outcome == "success"
    assert entry.reason == "Suspected fraud: many attempts"
    assert 'class="status status-canceled"' in html


def test_a_reason_is_required(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")

    page = _cancel(operator, session_id, key, reason="", note="")

    assert page.status_code == 400
    assert writes_to(socket_providers, session_id, "/cancel") == 0


def test_other_needs_its_details(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")

    page = _cancel(operator, session_id, key, reason="other", note="")

    assert page.status_code == 400
    assert "Say why" in page.content.decode()
    assert writes_to(socket_providers, session_id, "/cancel") == 0


@pytest.mark.parametrize("fault", ["drop", "malformed-json", "wrong-types"])
def test_a_lost_answer_after_wavix_canceled_is_confirmed_by_reading_back(
    operator, socket_providers, fault
):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")
    socket_providers.set_fault(fault, f"/verification/{session_id}/cancel")

    page = _cancel(operator, session_id, key)

    assert "confirmed by reading the session back" in page.content.decode()
    assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert MirroredSession.objects.get(pk=session_id).status == "canceled"
    assert AuditRecord.objects.get(action="cancel").outcome == "success"


# The sandbox answers these before it acts, as a proxy or a crashed handler would.
@pytest.mark.parametrize("fault", ["500", "502-html", "503", "html-200"])
def test_an_error_answer_before_wavix_canceled_reads_back_pending_and_says_not_canceled(
    operator, socket_providers, fault
):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")
    socket_providers.set_fault(fault, f"/verification/{session_id}/cancel")

    page = _cancel(operator, session_id, key)

    assert "Not canceled: the session is still pending" in page.content.decode()
    assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert _status_at_sandbox(socket_providers, session_id) == "pending"
    assert MirroredSession.objects.get(pk=session_id).status == "pending"
    assert AuditRecord.objects.get(action="cancel").outcome == "failed"


def test_a_timeout_with_the_session_still_pending_is_unknown_not_failed(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")
    # The sandbox cancels after 3 s; we stop waiting after 1 s and read back at once.
    socket_providers.set_fault("latency=3", f"/verification/{session_id}/cancel")

    page = _cancel(operator, session_id, key)

    assert "the cancel may still be under way" in page.content.decode()
    assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert AuditRecord.objects.get(action="cancel").outcome == "unknown"


def test_a_read_back_that_fails_too_is_unknown(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")
    socket_providers.set_fault("503", "/v1/two-fa/")  # the cancel and every read after it

    page = _cancel(operator, session_id, key)

    assert "could not be read back" in page.content.decode()
    assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert AuditRecord.objects.get(action="cancel").outcome == "unknown"


def test_cancelling_a_session_that_already_ended_says_so(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")
    code = socket_providers.outbox(session_id)["code"]
    from dashboard.connections import wavix_client

    assert wavix_client().check(session_id, code)  # the user verified meanwhile

    page = _cancel(operator, session_id, key)

    html = page.content.decode()
    assert "already ended as verified" in html or "Nothing to cancel" in html
    assert MirroredSession.objects.get(pk=session_id).status == "verified"


def test_the_same_cancel_form_twice_sends_one_cancel(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    key = form_key(operator, f"/sessions/{session_id}/cancel/")

    _cancel(operator, session_id, key)
    # The mirror says canceled now; an attacker-style replay goes straight to the POST.
    MirroredSession.objects.filter(pk=session_id).update(status="pending")
    second = _cancel(operator, session_id, key)

    assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert "already submitted" in second.content.decode()


def test_ended_session_offers_no_cancel(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    MirroredSession.objects.filter(pk=session_id).update(status="verified")

    page = operator.get(f"/sessions/{session_id}/cancel/", follow=True)

    assert "Nothing to cancel: the session has ended (verified)" in page.content.decode()


def test_auditor_cannot_cancel(client, socket_providers):
    client.force_login(user_with_role("otto", "operator"))
    session_id = start_pending(client, socket_providers)
    client.force_login(user_with_role("aud", "auditor"))

    response = client.post(
        f"/sessions/{session_id}/cancel/", {"reason": "duplicate", "key": "b" * 32}
    )

    assert response.status_code == 403
    assert writes_to(socket_providers, session_id, "/cancel") == 0
