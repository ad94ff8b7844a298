"""B2Core's wire conventions: JSON bodies, `{"message"}` errors, ISO 8601 times, methods."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import wraps
from typing import Any

import msgspec
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dashboard.sandbox.clock import sandbox_now

View = Callable[..., HttpResponse]
_encoder = msgspec.json.Encoder()
# "+00:00" in a query string that was not percent-encoded arrives as " 00:00".
_UNENCODED_PLUS = re.compile(r" (\d{2}:?\d{2})$")


class ApiError(Exception):
    """Raised anywhere below a view; `endpoint` turns it into B2Core's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})


def now() -> datetime:
    # The shared sandbox clock: tests move it to expire tokens, codes and blocks.
    return sandbox_now()


def iso(moment: datetime) -> str:
    """``2022-01-01T00:00:00+00:00``: B2Core's documented format (second precision)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def iso_micro_z(moment: datetime) -> str:
    """``2022-12-28T13:00:58.000000Z``: the SMS confirmation data uses this other format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_response(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        _encoder.encode(payload), status=status, content_type="application/json; charset=utf-8"
    )


def error_response(error: ApiError) -> HttpResponse:
    body: dict[str, Any] = {"message": error.message}
    if error.errors:
        body["errors"] = error.errors
    response = json_response(body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def endpoint(**handlers: View) -> View:
    """One URL, a view per HTTP method (``get=``, ``post=``, ...); ApiError becomes JSON."""
    allowed = sorted(name.upper() for name in handlers)

    @csrf_exempt  # an API authenticated by bearer tokens, not cookies
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = handlers.get((request.method or "").lower())
        if handler is None:
            response = json_response({"message": f"Method {request.method} is not allowed"}, 405)
            response["Allow"] = ", ".join(allowed)
            return response
        try:
            return handler(request, *args, **kwargs)
        except ApiError as error:
            return error_response(error)

    first = next(iter(handlers.values()))
    return wraps(first)(dispatch)


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object; an empty body is an empty object."""
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object")
    return body


def required_str(body: Mapping[str, Any], field: str) -> str:
    value = body.get(field)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # codes typed as numbers: "84112" and 84112 mean the same
    if not isinstance(value, str) or not value.strip():
        raise ApiError(
            400,
            f"The {field} field is required.",
            errors={field: [f"The {field} field is required."]},
        )
    return value.strip()


def parse_time(name: str, raw: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is read as UTC. Bad → 400 naming it."""
    text = _UNENCODED_PLUS.sub(r"+\1", raw.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ApiError(
            400,
            f"{name} must be an ISO 8601 date-time such as 2022-01-01T00:00:00+00:00",
            errors={name: [f"Invalid date-time: {raw!r}"]},
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_bool(name: str, raw: str) -> bool | None:
    """A filter boolean: 1/0, true/false (any case); empty means "no filter"."""
    text = raw.strip().lower()
    if text == "":
        return None
    if text in ("1", "true"):
        return True
    if text in ("0", "false"):
        return False
    raise ApiError(400, f"{name} must be 1, 0, true or false", errors={name: [f"Got {raw!r}"]})
