"""The four roles, as Django groups, and what each may do."""

from __future__ import annotations

from typing import Literal, cast, get_args

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

Role = Literal["viewer", "operator", "auditor", "admin"]
# A capability is spelt as a Literal so that mypy refuses a misspelt one (`can(u, "raed")`).
Capability = Literal[
    "read", "act", "audit", "export", "unmask", "register_service", "disable_2fa", "manage"
]

VIEWER: Role = "viewer"
OPERATOR: Role = "operator"
AUDITOR: Role = "auditor"
ADMIN: Role = "admin"
ROLES: tuple[Role, ...] = get_args(Role)
ALL_CAPABILITIES: tuple[Capability, ...] = get_args(Capability)

# What a role may do, by capability; admin may do everything.
CAPABILITIES: dict[Role, frozenset[Capability]] = {
    VIEWER: frozenset({"read"}),
    OPERATOR: frozenset({"read", "act", "register_service"}),
    AUDITOR: frozenset({"read", "audit", "export", "unmask"}),
    ADMIN: frozenset(ALL_CAPABILITIES),
}

# What a capability lets its holder do, as the access-denied page words it.
DESCRIPTIONS: dict[Capability, str] = {
    "read": "read the services and sessions",
    "act": "act on verifications",
    "audit": "read the audit log",
    "export": "export sessions",
    "unmask": "see full phone numbers",
    "register_service": "register a service",
    "disable_2fa": "disable a client's 2FA method",
    "manage": "manage this dashboard's settings and users",
}


def roles_of(user: AbstractBaseUser | AnonymousUser) -> set[Role]:
    if not user.is_authenticated:
        return set()
    if getattr(user, "is_superuser", False):
        return {ADMIN}
    cached = getattr(user, "_dashboard_roles", None)
    if cached is None:
        names = cast(User, user).groups.values_list("name", flat=True)
        cached = {cast(Role, name) for name in names if name in ROLES}
        setattr(user, "_dashboard_roles", cached)  # noqa: B010 (a per-request memo)
    return set(cached)


def capabilities_of(role: Role) -> frozenset[Capability]:
    """What a role may do now: CAPABILITIES, plus what settings grant it (read per call, so
    that a changed setting takes effect without a restart of this module)."""
    granted = CAPABILITIES[role]
    if role == OPERATOR and settings.CLIENT_DISABLE_ROLE == OPERATOR:
        granted = granted | {"disable_2fa"}
    return granted


def can(user: AbstractBaseUser | AnonymousUser, capability: Capability) -> bool:
    return any(capability in capabilities_of(role) for role in roles_of(user))


def roles_granting(capability: Capability) -> tuple[Role, ...]:
    """The roles that hold a capability, in ROLES order."""
    return tuple(role for role in ROLES if capability in capabilities_of(role))
