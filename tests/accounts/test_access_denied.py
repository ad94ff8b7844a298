from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages

from dashboard.accounts.access import ADMINS_SHOWN, administrators

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/sessions/?range=7d"}


def with_role(username: str, role: str | None, **fields) -> User:
    user = User.objects.create(username=username, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_user_without_a_role_is_told_so_and_whom_to_ask(client):
    with_role("ada", "admin", email="ada@example.com")
    with_role("root", None, is_superuser=True)
    with_role("olga", "operator")
    client.force_login(with_role("newbie", None))

    response = client.get("/sessions/")

    assert response.status_code == 403
    page = text(response)
    assert "Your account has no role yet" in page
    assert "signed in as <strong>newbie</strong>" in page
    assert (
        "you need the <strong>viewer</strong>, <strong>operator</strong>, "
        "<strong>auditor</strong> or <strong>admin</strong> role" in page
    )
    assert [u.username for u in response.context["administrators"]] == ["root", "ada"]
    assert '<a href="mailto:ada@example.com">ada@example.com</a>' in page
    assert "olga" not in page
    assert 'action="/accounts/logout/"' in page
    # No way in from here: the main navigation would only lead to more of this page.
    assert 'href="/sessions/"' not in page


def test_a_viewer_asking_for_an_export_is_told_which_roles_export(client):
    client.force_login(with_role("vera", "viewer"))

    response = client.get("/sessions/export.csv")

    assert response.status_code == 403
    page = text(response)
    assert "with the <strong>viewer</strong> role" in page
    assert "To export sessions you need the <strong>auditor</strong> or <strong>admin</strong>" in (
        page
    )
    assert "Ask an administrator of this dashboard to give you another role." in page
    assert 'href="/"' in page  # a way back to what a viewer can read


def test_administrators_are_the_active_admins_and_superusers_only(client):
    for n in range(ADMINS_SHOWN + 2):
        with_role(f"admin{n}", "admin")
    with_role("gone", "admin", is_active=False)
    with_role("aude", "auditor")

    names = [u.username for u in administrators()]

    assert names == [f"admin{n}" for n in range(ADMINS_SHOWN)]


def test_a_denied_htmx_read_sends_the_browser_to_the_page_itself(client):
    client.force_login(with_role("newbie", None))

    response = client.get("/sessions/?range=30d", **HTMX)

    # htmx swaps no 4xx answer: a full load of the same address shows the page instead.
    assert response.status_code == 403
    assert response["HX-Redirect"] == "/sessions/?range=30d"
    assert "HX-Request" in response["Vary"]


def test_a_denied_htmx_post_reloads_the_page_with_the_reason(client):
    client.force_login(with_role("vera", "viewer"))

    response = client.post("/services/register/", {"service_id": "a" * 32}, **HTMX)

    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "To register a service you need the operator or admin role."
    ]


def test_a_signed_out_htmx_request_is_sent_to_sign_in_rather_than_swapped(client):
    response = client.get("/sessions/?range=30d", **HTMX)

    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fsessions%2F%3Frange%3D30d"


def test_a_signed_out_htmx_post_returns_to_the_page_it_came_from(client):
    response = client.post("/accounts/time-zone/", {"time_zone": "UTC"}, **HTMX)

    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fsessions%2F%3Frange%3D7d"


def test_any_permission_denied_renders_the_same_page(client):
    # The Django admin refuses staff without model permissions with a bare PermissionDenied.
    staff = with_role("stef", "viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_preference"))
    client.force_login(staff)

    response = client.get("/admin/verifications/service/")

    assert response.status_code == 403
    assert "accounts/denied.html" in {t.name for t in response.templates}
    assert "You don't have access to this page" in text(response)
