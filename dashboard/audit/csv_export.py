"""The filtered audit trail as CSV, streamed, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from dashboard.audit.chain import utc_text
from dashboard.audit.models import AuditRecord
from dashboard.times import CsvLocalTime
from dashboard.verifications.csv_export import neutralise

# The local time comes last: the columns before it keep the places scripts read them at.
HEADER = [
    "id", "time_utc", "actor", "client_ip", "action", "targets", "outcome", "reason",
    "provider_message", "request_id", "prev_hash", "hash", "time_local", "local_zone",
]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    queryset: QuerySet[AuditRecord], order_by: list[str], zone: dt.tzinfo = dt.UTC
) -> Iterator[str]:
    """The header, then one line per record; `zone`: the operator's, for time_local."""
    writer = csv.writer(_Echo())
    local_time = CsvLocalTime(zone)
    yield writer.writerow(HEADER)
    fields = ["id", "created_at", "actor_username", "client_ip", "action", "targets"]
    fields += ["outcome", "reason", "provider_message", "request_id", "prev_hash", "hash"]
    for row in queryset.order_by(*order_by).values_list(*fields).iterator(chunk_size=2000):
        id_, created, actor, ip, action, targets, *rest = row
        # Targets joined by spaces: IDs never contain one, and a cell stays one value.
        cells = [str(id_), utc_text(created), actor, ip, action, " ".join(targets), *rest]
        cells += local_time(created)
        yield writer.writerow([neutralise(str(cell)) for cell in cells])
