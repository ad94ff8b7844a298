"""The audit page (auditors and admins): filters, newest first by keyset, CSV export."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboard.accounts.access import requires
from dashboard.audit.csv_export import csv_lines
from dashboard.audit.filters import AuditFilter
from dashboard.audit.models import AuditRecord
from dashboard.audit.tables import AuditTable, rows
from dashboard.htmx import HtmxHttpRequest
from dashboard.tables import PresortedListData
from dashboard.verifications.filter_chips import CURSORS, without
from dashboard.verifications.keyset import BadCursor, SortKey, paginate

PAGE_SIZE = 50
# "1,000+" says as much as an exact count of millions, for a bounded price: at most this
# many index entries that match (measured: a 10,000 cap cost 0.4 s on 1M rows behind two
# filters, most of it table lookups since removed by the indexes' trailing columns).
COUNT_CAP = 1_000
NEWEST_FIRST = SortKey(fields=("created_at", "id"), descending=(True, True))


def _filtered(request: HttpRequest) -> AuditFilter:
    return AuditFilter(request.GET, queryset=AuditRecord.objects.all())


@require_GET
@requires("audit")
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    context: dict[str, object] = {"filter": filterset, "page_error": ""}
    if filterset.is_valid():
        queryset: QuerySet[AuditRecord] = filterset.qs
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
        table = AuditTable(PresortedListData(rows(page.rows)))
        RequestConfig(request, paginate=False).configure(table)
        count = queryset.order_by()[: COUNT_CAP + 1].count()
        context.update(
            page=page,
            table=table,
            count=count,
            count_capped=count > COUNT_CAP,
            count_cap=COUNT_CAP,
            query_without_cursor=without(request.GET, *CURSORS).urlencode(),
        )
    template = "audit/audit.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@requires("audit")
def audit_export(request: HttpRequest) -> HttpResponseBase:
    filterset = _filtered(request)
    if not filterset.is_valid():
        context = {"filter": filterset, "page_error": "Fix the filters to export."}
        return render(request, "audit/audit.html", context, status=400)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        csv_lines(filterset.qs, NEWEST_FIRST.order_by(), timezone.get_current_timezone()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
