from __future__ import annotations

import pytest

from dashboard.verifications.phone_search import (
    PhoneMatch,
    PhoneQueryError,
    format_e164_digits,
    mask,
    parse_phone_query,
)


@pytest.mark.parametrize(
    "typed",
    [
        "+44 7911 123456",
        "+44 (0)7911-123456".replace("(0)", ""),
        "447911123456",
        "0044 7911 123456",
    ],
)
def test_a_whole_number_in_any_format_is_an_exact_match(typed):
    query = parse_phone_query(typed)
    assert query is not None
    assert (query.match, query.digits) == (PhoneMatch.EXACT, "447911123456")


def test_a_national_number_is_read_in_the_one_filtered_country():
    query = parse_phone_query("07911 123456", region="GB")
    assert query is not None
    assert (query.match, query.digits) == (PhoneMatch.EXACT, "447911123456")


def test_four_digits_are_the_last_four():
    query = parse_phone_query("3456")
    assert query is not None
    assert (query.match, query.digits) == (PhoneMatch.LAST4, "3456")


def test_a_short_number_with_plus_is_a_prefix():
    query = parse_phone_query("+4479")
    assert query is not None
    assert (query.match, query.digits) == (PhoneMatch.PREFIX, "4479")


def test_empty_is_no_phone_filter():
    assert parse_phone_query("   ") is None


@pytest.mark.parametrize(
    "hostile", ["'; DROP TABLE x; --", "<script>alert(1)</script>", "44 79 abc"]
)
def test_letters_and_symbols_are_refused_with_a_sentence(hostile):
    with pytest.raises(PhoneQueryError, match="digits only"):
        parse_phone_query(hostile)


def test_more_than_fifteen_digits_is_refused():
    with pytest.raises(PhoneQueryError, match="15 digits"):
        parse_phone_query("1234567890123456")


def test_numbers_are_formatted_internationally():
    assert format_e164_digits("447911123456") == "+44 7911 123456"


def test_mask_hides_the_middle_digits():
    assert mask("+44 7911 123456") == "+44 7••• •••456"


def test_a_us_national_number_is_read_with_the_default_region():
    query = parse_phone_query("(203) 827-0671", region="US")
    assert query is not None
    assert (query.match, query.digits, query.region) == (PhoneMatch.EXACT, "12038270671", "US")
    assert query.describe() == "the United States number +1 203-827-0671"


def test_a_uk_mobile_with_a_trunk_zero_is_read_with_the_default_region():
    query = parse_phone_query("07419 794434", region="GB")
    assert query is not None
    assert (query.match, query.digits) == (PhoneMatch.EXACT, "447419794434")
    assert query.describe() == "the United Kingdom number +44 7419 794434"


@pytest.mark.parametrize("typed", ["(203) 827-0671", "07419 794434"])
def test_a_national_number_without_a_region_is_refused_not_guessed(typed):
    with pytest.raises(PhoneQueryError, match="written as a national number"):
        parse_phone_query(typed)


def test_a_whole_international_number_says_its_country():
    query = parse_phone_query("+20 3 8270671")
    assert query is not None
    assert query.describe() == "the number +20 3 8270671 (Egypt)"
