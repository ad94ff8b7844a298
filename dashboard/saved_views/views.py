"""Saving, renaming, sharing and deleting a list's saved views (the menu's POSTs).

Each answers an htmx request with the menu itself, open, saying what happened; without
JavaScript it redirects to the list (never anywhere else) with a message. Only the owner
may change a view; someone else's id is a 404, so ids say nothing about others' views.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from dashboard.accounts.access import CapabilityDenied, requires
from dashboard.audit.models import SUCCESS
from dashboard.audit.trail import actor_from, record
from dashboard.saved_views.lists import LISTS, ListPage, may_open
from dashboard.saved_views.menu import build_menu, current_query, current_raw
from dashboard.saved_views.models import SavedView
from dashboard.saved_views.query import InvalidName, InvalidQuery, clean_name, normalise_query


def _page(request: HttpRequest, list_name: str) -> ListPage:
    page = LISTS.get(list_name)
    if page is None:
        raise Http404("No such list.")
    if not may_open(request.user, page):
        raise CapabilityDenied(page.capability)
    return page


def _own(request: HttpRequest, view_id: int) -> tuple[SavedView, ListPage]:
    view = SavedView.objects.filter(pk=view_id, owner=cast(User, request.user)).first()
    if view is None or view.list_name not in LISTS:
        raise Http404("No such saved view of yours.")
    return view, _page(request, view.list_name)


def _answer(
    request: HttpRequest, page: ListPage, back_to: str, *, note: str = "", error: str = ""
) -> HttpResponse:
    if getattr(request, "htmx", False):
        menu = build_menu(request, page, query=current_query(request, page, back_to))
        assert menu is not None  # _page() let the user in
        menu.open, menu.note, menu.error = True, note, error
        response = render(request, "saved_views/menu.html", {"menu": menu})
        patch_vary_headers(response, ["HX-Request"])
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, note)
    return redirect(page.url(current_query(request, page, back_to)))


def _audit(request: HttpRequest, action: str, view: SavedView, reason: str) -> None:
    record(actor_from(request), action, [f"saved_view:{view.pk}"], outcome=SUCCESS, reason=reason)


def _describe(view: SavedView) -> str:
    return f"{view.list_name} view {view.name!r}: ?{view.query}"


@require_POST
@requires("read")
def save(request: HttpRequest, list_name: str) -> HttpResponse:
    page = _page(request, list_name)
    posted_query = request.POST.get("query", "")
    try:
        name = clean_name(request.POST.get("name", ""))
        query = normalise_query(current_raw(request, page, posted_query))
    except (InvalidName, InvalidQuery) as exc:
        return _answer(request, page, posted_query, error=str(exc))
    user = cast(User, request.user)
    shared = request.POST.get("shared") == "1"
    taken = f"You already have a view named “{name}” here: rename or delete that one first."
    if SavedView.objects.filter(owner=user, list_name=page.name, name=name).exists():
        return _answer(request, page, posted_query, error=taken)
    try:
        with transaction.atomic():
            view = SavedView.objects.create(
                owner=user, list_name=page.name, name=name, query=query, shared=shared
            )
            _audit(request, "view.save", view, _describe(view) + (" (shared)" if shared else ""))
    except IntegrityError:  # saved twice at once
        return _answer(request, page, posted_query, error=taken)
    who = "the team" if shared else "you"
    return _answer(request, page, query, note=f"Saved “{name}”, visible to {who}.")


@require_POST
@requires("read")
def rename(request: HttpRequest, view_id: int) -> HttpResponse:
    view, page = _own(request, view_id)
    back_to = request.POST.get("query", "")
    try:
        name = clean_name(request.POST.get("name", ""))
    except InvalidName as exc:
        return _answer(request, page, back_to, error=str(exc))
    if name == view.name:
        return _answer(request, page, back_to, note=f"“{name}” kept its name.")
    clash = SavedView.objects.filter(owner=view.owner, list_name=view.list_name, name=name)
    if clash.exists():
        return _answer(request, page, back_to, error=f"You already have a view named “{name}”.")
    old = view.name
    try:
        with transaction.atomic():
            view.name = name
            view.save(update_fields=["name", "updated_at"])
            _audit(request, "view.rename", view, f"{_describe(view)} (was {old!r})")
    except IntegrityError:
        return _answer(request, page, back_to, error=f"You already have a view named “{name}”.")
    return _answer(request, page, back_to, note=f"Renamed “{old}” to “{name}”.")


@require_POST
@requires("read")
def share(request: HttpRequest, view_id: int) -> HttpResponse:
    view, page = _own(request, view_id)
    back_to = request.POST.get("query", "")
    shared = request.POST.get("shared") == "1"
    if shared != view.shared:
        with transaction.atomic():
            view.shared = shared
            view.save(update_fields=["shared", "updated_at"])
            _audit(request, "view.share" if shared else "view.unshare", view, _describe(view))
    note = "is shared with the team" if shared else "is private to you"
    return _answer(request, page, back_to, note=f"“{view.name}” {note}.")


@require_POST
@requires("read")
def delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view, page = _own(request, view_id)
    back_to = request.POST.get("query", "")
    with transaction.atomic():
        _audit(request, "view.delete", view, _describe(view))
        view.delete()
    return _answer(request, page, back_to, note=f"Deleted “{view.name}”.")
