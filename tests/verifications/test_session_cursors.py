"""Paging cursors on the sessions list: each belongs to one sort; anything else starts over."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import hypothesis
import pytest
from django.core import signing
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import MirroredSession
from dashboard.verifications.session_filters import DEFAULT_SORT, SORTS
from dashboard.verifications.session_views import PAGE_SIZE
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db

STATUSES = ("verified", "failed", "expired", "canceled", "pending")
ROWS = 130
NO_LONGER_VALID = "That page link is no longer valid; showing the first page."


@pytest.fixture
def wavix(settings):
    """130 sessions over the last two days: enough for three pages in every sort."""
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A, SERVICE_B]
    now = timezone.now()
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    for i in range(ROWS):
        fake.add(
            SERVICE_A if i % 3 else SERVICE_B,
            f"{i:032x}",
            # Pairs share a second, so ties are broken by the later keys.
            now - dt.timedelta(minutes=5, seconds=(i // 2) * 7),
            phone=f"4479111{i:05d}",
            country=("GB", "FR", "DE")[i % 3],
            status=STATUSES[i % 5],
            charge=f"0.{(i * 37) % 9:01d}500",
        )
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


@pytest.fixture
def auditor(client):
    client.force_login(user_with_role("aude", "auditor"))
    return client


def ids(response) -> list[str]:
    return [row.session_id for row in response.context["rows"]]


def test_a_cursor_from_another_sort_shows_the_first_page_with_a_message(wavix, auditor):
    by_status = auditor.get("/sessions/", {"sort": "status"})
    cursor = by_status.context["page"].next_cursor
    assert cursor is not None

    response = auditor.get("/sessions/", {"sort": "charge", "after": cursor})

    assert response.status_code == 200
    assert NO_LONGER_VALID in response.content.decode()
    assert ids(response) == ids(auditor.get("/sessions/", {"sort": "charge"}))


def test_a_cursor_from_the_opposite_direction_shows_the_first_page(wavix, auditor):
    # Same columns, so the old cursor parsed and silently paged from the wrong place.
    cursor = auditor.get("/sessions/", {"sort": "-charge"}).context["page"].next_cursor

    response = auditor.get("/sessions/", {"sort": "charge", "after": cursor})

    assert NO_LONGER_VALID in response.content.decode()
    assert ids(response) == ids(auditor.get("/sessions/", {"sort": "charge"}))


def walk(client, sort: str) -> list[str]:
    """Every row of the list in `sort` order, by following the "Older" links."""
    seen: list[str] = []
    query = {"sort": sort}
    while True:
        response = client.get("/sessions/", query)
        assert response.context["page_error"] == ""
        seen += ids(response)
        cursor = response.context["page"].next_cursor
        if cursor is None:
            return seen
        query = {"sort": sort, "after": cursor}


@pytest.mark.parametrize("sort", list(SORTS))
def test_a_cursor_pages_through_its_own_sort_without_gaps_or_repeats(wavix, auditor, sort):
    walked = walk(auditor, sort)

    expected = MirroredSession.objects.order_by(*SORTS[sort][1].order_by())
    assert walked == list(expected.values_list("session_id", flat=True))
    assert len(walked) == ROWS


# --- Property: whatever the cursor, sort and filters, a page or a message, never a 5xx ---

LEAKED = signing.Signer(salt="dashboard.keyset")
SCOPES = [f"verifications.mirroredsession:{','.join(key.order_by())}" for _, key in SORTS.values()]
CHECKED_RANGES = ("", "24h", "7d", "30d", "90d")


@dataclass(frozen=True)
class Cursor:
    text: str
    # The sort it was made for and the row it points at (an index in that sort's order);
    # None when it is not a real cursor, or a forged one whose position we do not track.
    sort: str | None = None
    anchor: int = -1
    forged: bool = False


@dataclass(frozen=True)
class Known:
    """Every sort's whole order and real cursors into it, read from the mirror once."""

    orders: dict[str, list[str]]
    cursors: list[Cursor]
    rows: dict[str, MirroredSession]


def known_pages(client) -> Known:
    assert client.get("/sessions/").status_code == 200  # mirrors the windows
    orders: dict[str, list[str]] = {}
    cursors: list[Cursor] = []
    for sort, (_, key) in SORTS.items():
        order = list(
            MirroredSession.objects.order_by(*key.order_by()).values_list("session_id", flat=True)
        )
        orders[sort] = order
        query: dict[str, str] = {"sort": sort}
        while True:
            page = client.get("/sessions/", query).context["page"]
            for text, row in ((page.next_cursor, page.rows[-1]), (page.previous_cursor, None)):
                if text is not None:
                    anchor = order.index((row or page.rows[0]).session_id)
                    cursors.append(Cursor(text, sort, anchor))
            if page.next_cursor is None:
                break
            query = {"sort": sort, "after": page.next_cursor}
    rows = {s.session_id: s for s in MirroredSession.objects.select_related("service")}
    return Known(orders, cursors, rows)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)
cursor_values = (
    st.text(max_size=40)
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.fixed_dictionaries({"t": st.datetimes(timezones=st.timezones()).map(str) | st.text()})
    | st.fixed_dictionaries({"d": st.decimals().map(str) | st.text(max_size=30)})
    | json_values
)


def cursors(known: Known) -> st.SearchStrategy[Cursor]:
    real = st.sampled_from(known.cursors)
    return st.one_of(
        real,
        real.flatmap(  # cut short anywhere
            lambda c: st.integers(0, len(c.text) - 1).map(lambda i: Cursor(c.text[:i]))
        ),
        real.flatmap(  # one character changed
            lambda c: st.tuples(st.integers(0, len(c.text) - 1), st.characters()).map(
                lambda p: (
                    Cursor(c.text[: p[0]] + p[1] + c.text[p[0] + 1 :])
                    if c.text[p[0]] != p[1]
                    else c
                )
            )
        ),
        st.text().map(Cursor),
        st.sampled_from(["9" * 100_000, "é" * 600, "\u202e" * 3, "null", "[]", ":", "::"]).map(
            Cursor
        ),
        st.integers(min_value=-(10**60), max_value=10**60).map(lambda n: Cursor(str(n))),
        # Signed with the development key, which is public: well-formed or not.
        st.builds(
            lambda scope, values: Cursor(
                LEAKED.sign(json.dumps({"s": scope, "v": values})), forged=True
            ),
            st.sampled_from(SCOPES) | st.text(max_size=20),
            st.lists(cursor_values, max_size=4) | json_values,
        ),
        json_values.map(lambda v: Cursor(LEAKED.sign(json.dumps(v)), forged=True)),
    )


edge_dates = st.sampled_from(["0001-01-01", "0999-12-31", "9999-12-31", "2026-02-30"])
filters = st.fixed_dictionaries(
    {},
    optional={
        "sort": st.sampled_from([*SORTS, "", "phone", "-status", "bogus"]) | st.text(max_size=8),
        "status": st.lists(st.sampled_from([*STATUSES, "lost", ""]), max_size=3),
        "country": st.lists(st.sampled_from(["GB", "FR", "DE", "US", "gb", "XX"]), max_size=3),
        "min_charge": st.sampled_from(["0", "0.1", "0.35", "1e3", "-1", "NaN", "9" * 30])
        | st.decimals(allow_nan=False, places=4).map(str)
        | st.text(max_size=12),
        "phone": st.sampled_from(["+4479111", "447911100007", "0007", "+1", ""])
        | st.text(alphabet="0123456789+ -().", max_size=20)
        | st.text(max_size=12),
        "range": st.sampled_from([*CHECKED_RANGES, "today", "custom", "forever"]),
        "date_from": edge_dates | st.dates().map(str) | st.text(max_size=12),
        "date_to": edge_dates | st.dates().map(str) | st.text(max_size=12),
        "service": st.lists(st.sampled_from([SERVICE_A, SERVICE_B, "c" * 32]), max_size=2),
    },
)


def expected_rows(
    known: Known, sort: str, filters: dict[str, Any], cursor: Cursor, *, before: bool
) -> list[str]:
    """The page this request should show, worked out in Python from the rows themselves
    (`filters` as the form read them: parsing filters is not what this test is about)."""
    statuses = set(filters.get("status") or ())
    countries = set(filters.get("country") or ())
    services = set(filters.get("service") or ())
    floor = filters.get("min_charge")

    def shown(session_id: str) -> bool:
        row = known.rows[session_id]
        return (
            (not statuses or row.status in statuses)
            and (not countries or row.country in countries)
            and (not services or row.service.service_id in services)
            and (floor is None or row.charge >= floor)
        )

    order = known.orders[sort]
    if cursor.sort != sort:
        return [s for s in order if shown(s)][:PAGE_SIZE]
    if before:
        return [s for s in order[: cursor.anchor] if shown(s)][-PAGE_SIZE:]
    return [s for s in order[cursor.anchor + 1 :] if shown(s)][:PAGE_SIZE]


def test_no_cursor_sort_or_filter_answers_a_5xx(wavix, auditor, settings):
    # One data set for every example: generated inside the test, so the database (and its
    # transaction) is the fixture's, and every request only reads it.
    known = known_pages(auditor)
    # Every row is mirrored now; random date ranges would otherwise fetch hundreds of empty
    # windows from the fake provider (seconds), and testing the sync is not the point here.
    settings.MIRROR_PAGE_SYNC_BUDGET = 0

    @hypothesis.settings(max_examples=60, deadline=None, database=None)
    @given(
        query=filters,
        cursor=cursors(known),
        where=st.sampled_from(["after", "before", "both"]),
        htmx=st.booleans(),
    )
    def check(query: dict[str, Any], cursor: Cursor, where: str, htmx: bool) -> None:
        query = dict(query)
        if where == "both":
            query["after"] = query["before"] = cursor.text
        else:
            query[where] = cursor.text
        if htmx:  # the partial: no template context to look into, but never a 5xx either
            partial = auditor.get("/sessions/", query, headers={"HX-Request": "true"})
            assert partial.status_code == 200
        response = auditor.get("/sessions/", query)

        assert response.status_code == 200
        form = response.context["form"]
        if not form.is_valid():
            assert "rows" not in response.context
            return
        sort = form.cleaned_data["sort"] or DEFAULT_SORT
        if cursor.sort is not None and cursor.sort != sort:
            assert response.context["page_error"] == NO_LONGER_VALID
        if cursor.forged or where == "both" or query.get("phone"):
            return
        if form.cleaned_data["range"] not in CHECKED_RANGES or "date_from" in query:
            return  # "today" and custom ranges may leave out rows made before midnight
        expected = expected_rows(known, sort, form.cleaned_data, cursor, before=where == "before")
        assert ids(response) == expected
        if cursor.sort is None and cursor.text:
            assert response.context["page_error"] == NO_LONGER_VALID

    check()
