from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import RequestFactory

from dashboard.saved_views.lists import LISTS
from dashboard.saved_views.menu import SHOWN, build_menu
from dashboard.saved_views.models import SavedView
from tests.saved_views.conftest import saved, signed_in
from tests.verifications.conftest import user_with_role


def menu_of(response) -> str:
    body = response.content.decode()
    match = re.search(r'<details class="saved-views".*?</div>\s*</details>', body, re.S)
    assert match, "no saved-views menu on the page"
    return match.group(0)


def links(menu_html: str) -> dict[str, str]:
    """Each view's link in the menu: name → href."""
    found = re.findall(r'<li>\s*<a href="([^"]*)"[^>]*>([^<]*)</a>', menu_html)
    return {unescape(name): unescape(href) for href, name in found}


@pytest.mark.django_db
def test_a_saved_view_is_found_again_in_the_sessions_menu(alice, providers):
    saved(alice, "Failed in Egypt", "status=failed&country=EG")

    menu = menu_of(signed_in(alice).get("/sessions/"))

    assert links(menu) == {"Failed in Egypt": "/sessions/?status=failed&country=EG"}


@pytest.mark.django_db
def test_opening_a_view_lands_on_the_list_with_exactly_its_query(alice, providers):
    saved(alice, "Failed in Egypt", "status=failed&country=EG")
    client = signed_in(alice)
    href = links(menu_of(client.get("/sessions/")))["Failed in Egypt"]

    response = client.get(href)

    assert response.status_code == 200
    assert response.wsgi_request.GET.urlencode() == "status=failed&country=EG"
    # The list applied it: the menu marks it as the one showing.
    assert re.search(r'<a href="[^"]*" aria-current="true">Failed in Egypt</a>', menu_of(response))


@pytest.mark.django_db
def test_a_shared_view_is_listed_for_a_teammate_with_its_owner(alice, bob, providers):
    saved(alice, "Failed", shared=True)

    menu = menu_of(signed_in(bob).get("/sessions/"))

    assert links(menu) == {"Failed": "/sessions/?status=failed"}
    assert "by alice" in menu
    assert "Shared by teammates" in menu
    assert "None yet" in menu


@pytest.mark.django_db
def test_a_private_view_is_not_listed_for_anyone_else(alice, bob, providers):
    saved(alice, "Alice only")

    assert links(menu_of(signed_in(bob).get("/sessions/"))) == {}


@pytest.mark.django_db
def test_unsharing_hides_the_view_from_teammates_again(alice, bob, providers):
    view = saved(alice, "Failed", shared=True)
    signed_in(alice).post(f"/saved-views/{view.pk}/share/", {"shared": "0"})

    assert links(menu_of(signed_in(bob).get("/sessions/"))) == {}


@pytest.mark.django_db
def test_a_deactivated_users_shared_views_are_not_listed(alice, bob, providers):
    saved(alice, "Failed", shared=True)
    alice.is_active = False
    alice.save()

    assert links(menu_of(signed_in(bob).get("/sessions/"))) == {}


@pytest.mark.django_db
def test_views_of_other_lists_are_not_in_this_lists_menu(carol, providers):
    saved(carol, "Cancels", "action=cancel", list_name="audit")

    assert links(menu_of(signed_in(carol).get("/sessions/"))) == {}
    assert links(menu_of(signed_in(carol).get("/audit/"))) == {"Cancels": "/audit/?action=cancel"}


@pytest.mark.django_db
def test_shared_audit_views_are_hidden_from_roles_without_audit(carol, alice):
    saved(carol, "Cancels", "action=cancel", list_name="audit", shared=True)
    saved(carol, "Disables", "state=disabled", list_name="feed", shared=True)
    operator = user_with_role("otto", "operator")
    request = RequestFactory().get("/audit/")

    for user in (alice, operator):
        request.user = user
        assert build_menu(request, LISTS["audit"]) is None
        assert build_menu(request, LISTS["feed"]) is None
    admin = user_with_role("ada", "admin")
    request.user = admin
    menu = build_menu(request, LISTS["audit"])
    assert menu is not None
    assert [e.name for e in menu.shared] == ["Cancels"]


@pytest.mark.django_db
def test_the_clients_feed_has_its_own_menu(carol):
    saved(carol, "Disables", "state=disabled", list_name="feed")

    menu = menu_of(signed_in(carol).get("/clients/feed/"))

    assert links(menu) == {"Disables": "/clients/feed/?state=disabled"}


@pytest.mark.django_db
def test_a_hostile_name_and_query_are_escaped_in_the_page(alice, bob, providers):
    hostile = '"><script>alert(1)</script>'
    signed_in(alice).post(
        "/saved-views/sessions/save/",
        {"name": hostile, "query": 'status=failed&x="><img src=x onerror=alert(2)>', "shared": "1"},
    )

    page = signed_in(bob).get("/sessions/").content.decode()

    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    href = links(menu_of(signed_in(bob).get("/sessions/")))[hostile]
    assert href == "/sessions/?status=failed&x=%22%3E%3Cimg+src%3Dx+onerror%3Dalert%282%29%3E"


@pytest.mark.django_db
def test_the_menu_works_without_javascript_as_plain_forms(alice, providers):
    saved(alice, "Failed")

    menu = menu_of(signed_in(alice).get("/sessions/?status=failed&after=abc"))

    # Every action is a real form POST with its token, carrying the filters shown now.
    assert menu.count('<form method="post" action="/saved-views/') == 4
    assert menu.count('name="csrfmiddlewaretoken"') == 4
    assert menu.count('<input type="hidden" name="query" value="status=failed">') == 4


@pytest.mark.django_db
def test_a_crowded_menu_lists_the_first_views_by_name_and_says_there_are_more(alice, bob):
    SavedView.objects.bulk_create(
        SavedView(owner=bob, list_name="sessions", name=f"v{i:03d}", query="a=1", shared=True)
        for i in range(SHOWN + 2)
    )
    request = RequestFactory().get("/sessions/")
    request.user = alice

    menu = build_menu(request, LISTS["sessions"])

    assert menu is not None
    assert [e.name for e in menu.shared] == [f"v{i:03d}" for i in range(SHOWN)]
    assert menu.shared_more
    assert menu.count == f"{SHOWN}+"
