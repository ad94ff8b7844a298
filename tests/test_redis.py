"""With REDIS_URL: the cache, the cache's leases and the RQ task queue on a real Redis.

Redis runs at 127.0.0.1:6379 here and on CI. These tests use database 13 under keys of
their own (a prefix, a queue name) and delete them after. Without Redis they are skipped,
except under CI, where a missing Redis fails them (as the PostgreSQL run of `make test`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django_tasks import TaskResultStatus

from dashboard import leases
from dashboard.credentials import problems
from dashboard.providers.errors import TwoFactorRequired
from dashboard.verifications.models import SyncWindow
from dashboard.verifications.tasks import sync_recent_days
from tests.verifications.conftest import socket_providers  # noqa: F401 (the sandbox's URLs)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(scope="module")
def server() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}, and CI is set.")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (not CI: skipped)")
    return client


def delete_matching(server: redis.Redis, pattern: str) -> None:
    for key in server.scan_iter(match=pattern, count=500):
        server.delete(key)


@pytest.fixture
def redis_cache(settings, server) -> Iterator[str]:
    """The default cache on Redis, as settings make it from REDIS_URL, under a fresh prefix."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    # Not cache.clear(): that empties the whole Redis database, other runs' keys too.
    delete_matching(server, f"{prefix}:*")


def test_redis_url_puts_the_cache_and_the_task_queue_on_redis(tmp_path):
    from tests.test_settings import run_python

    result = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.TASKS['default']['BACKEND'], "
        "s.RQ_QUEUES['default']['URL'])",
        tmp_path,
        REDIS_URL="redis://127.0.0.1:6379/5",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django_tasks_rq.RQBackend",
        "redis://127.0.0.1:6379/5",
    ]


def test_the_cache_round_trips_through_redis(redis_cache, server):
    problems.record(TwoFactorRequired("b2core", "B2Core wants a second factor."))

    found = problems.last()

    assert found is not None
    assert (found.two_factor_required, found.message) == (True, "B2Core wants a second factor.")
    assert found.seen_at <= datetime.now(UTC)
    assert server.exists(f"{redis_cache}:1:{problems.CACHE_KEY}")
    problems.record(None)
    assert problems.last() is None


def test_a_lease_on_redis_is_refused_to_another_holder_and_released(redis_cache, server):
    key = f"{redis_cache}:1:lease:job"
    first = leases.take("job", seconds=30)
    assert first is not None
    assert 0 < server.ttl(key) <= 30

    assert leases.take("job", seconds=30) is None
    assert first.release() is True
    assert not server.exists(key)

    second = leases.take("job", seconds=30)
    assert second is not None
    second.release()


def test_a_late_holder_cannot_release_the_next_one_on_redis(redis_cache, server):
    late = leases.take("job", seconds=30)
    assert late is not None
    server.delete(f"{redis_cache}:1:lease:job")  # as if it had expired
    current = leases.take("job", seconds=30)
    assert current is not None

    assert late.release() is False
    assert leases.holder("job") == current.token
    current.release()


def test_two_processes_racing_for_a_lease_get_it_once(redis_cache):
    # Two cache connections stand for two processes: add() is one atomic SET NX on Redis.
    from django.core.cache.backends.redis import RedisCache

    other = RedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache})
    mine = leases.take("job", seconds=30)

    assert mine is not None
    assert other.add("lease:job", 1, timeout=30) is False
    assert cache.get("lease:job") == mine.token
    mine.release()


@pytest.fixture
def rq_queue(settings, server) -> Iterator[str]:
    """TASKS_BACKEND=rq on a queue of this test's own."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {
        "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60},
        queue: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    yield queue
    delete_matching(server, f"rq:*{queue}*")
    server.srem("rq:queues", f"rq:queue:{queue}")


# Workers close the database connections between tasks: a test transaction cannot span them.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("socket_providers")
def test_a_task_enqueued_on_rq_is_run_by_the_worker_command(rq_queue, server):
    task = sync_recent_days.using(queue_name=rq_queue)
    result = task.enqueue(1)
    assert server.llen(f"rq:queue:{rq_queue}") == 1
    assert not SyncWindow.objects.exists()

    # What the Procfile's worker runs, here on this test's queue and without forking.
    call_command("worker", "--burst", "--no-fork", "--queue", rq_queue, verbosity=0)

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value is not None
    assert result.return_value["windows_fetched"] == SyncWindow.objects.count() > 0
    assert server.llen(f"rq:queue:{rq_queue}") == 0
    delete_matching(server, f"rq:*{result.id}*")  # the job and its results
