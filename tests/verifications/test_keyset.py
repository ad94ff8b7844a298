"""Keyset cursors: read back only for the table and sort they were made for, values checked."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing

from dashboard.verifications.keyset import BadCursor, make_cursor, read_cursor
from dashboard.verifications.models import MirroredSession, SyncWindow
from dashboard.verifications.session_filters import SORTS

BY_CHARGE = SORTS["charge"][1]
BY_STATUS = SORTS["status"][1]
NEWEST = SORTS["-created"][1]
MOMENT = dt.datetime(2026, 11, 30, 9, 15, 2, 123456, tzinfo=dt.UTC)
SESSION = "0" * 31 + "7"
SCOPE = "verifications.mirroredsession:charge,-created_at,-session_id"
# What someone holding the (development) secret key could sign.
LEAKED = signing.Signer(salt="dashboard.keyset")


def forged(values: Any, scope: str = SCOPE) -> str:
    return LEAKED.sign(json.dumps({"s": scope, "v": values}))


def test_a_cursor_reads_back_as_the_values_it_was_made_from():
    cursor = make_cursor(MirroredSession, BY_CHARGE, [Decimal("0.0500"), MOMENT, SESSION])

    assert read_cursor(cursor, MirroredSession, BY_CHARGE) == [Decimal("0.0500"), MOMENT, SESSION]


@pytest.mark.parametrize(
    ("model", "key"),
    [
        (MirroredSession, BY_STATUS),  # same length, other columns
        (MirroredSession, SORTS["-charge"][1]),  # same columns, other direction
        (MirroredSession, NEWEST),
        (SyncWindow, BY_CHARGE),  # another table
    ],
)
def test_a_cursor_is_refused_under_any_other_sort_or_table(model, key):
    cursor = make_cursor(MirroredSession, BY_CHARGE, [Decimal("0.0500"), MOMENT, SESSION])

    with pytest.raises(BadCursor, match="no longer valid") as refused:
        read_cursor(cursor, model, key)
    assert "made for" in refused.value.reason


def test_a_status_cursor_is_refused_under_the_charge_sort():
    cursor = make_cursor(MirroredSession, BY_STATUS, ["canceled", MOMENT, SESSION])

    with pytest.raises(BadCursor):
        read_cursor(cursor, MirroredSession, BY_CHARGE)


@pytest.mark.parametrize(
    "values",
    [
        ["canceled", {"t": MOMENT.isoformat()}, SESSION],
        [{"d": "canceled"}, {"t": MOMENT.isoformat()}, SESSION],
        [{"d": "NaN"}, {"t": MOMENT.isoformat()}, SESSION],
        [{"d": "Infinity"}, {"t": MOMENT.isoformat()}, SESSION],
        [{"d": "1E+999999999"}, {"t": MOMENT.isoformat()}, SESSION],
        [{"d": "0.00001"}, {"t": MOMENT.isoformat()}, SESSION],  # more places than the column
        [{"d": "0.05", "t": "x"}, {"t": MOMENT.isoformat()}, SESSION],
        [{"d": "0.05"}, {"t": "2026-11-30T09:15:02"}, SESSION],  # no offset
        [{"d": "0.05"}, {"t": "0001-01-01T00:00:00+05:00"}, SESSION],  # before year 1 in UTC
        [{"d": "0.05"}, {"t": "yesterday"}, SESSION],
        [{"d": "0.05"}, MOMENT.isoformat(), SESSION],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}, 7],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}, None],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}, "x" * 33],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}, "a\x00b"],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}, "\ud800"],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}],
        [{"d": "0.05"}, {"t": MOMENT.isoformat()}, SESSION, SESSION],
        {"d": "0.05"},
    ],
)
def test_a_cursor_signed_with_a_leaked_key_is_still_checked_value_by_value(values):
    with pytest.raises(BadCursor, match="no longer valid"):
        read_cursor(forged(values), MirroredSession, BY_CHARGE)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        LEAKED.sign("not json"),
        LEAKED.sign("[1, 2, 3]"),
        LEAKED.sign(json.dumps({"s": SCOPE})),
        make_cursor(MirroredSession, BY_CHARGE, [Decimal("0.05"), MOMENT, SESSION])[:-3],
        make_cursor(MirroredSession, BY_CHARGE, [Decimal("0.05"), MOMENT, SESSION]) + "x",
        signing.Signer(salt="another.salt").sign(
            json.dumps({"s": SCOPE, "v": [{"d": "0.05"}, {"t": MOMENT.isoformat()}, SESSION]})
        ),
    ],
)
def test_a_malformed_or_unsigned_cursor_is_refused(cursor):
    with pytest.raises(BadCursor, match="no longer valid"):
        read_cursor(cursor, MirroredSession, BY_CHARGE)


def test_an_overlong_cursor_is_refused_by_its_length():
    cursor = forged([{"d": "0.05"}, {"t": MOMENT.isoformat()}, SESSION + " " * 600])

    with pytest.raises(BadCursor) as refused:
        read_cursor(cursor, MirroredSession, BY_CHARGE)
    assert refused.value.reason == "too long"


def test_a_time_with_another_offset_is_read_as_the_same_moment():
    local = MOMENT.astimezone(dt.timezone(dt.timedelta(hours=9)))
    cursor = make_cursor(MirroredSession, NEWEST, [local, SESSION])

    assert read_cursor(cursor, MirroredSession, NEWEST) == [MOMENT, SESSION]
