from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from dashboard.audit.models import AuditRecord
from dashboard.saved_views.models import SavedView
from tests.saved_views.conftest import audit_actions, saved, signed_in

SAVE = "/saved-views/sessions/save/"


@pytest.mark.django_db
def test_saving_stores_the_query_and_goes_back_to_the_list_with_it(alice):
    response = signed_in(alice).post(
        SAVE, {"name": "Failed in Egypt", "query": "status=failed&country=EG"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/sessions/?status=failed&country=EG"
    view = SavedView.objects.get()
    assert (view.owner, view.list_name, view.name, view.query, view.shared) == (
        alice,
        "sessions",
        "Failed in Egypt",
        "status=failed&country=EG",
        False,
    )


@pytest.mark.django_db
def test_saving_is_audited_with_the_name_and_query(alice):
    signed_in(alice).post(SAVE, {"name": "Failed", "query": "status=failed", "shared": "1"})

    entry = AuditRecord.objects.get()
    view = SavedView.objects.get()
    assert (entry.action, entry.actor_username, entry.targets) == (
        "view.save",
        "alice",
        [f"saved_view:{view.pk}"],
    )
    assert "Failed" in entry.reason
    assert "status=failed" in entry.reason
    assert "(shared)" in entry.reason


@pytest.mark.django_db
def test_paging_cursors_are_not_saved(alice):
    signed_in(alice).post(SAVE, {"name": "Failed", "query": "status=failed&after=Y3Vyc29y"})

    assert SavedView.objects.get().query == "status=failed"


@pytest.mark.django_db
def test_htmx_saves_what_the_address_bar_shows_not_the_stale_form_copy(alice):
    response = signed_in(alice).post(
        SAVE,
        {"name": "Expired", "query": "status=failed"},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/sessions/?status=expired&before=abc",
        },
    )

    assert response.status_code == 200
    assert SavedView.objects.get().query == "status=expired"
    body = response.content.decode()
    assert body.lstrip().startswith('<details class="saved-views" id="saved-views-sessions" open>')
    assert 'href="/sessions/?status=expired"' in body
    assert "Saved “Expired”" in body


@pytest.mark.django_db
def test_an_htmx_current_url_of_another_page_is_ignored(alice):
    signed_in(alice).post(
        SAVE,
        {"name": "Failed", "query": "status=failed"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/audit/?outcome=x"},
    )

    assert SavedView.objects.get().query == "status=failed"


@pytest.mark.django_db
def test_a_name_already_used_on_that_list_is_refused(alice, providers):
    saved(alice, "Failed", "status=failed")
    client = signed_in(alice)

    response = client.post(SAVE, {"name": " Failed ", "query": "status=expired"}, follow=True)

    assert SavedView.objects.get().query == "status=failed"
    assert "You already have a view named “Failed”" in response.content.decode()
    assert audit_actions() == []


@pytest.mark.django_db
def test_the_same_name_may_be_used_on_another_list(carol):
    saved(carol, "Failed", "status=failed")

    signed_in(carol).post("/saved-views/audit/save/", {"name": "Failed", "query": "outcome=failed"})

    assert SavedView.objects.filter(owner=carol, name="Failed").count() == 2


@pytest.mark.django_db
def test_a_blank_name_saves_nothing_and_says_why(alice, providers):
    response = signed_in(alice).post(SAVE, {"name": "  ", "query": "status=failed"}, follow=True)

    assert not SavedView.objects.exists()
    assert response.redirect_chain[-1][0] == "/sessions/?status=failed"
    assert "Give the view a name." in response.content.decode()


@pytest.mark.django_db
def test_a_hostile_query_never_redirects_off_the_list(alice):
    response = signed_in(alice).post(
        SAVE, {"name": "x", "query": "//evil.example/?a=1&next=https://evil.example"}
    )

    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", "/sessions/")
    assert SavedView.objects.get().query.startswith("%2F%2Fevil.example%2F%3Fa=1&next=https")


@pytest.mark.django_db
def test_an_overlong_query_is_refused(alice):
    response = signed_in(alice).post(SAVE, {"name": "x", "query": "phone=" + "9" * 3000})

    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    assert not SavedView.objects.exists()


@pytest.mark.django_db
def test_an_unknown_list_is_not_found(alice):
    response = signed_in(alice).post("/saved-views/nosuch/save/", {"name": "x", "query": ""})

    assert response.status_code == 404


@pytest.mark.django_db
def test_saving_without_the_csrf_token_is_refused_and_saves_nothing(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(SAVE, {"name": "x", "query": "status=failed"})

    assert response.status_code == 403
    assert not SavedView.objects.exists()
