"""The request id each request and task is served under (logged by dashboard/logs.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from dashboard.audit.trail import request_id
from dashboard.providers.calllog import REQUEST_ID, current_request_id


class RequestIdMiddleware:
    """Serves each request under its id (AUDIT_REQUEST_ID_HEADER's, else a fresh one), the
    id its audit records carry, and answers with it in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = REQUEST_ID.set(request_id(request))
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id(request)
        return response


def serve_task(sender: object, task_result: Any, **kwargs: object) -> None:
    """task_started: a task run outside any request is served under "task-<its id>"."""
    if not current_request_id():
        REQUEST_ID.set(f"task-{task_result.id}")


def end_task(sender: object, task_result: Any, **kwargs: object) -> None:
    """task_finished: the worker's next task gets an id of its own."""
    if current_request_id() == f"task-{task_result.id}":
        REQUEST_ID.set("")
