from __future__ import annotations

import logging
from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard.accounts.access import requires
from dashboard.accounts.middleware import phone_region_of
from dashboard.accounts.roles import can
from dashboard.audit.models import FAILED, SUCCESS
from dashboard.audit.trail import actor_from, record
from dashboard.connections import wavix_client
from dashboard.htmx import HtmxHttpRequest
from dashboard.verifications.forms import RegisterServiceForm, UnwatchServiceForm
from dashboard.verifications.freshness import freshness
from dashboard.verifications.models import MirroredSession, Service
from dashboard.verifications.page_sync import PageBudget, refresh_for_page
from dashboard.verifications.polling import is_poll, poll_for
from dashboard.verifications.service_catalog import (
    ProbeResult,
    ensure_catalog,
    mark_rejected,
    probe_service,
    register_service,
    settings_service_ids,
    unwatch_refusal,
    unwatch_service,
)
from dashboard.verifications.service_stats import service_stats
from dashboard.verifications.session_filters import RANGE_PRESETS, SessionFilter
from dashboard.verifications.sync import SyncReport
from dashboard.verifications.tables import ServiceTable

log = logging.getLogger(__name__)
# The unwatch page says how many sessions a purge deletes; past this, "10,000+".
COUNT_CAP = 10_000


@require_GET
@requires("read")
def services(request: HtmxHttpRequest) -> HttpResponse:
    polled = is_poll(request)
    # A poll only asks whether the fetches it was told about have landed: it waits for none.
    budget = PageBudget.start(0 if polled else None)
    catalog_problem = ensure_catalog(wavix_client(), budget)
    services = list(Service.objects.filter(unwatched_at__isnull=True))
    # The sessions list's filters: a shared link carries its period here, and whatever else
    # it carries is checked as there (a viewer's partial phone search is refused here too).
    filterset = SessionFilter(
        request.GET,
        services=services,
        tz=timezone.get_current_timezone(),
        partial_phone_search=can(request.user, "unmask"),
        phone_region=phone_region_of(request),
    )
    form = filterset.form
    context: dict[str, object] = {
        "filter": filterset,
        "form": form,
        "presets": [(k, label) for k, (label, _) in RANGE_PRESETS.items()],
        "catalog_problem": catalog_problem,
        # After a refused registration, the ID comes back to be corrected, not retyped.
        "register_id": request.GET.get("register", "")[:64],
        "can_register": can(request.user, "register_service"),
        "settings_ids": settings_service_ids(),
        "unwatched": list(
            Service.objects.filter(unwatched_at__isnull=False).select_related("unwatched_by")
        ),
    }
    if filterset.is_valid():
        criteria = filterset.criteria()
        days = criteria.utc_days()
        report = (
            SyncReport()
            if polled
            else refresh_for_page(wavix_client(), services, days[0], days[-1], budget)
        )
        # Names learnt from sessions, rejections just noted.
        services = list(Service.objects.filter(unwatched_at__isnull=True))
        fresh = freshness(services, days, report.known)
        stats = service_stats(services, criteria.start, criteria.end)
        range_query = _range_query(request)
        context.update(
            criteria=criteria,
            sync_report=report,
            stats=stats,
            table=ServiceTable(
                stats,
                query=request.GET,
                range_query=range_query,
                can_register=can(request.user, "register_service"),
                settings_ids=settings_service_ids(),
                csrf_token=get_token(request),
            ),
            freshness=fresh,
            poll=poll_for(request, fresh),
            range_query=range_query,
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
@requires("register_service")
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterServiceForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("service_id", []):
            messages.error(request, str(error))
        return redirect("verifications:services")
    service_id, user = form.cleaned_data["service_id"], cast(User, request.user)
    known = Service.objects.filter(service_id=service_id).first()
    if known is not None and known.syncable:
        messages.info(request, f"Service {service_id} is already watched.")
        return redirect("verifications:services")
    probe = probe_service(wavix_client(), service_id)
    if probe.result is ProbeResult.EXISTS:
        with transaction.atomic():
            register_service(service_id, form.cleaned_data["name"], user, probe)
            record(actor_from(request), "service.register", [service_id], outcome=SUCCESS)
        messages.success(request, f"Service {service_id} is now watched.")
        return redirect("verifications:services")
    log.info(
        "service %s not registered for %s: %s",
        service_id,
        user.get_username(),
        probe.message,
    )
    with transaction.atomic():
        record(
            actor_from(request),
            "service.register",
            [service_id],
            outcome=FAILED,
            provider_message=probe.message,
        )
    if probe.result is ProbeResult.REJECTED:
        if known is not None and known.rejected_at is not None:
            mark_rejected(known, probe.message)
            messages.error(request, f"Wavix still rejects service {service_id}: {probe.message}")
            return redirect("verifications:services")
        messages.error(request, f"Service {service_id} was not registered. {probe.message}")
    else:
        # No verdict (Wavix down, rate limiting, refusing our key): registering blindly is
        # how a mistyped ID got in, so nothing is stored and the operator tries again.
        messages.error(
            request,
            f"Service {service_id} was not registered: Wavix could not be asked whether it "
            f"exists. Try again in a moment. ({probe.message})",
        )
    return redirect(reverse("verifications:services") + "?" + _query(register=service_id))


def _query(**values: str) -> str:
    query = QueryDict(mutable=True)
    query.update(values)
    return query.urlencode()


@require_http_methods(["GET", "POST"])
@requires("register_service")
def unwatch(request: HttpRequest, service_id: str) -> HttpResponse:
    """Confirm (GET), then stop watching a service (POST), keeping or purging its sessions."""
    service = get_object_or_404(Service, service_id=service_id)
    refusal = unwatch_refusal(service)
    form = UnwatchServiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusal and form.is_valid():
        purge = form.cleaned_data["sessions"] == "purge"
        with transaction.atomic():
            result = unwatch_service(service, cast(User, request.user), purge=purge)
            record(
                actor_from(request),
                "service.unwatch",
                [service.service_id],
                outcome=SUCCESS,
                reason="purge its sessions" if purge else "keep its sessions",
                provider_message=f"{result.sessions_deleted} mirrored sessions deleted",
            )
        done = (
            f"{result.sessions_deleted:,} mirrored sessions deleted"
            if purge
            else "its mirrored sessions are kept"
        )
        messages.success(request, f"{service.display_name} is no longer watched; {done}.")
        return redirect("verifications:services")
    held = MirroredSession.objects.filter(service=service)[: COUNT_CAP + 1].count()
    context = {
        "service": service,
        "refusal": refusal,
        "form": form,
        "held": held,
        "count_cap": COUNT_CAP,
    }
    status = 409 if refusal and request.method == "POST" else 200
    return render(request, "verifications/unwatch.html", context, status=status)
