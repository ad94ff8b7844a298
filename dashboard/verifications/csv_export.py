"""CSV of a whole filtered set of sessions, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Sequence

from django.db.models import QuerySet
from django.utils.text import slugify

from dashboard.times import CsvLocalTime
from dashboard.verifications.countries import country_name
from dashboard.verifications.models import MirroredSession

HEADER = [
    "session_id",
    "created_at_utc",
    "created_at_local",
    "service_id",
    "service_name",
    "phone_e164",
    "country",
    "country_name",
    "status",
    "charge_usd",
    # Last, so that the columns before it keep their places for scripts that read them.
    "local_zone",
]
PHONE = HEADER.index("phone_e164")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DIGITS = re.compile(r"^\d{1,15}$")


def phone_as_text(digits: str) -> str:
    """A phone number a spreadsheet keeps as text: ="+447911123456".

    Written plainly, +447911123456 becomes the number 447911123456 (shown as 4.48E+11).
    The formula is ours and holds a string literal of ASCII digits only (checked here), so
    nothing from a provider can ride in it; anything else is written through neutralise().
    """
    if _DIGITS.fullmatch(digits):
        return f'="+{digits}"'
    return neutralise("+" + digits)


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection).

    A leading = @ tab or CR always starts a formula; + and - do unless the cell is a plain
    number (a phone number such as +447911123456 stays usable).
    """
    if cell[:1] in ("=", "@", "\t", "\r") or (cell[:1] in ("+", "-") and not _NUMBER.match(cell)):
        return "'" + cell
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_filename(services: Sequence[str], period: str, stamp: dt.datetime) -> str:
    """sessions_login_2026-05-01_to_2026-05-31.csv: what the file holds, readable in a folder."""
    if not services:
        who = "all-services"
    elif len(services) <= 3:
        who = "+".join(slugify(name)[:30] or "service" for name in services)
    else:
        who = f"{len(services)}-services"
    return f"sessions_{who}_{period}_{stamp:%Y%m%d-%H%M}.csv"


def csv_lines(
    queryset: QuerySet[MirroredSession], order_by: list[str], zone: dt.tzinfo = dt.UTC
) -> Iterator[str]:
    """The header, then one line per session; `zone`: the operator's, for created_at_local
    and local_zone (its name and offset on each line: DST moves it)."""
    writer = csv.writer(_Echo())
    local_time = CsvLocalTime(zone)
    yield writer.writerow(HEADER)
    rows = (
        queryset.order_by(*order_by)
        .values_list(
            "session_id",
            "created_at",
            "service__service_id",
            "service__name",
            "phone_number",
            "country",
            "status",
            "charge",
        )
        .iterator(chunk_size=2000)
    )
    for session_id, created, service_id, service_name, phone, country, status, charge in rows:
        local, zone_text = local_time(created)
        cells = [
            neutralise(str(v))
            for v in (
                session_id,
                created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                local,
                service_id,
                service_name,
                phone,
                country,
                country_name(country),
                status,
                f"{charge:.4f}",
                zone_text,
            )
        ]
        cells[PHONE] = phone_as_text(phone)
        yield writer.writerow(cells)
