from __future__ import annotations

from django.http import HttpRequest

from dashboard.connections import ProviderStatus, provider_status


def providers(request: HttpRequest) -> dict[str, ProviderStatus]:
    return {"providers": provider_status()}
