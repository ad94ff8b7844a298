"""What the saved-views menu of one list shows a user: theirs, and what teammates share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest

from dashboard.saved_views.lists import ListPage, may_open
from dashboard.saved_views.models import SavedView
from dashboard.saved_views.query import InvalidQuery, normalise_query

# The menu is drawn on every load of its list: each half shows at most this many views
# (and says how many more there are), so a large team's shares cannot slow the list down.
SHOWN = 50

_Row = tuple[int, str, str, bool, str]
_FIELDS = ("pk", "name", "query", "shared", "owner__username")


@dataclass(frozen=True)
class Entry:
    pk: int
    name: str
    href: str
    shared: bool
    owner: str
    current: bool


@dataclass
class Menu:
    page: ListPage
    current_query: str
    mine: list[Entry] = field(default_factory=list)
    shared: list[Entry] = field(default_factory=list)
    mine_more: bool = False
    shared_more: bool = False
    open: bool = False
    note: str = ""
    error: str = ""

    @property
    def dom_id(self) -> str:
        return f"saved-views-{self.page.name}"

    @property
    def count(self) -> str:
        total = len(self.mine) + len(self.shared)
        return f"{total}+" if self.mine_more or self.shared_more else str(total)


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


def _first(rows: QuerySet[SavedView], path: str, query: str) -> tuple[list[Entry], bool]:
    found = cast(list[_Row], list(rows.values_list(*_FIELDS)[: SHOWN + 1]))
    entries = [
        Entry(pk, name, f"{path}?{q}" if q else path, shared, owner, current=q == query)
        for pk, name, q, shared, owner in found[:SHOWN]
    ]
    return entries, len(found) > SHOWN


def build_menu(request: HttpRequest, page: ListPage, query: str | None = None) -> Menu | None:
    """The menu, or None when the user may not open the list at all."""
    if not may_open(request.user, page):
        return None
    user = cast(User, request.user)
    if query is None:
        query = current_query(request, page)
    menu = Menu(page=page, current_query=query)
    path = page.url()
    on_list = SavedView.objects.filter(list_name=page.name)
    menu.mine, menu.mine_more = _first(
        on_list.filter(owner=user).order_by(Lower("name"), "pk"), path, query
    )
    menu.shared, menu.shared_more = _first(
        on_list.filter(shared=True, owner__is_active=True)
        .exclude(owner=user)
        .order_by(Lower("name"), "owner__username", "pk"),
        path,
        query,
    )
    return menu
