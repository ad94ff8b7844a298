"""Wavix's wire conventions: timestamps, JSON bodies and error bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from django.http import HttpResponse

_encoder = msgspec.json.Encoder()


def iso_ms(moment: datetime) -> str:
    """``2022-02-16T13:41:38.786Z`` (create, resend and events)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_seconds(moment: datetime) -> str:
    """``2022-02-16T13:41:38.000Z``: the sessions list gives second precision."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def json_response(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(_encoder.encode(payload), status=status, content_type="application/json")


def error_response(status: int, message: str) -> HttpResponse:
    return json_response({"success": False, "message": message}, status=status)


def validation_error(message: str) -> HttpResponse:
    return error_response(400, f"Request validation errors: {message}")


def unauthorized() -> HttpResponse:
    # Wavix's 401 is the only error body with "error": true.
    return json_response(
        {"success": False, "message": "Unauthorized: invalid or missing API key", "error": True},
        status=401,
    )
