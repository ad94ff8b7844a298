from __future__ import annotations

from django.http import HttpRequest

from dashboard.accounts.roles import can
from dashboard.connections import ProviderStatus, provider_status


def providers(request: HttpRequest) -> dict[str, ProviderStatus]:
    return {"providers": provider_status()}


def admin_nav(request: HttpRequest) -> dict[str, bool]:
    """Whether the navigation shows the admins' test console."""
    return {"can_manage": can(request.user, "manage")}
