"""The task queue is real: tasks are enqueued on the database or on RQ and run by a worker."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.core.management import call_command
from django_tasks import TaskResultStatus

from dashboard.management.commands.scheduler import Command as Scheduler
from dashboard.verifications.models import MirroredSession, SyncWindow
from dashboard.verifications.tasks import sync_recent_days

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def database_queue(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def rq_queue(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: the RQ tests need it.")
    # A queue of this test's own, so parallel runs never take each other's jobs.
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {
        "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60},
        queue: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    yield queue
    redis.Redis.from_url(REDIS_URL).delete(f"rq:queue:{queue}")


# Workers close the database connections between tasks: a test transaction cannot span them.
@pytest.mark.django_db(transaction=True)
def test_sync_task_waits_in_the_database_queue_until_a_worker_runs_it(
    database_queue, socket_providers
):
    result = sync_recent_days.enqueue(1)
    status_before = result.status
    assert not SyncWindow.objects.exists()

    call_command("worker", "--burst", verbosity=0)

    result.refresh()
    assert (status_before, result.status) == (TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL)
    assert result.return_value is not None
    assert result.return_value["windows_fetched"] == SyncWindow.objects.count() > 0
    assert result.return_value["sessions"] == MirroredSession.objects.count()


# Workers close the database connections between tasks: a test transaction cannot span them.
@pytest.mark.django_db(transaction=True)
def test_sync_task_runs_on_rq_through_redis(rq_queue, socket_providers):
    task = sync_recent_days.using(queue_name=rq_queue)
    result = task.enqueue(1)
    assert type(task.get_backend()).__name__ == "RQBackend"
    assert not SyncWindow.objects.exists()

    # django-rq's worker, on this test's queue, without forking (the test's transaction).
    call_command(
        "rqworker",
        rq_queue,
        burst=True,
        worker_class="rq.worker.SimpleWorker",
        job_class="django_tasks_rq.backend.Job",
        verbosity=0,
    )

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert SyncWindow.objects.count() > 0


@pytest.mark.django_db
def test_scheduler_enqueues_no_second_sync_while_the_first_is_queued(database_queue):
    scheduler = Scheduler()
    first = scheduler.tick(None, days=2)
    again = scheduler.tick(first, days=2)

    assert again.id == first.id


# Workers close the database connections between tasks: a test transaction cannot span them.
@pytest.mark.django_db(transaction=True)
def test_scheduler_enqueues_the_next_sync_once_the_previous_one_ran(
    database_queue, socket_providers
):
    scheduler = Scheduler()
    first = scheduler.tick(None, days=1)
    call_command("worker", "--burst", verbosity=0)

    second = scheduler.tick(first, days=1)

    assert second.id != first.id
    assert second.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_scheduler_enqueues_again_when_the_queue_forgot_the_previous_sync(database_queue):
    # RQ drops a finished job's record after minutes, and a restarted Redis may lose all.
    from django_tasks_db.models import DBTaskResult

    scheduler = Scheduler()
    first = scheduler.tick(None, days=2)
    DBTaskResult.objects.filter(id=first.id).delete()

    second = scheduler.tick(first, days=2)

    assert second.id != first.id
    assert second.status == TaskResultStatus.READY
