"""What an operator typed in the phone box: a whole number, a prefix, or the last four."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import phonenumbers

from dashboard.verifications.countries import country_name

_ALLOWED = re.compile(r"^[\d\s()+.\-]*$")
# For people who see numbers masked: a prefix or last-four search would tell them, one
# digit at a time, what the mask hides.
WHOLE_NUMBERS_ONLY = (
    "You can search only by a complete phone number, such as +44 7911 123456. Searching by "
    "the first digits or the last four is for roles that can see whole numbers."
)


class PhoneMatch(Enum):
    EXACT = "exact"
    PREFIX = "prefix"
    LAST4 = "last4"


NATIONAL_WITHOUT_REGION = (
    "{text} is written as a national number, which could be any country's. Type it with "
    "its country code (such as +44 7911 123456), choose its country, or pick a default "
    "country for phone numbers under “Preferences”."
)


@dataclass(frozen=True)
class PhoneQuery:
    match: PhoneMatch
    digits: str
    # Set when a national number was read with a country's rules: "GB".
    region: str = ""

    def describe(self) -> str:
        if self.match is PhoneMatch.EXACT:
            if self.region:
                country = country_name(self.region)
                return f"the {country} number {format_e164_digits(self.digits)}"
            return f"the number {format_e164_digits(self.digits)} ({_country_of(self.digits)})"
        if self.match is PhoneMatch.LAST4:
            return f"numbers ending in {self.digits}"
        return f"numbers starting with +{self.digits}"


class PhoneQueryError(ValueError):
    pass


def parse_phone_query(raw: str, region: str | None = None) -> PhoneQuery | None:
    """Interpret the phone box; None when empty; PhoneQueryError with a sentence when bad.

    With a region (one country filtered, else the operator's or the deployment's default),
    a national number such as 07911 123456 or (203) 827-0671 is read as that country's.
    Without one, a number written the national way (a leading 0 or a bracket) is refused
    rather than guessed: "(203) 827-0671" read internationally is an Egyptian number.
    """
    text = raw.strip()
    if not text:
        return None
    if not _ALLOWED.fullmatch(text):
        raise PhoneQueryError(
            "A phone search takes digits only (spaces, dashes, dots, brackets and a "
            "leading + are ignored)."
        )
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        digits = digits[2:]  # international dialling prefix, as in 0044…
    if not digits:
        raise PhoneQueryError("Type at least one digit of the phone number.")
    if len(digits) > 15:
        raise PhoneQueryError("A phone number has at most 15 digits (E.164).")
    if len(digits) == 4 and not text.startswith("+"):
        return PhoneQuery(PhoneMatch.LAST4, digits)
    international = text.startswith(("+", "00"))
    if region and not international:
        national = _parse(text, region)
        if national is not None and phonenumbers.is_valid_number(national):
            return PhoneQuery(PhoneMatch.EXACT, _e164_digits(national), region.upper())
    if not international and len(digits) >= 8 and text.startswith(("0", "(")):
        raise PhoneQueryError(NATIONAL_WITHOUT_REGION.format(text=text))
    if len(digits) >= 8:
        number = _parse("+" + digits, None)
        if number is not None and phonenumbers.is_possible_number(number):
            return PhoneQuery(PhoneMatch.EXACT, _e164_digits(number))
    return PhoneQuery(PhoneMatch.PREFIX, digits)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _e164_digits(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def _country_of(digits: str) -> str:
    number = _parse("+" + digits, None)
    code = phonenumbers.region_code_for_number(number) if number is not None else None
    return country_name(code) if code and code != "ZZ" else "country unknown"


def format_e164_digits(digits: str) -> str:
    """ "447919433768" → "+44 7919 433768"; what cannot be parsed is shown as +digits."""
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return "+" + digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask(formatted: str) -> str:
    """Hide the middle digits for people who may not see whole numbers."""
    positions = [i for i, ch in enumerate(formatted) if ch.isdigit()]
    hidden = set(positions[3:-3]) if len(positions) > 6 else set()
    return "".join("•" if i in hidden else ch for i, ch in enumerate(formatted))
