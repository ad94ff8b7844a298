"""Walking whole B2Core lists against a fake Back Office on a real socket.

An outside implementation with a low ``total`` or a silently capped ``limit`` made a client
that trusted either lose records: every record must arrive exactly once, in order, whatever
``total`` and ``limit`` the server really used, and the walk must end on an empty page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.providers.b2core import MAX_PAGES, B2CoreClient, PageBoundReached
from dashboard.providers.errors import BadResponse

from .back_office import TOKEN, Behaviour, FakeBackOffice, Listing, Record

N = 237
CLIENT = "42"
START = datetime(2024, 1, 1, tzinfo=UTC)
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


def client_record(number: int) -> Record:
    return {
        "id": 1000 + number,
        "email": f"client{number}@broker.test",
        "name": f"Client {number}",
        "createTime": (START + timedelta(hours=number)).isoformat(),
    }


def change_record(number: int) -> Record:
    return {
        "id": 5000 + number,
        "provider": "sms",
        "isEnabled": True,
        "time": (START + timedelta(minutes=number)).isoformat(),
        "actor": "client",
    }


@pytest.fixture
def back_office(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBackOffice]:
    for name in (*PROXY_VARIABLES, "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # the server is local: no proxy in between
    fake = FakeBackOffice(
        clients=Listing([client_record(n) for n in range(N)], client_record),
        changes={CLIENT: Listing([change_record(n) for n in range(N)], change_record)},
    )
    fake.start()
    yield fake
    fake.stop()


def b2core(fake: FakeBackOffice, max_pages: int = MAX_PAGES) -> B2CoreClient:
    return B2CoreClient(fake.url, access_token=TOKEN, max_pages=max_pages)


CLIENT_IDS = [str(1000 + n) for n in range(N)]
CHANGE_IDS = [5000 + n for n in range(N)]
FULL_PAGES = [0, 100, 200, 237]  # the last request is the empty page that ends the walk
CAPPED_PAGES = [0, 50, 100, 150, 200, 237]

SERVERS = {
    "total-too-low": (Behaviour(total="one"), FULL_PAGES, 1),
    "total-counts-the-page": (Behaviour(total="page"), FULL_PAGES, 0),
    "total-too-high": (Behaviour(total="high"), FULL_PAGES, N * 10),
    "total-missing": (Behaviour(total="missing"), FULL_PAGES, None),
    "total-true": (Behaviour(), FULL_PAGES, N),
    "limit-capped-at-50": (Behaviour(cap=50), CAPPED_PAGES, N),
    "limit-capped-and-total-too-low": (Behaviour(cap=50, total="one"), CAPPED_PAGES, 1),
    "bare-list": (Behaviour(bare=True), FULL_PAGES, None),
    "bare-list-limit-capped": (Behaviour(bare=True, cap=50), CAPPED_PAGES, None),
}
CASES = pytest.mark.parametrize(("behaviour", "offsets", "claimed"), SERVERS.values(), ids=SERVERS)


@CASES
def test_every_client_arrives_once_in_order_whatever_total_and_limit_say(
    back_office: FakeBackOffice, behaviour: Behaviour, offsets: list[int], claimed: int | None
) -> None:
    back_office.behaviour = behaviour
    with b2core(back_office) as client:
        walk = client.iter_clients(email="broker.test", name="Client", sort_order="asc")
        ids = [c.id for c in walk]

    assert ids == CLIENT_IDS
    assert walk.complete
    assert (walk.pages, walk.received, walk.repeated) == (len(offsets), N, 0)
    assert walk.total == claimed  # kept for display, never used to stop
    assert back_office.params("/api/v2/clients") == [
        {
            "filter[email]": "broker.test",
            "filter[name]": "Client",
            "sort_by": "createTime",
            "sort_order": "asc",
            "limit": "100",
            "offset": str(offset),
        }
        for offset in offsets
    ]


@CASES
def test_every_change_arrives_once_in_order_whatever_total_and_limit_say(
    back_office: FakeBackOffice, behaviour: Behaviour, offsets: list[int], claimed: int | None
) -> None:
    back_office.behaviour = behaviour
    with b2core(back_office) as client:
        walk = client.iter_changes(
            CLIENT,
            is_enabled=True,
            time_from=START,
            time_to=START + timedelta(days=1),
            provider="SMS",
            sort_order="asc",
        )
        changes = list(walk)

    assert [c.id for c in changes] == CHANGE_IDS
    assert changes[-1].extra == {"actor": "client"}
    assert walk.complete
    assert (walk.pages, walk.received, walk.repeated) == (len(offsets), N, 0)
    assert walk.total == claimed
    assert back_office.params(f"/api/v2/clients/{CLIENT}/2fa/changes") == [
        {
            "filter[isEnabled]": "1",
            "filter[timeFrom]": "2024-01-01T00:00:00+00:00",
            "filter[timeTo]": "2024-01-02T00:00:00+00:00",
            "filter[provider]": "sms",
            "sort_by": "time",
            "sort_order": "asc",
            "limit": "100",
            "offset": str(offset),
        }
        for offset in offsets
    ]


def test_a_walk_never_asks_for_more_than_100_records_a_page(
    back_office: FakeBackOffice,
) -> None:
    with b2core(back_office) as client:
        assert len(list(client.iter_changes(CLIENT, limit=500))) == N

    sent = back_office.params(f"/api/v2/clients/{CLIENT}/2fa/changes")
    assert [p["limit"] for p in sent] == ["100"] * 4
    assert [p["offset"] for p in sent] == ["0", "100", "200", "237"]


def test_a_walk_makes_no_request_until_it_is_iterated(back_office: FakeBackOffice) -> None:
    with b2core(back_office) as client:
        walk = client.iter_clients()

        assert (walk.pages, back_office.requests) == (0, [])
        assert next(walk).id == CLIENT_IDS[0]
        assert walk.pages == 1


def test_hitting_the_page_bound_raises_after_the_records_it_read(
    back_office: FakeBackOffice,
) -> None:
    received: list[str] = []
    with b2core(back_office, max_pages=3) as client:
        walk = client.iter_clients()
        with pytest.raises(PageBoundReached) as raised:
            received.extend(c.id for c in walk)

    assert received == CLIENT_IDS  # three full-or-short pages, but never the empty one
    assert (raised.value.pages, raised.value.received) == (3, N)
    assert "still had more clients after 3 pages" in str(raised.value)
    assert not walk.complete
    assert len(back_office.requests) == 3


def test_a_walk_that_reaches_the_empty_page_within_the_bound_completes(
    back_office: FakeBackOffice,
) -> None:
    with b2core(back_office, max_pages=4) as client:
        walk = client.iter_changes(CLIENT)
        assert len(list(walk)) == N

    assert (walk.complete, walk.pages) == (True, 4)


def test_the_bound_can_be_lowered_for_one_walk(back_office: FakeBackOffice) -> None:
    back_office.behaviour = Behaviour(cap=50)
    with b2core(back_office) as client, pytest.raises(PageBoundReached):
        list(client.iter_changes(CLIENT, max_pages=5))  # a capped server needs 6

    assert len(back_office.requests) == 5


def test_a_server_that_ignores_offset_is_a_bad_response_not_a_loop(
    back_office: FakeBackOffice,
) -> None:
    back_office.behaviour = Behaviour(ignore_offset=True, total="high")
    received: list[int] = []
    with b2core(back_office) as client, pytest.raises(BadResponse) as raised:
        received.extend(c.id for c in client.iter_changes(CLIENT))

    assert received == CHANGE_IDS[:100]  # the first page once, no duplicates
    assert "seems to ignore `offset`" in str(raised.value)
    offsets = [p["offset"] for p in back_office.params(f"/api/v2/clients/{CLIENT}/2fa/changes")]
    assert offsets == ["0", "100", "200"]  # two pages of nothing new, then stop


def test_records_that_shift_while_the_list_grows_are_not_repeated(
    back_office: FakeBackOffice,
) -> None:
    back_office.behaviour = Behaviour(grow=2)  # two changes land in front while we walk
    with b2core(back_office) as client:
        walk = client.iter_changes(CLIENT)
        ids = [c.id for c in walk]

    assert ids == CHANGE_IDS  # each shifted record once; the new ones wait for the next walk
    assert walk.complete
    assert walk.repeated == 2  # the pages at 100 and 200 each began with one seen before
    offsets = [p["offset"] for p in back_office.params(f"/api/v2/clients/{CLIENT}/2fa/changes")]
    assert offsets == ["0", "100", "200", "239"]


def test_one_page_of_nothing_new_at_the_end_of_a_growing_list_is_not_an_error(
    back_office: FakeBackOffice,
) -> None:
    back_office.behaviour = Behaviour(grow=3)
    with b2core(back_office) as client:
        walk = client.iter_changes(CLIENT)
        ids = [c.id for c in walk]

    assert ids == CHANGE_IDS
    assert walk.complete
    # The third change pushes the last record to offset 239: that page repeats it alone.
    offsets = [p["offset"] for p in back_office.params(f"/api/v2/clients/{CLIENT}/2fa/changes")]
    assert offsets == ["0", "100", "200", "239", "240"]
    assert walk.repeated == 3


def test_max_pages_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        B2CoreClient("http://127.0.0.1:9", access_token=TOKEN, max_pages=0)
