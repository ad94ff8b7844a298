"""What the saved-views menu adds to every load of a list page.

The menu is drawn on each full load of the sessions, audit and feed lists, so its cost is
paid on every page: this times the audit page (no provider involved) for one auditor with
no views, with a typical set (5 own, 10 shared by teammates), and with a team that shares
far more than the menu shows (40 own, 2,000 shared: the menu lists 50 of each), beside the
menu rendered alone. Run alone:
    DASHBOARD_VAR_DIR=var/bench/saved_views DJANGO_SETTINGS_MODULE=dashboard.settings \
        .venv/bin/python bench/saved_views.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from bench.common import figure, summary
from bench.pages import REQUESTS, measure_all
from dashboard.saved_views.lists import LISTS
from dashboard.saved_views.menu import build_menu
from dashboard.saved_views.models import SavedView

SIZES = {"none": (0, 0), "typical": (5, 10), "crowded": (40, 2000)}


def seed(me: User, teammates: list[User], own: int, shared: int) -> None:
    SavedView.objects.all().delete()
    SavedView.objects.bulk_create(
        SavedView(owner=me, list_name="audit", name=f"mine {i}", query=f"actor=u{i}")
        for i in range(own)
    )
    SavedView.objects.bulk_create(
        SavedView(
            owner=teammates[i % len(teammates)],
            list_name="audit",
            name=f"team {i}",
            query=f"action=cancel&actor=u{i}",
            shared=True,
        )
        for i in range(shared)
    )


def menu_alone(me: User) -> tuple[float, float]:
    request = RequestFactory().get("/audit/?outcome=failed")
    request.user = me
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        menu = build_menu(request, LISTS["audit"])
        render_to_string("saved_views/menu.html", {"menu": menu, "csrf_token": "x"})
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    auditors = Group.objects.get_or_create(name="auditor")[0]
    users = [User.objects.get_or_create(username=f"bench{i}")[0] for i in range(41)]
    for user in users:
        user.groups.add(auditors)
    me, teammates = users[0], users[1:]
    client = Client()
    client.force_login(me)
    for size, (own, shared) in SIZES.items():
        seed(me, teammates, own, shared)
        measure_all(client, [(f"saved_views_audit_page_{size}", "/audit/?outcome=failed", {})])
        median, p95 = menu_alone(me)
        figure(f"saved_views_menu_{size}_median", median, "ms")
        figure(f"saved_views_menu_{size}_p95", p95, "ms")
    SavedView.objects.all().delete()


if __name__ == "__main__":
    main()
