"""sync_clients as a task on the queue, enqueued by the scheduler, run by a real worker."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus

from dashboard.clients.models import ClientChange, ClientSyncState
from dashboard.management.commands.scheduler import Command as Scheduler


@pytest.fixture
def database_queue(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# Workers close the database connections between tasks: a test transaction cannot span them.
@pytest.mark.django_db(transaction=True)
def test_the_scheduled_client_sync_runs_on_a_worker(database_queue, socket_providers):
    scheduler = Scheduler()
    result = scheduler.tick_clients(None)
    assert scheduler.tick_clients(result).id == result.id  # not twice while queued

    call_command("worker", "--burst", verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is not None
    assert result.return_value["changes"] == ClientChange.objects.count() > 0
    assert result.return_value["clients"] == ClientSyncState.objects.count()
    assert result.return_value["failed"] == 0
    assert scheduler.tick_clients(result).id != result.id
