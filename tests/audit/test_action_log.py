"""One log line per operator action, beside its audit record and only once it is committed."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.test import Client

from dashboard.audit.models import FAILED, AuditRecord
from dashboard.audit.trail import Actor, record
from tests.audit.conftest import add
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db

PHONE = "+447911123456"


def action_lines(caplog):
    return [r for r in caplog.records if r.name == "dashboard.actions"]


def test_an_action_logs_one_line_with_its_code_actor_count_outcome_and_request_id(
    caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        add("cancel", (PHONE, "s2", "s3"), outcome=FAILED, reason="fraud", message="refused")

    [line] = action_lines(caplog)
    assert line.getMessage() == "operator action"
    fields = {k: getattr(line, k) for k in ("action", "actor", "targets", "outcome", "request_id")}
    assert fields == {
        "action": "cancel",
        "actor": "alice",
        "targets": 3,
        "outcome": "failed",
        "request_id": "req-1",
    }
    # Only the count of targets: they may be phone numbers. Nor the reason or the message.
    logged = "\n".join(str(r.__dict__) for r in caplog.records)
    for private in (PHONE, "447911123456", "fraud", "refused"):
        assert private not in logged


def test_an_action_rolled_back_logs_nothing(caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO)

    def cancel_then_fail() -> None:
        with transaction.atomic():
            record(Actor(None, "alice"), "cancel", ["s1"], outcome=FAILED)
            raise ZeroDivisionError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        cancel_then_fail()

    assert action_lines(caplog) == []
    assert not AuditRecord.objects.exists()


def test_a_view_action_logs_the_request_id_it_answers_with(
    caplog, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(user_with_role("alice", "viewer"))
    caplog.set_level(logging.INFO)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/saved-views/sessions/save/", {"name": "Failed", "query": "status=failed"}
        )

    [line] = action_lines(caplog)
    entry = AuditRecord.objects.get()
    assert (line.action, line.actor, line.targets) == ("view.save", "alice", 1)
    assert line.request_id == entry.request_id == response["X-Request-ID"]
