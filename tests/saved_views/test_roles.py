from __future__ import annotations

import pytest
from django.test import Client

from dashboard.saved_views.models import SavedView
from tests.saved_views.conftest import saved, signed_in
from tests.verifications.conftest import user_with_role


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(db):
    response = Client().post("/saved-views/sessions/save/", {"name": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not SavedView.objects.exists()


@pytest.mark.django_db
def test_a_user_without_a_role_cannot_save(db):
    from django.contrib.auth.models import User

    response = signed_in(User.objects.create(username="nobody")).post(
        "/saved-views/sessions/save/", {"name": "x"}
    )

    assert response.status_code == 403
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "operator", "auditor", "admin"])
@pytest.mark.django_db
def test_every_role_that_reads_sessions_may_save_a_sessions_view(role):
    user = user_with_role("u", role)

    signed_in(user).post("/saved-views/sessions/save/", {"name": "x", "query": "status=failed"})

    assert SavedView.objects.filter(owner=user, list_name="sessions").exists()


@pytest.mark.parametrize("list_name", ["audit", "feed"])
@pytest.mark.parametrize("role", ["viewer", "operator"])
@pytest.mark.django_db
def test_roles_without_audit_cannot_save_an_audit_list_view(role, list_name):
    response = signed_in(user_with_role("u", role)).post(
        f"/saved-views/{list_name}/save/", {"name": "x", "query": "outcome=failed"}
    )

    assert response.status_code == 403
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("list_name", ["audit", "feed"])
@pytest.mark.django_db
def test_an_auditor_may_save_an_audit_list_view(carol, list_name):
    response = signed_in(carol).post(
        f"/saved-views/{list_name}/save/", {"name": "x", "query": "outcome=failed"}
    )

    assert response.status_code == 302
    assert SavedView.objects.get().list_name == list_name


@pytest.mark.django_db
def test_an_owner_who_lost_audit_cannot_change_their_audit_view(carol):
    view = saved(carol, "Cancels", "action=cancel", list_name="audit")
    carol.groups.clear()
    carol.groups.add(user_with_role("x", "viewer").groups.get())

    response = signed_in(carol).post(f"/saved-views/{view.pk}/share/", {"shared": "1"})

    assert response.status_code == 403
    view.refresh_from_db()
    assert view.shared is False
