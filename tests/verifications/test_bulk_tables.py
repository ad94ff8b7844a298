"""A bulk cancel's per-session outcomes table (dashboard/verifications/bulk_tables.py)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from dashboard.verifications.bulk_tables import BulkItemTable, rows
from dashboard.verifications.models import BulkCancelItem
from tests.card_cells import assert_cards_labelled


def test_each_bulk_item_card_cell_carries_its_column_label():
    items = [
        BulkCancelItem(
            session_id="a1".ljust(32, "0"),
            status_before="pending",
            charge=Decimal("0.0500"),
            state=BulkCancelItem.State.QUEUED,
            message="",
        ),
        BulkCancelItem(
            session_id="a2".ljust(32, "0"),
            status_before="pending",
            charge=Decimal("0.0500"),
            state=BulkCancelItem.State.QUEUED,
            message="Wavix said the session had already ended.",
        ),
    ]
    table = BulkItemTable(rows(items, draft=True))

    found = assert_cards_labelled(
        render_to_string(table.template_name, {"table": table}), "bulk-items"
    )

    assert found.headers == [
        "Session",
        "Status when previewed",
        "Charge",
        "Outcome",
        "What happened",
    ]
