from __future__ import annotations

import pytest

from dashboard.saved_views.query import (
    MAX_NAME_LENGTH,
    MAX_QUERY_LENGTH,
    InvalidName,
    InvalidQuery,
    clean_name,
    normalise_query,
)


def test_cursors_are_stripped_and_the_filters_kept_in_order():
    query = "status=failed&after=abc&country=EG&before=xyz&country=GB"
    assert normalise_query(query) == "status=failed&country=EG&country=GB"


def test_empty_values_and_a_leading_question_mark_are_dropped():
    assert normalise_query("?actor=&action=cancel&outcome=") == "action=cancel"


def test_values_are_re_encoded_so_they_cannot_break_out_of_the_query():
    query = normalise_query('phone=1"><script>&next=https://evil.example/#x')
    assert query == "phone=1%22%3E%3Cscript%3E&next=https%3A%2F%2Fevil.example%2F%23x"


def test_a_query_longer_than_the_bound_is_refused():
    with pytest.raises(InvalidQuery):
        normalise_query("phone=" + "1" * MAX_QUERY_LENGTH)


def test_a_query_with_too_many_fields_is_refused():
    with pytest.raises(InvalidQuery):
        normalise_query("&".join(f"country=C{i}" for i in range(101)))


def test_a_nul_character_is_refused():
    with pytest.raises(InvalidQuery):
        normalise_query("phone=1%00")


def test_a_name_has_its_spaces_collapsed():
    assert clean_name("  Failed   in\tEgypt ") == "Failed in Egypt"


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * (MAX_NAME_LENGTH + 1), "Fail\u202eed", "bell\x07", "zero\u200bwidth"]
)
def test_a_blank_long_or_invisible_name_is_refused(name):
    with pytest.raises(InvalidName):
        clean_name(name)
