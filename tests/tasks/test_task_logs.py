"""A task's provider calls are logged under the task's own id, on whichever worker runs it."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command

from dashboard.verifications.tasks import sync_recent_days


# Workers close the database connections between tasks: a test transaction cannot span them.
@pytest.mark.django_db(transaction=True)
def test_the_provider_calls_of_a_task_carry_its_id(settings, socket_providers, caplog):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = sync_recent_days.enqueue(1)
    caplog.set_level(logging.INFO, logger="dashboard.provider_calls")

    call_command("worker", "--burst", verbosity=0)

    calls = [r for r in caplog.records if r.name == "dashboard.provider_calls"]
    assert calls, "the sync should have called Wavix"
    assert {r.request_id for r in calls} == {f"task-{result.id}"}
    assert {r.operation for r in calls} >= {"list_services", "list_sessions"}
