"""Bulk cancel: select sessions (or every one matching a filter), preview, start, follow."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from dashboard.accounts.access import requires
from dashboard.accounts.middleware import phone_region_of
from dashboard.accounts.roles import can
from dashboard.accounts.zones import current_zone_name
from dashboard.audit.trail import actor_from
from dashboard.htmx import HtmxHttpRequest
from dashboard.tables import PresortedListData
from dashboard.verifications.action_forms import BulkCancelForm
from dashboard.verifications.actions import bulk as bulk_actions
from dashboard.verifications.bulk_tables import BulkItemFilter, BulkItemTable, rows
from dashboard.verifications.csv_export import neutralise
from dashboard.verifications.filter_chips import filter_chips
from dashboard.verifications.keyset import BadCursor, SortKey, paginate
from dashboard.verifications.models import BulkCancel, BulkCancelItem, MirroredSession, Service
from dashboard.verifications.session_filters import SessionCriteria, SessionFilter
from dashboard.verifications.tasks import run_bulk_cancel

_ID = re.compile(r"^[0-9a-f]{32}$")
ITEMS_PAGE = 100
BY_ID = SortKey(fields=("id",), descending=(False,))


def _list_url(query: str) -> str:
    return reverse("verifications:sessions") + (f"?{query}" if query else "")


def _selected(request: HttpRequest, query: str) -> tuple[list[MirroredSession], str] | str:
    """The sessions to cancel and the selection in words; or what is wrong with it."""
    limit = settings.BULK_CANCEL_MAX
    if request.POST.get("all"):
        services = list(Service.objects.all())
        filterset = SessionFilter(
            QueryDict(query),
            services=services,
            tz=timezone.get_current_timezone(),
            partial_phone_search=can(request.user, "unmask"),
            phone_region=phone_region_of(request),
        )
        if not filterset.is_valid():
            return "The filters are not valid any more; fix them and select again."
        criteria = filterset.criteria()
        sessions = list(
            filterset.qs.select_related("service").order_by(*criteria.sort_key.order_by())[
                : limit + 1
            ]
        )
        if len(sessions) > limit:
            return (
                f"More than {limit:,} sessions match this filter; a bulk cancel takes at most "
                f"{limit:,}. Narrow the filters (a status of Pending, say) and try again."
            )
        return sessions, _in_words(filterset, criteria, services, len(sessions))
    ids = list(dict.fromkeys(s.lower() for s in request.POST.getlist("session")))
    if not ids:
        return "Select at least one session, or choose “all matching this filter”."
    if len(ids) > limit or not all(_ID.fullmatch(i) for i in ids):
        return f"Select at most {limit:,} sessions, by their IDs."
    sessions = list(MirroredSession.objects.filter(session_id__in=ids))
    return sessions, f"{len(ids)} selected session{pluralize(len(ids))}"


def _in_words(
    filterset: SessionFilter, criteria: SessionCriteria, services: list[Service], count: int
) -> str:
    """ "All 12 matching Last 7 days: 23 Nov 2026 08:46 – now (America/New_York); Pending,
    Acme Login": what the operator chose, as the list said it then (a URL's query is not
    something to read at 3 a.m., nor to find in an audit a year on)."""
    period = f"{criteria.period} ({current_zone_name()})"
    chips = [chip.label for chip in filter_chips(filterset.data, criteria, services)]
    return f"all {count:,} matching {period}" + (f"; {', '.join(chips)}" if chips else "")


@require_POST
@requires("act")
def bulk_create(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")[:2000]
    selected = _selected(request, query)
    if isinstance(selected, str):
        messages.error(request, selected)
        return HttpResponseRedirect(_list_url(query))
    sessions, selection = selected
    if not sessions:
        messages.error(request, "None of the selected sessions is held any more.")
        return HttpResponseRedirect(_list_url(query))
    draft = bulk_actions.create_draft(sessions, actor_from(request), selection)
    return HttpResponseRedirect(reverse("verifications:bulk", args=[draft.pk]))


def _bulk(request: HttpRequest, bulk_id: int) -> BulkCancel:
    if not (can(request.user, "act") or can(request.user, "audit")):
        raise PermissionDenied("Bulk cancels are for operators, auditors and admins.")
    return get_object_or_404(BulkCancel, pk=bulk_id)


def _page(request: HtmxHttpRequest, bulk: BulkCancel, form: BulkCancelForm | None) -> HttpResponse:
    filterset = BulkItemFilter(request.GET, queryset=BulkCancelItem.objects.filter(bulk=bulk))
    context: dict[str, object] = {
        "bulk": bulk,
        "progress": bulk_actions.progress(bulk),
        "form": form,
        "filter": filterset,
        "can_act": can(request.user, "act"),
        "running": bulk.state in (BulkCancel.State.QUEUED, BulkCancel.State.RUNNING),
        "page_error": "",
        "max": settings.BULK_CANCEL_MAX,
    }
    if filterset.is_valid():
        try:
            page = paginate(
                filterset.qs, BY_ID, size=ITEMS_PAGE, after=request.GET.get("after", "")
            )
        except BadCursor as exc:
            context["page_error"] = str(exc)
            page = paginate(filterset.qs, BY_ID, size=ITEMS_PAGE)
        table = BulkItemTable(
            PresortedListData(rows(page.rows, draft=bulk.state == BulkCancel.State.DRAFT))
        )
        RequestConfig(request, paginate=False).configure(table)
        context.update(page=page, table=table)
    template = "verifications/bulk.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#progress"
    response = render(request, template, context, status=400 if form and form.errors else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@requires("read")
def bulk_detail(request: HtmxHttpRequest, bulk_id: int) -> HttpResponse:
    bulk = _bulk(request, bulk_id)
    form = BulkCancelForm() if bulk.state == BulkCancel.State.DRAFT else None
    return _page(request, bulk, form)


@require_POST
@requires("act")
def bulk_start(request: HtmxHttpRequest, bulk_id: int) -> HttpResponse:
    bulk = _bulk(request, bulk_id)
    form = BulkCancelForm(request.POST)
    if bulk.state == BulkCancel.State.DRAFT and not form.is_valid():
        return _page(request, bulk, form)
    if form.is_valid() and bulk_actions.start(bulk, form.reason_text(), actor_from(request)):
        run_bulk_cancel.enqueue(bulk.pk)
        messages.success(request, "The bulk cancel is queued; this page follows its progress.")
    else:
        messages.warning(request, "This bulk cancel was started already; nothing was sent again.")
    return HttpResponseRedirect(reverse("verifications:bulk", args=[bulk.pk]))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(bulk: BulkCancel) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["session_id", "status_before", "charge_usd", "outcome", "message"])
    items = BulkCancelItem.objects.filter(bulk=bulk).order_by("id")
    for item in items.iterator(chunk_size=500):
        yield writer.writerow(
            [
                neutralise(str(v))
                for v in (
                    item.session_id,
                    item.status_before,
                    item.charge,
                    item.state,
                    item.message,
                )
            ]
        )


@require_GET
@requires("read")
def bulk_export(request: HttpRequest, bulk_id: int) -> StreamingHttpResponse:
    bulk = _bulk(request, bulk_id)
    response = StreamingHttpResponse(_csv(bulk), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bulk-cancel-{bulk.pk}.csv"'
    return response
