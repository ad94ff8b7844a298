"""Which Wavix services are watched: the provider's list when it has one, configured IDs,
and IDs operators register (after one probe fetch) or stop watching."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from dashboard import leases
from dashboard.providers.errors import Forbidden, NotFound, ProviderError, Rejected
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.models import Service, SyncWindow
from dashboard.verifications.rollups import delete_service_sessions

if TYPE_CHECKING:
    from dashboard.verifications.page_sync import PageBudget

log = logging.getLogger(__name__)

SERVICE_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# The provider's service list changes rarely; don't ask for it on every page view.
CATALOG_CACHE_SECONDS = 300
_CACHE_KEY = "verifications:catalog-problem"


def normalise_service_id(raw: str) -> str | None:
    """32 lower-case hex characters, or None; dashes and case are forgiven."""
    candidate = raw.strip().lower().replace("-", "")
    return candidate if SERVICE_ID_RE.fullmatch(candidate) else None


@dataclass(frozen=True)
class Catalog:
    services: list[Service]
    # Set when the provider's service list could not be read (not when it has none).
    problem: str = ""


def refresh_catalog(client: WavixClient) -> Catalog:
    """Upsert services from the provider's list and from WAVIX_SERVICE_IDS; return all."""
    problem = ""
    try:
        listed = client.list_services()
    except ProviderError as exc:
        listed = None
        problem = f"The service list could not be read: {exc}"
        log.warning("service list probe failed: %s", exc)
    for item in listed or []:
        Service.objects.update_or_create(
            service_id=item.service_id,
            defaults={"name": item.name, "source": Service.Source.PROVIDER},
        )
    configured = settings_service_ids()
    for service_id in configured:
        Service.objects.get_or_create(
            service_id=service_id, defaults={"source": Service.Source.SETTINGS}
        )
    # The setting outranks an earlier "stop watching" from the page.
    Service.objects.filter(service_id__in=configured, unwatched_at__isnull=False).update(
        unwatched_at=None, unwatched_by=None
    )
    return Catalog(services=list(Service.objects.all()), problem=problem)


def ensure_catalog(client: WavixClient, budget: PageBudget) -> str:
    """Refresh the catalog at most every few minutes, within a page's budget (past it, the
    refresh goes on in the background and the page uses the services known); return the
    last problem, if any."""
    # Imported here: page_sync imports sync, which imports this module.
    from dashboard.verifications.page_sync import within_budget

    problem = cache.get(_CACHE_KEY)
    if problem is None:
        problem = within_budget(("catalog",), partial(_refresh_and_remember, client), budget)
    return str(problem or "")


def _refresh_and_remember(client: WavixClient) -> str:
    # One refresh at a time across every web process (with Redis): the others go on with
    # the services known until it is done. A holder that dies frees it after the lease.
    lease = leases.take("catalog-refresh", seconds=2 * settings.PROVIDER_DEADLINE + 30)
    if lease is None:
        return ""
    with lease:
        problem = refresh_catalog(client).problem
        cache.set(_CACHE_KEY, problem, CATALOG_CACHE_SECONDS)
    return problem


# Errors about the service itself, not about Wavix or our account as a whole. A sessions
# list 404 other than "Sessions not found" (an empty range, handled by the client) is one.
SERVICE_REJECTIONS = (Rejected, NotFound, Forbidden)


class ProbeResult(Enum):
    EXISTS = "exists"
    REJECTED = "rejected"  # Wavix refused this service ID
    UNKNOWN = "unknown"  # no verdict: Wavix down, rate limiting, refusing our key, unreadable


@dataclass(frozen=True)
class Probe:
    result: ProbeResult
    # Wavix's words (REJECTED) or why there is no verdict (UNKNOWN).
    message: str = ""
    # Learnt from the sessions, when there were any.
    service_name: str = ""


def probe_service(client: WavixClient, service_id: str) -> Probe:
    """One sessions fetch for today (UTC): does Wavix know this service, for our key?

    An empty day is Wavix's 404 "Sessions not found", which the client reads as no sessions:
    the service exists. Today is the one range certain to be valid and usually small.
    """
    today = timezone.now().astimezone(dt.UTC).date()
    try:
        sessions = client.list_sessions(service_id, today, today)
    except SERVICE_REJECTIONS as exc:
        return Probe(ProbeResult.REJECTED, str(exc))
    except ProviderError as exc:
        return Probe(ProbeResult.UNKNOWN, str(exc))
    name = next((s.service_name for s in sessions if s.service_name), "")
    return Probe(ProbeResult.EXISTS, service_name=name)


def register_service(service_id: str, name: str, user: User, probe: Probe) -> Service:
    """Watch a service Wavix just accepted; watching again clears an old mark or unwatch."""
    name = name or probe.service_name
    service, created = Service.objects.get_or_create(
        service_id=service_id,
        defaults={"name": name, "source": Service.Source.OPERATOR, "registered_by": user},
    )
    if not created:
        service.unwatched_at = None
        service.unwatched_by = None
        service.rejected_at = None
        service.rejected_message = ""
        service.name = service.name or name
        service.save(
            update_fields=[
                "unwatched_at",
                "unwatched_by",
                "rejected_at",
                "rejected_message",
                "name",
            ]
        )
    log.info("service %s watched, registered by %s", service_id, user.get_username())
    return service


def settings_service_ids() -> set[str]:
    return {sid for sid in map(normalise_service_id, settings.WAVIX_SERVICE_IDS) if sid}


def unwatch_refusal(service: Service) -> str:
    """Why this service cannot be unwatched from the page, or "" when it can."""
    if service.service_id in settings_service_ids():
        return (
            "It is listed in the WAVIX_SERVICE_IDS setting, so the deployment asks for it "
            "to be watched and the next catalog refresh would bring it back. Remove it from "
            "the setting first, then stop watching it here."
        )
    if service.unwatched_at is not None:
        return "It is not watched any more."
    return ""


@dataclass(frozen=True)
class Unwatched:
    sessions_deleted: int = 0
    windows_deleted: int = 0


def unwatch_service(service: Service, user: User, *, purge: bool) -> Unwatched:
    """Stop syncing a service; with purge, also delete its mirrored sessions and windows.

    The Service row stays (marked), so kept sessions still name their service and a
    provider's service list does not quietly bring it back.
    """
    with transaction.atomic():
        sessions = windows = 0
        if purge:
            sessions = delete_service_sessions(service.pk)
            windows = SyncWindow.objects.filter(service=service).delete()[0]
        service.unwatched_at = timezone.now()
        service.unwatched_by = user
        service.save(update_fields=["unwatched_at", "unwatched_by"])
    # No audit app yet: the log is the record of who did it (to move into the audit log).
    log.info(
        "service %s unwatched by %s: sessions %s (%d sessions, %d windows deleted)",
        service.service_id,
        user.get_username(),
        "purged" if purge else "kept",
        sessions,
        windows,
    )
    return Unwatched(sessions, windows)


def mark_rejected(service: Service, message: str) -> None:
    """Note once, on the service, that Wavix refuses it; page syncs skip it from now on."""
    now = timezone.now()
    message = message[:500]
    Service.objects.filter(pk=service.pk).update(rejected_at=now, rejected_message=message)
    service.rejected_at, service.rejected_message = now, message
    log.warning("service %s rejected by Wavix: %s", service.service_id, message)


def clear_rejected(service_pks: list[int]) -> None:
    """Wavix answered for these services again: lift any mark."""
    Service.objects.filter(pk__in=service_pks, rejected_at__isnull=False).update(
        rejected_at=None, rejected_message=""
    )


def recheck_rejected(client: WavixClient, services: list[Service]) -> list[Service]:
    """Probe each marked service whose mark is older than MIRROR_REJECTED_RECHECK_SECONDS.

    Returns the services still rejected. For the background sync: pages never probe, so a
    mistyped ID costs one call per interval, not a call per window per page view.
    """
    due_before = timezone.now() - dt.timedelta(seconds=settings.MIRROR_REJECTED_RECHECK_SECONDS)
    still: list[Service] = []
    for service in services:
        if service.rejected_at is None or service.unwatched_at is not None:
            continue
        if service.rejected_at > due_before:
            still.append(service)
            continue
        probe = probe_service(client, service.service_id)
        if probe.result is ProbeResult.EXISTS:
            clear_rejected([service.pk])
            service.rejected_at, service.rejected_message = None, ""
            log.info("service %s accepted by Wavix again", service.service_id)
        elif probe.result is ProbeResult.REJECTED:
            mark_rejected(service, probe.message)
            still.append(service)
        else:  # no verdict: keep the mark, try again next interval
            still.append(service)
    return still


def learn_name(service: Service, name: str) -> None:
    """Sessions carry service_name: the only name Wavix gives a registered service."""
    if name and not service.name:
        service.name = name
        service.save(update_fields=["name"])
