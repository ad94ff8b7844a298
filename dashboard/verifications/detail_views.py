"""One session: its summary, its event timeline, and the same number's other sessions."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from dashboard.accounts.access import requires
from dashboard.accounts.roles import can
from dashboard.audit.models import AuditRecord
from dashboard.connections import wavix_client
from dashboard.errors import NotHeld
from dashboard.htmx import HtmxHttpRequest
from dashboard.verifications.countries import country_name
from dashboard.verifications.models import MirroredSession
from dashboard.verifications.phone_search import format_e164_digits, mask
from dashboard.verifications.timeline import (
    MAX_CHECKS,
    MAX_SENDS,
    is_terminal,
    load_timeline,
    steps,
    usage,
)

NOT_HELD = (
    "No session with this ID is held yet. A session sent a moment ago (from the test console, "
    "say) is held once its day is fetched from Wavix again, within a minute: open the Sessions "
    "list for today, then this page again. An old session may be past the retention period."
)
# How far back "other sessions for this number" looks, and how many it lists.
SAME_NUMBER_DAYS = 90
SAME_NUMBER_LIMIT = 20
ACTION_HISTORY_LIMIT = 20


def _other_sessions(session: MirroredSession) -> list[MirroredSession]:
    since = timezone.now() - dt.timedelta(days=SAME_NUMBER_DAYS)
    return list(
        MirroredSession.objects.filter(phone_number=session.phone_number, created_at__gte=since)
        .exclude(session_id=session.session_id)
        .select_related("service")
        .order_by("-created_at")[:SAME_NUMBER_LIMIT]
    )


@require_GET
@requires("read")
def session_detail(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    session = (
        MirroredSession.objects.select_related("service")
        .filter(session_id=session_id.lower())
        .first()
    )
    if session is None:
        raise NotHeld(NOT_HELD)
    held = load_timeline(wavix_client(), session, budget_seconds=settings.MIRROR_PAGE_SYNC_BUDGET)
    rows = steps(held.events)
    unmasked = can(request.user, "unmask")
    phone = format_e164_digits(session.phone_number)
    now = timezone.now()
    used = usage(session, rows)
    context = {
        "session": session,
        "phone": phone if unmasked else mask(phone),
        "phone_list_url": (
            reverse("verifications:sessions")
            + "?"
            + urlencode({"phone": "+" + session.phone_number, "range": "90d"})
            if unmasked
            else ""
        ),
        "country": country_name(session.country),
        "held": held,
        "steps": rows,
        "usage": used,
        "max_sends": MAX_SENDS,
        "max_checks": MAX_CHECKS,
        "seconds_left": (
            max(0, int((used.code_expires_at - now).total_seconds()))
            if used.code_expires_at
            else None
        ),
        "terminal": is_terminal(session.status),
        "others": [
            (other, format_e164_digits(other.phone_number)) for other in _other_sessions(session)
        ],
        "same_number_days": SAME_NUMBER_DAYS,
        "in_panel": bool(request.htmx) and not request.htmx.history_restore_request,
        "can_act": can(request.user, "act"),
        "history": list(
            AuditRecord.objects.filter(first_target=session.session_id).order_by("-id")[
                :ACTION_HISTORY_LIMIT
            ]
        ),
        "back_url": _back_url(request),
    }
    template = "verifications/session.html"
    if context["in_panel"]:
        template += "#panel"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back_url(request: HtmxHttpRequest) -> str:
    """The list the operator came from, when it is one of ours; else the plain list."""
    current = request.htmx.current_url_abs_path if request.htmx else None
    if current:
        try:
            match = resolve(urlsplit(current).path)
        except Resolver404:
            match = None
        if match is not None and match.view_name == "verifications:sessions":
            return current
    return reverse("verifications:sessions")
