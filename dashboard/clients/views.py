"""The clients pages: search B2Core's clients, one client's 2FA methods and change history,
and one change in a drawer. Every read is live from B2Core, one page at a time."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboard.accounts.access import requires
from dashboard.accounts.roles import can
from dashboard.clients.actions.disable import METHODS
from dashboard.clients.forms import CLIENT_ID, ClientSearchForm, HistoryFilterForm
from dashboard.clients.paging import pager
from dashboard.clients.problems import Problem, problem
from dashboard.clients.tables import (
    ChangeTable,
    ClientTable,
    PresortedListData,
    change_rows,
    client_rows,
    shown,
)
from dashboard.connections import b2core_client
from dashboard.htmx import HtmxHttpRequest
from dashboard.providers.b2core import Client, TwoFAMethod
from dashboard.providers.errors import ProviderError
from dashboard.verifications.phone_search import format_e164_digits, mask

# ASCII digits only: str.isdigit() would let "٣" through.
CHANGE_ID = re.compile(r"^[0-9]{1,18}$")


def _partial(request: HtmxHttpRequest, template: str, name: str) -> str:
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{name}"
    return template


def _render(
    request: HtmxHttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # htmx swaps only 2xx answers: a partial says what went wrong inside a 200.
    if request.htmx and "#" in template:
        status = 200
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@requires("read")
def client_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        kwargs = form.api_kwargs()
        try:
            page = b2core_client().list_clients(**kwargs)
        except ProviderError as exc:
            context["problem"] = problem(
                exc, "B2Core has no client list at this address.", one_client=False
            )
        else:
            table = ClientTable(PresortedListData(client_rows(page.items)))
            RequestConfig(request, paginate=False).configure(table)
            context.update(table=table, pager=pager(request.GET, page, kwargs["limit"]))
    template = _partial(request, "clients/clients.html", "results")
    return _render(request, template, context)


def _valid_client_id(client_id: str) -> bool:
    return bool(CLIENT_ID.fullmatch(client_id))


def _not_a_client(request: HtmxHttpRequest, client_id: str) -> HttpResponse:
    context = {
        "client_id": client_id,
        "problem": Problem("not_found", "That is not a B2Core client ID."),
    }
    return _render(request, "clients/client.html", context, status=404)


def find_client(client_id: str) -> Client | None:
    """The client's record from the Back Office list (B2Core has no "get one client")."""
    page = b2core_client().list_clients(client_id=client_id, limit=25)
    return next((c for c in page.items if c.id == client_id), None)


def _phone_context(request: HttpRequest, client: Client | None) -> dict[str, Any]:
    if client is None or not client.phone:
        return {}
    digits = "".join(ch for ch in client.phone if ch.isdigit())
    if not 6 <= len(digits) <= 15:
        return {}
    formatted = format_e164_digits(digits)
    if not can(request.user, "unmask"):
        # Masked, and no link: a viewer searches only by numbers they already know whole.
        return {"phone": mask(formatted)}
    query = QueryDict(mutable=True)
    query.update({"phone": "+" + digits, "range": "90d"})
    return {
        "phone": formatted,
        "phone_sessions_url": f"{reverse('verifications:sessions')}?{query.urlencode()}",
    }


@require_GET
@requires("read")
def client_page(request: HtmxHttpRequest, client_id: str) -> HttpResponse:
    if not _valid_client_id(client_id):
        return _not_a_client(request, client_id)
    form = HistoryFilterForm(request.GET)
    context: dict[str, Any] = {"client_id": client_id, "form": form}
    history_only = bool(request.htmx) and not request.htmx.history_restore_request
    if not history_only:
        try:
            methods: list[TwoFAMethod] = b2core_client().get_methods(client_id)
        except ProviderError as exc:
            found = problem(exc, f"B2Core has no client {client_id}.")
            context["problem"] = found
            status = 404 if found.kind == "not_found" else 200
            return _render(request, "clients/client.html", context, status=status)
        try:
            client = find_client(client_id)
        except ProviderError as exc:
            client = None
            context["client_problem"] = problem(exc, "").message
        context.update(
            client=client,
            methods=[(m, METHODS.get(m.name)) for m in methods],
            can_disable=can(request.user, "disable_2fa"),
            **_phone_context(request, client),
        )
    if form.is_valid():
        kwargs = form.api_kwargs()
        try:
            page = b2core_client().list_changes(client_id, **kwargs)
        except ProviderError as exc:
            context["history_problem"] = problem(exc, f"B2Core has no client {client_id}.")
        else:
            table = ChangeTable(PresortedListData(change_rows(client_id, page.items)))
            RequestConfig(request, paginate=False).configure(table)
            context.update(table=table, pager=pager(request.GET, page, kwargs["limit"]))
    return _render(request, _partial(request, "clients/client.html", "history"), context)


@require_GET
@requires("read")
def change_page(request: HtmxHttpRequest, client_id: str, change_id: str) -> HttpResponse:
    """One change: the drawer's content for htmx, a page of its own without JavaScript."""
    template = _partial(request, "clients/change.html", "drawer")
    context: dict[str, Any] = {
        "client_id": client_id,
        "change_id": change_id,
        "client_url": reverse("clients:client", args=[client_id])
        if _valid_client_id(client_id)
        else reverse("clients:list"),
    }
    context["back_url"] = context["client_url"]
    current = request.htmx.current_url_abs_path if request.htmx else None
    if current and current.split("?")[0] == context["client_url"]:
        context["back_url"] = current  # the client page as filtered when the drawer opened
    if not (_valid_client_id(client_id) and CHANGE_ID.fullmatch(change_id)):
        context["problem"] = Problem("not_found", "That is not a B2Core client and change ID.")
        return _render(request, template, context, status=404)
    try:
        change = b2core_client().get_change(client_id, change_id)
    except ProviderError as exc:
        found = problem(exc, f"B2Core has no change {change_id} for client {client_id}.")
        context["problem"] = found
        return _render(request, template, context, status=404 if found.kind == "not_found" else 200)
    fields = [
        ("id", shown(change.id)),
        ("provider", change.provider),
        ("isEnabled", shown(change.is_enabled)),
        ("time", change.time.isoformat() if change.time else "null"),
        *((key, shown(value)) for key, value in change.extra.items()),
    ]
    context.update(
        change=change, method=METHODS.get(change.provider, change.provider), fields=fields
    )
    return _render(request, template, context)
