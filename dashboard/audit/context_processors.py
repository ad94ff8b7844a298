from __future__ import annotations

from django.http import HttpRequest

from dashboard.accounts.roles import can


def audit_nav(request: HttpRequest) -> dict[str, bool]:
    """Whether the navigation shows the audit link (one roles query a request, memoised)."""
    return {"can_audit": can(request.user, "audit")}
