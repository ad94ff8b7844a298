from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from django.http import QueryDict

from dashboard.verifications.filter_chips import FilterChip, filter_chips
from dashboard.verifications.models import Service
from dashboard.verifications.phone_search import parse_phone_query
from dashboard.verifications.session_filters import SessionCriteria

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 8, tzinfo=dt.UTC)
LOGIN = Service(service_id="a" * 32, name="Login")


def chips_for(query: str, **criteria: Any) -> list[FilterChip]:
    return filter_chips(
        QueryDict(query), SessionCriteria(start=START, end=END, **criteria), [LOGIN]
    )


def test_each_country_is_a_chip_that_removes_only_itself():
    chips = chips_for("range=30d&country=GB&country=FR", countries=("GB", "FR"))

    assert [c.label for c in chips] == ["United Kingdom", "France"]
    assert parse_qs(chips[0].query_without) == {"range": ["30d"], "country": ["FR"]}


def test_chips_name_services_statuses_phone_and_charge_in_words():
    chips = chips_for(
        f"service={'a' * 32}&status=failed&phone=447911&min_charge=0.1",
        service_ids=("a" * 32,),
        statuses=("failed",),
        phone=parse_phone_query("447911"),
        min_charge=Decimal("0.1"),
    )

    assert [c.label for c in chips] == [
        "Login",
        "Failed",
        "Phone: numbers starting with +447911",
        "Charge ≥ 0.1",
    ]
    assert "phone" not in parse_qs(chips[2].query_without)


def test_removing_a_filter_drops_the_paging_cursor():
    chips = chips_for("status=failed&after=abc", statuses=("failed",))

    assert chips[0].query_without == ""


def test_no_filters_no_chips():
    assert chips_for("range=7d") == []
