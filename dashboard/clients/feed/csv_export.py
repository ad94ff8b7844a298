"""The filtered clients feed as CSV, streamed, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, cast

from django.db.models import QuerySet

from dashboard.audit.chain import utc_text
from dashboard.clients.models import ClientChange, ClientSyncState
from dashboard.times import CsvLocalTime
from dashboard.verifications.csv_export import neutralise

# The local time comes last: the columns before it keep the places scripts read them at.
HEADER = [
    "time_utc", "client_id", "client_email", "client_name", "change_id", "method", "enabled",
    "rapid_toggle", "time_sent_by_b2core", "extra_json", "time_local", "local_zone",
]  # fmt: skip
CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    queryset: QuerySet[ClientChange], order_by: list[str], zone: dt.tzinfo = dt.UTC
) -> Iterator[str]:
    """The header, then one line per change; `zone`: the operator's, for time_local."""
    writer = csv.writer(_Echo())
    local_time = CsvLocalTime(zone)
    yield writer.writerow(HEADER)
    fields = ["time", "client_id", "change_id", "provider", "is_enabled", "rapid_toggle"]
    fields += ["time_reported", "extra"]
    chunk: list[tuple[object, ...]] = []
    for row in queryset.order_by(*order_by).values_list(*fields).iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from _lines(writer, chunk, local_time)
            chunk = []
    yield from _lines(writer, chunk, local_time)


def _lines(writer: Any, chunk: list[tuple[object, ...]], local_time: CsvLocalTime) -> Iterator[str]:
    ids = {str(row[1]) for row in chunk}
    names = {
        client_id: (email, name)
        for client_id, email, name in ClientSyncState.objects.filter(client_id__in=ids).values_list(
            "client_id", "email", "name"
        )
    }
    for time, client_id, change_id, provider, enabled, rapid, reported, extra in chunk:
        email, name = names.get(str(client_id), ("", ""))
        cells = [
            utc_text(cast(dt.datetime, time)), client_id, email, name, change_id, provider,
            "yes" if enabled else "no", "yes" if rapid else "no", "yes" if reported else "no",
            json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "",
            *local_time(cast(dt.datetime, time)),
        ]  # fmt: skip
        yield writer.writerow([neutralise(str(cell)) for cell in cells])
