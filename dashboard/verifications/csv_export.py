"""CSV of a whole filtered set of sessions, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.db.models import QuerySet

from dashboard.verifications.countries import country_name
from dashboard.verifications.models import MirroredSession

HEADER = [
    "session_id",
    "created_at_utc",
    "service_id",
    "service_name",
    "phone_e164",
    "country",
    "country_name",
    "status",
    "charge_usd",
]
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


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


def csv_lines(queryset: QuerySet[MirroredSession], order_by: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
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
        yield writer.writerow(
            [
                neutralise(str(v))
                for v in (
                    session_id,
                    created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    service_id,
                    service_name,
                    "+" + phone,
                    country,
                    country_name(country),
                    status,
                    f"{charge:.4f}",
                )
            ]
        )
