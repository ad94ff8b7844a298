"""Which Wavix services exist: the provider's list when it has one, else configured IDs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache

from dashboard.providers.errors import ProviderError
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.models import Service
from dashboard.verifications.page_sync import PageBudget, within_budget

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
    for raw in settings.WAVIX_SERVICE_IDS:
        service_id = normalise_service_id(raw)
        if service_id:
            Service.objects.get_or_create(
                service_id=service_id, defaults={"source": Service.Source.SETTINGS}
            )
    return Catalog(services=list(Service.objects.all()), problem=problem)


def ensure_catalog(client: WavixClient, budget: PageBudget) -> str:
    """Refresh the catalog at most every few minutes, within a page's budget (past it, the
    refresh goes on in the background and the page uses the services known); return the
    last problem, if any."""
    problem = cache.get(_CACHE_KEY)
    if problem is None:
        problem = within_budget(("catalog",), partial(_refresh_and_remember, client), budget)
    return str(problem or "")


def _refresh_and_remember(client: WavixClient) -> str:
    problem = refresh_catalog(client).problem
    cache.set(_CACHE_KEY, problem, CATALOG_CACHE_SECONDS)
    return problem


def register_service(service_id: str, name: str, user: User) -> Service:
    service, _ = Service.objects.get_or_create(
        service_id=service_id,
        defaults={
            "name": name,
            "source": Service.Source.OPERATOR,
            "registered_by": user,
        },
    )
    return service


def learn_name(service: Service, name: str) -> None:
    """Sessions carry service_name: the only name Wavix gives a registered service."""
    if name and not service.name:
        service.name = name
        service.save(update_fields=["name"])
