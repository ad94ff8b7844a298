"""Phone numbers that are valid for their country, generated fast and deterministically.

Per country, a few dozen "stems" (a valid mobile number minus its last four digits) are found
once, starting from phonenumbers' own example number; a session's number is a stem plus four
random digits. Mobile ranges are defined on leading digits, so those numbers stay valid.
"""

from __future__ import annotations

import random

import phonenumbers
from phonenumbers import PhoneNumberType

_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_DIGITS = "0123456789"


class PhonePool:
    def __init__(self, rng: random.Random, regions: list[str], stems_per_region: int = 30):
        self._stems: dict[str, list[str]] = {}
        for region in regions:
            self._stems[region] = _find_stems(rng, region, stems_per_region)

    def stem(self, rng: random.Random, region: str) -> str:
        return rng.choice(self._stems[region])

    def number(self, rng: random.Random, region: str, stem: str | None = None) -> str:
        return f"{stem or self.stem(rng, region)}{int(rng.random() * 10000):04d}"


def _find_stems(rng: random.Random, region: str, wanted: int) -> list[str]:
    example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
    if example is None:
        raise ValueError(f"phonenumbers has no example mobile number for {region}")
    national = phonenumbers.national_significant_number(example)
    country_code = str(example.country_code)
    stems: list[str] = []
    for _ in range(5000):
        candidate = national[:2] + "".join(rng.choice(_DIGITS) for _ in national[2:])
        number = phonenumbers.parse(f"+{country_code}{candidate}")
        if (
            phonenumbers.is_valid_number(number)
            and phonenumbers.region_code_for_number(number) == region
            and phonenumbers.number_type(number) in _MOBILE_TYPES
        ):
            stems.append(country_code + candidate[:-4])
            if len(stems) == wanted:
                break
    if not stems:
        raise ValueError(f"found no valid mobile numbers for {region}")
    return stems
