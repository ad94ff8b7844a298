"""Cancel and bulk cancel change a session's status locally: its rollups follow, exactly."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from dashboard.verifications.models import DailyTotal, MirroredSession
from tests.verifications.actions_helpers import form_key, start_pending, start_pendings
from tests.verifications.conftest import user_with_role
from tests.verifications.test_rollups import assert_exact


@pytest.fixture
def operator(client, socket_providers, settings):
    settings.PROVIDER_READ_TIMEOUT = 1.0
    settings.PROVIDER_DEADLINE = 2.0
    settings.BULK_CANCEL_CONCURRENCY = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(user_with_role("otto", "operator"))
    return client


def canceled_total() -> int:
    return sum(DailyTotal.objects.filter(status="canceled").values_list("sessions", flat=True))


@pytest.mark.django_db
def test_a_cancel_moves_the_session_to_the_canceled_rollup(operator, socket_providers):
    session_id = start_pending(operator, socket_providers)
    assert_exact()
    before = canceled_total()
    key = form_key(operator, f"/sessions/{session_id}/cancel/")

    operator.post(
        f"/sessions/{session_id}/cancel/",
        {"reason": "suspected_fraud", "note": "many attempts", "key": key},
    )

    assert MirroredSession.objects.get(pk=session_id).status == "canceled"
    assert canceled_total() == before + 1
    assert_exact()


# The bulk runs on worker threads and the task worker: no test transaction can span them.
@pytest.mark.django_db(transaction=True)
def test_a_bulk_cancel_moves_each_session_to_the_canceled_rollup(operator, socket_providers):
    pending = start_pendings(operator, socket_providers, 4)
    before = canceled_total()
    response = operator.post("/sessions/bulk-cancel/", {"session": pending, "query": ""})
    match = re.search(r"/bulk/(\d+)/", response["Location"])
    assert match
    operator.post(f"/bulk/{match.group(1)}/start/", {"reason": "suspected_fraud", "note": "x"})

    call_command("worker", "--burst", verbosity=0)

    assert set(MirroredSession.objects.filter(pk__in=pending).values_list("status", flat=True)) == {
        "canceled"
    }
    assert canceled_total() == before + 4
    assert_exact()
