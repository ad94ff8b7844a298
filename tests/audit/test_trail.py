from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from dashboard.audit.chain import GENESIS, Content, content_hash
from dashboard.audit.models import FAILED, SUCCESS, UNKNOWN, AuditRecord
from dashboard.audit.trail import Actor, actor_from, record
from dashboard.audit.verify import verify
from tests.audit.conftest import ALICE, add

pytestmark = pytest.mark.django_db


def test_records_success_failure_and_unknown_with_everything_said():
    ok = add("resend", ("s1",), outcome=SUCCESS, message="sent")
    bad = add("cancel", ("s2", "s3"), outcome=FAILED, reason="fraud", message="Not canceled")
    unsure = add("resend", ("s4",), outcome=UNKNOWN, message="timed out")
    rows = list(AuditRecord.objects.order_by("id"))
    assert [(r.action, r.outcome, r.first_target) for r in rows] == [
        ("resend", "success", "s1"),
        ("cancel", "failed", "s2"),
        ("resend", "unknown", "s4"),
    ]
    assert rows[1].targets == ["s2", "s3"]
    assert (rows[1].reason, rows[1].provider_message) == ("fraud", "Not canceled")
    assert (rows[0].actor_username, rows[0].client_ip, rows[0].request_id) == (
        "alice",
        "203.0.113.7",
        "req-1",
    )
    assert rows[0].created_at.utcoffset() == dt.timedelta(0)
    assert [r.pk for r in rows] == [ok.pk, bad.pk, unsure.pk]


def test_each_record_chains_to_the_one_before():
    first, second = add(), add()
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    stored = AuditRecord.objects.get(pk=second.pk)
    content = Content(
        stored.created_at,
        stored.actor_username,
        stored.client_ip,
        stored.action,
        stored.targets,
        stored.reason,
        stored.outcome,
        stored.provider_message,
        stored.request_id,
    )
    assert content_hash(content, first.hash) == stored.hash


def test_record_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        record(ALICE, "cancel", ["s1"], outcome=SUCCESS)
    assert not AuditRecord.objects.exists()


def test_record_refuses_unknown_outcomes_and_long_action_codes():
    with pytest.raises(ValueError, match="outcome"):
        add(outcome="maybe")
    with pytest.raises(ValueError, match="short code"):
        add(action="Cancel everything")


def test_nul_characters_are_dropped_so_both_databases_store_the_same_text():
    entry = add(targets=("s\x001",), reason="a\x00b")
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert (stored.targets, stored.reason) == (["s1"], "ab")
    assert verify().broken_id is None


def test_actor_comes_from_the_request_and_the_trusted_proxy_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    user = User.objects.create(username="otto")
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    request.user = user
    actor = actor_from(request)
    assert (actor.user_id, actor.username, actor.client_ip) == (user.pk, "otto", "198.51.100.4")
    assert actor_from(request).request_id == actor.request_id  # one id per request


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    request.user = User.objects.create(username="otto")
    assert actor_from(request).client_ip == "10.0.0.2"


def test_a_forged_request_id_header_is_replaced(settings):
    settings.AUDIT_REQUEST_ID_HEADER = "X-Request-ID"
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="<script>" * 20)
    request.user = User.objects.create(username="otto")
    assert actor_from(request).request_id.isalnum()


def test_deleting_a_user_keeps_their_records_and_the_chain(append_only):
    user = User.objects.create(username="gone")
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.2")
    request.user = user
    entry = add(actor=actor_from(request))
    user.delete()
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_username) == (None, "gone")
    assert verify().broken_id is None


def test_work_done_by_a_task_is_recorded_under_the_tasks_name():
    entry = add("bulk_cancel", ("s1", "s2"), actor=Actor.system("task:bulk_cancel"))
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_username) == (None, "task:bulk_cancel")
    assert len(stored.request_id) == 32
