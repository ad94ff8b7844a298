"""Content-Security-Policy violation reports: the browser's POST to /csp-report/.

The policy (settings.CONTENT_SECURITY_POLICY) names this endpoint in `report-uri` (older
browsers, Firefox) and in `report-to` (Chromium), whose group `ReportingEndpointsMiddleware`
declares in a `Reporting-Endpoints` header. Both are sent only when CSP_REPORTS is on.

The endpoint is open (no sign-in, no CSRF token: browsers send neither with a report) and
so is written for anyone to call:

- it reads at most CSP_REPORT_MAX_BYTES of the body (more: 413), only the two content types
  browsers use (others: 415), and answers 400 to anything that is not a report, never 500;
- at most CSP_REPORTS_PER_MINUTE requests per client address are read (more: 429);
- it stores nothing: one structured log line per report (`dashboard.csp`), with the
  directive, the blocked URI and where it happened, each cut short, and never a query
  string or fragment (a page's address may carry a phone number).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dashboard.client_address import client_ip

log = logging.getLogger("dashboard.csp")

PATH = "/csp-report/"
# The report-to group the policy names, and the Reporting-Endpoints header declares.
GROUP = "csp-endpoint"
CONTENT_TYPES = ("application/csp-report", "application/reports+json", "application/json")
# Reports logged from one request (a reports+json body is a list; Chromium batches them).
MAX_REPORTS_PER_REQUEST = 20
FIELD_CHARS = 200


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if not settings.CSP_REPORTS:
        return HttpResponse(status=404)
    if _over_rate(client_ip(request)):
        return HttpResponse(status=429)
    content_type = (request.content_type or "").lower()
    if content_type not in CONTENT_TYPES:
        return HttpResponse(status=415)
    limit = settings.CSP_REPORT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if declared > limit:
        return HttpResponse(status=413)
    body = request.read(limit + 1)  # the stream itself: also bounds a body without a length
    if len(body) > limit:
        return HttpResponse(status=413)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return HttpResponse(status=400)
    reports = list(_reports(document))
    if not reports:
        return HttpResponse(status=400)
    for report in reports[:MAX_REPORTS_PER_REQUEST]:
        log.warning("csp violation", extra=report)
    return HttpResponse(status=204)


def _reports(document: Any) -> Iterator[dict[str, str]]:
    """The violations in a body of either format, as the log line's fields."""
    if isinstance(document, dict) and isinstance(document.get("csp-report"), dict):
        # application/csp-report (report-uri): {"csp-report": {"violated-directive": ...}}
        old = document["csp-report"]
        yield _fields(
            directive=old.get("effective-directive") or old.get("violated-directive"),
            blocked=old.get("blocked-uri"),
            document=old.get("document-uri"),
            source=old.get("source-file"),
            line=old.get("line-number"),
            disposition=old.get("disposition"),
        )
    elif isinstance(document, list):
        # application/reports+json (report-to): [{"type": "csp-violation", "body": {...}}]
        for entry in document:
            if not isinstance(entry, dict) or entry.get("type") != "csp-violation":
                continue
            new = entry.get("body")
            if not isinstance(new, dict):
                continue
            yield _fields(
                directive=new.get("effectiveDirective"),
                blocked=new.get("blockedURL"),
                document=new.get("documentURL") or entry.get("url"),
                source=new.get("sourceFile"),
                line=new.get("lineNumber"),
                disposition=new.get("disposition"),
            )


def _fields(**values: object) -> dict[str, str]:
    return {
        "csp_directive": _text(values["directive"]),
        "csp_blocked_uri": _address(values["blocked"]),
        "csp_document": _address(values["document"]),
        "csp_source": _address(values["source"]),
        "csp_line": _text(values["line"]) if isinstance(values["line"], int) else "",
        "csp_disposition": _text(values["disposition"]),
    }


def _text(value: object) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return ""
    text = "".join(c for c in str(value) if c.isprintable())
    return text[:FIELD_CHARS]


def _address(value: object) -> str:
    """A URL without its query string, fragment or credentials; a keyword such as "inline"
    or "eval" as it is. Cut to FIELD_CHARS."""
    text = _text(value)
    if ":" not in text and "/" not in text:
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))[:FIELD_CHARS]


def _over_rate(address: str) -> bool:
    """More than CSP_REPORTS_PER_MINUTE requests from this address in this minute? Counted in
    the cache (shared by every process with Redis); the address is hashed in the key."""
    minute = int(time.time() // 60)
    key = f"csp-reports:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired in between: this one is the first
        cache.add(key, 1, timeout=120)
        count = 1
    return count > settings.CSP_REPORTS_PER_MINUTE


class ReportingEndpointsMiddleware:
    """Declares the report-to group of the policy (only where a policy is sent)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.CSP_REPORTS and "Content-Security-Policy" in response.headers:
            response.headers["Reporting-Endpoints"] = f'{GROUP}="{PATH}"'
        return response
