"""Masked numbers stay masked: a viewer's phone search is an exact match or nothing."""

from __future__ import annotations

import datetime as dt

import hypothesis
import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import MirroredSession
from dashboard.verifications.phone_search import WHOLE_NUMBERS_ONLY, PhoneMatch
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, FakeWavix

pytestmark = pytest.mark.django_db

# The number the review recovered from its masked form in 44 requests, and a neighbour.
SECRET = "62818865299"
NUMBERS = {"1".ljust(32, "0"): SECRET, "2".ljust(32, "0"): "447911123456"}


@pytest.fixture
def wavix(settings):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A]
    now = timezone.now()
    fake = FakeWavix(names={SERVICE_A: "Login"})
    for i, (session_id, phone) in enumerate(NUMBERS.items()):
        fake.add(SERVICE_A, session_id, now - dt.timedelta(hours=i + 1), phone=phone)
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


@pytest.fixture
def auditor(client):
    client.force_login(user_with_role("aude", "auditor"))
    return client


@pytest.fixture
def viewer(client):
    client.force_login(user_with_role("vera", "viewer"))
    return client


def seen(client, phone: str) -> tuple[object, ...]:
    """Everything a page says about the mirror's contents for this phone search (its chips
    only repeat what was typed)."""
    response = client.get("/sessions/", {"phone": phone})
    assert response.status_code == 200
    context = response.context
    rows = [r.session_id for r in context.get("rows", [])]
    return (rows, context.get("count"), context["form"].errors.get("phone"))


def no_number_starts_with(digits: str) -> bool:
    return not MirroredSession.objects.filter(phone_number__startswith=digits).exists()


def test_a_viewer_learns_nothing_from_prefixes_of_a_real_number(wavix, viewer):
    viewer.get("/sessions/")  # mirror the windows first
    for length in range(1, len(SECRET)):
        prefix = SECRET[:length]
        # Same length, last digit changed: a prefix of no number in the mirror.
        miss = prefix[:-1] + str((int(prefix[-1]) + 5) % 10)
        assert no_number_starts_with(miss)
        for typed, other in ((prefix, miss), ("+" + prefix, "+" + miss)):
            hit = seen(viewer, typed)
            assert hit[0] == [], f"{typed} showed rows"
            assert hit == seen(viewer, other), f"{typed} answered unlike {other}"


def test_a_viewer_learns_nothing_from_the_last_four_digits(wavix, viewer):
    viewer.get("/sessions/")
    last4 = SECRET[-4:]
    miss = last4[:-1] + str((int(last4[-1]) + 5) % 10)

    hit, other = seen(viewer, last4), seen(viewer, miss)

    assert hit == other
    assert hit[0] == []
    assert hit[2] == [WHOLE_NUMBERS_ONLY]


def test_a_viewer_typing_a_prefix_is_told_to_type_the_whole_number(wavix, viewer):
    response = viewer.get("/sessions/", {"phone": "+62818"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    # In the part htmx swaps in, since the form above is not redrawn.
    assert body.lstrip().startswith('<section id="results"')
    assert f"Phone: {WHOLE_NUMBERS_ONLY}" in body
    assert "<table" not in body


def test_a_viewer_finds_a_session_by_its_complete_number(wavix, viewer):
    viewer.get("/sessions/")

    rows, count, errors = seen(viewer, "+62 818 865 299")

    assert rows == ["1".ljust(32, "0")]
    assert count == 1
    assert errors is None


def test_a_viewer_is_shown_the_number_masked_even_after_typing_it(wavix, viewer):
    viewer.get("/sessions/")

    html = viewer.get("/sessions/", {"phone": "+" + SECRET}).content.decode()

    assert '<td role="cell" class="phone" data-label="Phone">+62 8••-•••-299</td>' in html
    assert 'placeholder="a whole number: +44 7911 123456"' in html


def test_an_auditors_prefix_and_last_four_searches_still_work(wavix, auditor):
    auditor.get("/sessions/")

    assert seen(auditor, "+62818")[0] == ["1".ljust(32, "0")]
    assert seen(auditor, SECRET[-4:])[0] == ["1".ljust(32, "0")]
    assert seen(auditor, "+4")[0] == ["2".ljust(32, "0")]


def test_the_services_page_refuses_a_viewers_prefix_too(wavix, viewer):
    # It shares the form; a prefix there must not pass as a valid filter either.
    response = viewer.get("/", {"phone": "+62818"})

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [WHOLE_NUMBERS_ONLY]


def typed_fragments() -> st.SearchStrategy[str]:
    """What someone probing for a number might type: slices of it, dressed up or not."""
    number = st.sampled_from([SECRET, *NUMBERS.values()])
    slices = number.flatmap(
        lambda n: st.tuples(st.integers(0, len(n)), st.integers(0, len(n))).map(
            lambda ij: n[min(ij) : max(ij)]
        )
    )
    dressed = st.tuples(
        st.sampled_from(["", "+", "00", "0", " "]), slices, st.sampled_from(["", " "])
    )
    return dressed.map("".join) | st.text(alphabet="0123456789+ -().", max_size=16)


def test_a_viewer_only_ever_sees_rows_whose_whole_number_was_typed(wavix, viewer, settings):
    viewer.get("/sessions/")  # mirror the windows, then search only what is held
    settings.MIRROR_PAGE_SYNC_BUDGET = 0

    @hypothesis.settings(max_examples=40, deadline=None, database=None)
    @given(typed=typed_fragments(), country=st.sampled_from([[], ["GB"], ["ID"]]))
    def check(typed: str, country: list[str]) -> None:
        response = viewer.get("/sessions/", {"phone": typed, "country": country})
        assert response.status_code == 200
        rows = response.context.get("rows", [])
        phone = response.context["criteria"].phone if rows else None
        if phone is None:
            return  # nothing shown, or no phone typed (the plain list is not a search)
        assert phone.match is PhoneMatch.EXACT
        shown = MirroredSession.objects.filter(session_id__in=[r.session_id for r in rows])
        assert {s.phone_number for s in shown} == {phone.digits}

    check()
