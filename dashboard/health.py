"""/healthz: may a load balancer send this process traffic?

Three checks, each "ok" or a short word for what failed: the default database answers, it
has every migration applied, and the task queue answers (the database queue's table reads;
RQ's Redis answers PING). 200 when all pass, 503 otherwise, as a tiny JSON object that
names no host, user or error text (those go to the log). No provider is called.

Answered by ``HealthzMiddleware``, placed before Django's Host check, the session, CSRF and
the sign-in: a load balancer calls it by the instance's IP address, which ALLOWED_HOSTS
does not (and should not) list, and with no cookie. The body builds no URL from the Host
header, so answering any Host is safe; every other path still has its Host checked. The
SSL redirect is kept off it by SECURE_REDIRECT_EXEMPT (settings), since a load balancer
talks plain HTTP to the instance behind the proxy that ends TLS.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import RQBackend

PATH = "/healthz"
# A Redis that does not answer within this is down as far as a load balancer cares.
REDIS_TIMEOUT_SECONDS = 2.0
MIGRATIONS_OK_SECONDS = 60.0

log = logging.getLogger("dashboard.health")
_redis_lock = threading.Lock()
_redis_clients: dict[str, redis.Redis] = {}
_migrations_ok_until = 0.0


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_migrations() -> str:
    """Every migration of the code on disk recorded as applied in the default database.

    Django's own plan reads every migration file (10-30 ms): once it says "ok" it stays so
    until other code is deployed, in other processes, so a pass is trusted for a minute.
    A failure is never kept: the first check after `migrate` passes.
    """
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return "ok"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} unapplied"
    _migrations_ok_until = time.monotonic() + MIGRATIONS_OK_SECONDS
    return "ok"


def forget() -> None:
    """Check everything afresh next time (tests)."""
    global _migrations_ok_until
    _migrations_ok_until = 0.0


def _redis(url: str) -> redis.Redis:
    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            _redis_clients[url] = client
        return client


def check_tasks() -> str:
    # As object: django-tasks-db's backend does not type-check as django-tasks' base class.
    backend: object = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        DBTaskResult.objects.values_list("pk").first()
    elif isinstance(backend, RQBackend):
        for queue in sorted(backend.queues):
            _redis(settings.RQ_QUEUES[queue]["URL"]).ping()
    elif not isinstance(backend, ImmediateBackend):
        return "unknown backend"
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "tasks": check_tasks,
}
# Checks that cannot run without the database (the database queue's is read in it too).
_NEEDS_DATABASE = ("migrations",)


def run_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name in _NEEDS_DATABASE and results.get("database") != "ok":
            results[name] = "not checked"
            continue
        try:
            results[name] = check()
        except Exception as exc:  # any failure is the answer: the class name goes to the log
            log.warning("healthz: the %s check failed (%s)", name, type(exc).__name__)
            results[name] = "failed"
    return results


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponseBase:
    """200 {"status": "ok", ...} when every check passes, else 503 naming what failed."""
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **results}, status=200 if healthy else 503
    )


class HealthzMiddleware:
    """Answers /healthz itself, before the middleware that would check the Host header,
    load a session or ask for a sign-in (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
