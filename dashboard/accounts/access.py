"""Who may open a view: `@requires(capability)` on every dashboard view, one 403 page for all.

Anonymous visitors go to the sign-in page (and come back with `next=`); a signed-in user who
still owes the second factor goes to its code step or to enrolment (also with `next=`; see
dashboard/accounts/second_factor.py), before any role is looked at. A signed-in user
without the capability gets the access-denied page, rendered in the site's layout, saying
which roles grant it and whom to ask. Django's `handler403` is the same page, so any
PermissionDenied looks alike.

htmx does not swap a 4xx answer, so a denied htmx request would otherwise change nothing on
screen. Instead the browser is sent, with HX-Redirect, to the address it asked for: a full
load of it shows the same page (GET), or the page it is on is reloaded with the reason as a
message (any other method, which cannot be repeated as a page load).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from dashboard.accounts.roles import (
    ADMIN,
    DESCRIPTIONS,
    Capability,
    can,
    roles_granting,
    roles_of,
)
from dashboard.accounts.second_factor import Step, pending_step, step_url
from dashboard.htmx import HtmxHttpRequest

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

# How many administrators the access-denied page names.
ADMINS_SHOWN = 5


class CapabilityDenied(PermissionDenied):
    """The signed-in user lacks a capability; the 403 page names the roles that hold it."""

    def __init__(self, capability: Capability) -> None:
        super().__init__(f"Needs the {capability!r} capability.")
        self.capability = capability


def requires(capability: Capability) -> Callable[[_View], _View]:
    """Let a view run only for a signed-in user whose role holds `capability`."""

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return _to_sign_in(request)
            if (step := pending_step(request)) is not None:
                return _to_step(request, step)
            if not can(request.user, capability):
                raise CapabilityDenied(capability)
            return view(request, *args, **kwargs)

        # Read by the route table's test; functools.wraps carries it through outer decorators.
        setattr(guarded, "required_capability", capability)  # noqa: B010
        return cast(_View, guarded)

    return decorate


def signed_in(*, second_factor: bool = True) -> Callable[[_View], _View]:
    """Let a view run for any signed-in user, whatever their roles: the operator's own
    second-factor pages. With second_factor=False, also before the second factor (the code
    step and enrolment themselves)."""

    def decorate(view: _View) -> _View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return _to_sign_in(request)
            if second_factor and (step := pending_step(request)) is not None:
                return _to_step(request, step)
            return view(request, *args, **kwargs)

        # Read by the route table's test, like required_capability.
        setattr(guarded, "required_sign_in", "complete" if second_factor else "password")  # noqa: B010
        return cast(_View, guarded)

    return decorate


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _back(request: HttpRequest) -> str:
    """Where to come back to after a sign-in step: the address asked for, or for an htmx
    request that is not a GET (which cannot be repeated as a page load) the page it came from."""
    if _is_htmx(request) and request.method not in ("GET", "HEAD"):
        return cast(HtmxHttpRequest, request).htmx.current_url_abs_path or "/"
    return request.get_full_path()


def _to_sign_in(request: HttpRequest) -> HttpResponseBase:
    if not _is_htmx(request):
        return redirect_to_login(request.get_full_path())
    # A 302 would be followed by the XHR and the sign-in form swapped into the page.
    login = resolve_url("accounts:login")
    return HttpResponseClientRedirect(f"{login}?{urlencode({'next': _back(request)})}")


def _to_step(request: HttpRequest, step: Step) -> HttpResponseBase:
    if not _is_htmx(request):
        return HttpResponseRedirect(step_url(step, request.get_full_path()))
    return HttpResponseClientRedirect(step_url(step, _back(request)))


def administrators() -> list[User]:
    """Whom to ask for a role: active users with the admin role, superusers first."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ADMIN))
        .distinct()
        .order_by("-is_superuser", "username")[:ADMINS_SHOWN]
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page (also Django's handler403)."""
    capability = exception.capability if isinstance(exception, CapabilityDenied) else None
    granting = roles_granting(capability) if capability else ()
    context = {
        "needed": DESCRIPTIONS[capability] if capability else "",
        "granting_roles": granting,
        "roles": sorted(roles_of(request.user)),
        "can_read": can(request.user, "read"),
        "administrators": administrators() if request.user.is_authenticated else [],
    }
    body = render_to_string("accounts/denied.html", context, request)
    response = HttpResponse(body, status=403)
    patch_vary_headers(response, ["HX-Request"])
    if _is_htmx(request):
        if request.method in ("GET", "HEAD"):
            response["HX-Redirect"] = request.get_full_path()
        else:
            messages.error(request, _reason(capability, granting))
            response["HX-Refresh"] = "true"
    return response


def _reason(capability: Capability | None, granting: tuple[str, ...]) -> str:
    if capability is None:
        return "You do not have access to that."
    return f"To {DESCRIPTIONS[capability]} you need the {_one_of(granting)} role."


def _one_of(names: tuple[str, ...]) -> str:
    return " or ".join(filter(None, (", ".join(names[:-1]), names[-1])))
