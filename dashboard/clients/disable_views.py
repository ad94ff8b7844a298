"""Disable a client's 2FA method: a confirmation page (GET), then one call (POST), audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dashboard.accounts.access import requires
from dashboard.audit.models import FAILED, SUCCESS
from dashboard.audit.trail import actor_from
from dashboard.clients.actions.disable import ACTION, METHODS, disable
from dashboard.clients.forms import CLIENT_ID, DisableForm
from dashboard.clients.problems import Problem, problem
from dashboard.clients.views import find_client
from dashboard.connections import b2core_client
from dashboard.htmx import HtmxHttpRequest
from dashboard.providers.errors import ProviderError
from dashboard.verifications.actions import once
from dashboard.verifications.actions.outcome import Outcome
from dashboard.verifications.models import ActionRequest

TEMPLATE = "clients/disable.html"


def _page(request: HtmxHttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
@requires("disable_2fa")
def disable_method(request: HtmxHttpRequest, client_id: str, method: str) -> HttpResponse:
    context: dict[str, Any] = {
        "client_id": client_id,
        "method": method,
        "method_label": METHODS.get(method, method),
    }
    if not CLIENT_ID.fullmatch(client_id) or method not in METHODS:
        context["problem"] = Problem("not_found", "There is no such client 2FA method to disable.")
        return _page(request, context, status=404)
    if request.method == "POST":
        return _submit(request, client_id, method, context)
    try:
        current = next(
            (m for m in b2core_client().get_methods(client_id) if m.name == method), None
        )
    except ProviderError as exc:
        found = problem(exc, f"B2Core has no client {client_id}.")
        context["problem"] = found
        return _page(request, context, status=404 if found.kind == "not_found" else 200)
    if current is None:
        context["problem"] = Problem(
            "not_found", f"B2Core lists no {context['method_label']} method for this client."
        )
        return _page(request, context, status=404)
    try:
        context["client"] = find_client(client_id)
    except ProviderError:
        context["client"] = None  # the confirmation still stands on the ID alone
    context.update(
        current=current,
        caption=current.caption,
        form=DisableForm(initial={"key": once.new_key()}),
    )
    return _page(request, context)


def _submit(
    request: HtmxHttpRequest, client_id: str, method: str, context: dict[str, Any]
) -> HttpResponse:
    form = DisableForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return _page(request, context, status=400)
    target = f"{client_id}:{method}"
    try:
        claimed = once.claim(form.cleaned_data["key"], ACTION, target, request.user)
    except once.FormExpired:
        fresh = DisableForm(initial={"key": once.new_key(), **form.cleaned_data})
        context["form"] = fresh
        context["form_problem"] = (
            "This form had expired or belongs to another page: nothing was sent. "
            "Check the method's state and submit again."
        )
        return _page(request, context, status=400)
    except once.AlreadySubmitted as exc:
        first = exc.first
        if first.state == ActionRequest.State.STARTED:
            messages.warning(
                request,
                "This form was already sent and is still being processed: reload "
                "the client in a moment. Nothing more was sent.",
            )
        else:
            messages.info(request, f"This form was already sent. {first.message}")
        return redirect("clients:client", client_id=client_id)
    outcome = disable(b2core_client(), client_id, method)
    # The outcome, kept for a second submit of this form, and its audit record, together.
    once.finish(
        claimed,
        Outcome(outcome.state, outcome.message, provider_message=outcome.provider_message),
        actor=actor_from(request),
        targets=[client_id, method],
        reason=form.reason_text(),
    )
    label = f"{METHODS[method]} for client {client_id}"
    if outcome.state == SUCCESS:
        messages.success(request, f"{label}: {outcome.message}")
    elif outcome.state == FAILED:
        messages.error(request, f"{label}: {outcome.message}")
    else:
        messages.warning(request, f"{label}: {outcome.message}")
    return redirect("clients:client", client_id=client_id)
