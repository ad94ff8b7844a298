"""Wavix 2FA's HTTP surface, as specs/wavix-2fa-subset-current-*.yaml describes it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, F, Value, When
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dashboard.sandbox import credentials
from dashboard.sandbox.clock import sandbox_now
from dashboard.sandbox.models import Service, SessionStatus, VerificationSession
from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.wavix import machine
from dashboard.sandbox.wavix.events import render_events
from dashboard.sandbox.wavix.sql import FourDecimals, WireSeconds
from dashboard.sandbox.wavix.wire import (
    error_response,
    iso_ms,
    json_response,
    unauthorized,
    validation_error,
)

View = Callable[..., HttpResponse]
CHANNELS = ("sms", "voice")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def endpoint(method: str, *, write: bool) -> Callable[[View], View]:
    """Method check, then Bearer auth with scopes: the read-only key cannot write."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != method:
                response = error_response(405, f"Method {request.method} is not allowed here")
                response["Allow"] = method
                return response
            scheme, _, key = request.headers.get("Authorization", "").partition(" ")
            key = key.strip()
            if scheme.lower() != "bearer" or key not in (
                credentials.WAVIX_API_KEY,
                credentials.WAVIX_READONLY_API_KEY,
            ):
                return unauthorized()
            if write and key == credentials.WAVIX_READONLY_API_KEY:
                return error_response(403, "The API key does not have the two_fa:write scope")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _json_object(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _required_str(body: dict[str, Any], field: str) -> str | HttpResponse:
    value = body.get(field)
    if value is None or value == "":
        return validation_error(f'Field "{field}" is required')
    if not isinstance(value, str):
        return validation_error(f'Field "{field}" must be a string')
    return value


def _channel(body: dict[str, Any]) -> str | HttpResponse:
    channel = _required_str(body, "channel")
    if isinstance(channel, str) and channel not in CHANNELS:
        return validation_error('Field "channel" must be one of: sms, voice')
    return channel


def _session_url(request: HttpRequest, session_id: str) -> str:
    return request.build_absolute_uri(
        f"{credentials.WAVIX_PREFIX}/v1/two-fa/verification/{session_id}"
    )


@endpoint("POST", write=True)
def create_verification(request: HttpRequest) -> HttpResponse:
    body = _json_object(request)
    if body is None:
        return validation_error("the request body must be a JSON object")
    service_id = _required_str(body, "service_id")
    if isinstance(service_id, HttpResponse):
        return service_id
    to = _required_str(body, "to")
    if isinstance(to, HttpResponse):
        return to
    channel = _channel(body)
    if isinstance(channel, HttpResponse):
        return channel
    number = machine.parse_destination(to)
    if number is None:
        return validation_error('Field "to" must be a phone number in E.164 format (digits only)')
    service = Service.objects.using(SANDBOX_DB).filter(service_id=service_id).first()
    if service is None:
        return error_response(400, f"2FA service with ID={service_id} cannot be found")
    session, found = machine.create(service, number, to, channel, sandbox_now())
    payload: dict[str, Any] = {
        "success": True,
        "service_id": service.service_id,
        "session_url": _session_url(request, session.session_id),
        "session_id": session.session_id,
        "destination": session.phone_number,
        "created_at": iso_ms(session.created_at),
    }
    if found is not None:
        payload["number_lookup"] = {
            "number_type": found.number_type,
            "country": found.country,
            "current_carrier": found.current_carrier,
        }
    return json_response(payload)


@endpoint("POST", write=True)
def resend_code(request: HttpRequest, session_id: str) -> HttpResponse:
    body = _json_object(request)
    if body is None:
        return validation_error("the request body must be a JSON object")
    channel = _channel(body)
    if isinstance(channel, HttpResponse):
        return channel
    try:
        session = machine.resend(session_id, channel, sandbox_now())
    except machine.Refused as refused:
        return error_response(refused.status, refused.message)
    return json_response(
        {
            "success": True,
            "channel": channel,
            "destination": session.phone_number,
            "created_at": iso_ms(session.code_sent_at),
        }
    )


@endpoint("POST", write=True)
def check_code(request: HttpRequest, session_id: str) -> HttpResponse:
    body = _json_object(request)
    if body is None:
        return validation_error("the request body must be a JSON object")
    code = _required_str(body, "code")
    if isinstance(code, HttpResponse):
        return code
    try:
        valid = machine.check(session_id, code, sandbox_now())
    except machine.Refused as refused:
        return error_response(refused.status, refused.message)
    return json_response({"is_valid": valid})


@endpoint("PATCH", write=True)
def cancel_verification(request: HttpRequest, session_id: str) -> HttpResponse:
    try:
        machine.cancel(session_id, sandbox_now())
    except machine.Refused as refused:
        return error_response(refused.status, refused.message)
    if getattr(settings, "SANDBOX_WAVIX_CANCEL_204", False):
        # The older guide's variant (no body); the "cancel-204" fault selects it per call.
        return HttpResponse(status=204)
    return json_response({"success": True})


@endpoint("GET", write=False)
def session_events(request: HttpRequest, session_id: str) -> HttpResponse:
    stored = (
        VerificationSession.objects.using(SANDBOX_DB)
        .filter(session_id=session_id)
        .values_list("events", flat=True)
        .first()
    )
    if stored is None:
        return error_response(404, machine.not_found_message(session_id))
    return json_response(render_events(stored))


def _day(request: HttpRequest, field: str) -> date | HttpResponse:
    raw = request.GET.get(field, "")
    if not raw:
        return validation_error(f'Field "{field}" is required')
    try:
        # fromisoformat alone would also take "20240131"; the wire format is YYYY-MM-DD only.
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        return validation_error(f'Field "{field}" must be a date in YYYY-MM-DD format')


@endpoint("GET", write=False)
def service_sessions(request: HttpRequest, service_id: str) -> HttpResponse:
    first = _day(request, "from")
    if isinstance(first, HttpResponse):
        return first
    last = _day(request, "to")
    if isinstance(last, HttpResponse):
        return last
    if last < first:
        return validation_error('Field "to" must not be before "from"')
    service = (
        Service.objects.using(SANDBOX_DB)
        .filter(service_id=service_id)
        .values_list("pk", "name")
        .first()
    )
    if service is None:
        return error_response(400, f"2FA service with ID={service_id} cannot be found")
    service_pk, service_name = service
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last, time(), UTC) + timedelta(days=1)
    # A pending session whose code has expired reads as expired: decided in SQL, per row.
    status = Case(
        When(
            status=SessionStatus.PENDING,
            code_expires_at__lte=sandbox_now(),
            then=Value(SessionStatus.EXPIRED.value),
        ),
        default=F("status"),
        output_field=CharField(),
    )
    rows = (
        VerificationSession.objects.using(SANDBOX_DB)
        .filter(service_id=service_pk, created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
        .values_list(
            WireSeconds("created_at"),
            "session_id",
            "phone_number",
            "destination_country",
            status,
            FourDecimals("charge"),
        )
    )
    # Text straight from SQL into dicts, one pass: no model instances, no converters (a day
    # can hold ~35k sessions).
    payload = [
        {
            "created_at": created,
            "session_id": session_id,
            "phone_number": phone,
            "destination_country": country,
            "status": row_status,
            "charge": charge,
            "service_id": service_id,
            "service_name": service_name,
        }
        for created, session_id, phone, country, row_status, charge in rows.iterator(
            chunk_size=5000
        )
    ]
    if not payload:
        return error_response(404, "Sessions not found")
    return json_response(payload)


def _positive_int(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


@endpoint("GET", write=False)
def service_list(request: HttpRequest) -> HttpResponse:
    """The 2025-10-20 service list (absent from the current contract; clients probe it)."""
    page = _positive_int(request.GET.get("page"), 1)
    per_page = min(_positive_int(request.GET.get("per_page"), 25), 100)
    services = Service.objects.using(SANDBOX_DB).order_by("id")
    if search := request.GET.get("search", "").strip():
        services = services.filter(name__icontains=search)
    total = services.count()
    items = [
        {
            "id": service.pk,
            "uuid": _dashed(service.service_id),
            "name": service.name,
            "validation_enabled": service.validation_enabled,
            "failover_enabled": service.failover_enabled,
            "code_length": service.code_length,
            "senderid": service.senderid,
            "callerid": service.callerid,
            "with_shared_sender": service.with_shared_sender,
            "created_at": iso_ms(service.created_at),
        }
        for service in services[(page - 1) * per_page : page * per_page]
    ]
    pagination = {
        "limit": per_page,
        "total": total,
        "current_page": page,
        "total_pages": math.ceil(total / per_page),
    }
    return json_response({"pagination": pagination, "items": items})


def _dashed(service_id: str) -> str:
    h = service_id
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@csrf_exempt
def unknown_path(request: HttpRequest, path: str = "") -> HttpResponse:
    return error_response(404, "Route not found")
