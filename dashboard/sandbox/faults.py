"""Misbehaviour on request, for fault tests: the sandbox as an unreliable provider.

A fault comes from (first match wins) the ``X-Sandbox-Fault`` request header, the
``SANDBOX_FAULTS`` environment variable (or setting), e.g. ``latency=2@/sessions,500@/events``,
or a stored rule (POST /sandbox/_control/faults). Kinds: ``latency=<s>``, ``drip=<s per
byte>``, ``500``, ``502-html``, ``503``, ``429[=<retry-after s>]``, ``malformed-json``,
``html-200``, ``wrong-types``, ``drop``, ``cancel-204``, ``2fa-required`` (a B2Core
admin sign-in with the right password answers ``2faRequired: true`` and no tokens, as a
real Back Office user's does), ``403`` (B2Core's answer about a client a tag-restricted
admin may not see), and for B2Core lists ``total[=<n>]``
(claim ``total`` n, default 1 as in B2Core's own example) and ``cap-limit[=<n>]`` (serve at
most n records a page whatever ``limit`` asks, default 50, silently). Only paths below
/sandbox/ of requests routed through the sandbox's URLconf are touched (never the
dashboard's, whatever their path), never the control endpoints.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from django.conf import settings
from django.db.models import F, Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)

from dashboard.sandbox import credentials
from dashboard.sandbox.models import FaultRule
from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.wsgi import is_sandbox_request

HEADER = "X-Sandbox-Fault"
KINDS_WITH_VALUE = {"latency": 1.0, "drip": 0.05, "429": 1.0, "total": 1.0, "cap-limit": 50.0}
KINDS = {
    *KINDS_WITH_VALUE,
    "500",
    "502-html",
    "503",
    "403",
    "malformed-json",
    "html-200",
    "wrong-types",
    "drop",
    "cancel-204",
    "2fa-required",
}

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class SandboxConnectionDropped(Exception):
    """Raised mid-body by the "drop" fault: the server closes the socket (see server.py) and
    the in-process transport raises what httpx raises then."""


@dataclass(frozen=True)
class Fault:
    kind: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``kind`` or ``kind=<number>``; raises ValueError naming what is wrong."""
        kind, _, raw = text.strip().partition("=")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(sorted(KINDS))})")
        if raw and kind not in KINDS_WITH_VALUE:
            raise ValueError(f"fault {kind!r} takes no value")
        value = float(raw) if raw else KINDS_WITH_VALUE.get(kind, 0.0)
        if value < 0:
            raise ValueError(f"fault {kind!r} needs a value >= 0")
        return cls(kind, value)


@functools.lru_cache(maxsize=8)
def parse_fault_list(spec: str) -> tuple[tuple[Fault, str], ...]:
    """``kind[=value][@path_contains]`` items, comma-separated."""
    rules = []
    for item in spec.split(","):
        if item.strip():
            fault, _, path_contains = item.partition("@")
            rules.append((Fault.parse(fault), path_contains.strip()))
    return tuple(rules)


def _configured_faults() -> tuple[tuple[Fault, str], ...]:
    spec = os.environ.get("SANDBOX_FAULTS") or getattr(settings, "SANDBOX_FAULTS", "")
    return parse_fault_list(spec) if spec else ()


def _stored_fault(path: str) -> Fault | None:
    live = FaultRule.objects.using(SANDBOX_DB).filter(Q(times=0) | Q(used__lt=F("times")))
    for rule in live.order_by("id"):
        if rule.path_contains not in path:
            continue
        # Consume one use atomically, so that "times" holds across processes and threads.
        consumed = (
            FaultRule.objects.using(SANDBOX_DB)
            .filter(Q(times=0) | Q(used__lt=F("times")), pk=rule.pk)
            .update(used=F("used") + 1)
        )
        if consumed:
            return Fault.parse(rule.kind)
    return None


class SandboxFaultMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if not is_sandbox_request(request):
            return self.get_response(request)  # a dashboard request, whatever its path
        if not path.startswith("/sandbox/") or path.startswith(credentials.CONTROL_PREFIX + "/"):
            return self.get_response(request)
        try:
            fault = self._fault_for(request, path)
        except ValueError as exc:
            return _json(400, {"success": False, "message": f"{HEADER}: {exc}"})
        if fault is None:
            return self.get_response(request)
        return apply_fault(fault, request, self.get_response)

    def _fault_for(self, request: HttpRequest, path: str) -> Fault | None:
        if header := request.headers.get(HEADER):
            return Fault.parse(header)
        for fault, path_contains in _configured_faults():
            if path_contains in path:
                return fault
        return _stored_fault(path)


def apply_fault(fault: Fault, request: HttpRequest, get_response: GetResponse) -> HttpResponseBase:
    kind = fault.kind
    if kind == "latency":
        time.sleep(fault.value)
        return get_response(request)
    if kind == "500":
        return _json(500, {"success": False, "message": "Internal server error"})
    if kind == "503":
        return _json(503, {"success": False, "message": "Service temporarily unavailable"})
    if kind == "403":
        return _json(403, {"success": False, "message": "Access to this client is restricted"})
    if kind == "429":
        response = _json(429, {"success": False, "message": "Too many requests"})
        response["Retry-After"] = f"{fault.value:g}"
        return response
    if kind == "502-html":
        return HttpResponse(_BAD_GATEWAY, status=502, content_type="text/html")
    if kind == "html-200":
        return HttpResponse(_HTML_PAGE, content_type="text/html; charset=utf-8")
    if kind == "cap-limit":
        return get_response(_capped(request, max(1, int(fault.value))))
    return _transform(fault, request, get_response(request))


def _capped(request: HttpRequest, cap: int) -> HttpRequest:
    """The request with ``limit`` lowered to ``cap``, as a server with its own maximum does."""
    raw = request.GET.get("limit", "").strip()
    if raw.isdigit() and int(raw) > cap:
        params = request.GET.copy()
        params["limit"] = str(cap)
        request.GET = QueryDict(params.urlencode())
    return request


def _transform(fault: Fault, request: HttpRequest, real: HttpResponseBase) -> HttpResponseBase:
    """Faults that start from the real answer."""
    body = _body(real)
    if fault.kind == "cancel-204":
        if real.status_code == 200 and request.path_info.endswith("/cancel"):
            return HttpResponse(status=204)
        return real
    if fault.kind == "2fa-required":
        # Only a successful admin sign-in changes: a wrong password is still refused.
        if real.status_code == 200 and request.path_info.endswith("/api/v2/signin"):
            return _json(200, {"2faRequired": True, "accessToken": None, "refreshToken": None})
        return real
    if fault.kind == "malformed-json":
        return HttpResponse(body[: max(1, len(body) // 2)], content_type="application/json")
    if fault.kind == "wrong-types":
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return real
        return _copy_headers(real, _json(real.status_code, mistype(payload)))
    if fault.kind == "total":
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return real
        if not (isinstance(payload, dict) and isinstance(payload.get("data"), list)):
            return real
        payload["total"] = int(fault.value)
        return _copy_headers(real, _json(real.status_code, payload))
    if fault.kind == "drip":
        return _copy_headers(real, _streamed(real.status_code, _drip(body, fault.value), body))
    if fault.kind == "drop":
        return _copy_headers(real, _streamed(real.status_code, _drop(body), body))
    raise AssertionError(f"unhandled fault kind {fault.kind}")


def _body(response: HttpResponseBase) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)  # type: ignore[arg-type]
    if isinstance(response, HttpResponse):
        return response.content
    return b""


def _json(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(
        msgspec.json.encode(payload), status=status, content_type="application/json"
    )


def _copy_headers(source: HttpResponseBase, target: HttpResponseBase) -> HttpResponseBase:
    for name, value in source.items():
        if name.lower() != "content-length":
            target[name] = value
    return target


def _streamed(status: int, chunks: Iterator[bytes], body: bytes) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, status=status)
    # The full length is announced, so a client can tell a cut body from a complete one.
    response["Content-Length"] = str(len(body))
    return response


def _drip(body: bytes, seconds_per_byte: float) -> Iterator[bytes]:
    for index in range(len(body)):
        if index:
            time.sleep(seconds_per_byte)
        yield body[index : index + 1]


def _drop(body: bytes) -> Iterator[bytes]:
    yield body[: len(body) // 2]
    raise SandboxConnectionDropped("sandbox fault: connection dropped mid-body")


def mistype(value: Any, key: str | None = None) -> Any:
    """The same shape with the wrong types: money as an object, times as epoch numbers…"""
    if isinstance(value, dict):
        return {name: mistype(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [mistype(item, key) for item in value]
    if key == "charge":
        return {"amount": value, "currency": "USD"}
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            return int(value)
        if len(value) >= 19 and value[4:5] == "-" and "T" in value:
            try:
                return int(datetime.fromisoformat(value).timestamp())
            except ValueError:
                return value
    return value


_BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
    "<h1>Please sign in</h1><form method='post'><input name='user'></form></body></html>"
)
