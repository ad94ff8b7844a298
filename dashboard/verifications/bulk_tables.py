"""A bulk cancel's per-session outcomes: a django-tables2 Table and a django-filter FilterSet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dashboard.tables import OnePassTable
from dashboard.verifications.models import BulkCancelItem


class BulkItemFilter(django_filters.FilterSet):  # type: ignore[misc]
    state = django_filters.MultipleChoiceFilter(
        choices=BulkCancelItem.State.choices, label="Outcome"
    )

    class Meta:
        model = BulkCancelItem
        fields: list[str] = []


class BulkItemTable(OnePassTable):
    session = tables.Column(verbose_name="Session", orderable=False)
    status_before = tables.Column(verbose_name="Status when previewed", orderable=False)
    charge = tables.Column(verbose_name="Charge", orderable=False, attrs={"td": {"class": "num"}})
    state = tables.Column(verbose_name="Outcome", orderable=False)
    message = tables.Column(verbose_name="What happened", orderable=False)

    class Meta:
        template_name = "audit/_table.html"
        attrs = {"class": "data bulk-items cards"}
        empty_text = "No sessions with these outcomes."

    def render_session(self, value: tuple[str, str]) -> SafeString:
        url, session_id = value
        return format_html('<a href="{}"><code class="id">{}</code></a>', url, session_id)

    def render_status_before(self, value: str) -> SafeString:
        return format_html('<span class="status status-{}">{}</span>', value, value)

    def render_state(self, value: tuple[str, str]) -> SafeString:
        state, label = value
        return format_html('<span class="bulk-state bulk-{}">{}</span>', state, label)


def rows(items: Iterable[BulkCancelItem], *, draft: bool = False) -> list[dict[str, Any]]:
    base = reverse("verifications:session", args=["0" * 32]).removesuffix("0" * 32 + "/")
    labels = dict(BulkCancelItem.State.choices)
    if draft:
        labels[BulkCancelItem.State.QUEUED] = "to be sent"
    return [
        {
            "session": (f"{base}{item.session_id}/", item.session_id),
            "status_before": item.status_before,
            "charge": f"${item.charge}",
            "state": (item.state, labels.get(item.state, item.state)),
            "message": item.message,
        }
        for item in items
    ]
