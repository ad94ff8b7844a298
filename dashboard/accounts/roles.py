"""The four roles, as Django groups, and what each may do."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

VIEWER = "viewer"
OPERATOR = "operator"
AUDITOR = "auditor"
ADMIN = "admin"
ROLES = (VIEWER, OPERATOR, AUDITOR, ADMIN)

# What a role may do, by capability; admin may do everything.
CAPABILITIES: dict[str, frozenset[str]] = {
    VIEWER: frozenset({"read"}),
    OPERATOR: frozenset({"read", "act", "register_service"}),
    AUDITOR: frozenset({"read", "audit", "export", "unmask"}),
    ADMIN: frozenset({"read", "act", "audit", "export", "unmask", "register_service", "manage"}),
}


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    if getattr(user, "is_superuser", False):
        return {ADMIN}
    cached = getattr(user, "_dashboard_roles", None)
    if cached is None:
        cached = set(cast(User, user).groups.values_list("name", flat=True)) & set(ROLES)
        setattr(user, "_dashboard_roles", cached)  # noqa: B010 (a per-request memo)
    return set(cached)


def can(user: AbstractBaseUser | AnonymousUser, capability: str) -> bool:
    return any(capability in CAPABILITIES[role] for role in roles_of(user))
