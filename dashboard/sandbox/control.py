"""/sandbox/_control/: how tests steer the sandbox (faults, clock, outbox, reset).

Guarded by the sandbox's full Wavix key, so that only the dashboard's own tests and tools use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import msgspec
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dashboard.sandbox import credentials
from dashboard.sandbox.clock import clock_offset, sandbox_now, set_clock_offset
from dashboard.sandbox.faults import Fault
from dashboard.sandbox.models import FaultRule, OutboxMessage, ReceivedCall
from dashboard.sandbox.outbox import latest_sent_code
from dashboard.sandbox.routers import SANDBOX_DB

View = Callable[[HttpRequest], HttpResponse]


def _json(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        msgspec.json.encode(payload), status=status, content_type="application/json"
    )


def _problem(status: int, message: str) -> HttpResponse:
    return _json({"success": False, "message": message}, status)


def control(*methods: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            if request.headers.get("Authorization", "") != f"Bearer {credentials.WAVIX_API_KEY}":
                return _problem(401, "The control API needs the sandbox's Wavix key")
            if request.method not in methods:
                return _problem(405, f"Use {' or '.join(methods)}")
            return view(request)

        return wrapped

    return decorate


def _body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _rule_json(rule: FaultRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "path_contains": rule.path_contains,
        "times": rule.times,
        "used": rule.used,
    }


@control("GET", "POST", "DELETE")
def faults(request: HttpRequest) -> HttpResponse:
    rules = FaultRule.objects.using(SANDBOX_DB)
    if request.method == "DELETE":
        deleted, _ = rules.all().delete()
        return _json({"deleted": deleted})
    if request.method == "GET":
        return _json([_rule_json(rule) for rule in rules.order_by("id")])
    body = _body(request)
    if body is None:
        return _problem(400, "The body must be a JSON object")
    kind, path_contains, times = (
        body.get("kind"),
        body.get("path_contains", ""),
        body.get("times", 0),
    )
    if not isinstance(kind, str):
        return _problem(400, '"kind" is required')
    try:
        Fault.parse(kind)
    except ValueError as exc:
        return _problem(400, str(exc))
    if not isinstance(path_contains, str):
        return _problem(400, '"path_contains" must be a string')
    if not isinstance(times, int) or isinstance(times, bool) or times < 0:
        return _problem(400, '"times" must be a whole number >= 0 (0 = until cleared)')
    rule = rules.create(kind=kind.strip(), path_contains=path_contains, times=times)
    return _json(_rule_json(rule), 201)


def _clock_json() -> dict[str, Any]:
    return {"offset_seconds": clock_offset(), "now": sandbox_now().isoformat()}


@control("GET", "POST")
def clock(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        body = _body(request)
        offset = None if body is None else body.get("offset_seconds")
        if not isinstance(offset, int | float) or isinstance(offset, bool):
            return _problem(400, '"offset_seconds" (a number) is required')
        set_clock_offset(float(offset))
    return _json(_clock_json())


@control("GET")
def outbox(request: HttpRequest) -> HttpResponse:
    reference = request.GET.get("session_id") or request.GET.get("reference", "")
    if not reference:
        return _problem(400, "Give session_id (or reference)")
    message = latest_sent_code(reference)
    if message is None:
        return _problem(404, f"No code was sent for {reference}")
    codes = (
        OutboxMessage.objects.using(SANDBOX_DB)
        .filter(reference=reference)
        .order_by("id")
        .values_list("code", flat=True)
    )
    return _json(
        {
            "reference": reference,
            "code": message.code,
            "channel": message.channel,
            "destination": message.destination,
            "sent_at": message.sent_at.isoformat(),
            "all_codes": list(codes),
        }
    )


@control("GET")
def calls(request: HttpRequest) -> HttpResponse:
    """The write calls received whose path contains ``path_contains``, oldest first."""
    received = ReceivedCall.objects.using(SANDBOX_DB).filter(
        path__contains=request.GET.get("path_contains", "")
    )
    return _json(
        [
            {"method": c.method, "path": c.path, "received_at": c.received_at.isoformat()}
            for c in received.order_by("id")
        ]
    )


@control("POST")
def reset(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(using=SANDBOX_DB):
        FaultRule.objects.using(SANDBOX_DB).all().delete()
        ReceivedCall.objects.using(SANDBOX_DB).all().delete()
        set_clock_offset(0.0)
    return _json(_clock_json())
