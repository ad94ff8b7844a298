"""Country names for ISO 3166-1 alpha-2 codes, from pycountry's copy of the ISO tables."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_name(code: str) -> str:
    """ "GB" → "United Kingdom"; an unknown code is shown as sent."""
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        return code or "Unknown"
    return str(getattr(country, "common_name", None) or country.name)


@cache
def country_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries),
        key=lambda pair: pair[1],
    )


@cache
def country_options() -> tuple[tuple[str, str], ...]:
    """The same, as a tuple: the {% options %} tag's cache key as it is."""
    return tuple(country_choices())
