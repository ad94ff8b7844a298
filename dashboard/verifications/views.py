from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from dashboard.accounts.roles import can
from dashboard.connections import wavix_client
from dashboard.htmx import HtmxHttpRequest
from dashboard.verifications.forms import RegisterServiceForm
from dashboard.verifications.freshness import freshness
from dashboard.verifications.models import Service
from dashboard.verifications.page_sync import PageBudget, refresh_for_page
from dashboard.verifications.polling import is_poll, poll_for
from dashboard.verifications.service_catalog import ensure_catalog, register_service
from dashboard.verifications.service_stats import service_stats
from dashboard.verifications.session_filters import RANGE_PRESETS, SessionFilterForm
from dashboard.verifications.sync import SyncReport


@require_GET
@login_required
def services(request: HtmxHttpRequest) -> HttpResponse:
    polled = is_poll(request)
    # A poll only asks whether the fetches it was told about have landed: it waits for none.
    budget = PageBudget.start(0 if polled else None)
    catalog_problem = ensure_catalog(wavix_client(), budget)
    services = list(Service.objects.all())
    form = SessionFilterForm(request.GET, services=services, tz=timezone.get_current_timezone())
    context: dict[str, object] = {
        "form": form,
        "presets": [(k, label) for k, (label, _) in RANGE_PRESETS.items()],
        "catalog_problem": catalog_problem,
        "register_form": RegisterServiceForm(),
        "can_register": can(request.user, "register_service"),
    }
    if form.is_valid():
        criteria = form.criteria()
        days = criteria.utc_days()
        report = (
            SyncReport()
            if polled
            else refresh_for_page(wavix_client(), services, days[0], days[-1], budget)
        )
        services = list(Service.objects.all())  # names learnt from sessions
        fresh = freshness(services, days)
        context.update(
            criteria=criteria,
            sync_report=report,
            stats=service_stats(services, criteria.start, criteria.end),
            freshness=fresh,
            poll=poll_for(request, fresh),
            range_query=_range_query(request),
            selected_range=form.cleaned_data["range"],
        )
    template = "verifications/services.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#stats"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _range_query(request: HttpRequest) -> str:
    """The period part of this page's query, for links into the sessions list."""
    query = QueryDict(mutable=True)
    for name in ("range", "date_from", "date_to"):
        if request.GET.get(name):
            query[name] = request.GET[name]
    return query.urlencode()


@require_POST
@login_required
def register(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "register_service"):
        raise PermissionDenied("Only operators and admins can register services.")
    form = RegisterServiceForm(request.POST)
    if form.is_valid():
        service = register_service(
            form.cleaned_data["service_id"], form.cleaned_data["name"], cast(User, request.user)
        )
        messages.success(request, f"Service {service.service_id} is now watched.")
    else:
        for error in form.errors.get("service_id", []):
            messages.error(request, str(error))
    return redirect("verifications:services")
