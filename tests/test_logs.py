"""Log lines: plain or JSON (LOG_FORMAT), each with the request id it was written under."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest
from django.test import Client

from dashboard.logs import KeyValueFormatter, RequestIdFilter, logging_config
from dashboard.providers.calllog import current_request_id, request_id_scope
from dashboard.request_ids import end_task, serve_task
from dashboard.verifications import page_sync
from tests.test_settings import run_python

LAYOUT = "%(levelname)s %(name)s %(message)s"


def a_record(**extra):
    record = logging.LogRecord(
        "dashboard.actions", logging.INFO, __file__, 1, "operator action", (), None
    )
    record.__dict__.update(extra)
    return record


def test_plain_lines_carry_the_extra_fields_as_key_value_pairs():
    line = KeyValueFormatter(LAYOUT).format(
        a_record(action="cancel", actor="alice", targets=2, request_id="r-1", error="two words")
    )

    assert line == (
        "INFO dashboard.actions operator action "
        "action=cancel actor=alice targets=2 request_id=r-1 error='two words'"
    )


def test_a_line_without_extra_fields_is_the_standard_one():
    assert KeyValueFormatter(LAYOUT).format(a_record()) == "INFO dashboard.actions operator action"


def test_the_filter_adds_the_request_id_being_served():
    record = a_record()
    with request_id_scope("req-7"):
        RequestIdFilter().filter(record)

    assert record.request_id == "req-7"


def test_log_format_json_writes_one_json_object_a_line(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "from dashboard.providers.calllog import request_id_scope\n"
        "with request_id_scope('req-9'):\n"
        "    logging.getLogger('dashboard.actions').info("
        "'operator action', extra={'action': 'cancel', 'targets': 2})\n"
    )
    result = run_python(code, tmp_path, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines() if text.startswith("{")]
    assert {k: line[k] for k in ("level", "logger", "message", "action", "targets")} == {
        "level": "INFO",
        "logger": "dashboard.actions",
        "message": "operator action",
        "action": "cancel",
        "targets": 2,
    }
    assert line["request_id"] == "req-9"
    assert "time" in line


def test_log_format_defaults_to_plain_lines(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('dashboard.actions').info('operator action', extra={'targets': 2})"
    )
    result = run_python(code, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr.rstrip().endswith("INFO dashboard.actions operator action targets=2")


def test_an_unknown_log_format_is_reported_by_the_check(tmp_path):
    code = "from django.core.management import execute_from_command_line; "
    code += "execute_from_command_line(['manage.py', 'check'])"
    result = run_python(code, tmp_path, LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT: 'xml' is not one of plain, json" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_config_names_its_formatter():
    assert logging_config("json", "INFO")["handlers"]["console"]["formatter"] == "json"


@pytest.mark.django_db
def test_a_request_is_answered_with_the_id_its_proxy_gave(settings):
    settings.AUDIT_REQUEST_ID_HEADER = "X-Request-ID"

    given = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="lb-0123")
    made = Client().get("/accounts/login/")

    assert given["X-Request-ID"] == "lb-0123"
    assert len(made["X-Request-ID"]) == 32
    assert current_request_id() == ""


def test_work_a_page_hands_to_its_pool_keeps_the_request_id():
    with request_id_scope("req-pool"):
        future = page_sync._submit(("test", "request-id"), current_request_id)
    assert future is not None

    assert future.result(timeout=10) == "req-pool"


def test_a_task_run_outside_a_request_is_served_under_its_own_id():
    task_result = SimpleNamespace(id="abc123")

    serve_task(sender=None, task_result=task_result)
    during = current_request_id()
    end_task(sender=None, task_result=task_result)

    assert (during, current_request_id()) == ("task-abc123", "")


def test_a_task_run_inside_a_request_keeps_the_request_id():
    # The immediate backend runs a task in its caller: the caller's id is the one to keep.
    with request_id_scope("req-1"):
        serve_task(sender=None, task_result=SimpleNamespace(id="abc123"))
        assert current_request_id() == "req-1"
