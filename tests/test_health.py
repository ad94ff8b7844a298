"""/healthz: a load balancer's question, answered without sign-in, cookies or data."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from dashboard import health

pytestmark = pytest.mark.django_db

# How a load balancer calls an instance: by its address, which ALLOWED_HOSTS does not list.
BY_IP = "10.0.3.7:8000"


@pytest.fixture(autouse=True)
def _production_hosts(settings):
    settings.ALLOWED_HOSTS = ["dash.example.com"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    health.forget()
    yield
    health.forget()


def healthz(host=BY_IP):
    response = Client().get("/healthz", HTTP_HOST=host)
    return response, json.loads(response.content)


def test_all_checks_pass_with_200_and_a_tiny_json_body():
    response, body = healthz()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == {"status": "ok", "database": "ok", "migrations": "ok", "tasks": "ok"}


def test_it_sets_no_cookie_creates_no_session_and_is_never_cached():
    response, _ = healthz()

    assert not response.cookies
    assert "Set-Cookie" not in response
    assert not Session.objects.exists()
    assert "no-store" in response["Cache-Control"]


def test_any_host_may_ask_while_other_pages_still_refuse_an_unknown_host():
    assert healthz()[0].status_code == 200
    assert Client().get("/accounts/login/", HTTP_HOST=BY_IP).status_code == 400
    assert Client().get("/accounts/login/", HTTP_HOST="dash.example.com").status_code == 200


def test_it_is_exempt_from_the_ssl_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True

    assert healthz("dash.example.com")[0].status_code == 200
    login = Client().get("/accounts/login/", HTTP_HOST="dash.example.com")
    assert (login.status_code, login["Location"]) == (
        301,
        "https://dash.example.com/accounts/login/",
    )


def test_it_answers_head_and_refuses_post():
    assert Client().head("/healthz", HTTP_HOST=BY_IP).status_code == 200
    assert Client().post("/healthz", HTTP_HOST=BY_IP).status_code == 405


def test_a_passed_migrations_check_is_trusted_for_a_while(monkeypatch):
    assert health.check_migrations() == "ok"
    monkeypatch.setattr(health, "MigrationExecutor", None)  # would fail if it were used

    assert health.check_migrations() == "ok"


def test_an_unapplied_migration_answers_503_naming_it():
    # The newest migration of an app, as a deploy that forgot `migrate` would leave it.
    leaf = next(n for n in MigrationLoader(connection).graph.leaf_nodes() if n[0] == "audit")
    MigrationRecorder(connection).record_unapplied(*leaf)

    response, body = healthz()

    assert response.status_code == 503
    assert body == {
        "status": "fail",
        "database": "ok",
        "migrations": "1 unapplied",
        "tasks": "ok",
    }
    # A failure is never kept: the check after `migrate` passes.
    MigrationRecorder(connection).record_applied(*leaf)
    assert healthz()[0].status_code == 200


def test_an_unreachable_rq_redis_answers_503_without_saying_where(settings):
    url = "redis://:s3cret-password@127.0.0.1:1/0"  # nothing listens on port 1
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

    response, body = healthz()

    assert response.status_code == 503
    assert body["tasks"] == "failed"
    assert (body["database"], body["migrations"]) == ("ok", "ok")
    for secret in ("s3cret", "127.0.0.1", "redis://"):
        assert secret not in response.content.decode()


def test_a_database_that_does_not_answer_skips_the_migrations_check(monkeypatch):
    def refused() -> str:
        raise ConnectionRefusedError("could not connect to server at db.internal:5432")

    monkeypatch.setitem(health.CHECKS, "database", refused)

    response, body = healthz()

    assert response.status_code == 503
    assert (body["database"], body["migrations"]) == ("failed", "not checked")
    assert "db.internal" not in response.content.decode()


def test_the_immediate_backend_needs_nothing_to_be_reachable(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    assert healthz()[1]["tasks"] == "ok"
