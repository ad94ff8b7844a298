"""Bulk cancel: preview, a task that sends each cancel once, and a resume after a crash."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboard.audit.models import AuditRecord
from dashboard.audit.trail import Actor
from dashboard.connections import wavix_client
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.actions import bulk
from dashboard.verifications.models import BulkCancel, BulkCancelItem, MirroredSession
from tests.verifications.actions_helpers import start_pendings, writes_to
from tests.verifications.conftest import user_with_role

# Bulk runs use worker threads and the task worker: no test transaction can span them.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator(client, socket_providers, settings):
    settings.BULK_CANCEL_CONCURRENCY = 4
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(user_with_role("otto", "operator"))
    return client


def _draft(operator, session_ids):
    response = operator.post("/sessions/bulk-cancel/", {"session": session_ids, "query": ""})
    assert response.status_code == 302, response.content[:300]
    return _bulk_id(response["Location"])


def _bulk_id(location):
    match = re.search(r"/bulk/(\d+)/", location)
    assert match, location
    return int(match.group(1))


def test_preview_counts_the_pending_ones_and_their_spend(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 3)
    MirroredSession.objects.filter(pk=pending[2]).update(status="verified")

    bulk_id = _draft(operator, pending)
    html = operator.get(f"/bulk/{bulk_id}/").content.decode()

    assert "<strong>3</strong> sessions selected" in html
    assert "<strong>2</strong> still pending" in html
    assert "<strong>1</strong> already ended" in html
    assert "Cancel 2 verifications" in html
    assert not socket_providers.calls("/cancel")


def test_bulk_cancel_runs_on_the_task_queue_and_cancels_each_once(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 6)
    bulk_id = _draft(operator, pending)

    operator.post(f"/bulk/{bulk_id}/start/", {"reason": "suspected_fraud", "note": "burst"})
    assert BulkCancel.objects.get(pk=bulk_id).state == "queued"
    call_command("worker", "--burst", verbosity=0)

    assert BulkCancel.objects.get(pk=bulk_id).state == "done"
    assert set(BulkCancelItem.objects.values_list("state", flat=True)) == {"canceled"}
    for session_id in pending:
        assert writes_to(socket_providers, session_id, "/cancel") == 1
    assert set(MirroredSession.objects.filter(pk__in=pending).values_list("status", flat=True)) == {
        "canceled"
    }
    audit = AuditRecord.objects.filter(action="cancel")
    assert audit.count() == 6
    assert {r.reason for r in audit} == {"Suspected fraud: burst"}
    assert AuditRecord.objects.filter(action="bulk_cancel", outcome="success").count() == 1


def test_a_bulk_starts_once(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 2)
    bulk_id = _draft(operator, pending)

    operator.post(f"/bulk/{bulk_id}/start/", {"reason": "duplicate"})
    second = operator.post(f"/bulk/{bulk_id}/start/", {"reason": "duplicate"}, follow=True)
    call_command("worker", "--burst", verbosity=0)

    assert "started already" in second.content.decode()
    for session_id in pending:
        assert writes_to(socket_providers, session_id, "/cancel") == 1


class _Killed(BaseException):
    """What a worker that dies looks like from inside: nothing after it runs."""


class _DiesAfter(WavixClient):
    """The real client, but the process 'dies' just after sending its Nth cancel."""

    def __init__(self, real: WavixClient, calls: int) -> None:
        self.http = real.http
        self._left = calls

    def cancel(self, session_id: str, *, retry: bool = True) -> None:
        self._left -= 1
        if self._left < 0:
            raise _Killed("the worker is gone")
        super().cancel(session_id, retry=retry)
        if self._left == 0:
            raise _Killed("killed after sending, before storing the answer")


def test_a_run_killed_mid_way_is_resumed_without_a_second_cancel(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 8)
    bulk_id = _draft(operator, pending)
    operator.post(f"/bulk/{bulk_id}/start/", {"reason": "duplicate"})

    with pytest.raises(_Killed):
        bulk.run(bulk_id, _DiesAfter(wavix_client(), 3), concurrency=1)

    states = list(BulkCancelItem.objects.order_by("id").values_list("state", flat=True))
    assert states[:3] == ["canceled", "canceled", "sending"]
    assert set(states[3:]) == {"queued"}
    # The dead run's heartbeat grows old: the scheduler's check finds it and resumes it.
    BulkCancel.objects.filter(pk=bulk_id).update(
        heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert bulk.stale_runs() == [bulk_id]
    assert bulk.run(bulk_id, wavix_client(), concurrency=2)

    for session_id in pending:
        assert writes_to(socket_providers, session_id, "/cancel") == 1
    items = BulkCancelItem.objects.order_by("id")
    assert set(items.values_list("state", flat=True)) == {"canceled"}
    assert "confirmed by reading the session back" in items[2].message
    assert BulkCancel.objects.get(pk=bulk_id).state == "done"


def test_a_live_run_is_not_taken_over(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 2)
    bulk_id = _draft(operator, pending)
    operator.post(f"/bulk/{bulk_id}/start/", {"reason": "duplicate"})
    BulkCancel.objects.filter(pk=bulk_id).update(state="running", heartbeat_at=timezone.now())

    assert not bulk.run(bulk_id, wavix_client(), concurrency=2)
    assert not socket_providers.calls("/cancel")


def test_all_matching_this_filter_is_capped(operator, socket_providers, settings):
    settings.BULK_CANCEL_MAX = 2
    start_pendings(operator, socket_providers, 3)

    response = operator.post(
        "/sessions/bulk-cancel/", {"all": "1", "query": "range=today&status=pending"}, follow=True
    )

    assert "More than 2 sessions match" in response.content.decode()
    assert not BulkCancel.objects.exists()


def test_all_matching_this_filter_takes_the_filtered_sessions(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 3)

    response = operator.post(
        "/sessions/bulk-cancel/", {"all": "1", "query": "range=today&status=pending"}
    )

    bulk_id = _bulk_id(response["Location"])
    chosen = set(BulkCancelItem.objects.filter(bulk_id=bulk_id).values_list("session", flat=True))
    assert set(pending) <= chosen
    assert set(MirroredSession.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {
        "pending"
    }


def test_all_matching_a_filter_says_which_filter_in_words(operator, socket_providers):
    start_pendings(operator, socket_providers, 2)

    response = operator.post(
        "/sessions/bulk-cancel/", {"all": "1", "query": "range=today&status=pending"}
    )

    bulk = BulkCancel.objects.get(pk=_bulk_id(response["Location"]))
    assert re.fullmatch(r"all \d+ matching Today: .+ – now \(UTC\); Pending", bulk.selection)
    html = operator.get(response["Location"]).content.decode()
    assert bulk.selection in html
    assert "Don't cancel: back to the sessions" in html


def test_forged_session_ids_are_refused(operator, socket_providers):
    response = operator.post(
        "/sessions/bulk-cancel/", {"session": ["<script>", "x" * 40]}, follow=True
    )

    assert "by their IDs" in response.content.decode()
    assert not BulkCancel.objects.exists()


def test_outcomes_are_filterable_and_exportable(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 3)
    MirroredSession.objects.filter(pk=pending[0]).update(status="expired")
    bulk_id = _draft(operator, pending)
    operator.post(f"/bulk/{bulk_id}/start/", {"reason": "duplicate"})
    call_command("worker", "--burst", verbosity=0)

    only_final = operator.get(f"/bulk/{bulk_id}/?state=final").content.decode()
    csv = b"".join(operator.get(f"/bulk/{bulk_id}/export.csv").streaming_content).decode()

    assert pending[0] in only_final
    assert pending[1] not in only_final
    assert csv.splitlines()[0] == "session_id,status_before,charge_usd,outcome,message"
    assert len(csv.splitlines()) == 4
    assert f"{pending[1]},pending," in csv


def test_progress_polls_while_running_and_stops_when_done(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 2)
    bulk_id = _draft(operator, pending)
    operator.post(f"/bulk/{bulk_id}/start/", {"reason": "duplicate"})

    queued = operator.get(f"/bulk/{bulk_id}/", headers={"HX-Request": "true"}).content.decode()
    call_command("worker", "--burst", verbosity=0)
    done = operator.get(f"/bulk/{bulk_id}/", headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 1s"' in queued
    # Marked as a poll: a page refreshing itself keeps no sign-in alive (session_limits).
    assert """hx-headers='{"X-Poll": "1"}'""" in queued
    assert 'hx-trigger="every 1s"' not in done
    assert "<strong>Done</strong>" in done


def test_a_viewer_cannot_create_or_read_a_bulk(client, socket_providers):
    client.force_login(user_with_role("vera", "viewer"))
    draft = bulk.create_draft([], Actor(user_id=None, username="x"), "none")

    assert client.post("/sessions/bulk-cancel/", {"session": ["a" * 32]}).status_code == 403
    assert client.get(f"/bulk/{draft.pk}/").status_code == 403
