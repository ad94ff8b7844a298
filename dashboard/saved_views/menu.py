"""What the saved-views menu of one list shows a user: theirs, and what teammates share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest

from dashboard.saved_views.lists import ListPage, may_open
from dashboard.saved_views.models import SavedView
from dashboard.saved_views.query import InvalidQuery, normalise_query


@dataclass(frozen=True)
class Entry:
    view: SavedView
    href: str
    current: bool


@dataclass
class Menu:
    page: ListPage
    current_query: str
    mine: list[Entry] = field(default_factory=list)
    shared: list[Entry] = field(default_factory=list)
    open: bool = False
    note: str = ""
    error: str = ""

    @property
    def dom_id(self) -> str:
        return f"saved-views-{self.page.name}"

    @property
    def count(self) -> int:
        return len(self.mine) + len(self.shared)


def current_raw(request: HttpRequest, page: ListPage, posted: str | None = None) -> str:
    """The list's query string as the browser shows it now, not yet checked.

    After htmx filter changes the page's markup is older than its address, so an htmx
    request's HX-Current-URL wins over the posted copy when it is the list's address."""
    raw = posted if posted is not None else request.GET.urlencode()
    current_url = request.headers.get("HX-Current-URL", "")
    if getattr(request, "htmx", False) and current_url:
        parts = urlsplit(current_url)
        if parts.path == page.url():
            raw = parts.query
    return raw


def current_query(request: HttpRequest, page: ListPage, posted: str | None = None) -> str:
    """current_raw(), normalised; "" when it could not be saved anyway."""
    try:
        return normalise_query(current_raw(request, page, posted))
    except InvalidQuery:
        return ""


def build_menu(request: HttpRequest, page: ListPage, query: str | None = None) -> Menu | None:
    """The menu, or None when the user may not open the list at all."""
    if not may_open(request.user, page):
        return None
    user = cast(User, request.user)
    if query is None:
        query = current_query(request, page)
    menu = Menu(page=page, current_query=query)
    views = (
        SavedView.objects.filter(list_name=page.name)
        .filter(Q(owner=user) | Q(shared=True, owner__is_active=True))
        .select_related("owner")
    )
    for view in sorted(views, key=lambda v: (v.name.casefold(), v.owner.get_username())):
        entry = Entry(view, page.url(view.query), current=view.query == query)
        (menu.mine if view.owner_id == user.pk else menu.shared).append(entry)
    return menu
