"""The clients feed (auditors and admins): every mirrored 2FA change across clients, newest
first by keyset, filterable, exportable as CSV, with the mirror's own freshness."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboard.accounts.access import requires
from dashboard.clients.feed.csv_export import csv_lines
from dashboard.clients.feed.filters import FeedFilter, default_from
from dashboard.clients.feed.status import feed_status
from dashboard.clients.feed.tables import FeedTable, rows
from dashboard.clients.models import ClientChange, ClientSyncState
from dashboard.htmx import HtmxHttpRequest
from dashboard.tables import PresortedListData
from dashboard.verifications.filter_chips import CURSORS, without
from dashboard.verifications.keyset import BadCursor, SortKey, paginate

PAGE_SIZE = 50
COUNT_CAP = 1_000  # "1,000+": an exact count of a million rows costs more than it says
NEWEST_FIRST = SortKey(fields=("time", "id"), descending=(True, True))


def _data(request: HttpRequest) -> QueryDict:
    """The filters as asked, with "the last 7 days" when no date was given at all (an empty
    date field, as the form sends it, means "any date")."""
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        data["date_from"] = default_from().isoformat()
    return data


def _filtered(request: HttpRequest) -> FeedFilter:
    return FeedFilter(_data(request), queryset=ClientChange.objects.all())


def _names(changes: list[ClientChange]) -> dict[str, tuple[str, str]]:
    ids = {change.client_id for change in changes}
    found = ClientSyncState.objects.filter(client_id__in=ids).values_list(
        "client_id", "email", "name"
    )
    return {client_id: (email, name) for client_id, email, name in found}


@require_GET
@requires("audit")
def feed(request: HtmxHttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    query = filterset.data
    context: dict[str, object] = {"filter": filterset, "page_error": "", "status": feed_status()}
    if filterset.is_valid():
        queryset: QuerySet[ClientChange] = filterset.qs
        try:
            page = paginate(
                queryset,
                NEWEST_FIRST,
                size=PAGE_SIZE,
                after=request.GET.get("after", ""),
                before=request.GET.get("before", ""),
            )
        except BadCursor as exc:
            context["page_error"] = str(exc)
            page = paginate(queryset, NEWEST_FIRST, size=PAGE_SIZE)
        feed_url = reverse("clients_feed:feed")
        table = FeedTable(PresortedListData(rows(page.rows, _names(page.rows), feed_url)))
        RequestConfig(request, paginate=False).configure(table)
        count = queryset.order_by()[: COUNT_CAP + 1].count()
        context.update(
            page=page,
            table=table,
            count=count,
            count_capped=count > COUNT_CAP,
            count_cap=COUNT_CAP,
            query_without_cursor=without(query, *CURSORS).urlencode(),
        )
    template = "clients/feed.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@requires("audit")
def feed_export(request: HttpRequest) -> HttpResponseBase:
    filterset = _filtered(request)
    if not filterset.is_valid():
        context = {
            "filter": filterset,
            "page_error": "Fix the filters to export.",
            "status": feed_status(),
        }
        return render(request, "clients/feed.html", context, status=400)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        csv_lines(filterset.qs, NEWEST_FIRST.order_by(), timezone.get_current_timezone()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="2fa-changes-{stamp}.csv"'
    return response
