from __future__ import annotations

import pytest

from dashboard.audit.models import AuditRecord
from dashboard.saved_views.models import SavedView
from tests.saved_views.conftest import audit_actions, saved, signed_in


@pytest.mark.django_db
def test_the_owner_renames_a_view_and_it_is_audited(alice):
    view = saved(alice, "Failed")

    response = signed_in(alice).post(
        f"/saved-views/{view.pk}/rename/", {"name": "Failed SMS", "query": "status=pending"}
    )

    view.refresh_from_db()
    assert view.name == "Failed SMS"
    assert response["Location"] == "/sessions/?status=pending"
    entry = AuditRecord.objects.get()
    assert entry.action == "view.rename"
    assert "'Failed'" in entry.reason


@pytest.mark.django_db
def test_renaming_to_a_name_already_taken_changes_nothing(alice):
    view = saved(alice, "Failed")
    saved(alice, "Expired", "status=expired")

    signed_in(alice).post(f"/saved-views/{view.pk}/rename/", {"name": "Expired"})

    view.refresh_from_db()
    assert view.name == "Failed"
    assert audit_actions() == []


@pytest.mark.django_db
def test_someone_elses_view_cannot_be_renamed_even_when_shared(alice, bob):
    view = saved(alice, "Failed", shared=True)

    response = signed_in(bob).post(f"/saved-views/{view.pk}/rename/", {"name": "Mine now"})

    assert response.status_code == 404
    view.refresh_from_db()
    assert view.name == "Failed"


@pytest.mark.django_db
def test_the_owner_deletes_a_view_and_it_is_audited(alice):
    view = saved(alice, "Failed")

    response = signed_in(alice).post(f"/saved-views/{view.pk}/delete/", {"query": ""})

    assert response["Location"] == "/sessions/"
    assert not SavedView.objects.exists()
    entry = AuditRecord.objects.get()
    assert (entry.action, entry.targets) == ("view.delete", [f"saved_view:{view.pk}"])


@pytest.mark.django_db
def test_someone_elses_view_cannot_be_deleted(alice, bob):
    view = saved(alice, "Failed", shared=True)

    response = signed_in(bob).post(f"/saved-views/{view.pk}/delete/")

    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert audit_actions() == []


@pytest.mark.django_db
def test_sharing_and_unsharing_are_audited_each_time_they_change(alice):
    view = saved(alice, "Failed")
    client = signed_in(alice)

    client.post(f"/saved-views/{view.pk}/share/", {"shared": "1"})
    client.post(f"/saved-views/{view.pk}/share/", {"shared": "1"})  # already shared
    assert SavedView.objects.get(pk=view.pk).shared is True
    client.post(f"/saved-views/{view.pk}/share/", {"shared": "0"})

    assert SavedView.objects.get(pk=view.pk).shared is False
    assert audit_actions() == ["view.share", "view.unshare"]


@pytest.mark.django_db
def test_someone_elses_view_cannot_be_unshared(alice, bob):
    view = saved(alice, "Failed", shared=True)

    response = signed_in(bob).post(f"/saved-views/{view.pk}/share/", {"shared": "0"})

    assert response.status_code == 404
    view.refresh_from_db()
    assert view.shared is True


@pytest.mark.django_db
def test_htmx_delete_answers_with_the_menu_without_the_view(alice):
    view = saved(alice, "Failed")
    saved(alice, "Expired", "status=expired")

    response = signed_in(alice).post(
        f"/saved-views/{view.pk}/delete/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/sessions/"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert ">Expired</a>" in body
    assert ">Failed</a>" not in body
    assert "Deleted “Failed”." in body
