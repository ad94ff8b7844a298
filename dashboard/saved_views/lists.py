"""The lists a saved view can belong to, and what opening each one takes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse

from dashboard.accounts.roles import Capability, can


@dataclass(frozen=True)
class ListPage:
    name: str
    title: str
    url_name: str
    # The capability the list's own view requires: a saved view is no wider than its list.
    capability: Capability

    def url(self, query: str = "") -> str:
        path = reverse(self.url_name)
        return f"{path}?{query}" if query else path


LISTS: dict[str, ListPage] = {
    page.name: page
    for page in (
        ListPage("sessions", "Sessions", "verifications:sessions", "read"),
        ListPage("audit", "Audit trail", "audit:list", "audit"),
        ListPage("feed", "2FA changes", "clients_feed:feed", "audit"),
    )
}
LIST_CHOICES = [(page.name, page.title) for page in LISTS.values()]


def may_open(user: AbstractBaseUser | AnonymousUser, page: ListPage) -> bool:
    return can(user, "read") and can(user, page.capability)
