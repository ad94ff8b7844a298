"""The admins' test console: one real send, one check, both audited; the sandbox shows its code."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from dashboard.audit.models import AuditRecord
from dashboard.connections import reset_clients
from dashboard.sandbox.seed import seed_wavix
from tests.verifications.actions_helpers import KEY
from tests.verifications.conftest import user_with_role

# The in-process sandbox answers on its own thread: what the test seeds must be committed.
pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)


@pytest.fixture
def admin(client, settings):
    settings.WAVIX_BASE_URL = ""  # the embedded sandbox, in process
    reset_clients()
    seed_wavix(seed=5, sessions=50, days=1, now=datetime.now(UTC))
    client.force_login(user_with_role("ada", "admin"))
    client.get("/")  # learns the sandbox's services
    yield client
    reset_clients()


def _found(pattern, text):
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found"
    return match.group(1)


def _send(admin, to="+44 7911 123456"):
    page = admin.get("/console/").content.decode()
    service = _found(r'<option value="([0-9a-f]{32})"', page)
    key = _found(KEY, page)
    return (
        admin.post(
            "/console/send/",
            {"service": service, "to": to, "channel": "sms", "key": key},
            follow=True,
        ),
        key,
        service,
    )


def test_send_creates_one_verification_and_shows_the_sandbox_code(admin):
    page, _, _ = _send(admin)

    html = page.content.decode()
    session_id = _found(r"session ([0-9a-f]{32})", html)
    assert re.search(r'sent the code <strong class="code">\d{4,10}</strong>', html)
    entry = AuditRecord.objects.get(action="test_send")
    assert entry.outcome == "success"
    assert entry.targets[0] == session_id
    assert "7911 123456" not in entry.targets[1]  # the number is kept masked


def test_the_same_send_form_twice_sends_once(admin):
    _, key, service = _send(admin)

    again = admin.post(
        "/console/send/",
        {"service": service, "to": "+447911123456", "channel": "sms", "key": key},
        follow=True,
    )

    assert "already submitted" in again.content.decode()
    assert AuditRecord.objects.filter(action="test_send").count() == 1


def test_check_with_the_sent_code_verifies_and_is_audited_without_the_code(admin):
    page, _, _ = _send(admin)
    html = page.content.decode()
    session_id = _found(r"session ([0-9a-f]{32})", html)
    code = _found(r'<strong class="code">(\d+)</strong>', html)

    checked = admin.post("/console/check/", {"session_id": session_id, "code": code}, follow=True)

    assert "The code is valid" in checked.content.decode()
    entry = AuditRecord.objects.get(action="test_check")
    assert (entry.outcome, entry.provider_message) == ("success", "valid")
    assert code not in entry.provider_message + entry.reason + " ".join(entry.targets)


def test_a_wrong_code_is_reported_as_not_valid(admin):
    page, _, _ = _send(admin)
    session_id = _found(r"session ([0-9a-f]{32})", page.content.decode())

    checked = admin.post(
        "/console/check/", {"session_id": session_id, "code": "000000"}, follow=True
    )

    assert "not valid" in checked.content.decode()


def test_a_number_that_is_not_international_is_refused_before_any_call(admin):
    page, _, _ = _send(admin, to="07911 123456")

    assert "international form" in page.content.decode()
    assert not AuditRecord.objects.filter(action="test_send").exists()


def test_an_operator_cannot_use_the_console(client):
    client.force_login(user_with_role("otto", "operator"))

    assert client.get("/console/").status_code == 403
    assert (
        client.post("/console/check/", {"session_id": "a" * 32, "code": "1234"}).status_code == 403
    )
