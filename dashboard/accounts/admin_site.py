"""The Django admin behind the same sign-in as the dashboard: no way around the second factor.

Its own password form is not used: an anonymous visitor is sent to the dashboard's sign-in
(throttled, audited, then the code step), and a signed-in user who still owes the second
factor to its code or enrolment step. Staff status is checked as Django always does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url

from dashboard.accounts.second_factor import pending_step, step_url


class OperatorAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and pending_step(request) is None

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        back = request.GET.get("next") or resolve_url("admin:index")
        if not request.user.is_authenticated or request.method == "POST":
            # One password form for the whole site: the dashboard's.
            return _as_response(redirect_to_login(back))
        if (step := pending_step(request)) is not None:
            return HttpResponseRedirect(step_url(step, back))
        # Signed in without staff status: Django's page says so and offers another account.
        return super().login(request, extra_context)


def _as_response(response: HttpResponseBase) -> HttpResponse:
    assert isinstance(response, HttpResponse)
    return response
