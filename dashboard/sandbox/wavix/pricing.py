"""What things cost in the sandbox, in ten-thousandths of a US dollar ("e4" amounts).

Rates are plausible 2FA list prices, not Wavix's: what matters is that they differ by country
and channel, that some destinations are expensive (the ones SMS pumping targets), and that
every amount is exact (integers here, 4-decimal strings on the wire).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class CountryRate(NamedTuple):
    weight: float  # share of normal traffic (the seed's country mix)
    sms_e4: int
    voice_e4: int


COUNTRY_RATES: dict[str, CountryRate] = {
    "US": CountryRate(28, 79, 130),
    "GB": CountryRate(10, 390, 250),
    "IN": CountryRate(9, 52, 180),
    "DE": CountryRate(7, 840, 310),
    "FR": CountryRate(6, 720, 290),
    "BR": CountryRate(6, 290, 420),
    "CA": CountryRate(5, 79, 130),
    "MX": CountryRate(4, 340, 380),
    "ES": CountryRate(3, 690, 300),
    "IT": CountryRate(3, 780, 320),
    "AU": CountryRate(3, 460, 330),
    "ID": CountryRate(3, 3200, 1400),
    "NL": CountryRate(2, 910, 350),
    "PL": CountryRate(2, 330, 270),
    "PH": CountryRate(2, 1450, 900),
    "NG": CountryRate(2, 1920, 1100),
    "ZA": CountryRate(2, 260, 500),
    "JP": CountryRate(2, 650, 520),
    "TR": CountryRate(1, 170, 450),
    "AE": CountryRate(1, 420, 610),
}

# Expensive destinations that SMS-pumping bursts go to (almost no normal traffic).
PUMPING_RATES: dict[str, CountryRate] = {
    "UZ": CountryRate(0, 2710, 1900),
    "KG": CountryRate(0, 2490, 1700),
    "TJ": CountryRate(0, 3150, 2100),
    "AZ": CountryRate(0, 2340, 1500),
}

DEFAULT_RATE = CountryRate(0, 500, 600)
LOOKUP_E4 = 40  # number lookup, when the service validates numbers
VERIFIED_E4 = 50  # a successful verification; a failed check is free


def send_charge_e4(country: str, channel: str) -> int:
    rate = COUNTRY_RATES.get(country) or PUMPING_RATES.get(country) or DEFAULT_RATE
    return rate.voice_e4 if channel == "voice" else rate.sms_e4


def e4_to_decimal(amount: int) -> Decimal:
    return Decimal(amount).scaleb(-4)


def e4_to_str(amount: int) -> str:
    return f"{amount // 10000}.{amount % 10000:04d}"
