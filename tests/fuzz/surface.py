"""The fuzzer's surface: every route (walked from the URL resolver, as test_url_roles.py
does), the forms its pages show, and the query parameters the views read.

The surface is discovered; DRIVEN below is what the fuzzer sends. test_surface.py fails when
a page shows a form field, or a FilterSet declares a filter, that DRIVEN does not name: a new
field is then fuzzed as soon as it is added here, or the suite says it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django import forms
from django.urls import Resolver404, resolve

from dashboard.audit.filters import AuditFilter
from dashboard.clients.feed.filters import FeedFilter
from dashboard.clients.forms import ClientSearchForm, HistoryFilterForm
from dashboard.verifications.bulk_tables import BulkItemFilter
from dashboard.verifications.session_filters import SessionFilter
from tests.accounts.test_url_roles import address, routes
from tests.accounts.url_table import EXPECTED, WHO, Row

# The query parameters views read by name (grep request.GET / QueryDict in dashboard/),
# beside their forms and FilterSets: cursors, jumps, the register prompt, back-links, the
# console's session, a resend's channel, the clients' paging.
READ_BY_NAME = ("after", "before", "jump", "register", "next", "session", "channel", "page")
# Headers the views read: htmx's, and the pages' own poll counter.
HEADERS = ("HX-Request", "X-Poll")


def declared_filters() -> dict[str, set[str]]:
    """The GET names of every FilterSet and filter form, by the route that reads them."""

    def names(filterset: type, *extra: type[forms.Form]) -> set[str]:
        found = set(filterset.base_filters)  # type: ignore[attr-defined]
        form = filterset._meta.form  # type: ignore[attr-defined]
        found |= set(form.base_fields)
        for form_class in extra:
            found |= set(form_class.base_fields)
        return found

    return {
        "sessions/": names(SessionFilter),
        "sessions/export.csv": names(SessionFilter),
        "audit/": names(AuditFilter),
        "audit/export.csv": names(AuditFilter),
        "clients/feed/": names(FeedFilter),
        "clients/feed/export.csv": names(FeedFilter),
        "bulk/<int:bulk_id>/": names(BulkItemFilter),
        "clients/": set(ClientSearchForm.base_fields),
        "clients/<str:client_id>/": set(HistoryFilterForm.base_fields),
    }


@dataclass
class Form:
    method: str
    action: str
    fields: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._open: Form | None = None
        # Fields outside any <form> but tied to one by form="id".
        self._by_id: dict[str, Form] = {}
        self._orphans: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._open = Form(a.get("method", "get").upper(), a.get("action") or self.page)
            self.forms.append(self._open)
            if a.get("id"):
                self._by_id[a["id"]] = self._open
        elif tag in ("input", "select", "textarea", "button") and a.get("name"):
            if a.get("form"):
                self._orphans.append((a["form"], a["name"]))
            elif self._open is not None:
                self._open.fields.add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None

    def close(self) -> None:
        super().close()
        for form_id, name in self._orphans:
            if form_id in self._by_id:
                self._by_id[form_id].fields.add(name)


def forms_of(page: str, html: str) -> list[Form]:
    parser = _Forms(page)
    parser.feed(html)
    parser.close()
    return parser.forms


def route_of(action: str) -> str | None:
    """The URL table's route an action posts to, or None for another site or no route."""
    parts = urlsplit(action)
    if parts.scheme or parts.netloc:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.route


@dataclass(frozen=True)
class Target:
    route: str
    method: str
    path: str


def targets() -> list[Target]:
    """Every (route, method) some principal may reach: the all-405 halves are left out."""
    found = []
    for route in routes():
        row = EXPECTED.get(route)
        if not isinstance(row, Row):
            continue
        path = "/admin/" if row.include else address(route, row)
        for method, outcomes in (("GET", row.get), ("POST", row.post)):
            if set(outcomes.split()) != {"405"}:
                found.append(Target(route, method, path))
    return found


ROLES = WHO


@dataclass(frozen=True)
class Driven:
    get: tuple[str, ...] = ()
    post: tuple[str, ...] = ()


_SESSIONS = (
    "range", "date_from", "date_to", "service", "status", "country", "phone", "min_charge",
    "sort",
)  # fmt: skip
_AUDIT = ("actor", "action", "outcome", "target", "date_from", "date_to")
_FEED = ("client", "method", "state", "rapid", "date_from", "date_to")
_PAGED = ("sort", "limit", "offset")
_SAVED = ("name", "query", "shared")

# What the fuzzer sends to each route, beyond READ_BY_NAME (sent to every route).
DRIVEN: dict[str, Driven] = {
    "": Driven(get=("range", "date_from", "date_to")),
    "services/register/": Driven(post=("service_id", "name")),
    "services/<str:service_id>/unwatch/": Driven(post=("sessions",)),
    "sessions/": Driven(get=_SESSIONS),
    "sessions/export.csv": Driven(get=_SESSIONS),
    "^sessions/(?P<session_id>[0-9a-fA-F]{32})/resend/$": Driven(post=("channel", "reason", "key")),
    "^sessions/(?P<session_id>[0-9a-fA-F]{32})/cancel/$": Driven(post=("reason", "note", "key")),
    "sessions/bulk-cancel/": Driven(post=("all", "query", "session")),
    "bulk/<int:bulk_id>/": Driven(get=("state",)),
    "bulk/<int:bulk_id>/start/": Driven(post=("reason", "note")),
    "bulk/<int:bulk_id>/export.csv": Driven(get=("state",)),
    "console/send/": Driven(post=("service", "to", "channel", "key")),
    "console/check/": Driven(post=("session_id", "code")),
    "audit/": Driven(get=_AUDIT),
    "audit/export.csv": Driven(get=_AUDIT),
    "clients/feed/": Driven(get=_FEED),
    "clients/feed/export.csv": Driven(get=_FEED),
    "clients/": Driven(get=("client_id", "email", "name", *_PAGED)),
    "clients/<str:client_id>/": Driven(get=("method", "state", "time_from", "time_to", *_PAGED)),
    "clients/<str:client_id>/2fa/<str:method>/disable/": Driven(post=("key", "reason", "note")),
    "accounts/login/": Driven(post=("username", "password", "next")),
    "accounts/login/code/": Driven(post=("code", "next")),
    "accounts/two-factor/": Driven(post=("code", "next")),
    "accounts/two-factor/recovery-codes/": Driven(post=("next",)),
    "accounts/logout/": Driven(post=("next",)),
    "accounts/time-zone/": Driven(post=("time_zone", "next")),
    "accounts/phone-region/": Driven(post=("phone_region", "next")),
    "saved-views/<slug:list_name>/save/": Driven(post=_SAVED),
    "saved-views/<int:view_id>/rename/": Driven(post=_SAVED),
    "saved-views/<int:view_id>/share/": Driven(post=_SAVED),
    "saved-views/<int:view_id>/delete/": Driven(post=_SAVED),
}
# Fields the fuzzer leaves alone, and why: the test client does not check CSRF.
IGNORED = {"csrfmiddlewaretoken"}


def driven(target: Target) -> tuple[str, ...]:
    entry = DRIVEN.get(target.route, Driven())
    names = entry.get if target.method == "GET" else entry.post
    return tuple(dict.fromkeys((*names, *READ_BY_NAME)))
