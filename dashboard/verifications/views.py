from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.accounts.roles import can
from dashboard.connections import wavix_client
from dashboard.verifications.forms import RegisterServiceForm
from dashboard.verifications.freshness import freshness
from dashboard.verifications.models import Service
from dashboard.verifications.service_catalog import ensure_catalog, register_service
from dashboard.verifications.service_stats import service_stats
from dashboard.verifications.session_filters import RANGE_PRESETS, SessionFilterForm
from dashboard.verifications.sync import sync_range


@require_GET
@login_required
def services(request: HttpRequest) -> HttpResponse:
    catalog_problem = ensure_catalog(wavix_client())
    services = list(Service.objects.all())
    form = SessionFilterForm(
        request.GET,
        services=services,
        tz=timezone.get_current_timezone(),
        partial_phone_search=can(request.user, "unmask"),
    )
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
        report = sync_range(
            wavix_client(),
            services,
            days[0],
            days[-1],
            wait_seconds=10.0,
            budget_seconds=settings.MIRROR_PAGE_SYNC_BUDGET,
        )
        services = list(Service.objects.all())  # names learnt from sessions
        context.update(
            criteria=criteria,
            sync_report=report,
            stats=service_stats(services, criteria.start, criteria.end),
            freshness=freshness(services, days),
            range_query=_range_query(request),
            selected_range=form.cleaned_data["range"],
        )
    return render(request, "verifications/services.html", context)


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
