"""The clients feed as a django-tables2 Table: the Table draws <thead>, ``body_html`` the rows
in one pass through the same render_* methods (notes/tables2-fast.md, idiom g; as the audit
list). Disables and rapid toggles are marked on the row, so they stand out without colour too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from dashboard.clients.feed.filters import METHODS
from dashboard.clients.models import ClientChange
from dashboard.tables import OnePassTable
from dashboard.times import Shown, shown, time_html

CAPTIONS = dict(METHODS)
# Extra fields shown in the row; every one is in the CSV.
EXTRA_SHOWN = 3


class FeedTable(OnePassTable):
    # What happened comes right after when: on a phone the table scrolls sideways, and the
    # change (a disable, a rapid toggle) must be on screen without scrolling.
    when = tables.Column(verbose_name="Time", orderable=False)
    change = tables.Column(verbose_name="Change", orderable=False)
    method = tables.Column(verbose_name="Method", orderable=False)
    client = tables.Column(verbose_name="Client", orderable=False)
    details = tables.Column(verbose_name="Details", orderable=False)

    class Meta:
        template_name = "clients/_feed_table.html"
        attrs = {"class": "data feed cards"}
        empty_text = "No 2FA changes match these filters."

    def tr_attrs(self, row: dict[str, Any]) -> str:
        return f' class="{row["row_class"]}"'

    def render_when(self, value: tuple[Shown, str, str]) -> SafeString:
        moment, day, clock = value
        return mark_safe(time_html(moment, day, clock))  # noqa: S308 (escaped in time_html)

    def render_client(self, value: tuple[str, str, str]) -> SafeString:
        client_id, label, href = value
        return format_html(
            '<a href="{}" title="This client\'s changes"><code class="id">{}</code></a>'
            '<br><span class="muted">{}</span>',
            href,
            client_id,
            label,
        )

    def render_method(self, value: str) -> SafeString:
        return conditional_escape(CAPTIONS.get(value, value))

    def render_change(self, value: tuple[bool, bool]) -> SafeString:
        enabled, rapid = value
        badge = (
            '<span class="status status-verified">Enabled</span>'
            if enabled
            else '<span class="status status-failed">Disabled</span>'
        )
        if rapid:
            badge += (
                ' <span class="flag-rapid" title="Turned the other way within the hour: '
                'a possible account takeover">⚠ Rapid toggle</span>'
            )
        return mark_safe(badge)  # noqa: S308 (constant markup)

    def render_details(self, value: Mapping[str, Any]) -> SafeString:
        if not value:
            return mark_safe('<span class="muted">—</span>')
        parts = [
            format_html("<span>{}: <code>{}</code></span>", key, _short(item))
            for key, item in list(value.items())[:EXTRA_SHOWN]
        ]
        more = len(value) - EXTRA_SHOWN
        if more > 0:
            parts.append(format_html('<span class="muted">+{} more (CSV)</span>', more))
        return mark_safe("<br>".join(parts))  # noqa: S308 (each part escaped)


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def rows(
    changes: Iterable[ClientChange], names: Mapping[str, tuple[str, str]], feed_url: str
) -> list[dict[str, Any]]:
    """Display values, computed once a row (times in the operator's zone, named on each
    time, UTC on hover)."""
    zone = timezone.get_current_timezone()
    result = []
    for change in changes:
        moment = shown(change.time, zone)
        local = moment.local
        email, name = names.get(change.client_id, ("", ""))
        classes = []
        if not change.is_enabled:
            classes.append("change-off")
        if change.rapid_toggle:
            classes.append("change-rapid")
        extra = dict(change.extra)
        if not change.time_reported:
            extra = {"time": "not sent by B2Core (first seen)", **extra}
        result.append(
            {
                "when": (moment, f"{local.day} {local:%b %Y}", f"{local:%H:%M:%S}"),
                "client": (
                    change.client_id,
                    name or email,
                    f"{feed_url}?{urlencode({'client': change.client_id, 'date_from': ''})}",
                ),
                "method": change.provider,
                "change": (change.is_enabled, change.rapid_toggle),
                "details": extra,
                "row_class": " ".join(classes),
            }
        )
    return result
