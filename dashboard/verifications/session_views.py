"""The sessions list: filters in the URL, keyset pages, freshness, CSV export."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dashboard.accounts.access import requires
from dashboard.accounts.middleware import phone_region_of
from dashboard.accounts.roles import can
from dashboard.connections import wavix_client
from dashboard.htmx import HtmxHttpRequest
from dashboard.verifications.countries import country_options
from dashboard.verifications.csv_export import csv_lines, export_filename
from dashboard.verifications.filter_chips import CURSORS, filter_chips, without
from dashboard.verifications.freshness import freshness
from dashboard.verifications.jump import PARAM as JUMP
from dashboard.verifications.jump import jump_point
from dashboard.verifications.keyset import BadCursor, paginate
from dashboard.verifications.models import Service
from dashboard.verifications.page_sync import PageBudget, refresh_for_page
from dashboard.verifications.polling import is_poll, poll_for
from dashboard.verifications.service_catalog import ensure_catalog
from dashboard.verifications.session_filters import (
    DEFAULT_RANGE,
    SessionCriteria,
    SessionFilter,
)
from dashboard.verifications.sync import SyncReport
from dashboard.verifications.tables import SessionTable, session_rows

PAGE_SIZE = 50
# Counting is capped: "10,000+" is as useful as an exact count of millions, and cheap.
COUNT_CAP = 10_000


def _services_for(criteria: SessionCriteria, services: list[Service]) -> list[Service]:
    if criteria.service_ids:
        return [s for s in services if s.service_id in criteria.service_ids]
    return services


@require_GET
@requires("read")
def session_list(request: HtmxHttpRequest) -> HttpResponse:
    polled = is_poll(request)
    # A poll only asks whether the fetches it was told about have landed: it waits for none.
    budget = PageBudget.start(0 if polled else None)
    ensure_catalog(wavix_client(), budget)
    services = list(Service.objects.all())
    filterset = _filterset(request, services)
    form = filterset.form
    context = _page_context(filterset, services)
    valid = filterset.is_valid()
    context["selected_range"] = form.cleaned_data.get("range") or request.GET.get("range", "7d")
    if valid:
        criteria = filterset.criteria()
        shown = _services_for(criteria, services)
        days = criteria.utc_days()
        report = (
            SyncReport()
            if polled
            else refresh_for_page(wavix_client(), shown, days[0], days[-1], budget)
        )
        queryset = filterset.qs.select_related("service")
        after, before = request.GET.get("after", ""), request.GET.get("before", "")
        jump = (
            None
            if after or before
            else jump_point(
                request.GET.get(JUMP, ""),
                criteria,
                queryset,
                COUNT_CAP,
                timezone.get_current_timezone(),
            )
        )
        try:
            page = paginate(
                queryset,
                criteria.sort_key,
                size=PAGE_SIZE,
                after=after,
                before=before,
                start=jump.start if jump else None,
                start_position=jump.rows_before if jump else None,
            )
        except BadCursor as exc:
            context["page_error"] = str(exc)
            page = paginate(queryset, criteria.sort_key, size=PAGE_SIZE)
        fresh = freshness(shown, days, report.known)
        rows = session_rows(page.rows, unmasked=can(request.user, "unmask"))
        context.update(
            criteria=criteria,
            page=page,
            rows=rows,
            table=SessionTable(
                rows, query=request.GET, sort=criteria.sort, selectable=can(request.user, "act")
            ),
            count=queryset[: COUNT_CAP + 1].count(),
            count_cap=COUNT_CAP,
            freshness=fresh,
            poll=poll_for(request, fresh),
            sync_report=report,
            can_export=can(request.user, "export"),
            can_act=can(request.user, "act"),
            query_without_cursor=without(request.GET, *CURSORS, JUMP).urlencode(),
            jump=jump,
            jump_fields=list(without(request.GET, *CURSORS, JUMP).lists()),
            chips=filter_chips(request.GET, criteria, services),
        )
    template = "verifications/sessions.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _filterset(request: HttpRequest, services: list[Service]) -> SessionFilter:
    return SessionFilter(
        request.GET,
        services=services,
        tz=timezone.get_current_timezone(),
        partial_phone_search=can(request.user, "unmask"),
        phone_region=phone_region_of(request),
    )


def _page_context(filterset: SessionFilter, services: list[Service]) -> dict[str, object]:
    return {
        "filter": filterset,
        "form": filterset.form,
        "services": services,
        "page_error": "",
        "countries": country_options(),
        "default_time_zone": settings.TIME_ZONE,
        "default_range": DEFAULT_RANGE,
    }


@require_GET
@requires("export")
def session_export(request: HttpRequest) -> HttpResponseBase:
    services = list(Service.objects.all())
    filterset = _filterset(request, services)
    if not filterset.is_valid():
        return render(
            request,
            "verifications/sessions.html",
            {**_page_context(filterset, services), "page_error": "Fix the filters to export."},
            status=400,
        )
    criteria = filterset.criteria()
    zone = timezone.get_current_timezone()
    names = {s.service_id: slugify(s.display_name) or s.service_id for s in services}
    filename = export_filename(
        [names.get(i, i) for i in criteria.service_ids],
        _period_slug(filterset.form.cleaned_data["range"], criteria, zone),
        timezone.now().astimezone(zone),
    )
    response = StreamingHttpResponse(
        csv_lines(filterset.qs, criteria.sort_key.order_by(), zone),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _period_slug(preset: str, criteria: SessionCriteria, zone: dt.tzinfo) -> str:
    if preset != "custom":
        return preset
    first = criteria.start.astimezone(zone).date()
    last = (criteria.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}_to_{last:%Y-%m-%d}"
