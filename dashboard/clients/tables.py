"""The clients list and a client's 2FA history as django-tables2 Tables, drawn as the audit
table is: the Table makes <thead>, the render_* methods make every cell in one pass
(audit/tables.py, notes/tables2-fast.md). Rows come in B2Core's order, already sorted."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboard import times
from dashboard.clients.actions.disable import METHODS
from dashboard.providers.b2core import Client, TwoFAChange
from dashboard.tables import OnePassTable, PresortedListData
from dashboard.times import Shown, time_html

_NONE = mark_safe('<span class="muted">—</span>')
When = tuple[Shown, str] | None


def _time_html(value: When) -> SafeString:
    if value is None:
        return _NONE
    moment, text = value
    return mark_safe(time_html(moment, text))  # noqa: S308 (escaped in time_html)


def _when(value: dt.datetime | None) -> When:
    """In the operator's zone, named beside the time; UTC on hover."""
    if value is None:
        return None
    moment = times.shown(value, timezone.get_current_timezone())
    local = moment.local
    return moment, f"{local.day} {local:%b %Y %H:%M:%S}"


class ClientTable(OnePassTable):
    client = tables.Column(verbose_name="Client", orderable=False)
    name = tables.Column(verbose_name="Name", orderable=False)
    email = tables.Column(verbose_name="Email", orderable=False)
    when = tables.Column(verbose_name="Created", orderable=False)

    class Meta:
        template_name = "clients/_table.html"
        attrs = {"class": "data clients cards"}
        empty_text = "No clients match."

    def render_when(self, value: When) -> SafeString:
        return _time_html(value)

    def render_client(self, value: tuple[str, str]) -> SafeString:
        client_id, url = value
        return format_html('<a href="{}"><code class="id">{}</code></a>', url, client_id)

    def render_name(self, value: tuple[str, str]) -> SafeString:
        name, url = value
        return format_html('<a href="{}">{}</a>', url, name) if name else _NONE


def client_rows(clients: Iterable[Client]) -> list[dict[str, Any]]:
    rows = []
    for client in clients:
        url = reverse("clients:client", args=[client.id])
        rows.append(
            {
                "client": (client.id, url),
                "name": (client.name, url),
                "email": client.email,
                "when": _when(client.create_time),
            }
        )
    return rows


class ChangeTable(OnePassTable):
    when = tables.Column(verbose_name="Time", orderable=False)
    method = tables.Column(verbose_name="Method", orderable=False)
    change = tables.Column(verbose_name="Change", orderable=False)
    more = tables.Column(verbose_name="Other fields", orderable=False)

    class Meta:
        template_name = "clients/_table.html"
        attrs = {"class": "data changes cards"}
        empty_text = "No 2FA changes match these filters."

    def render_change(self, value: bool) -> SafeString:
        if value:
            return mark_safe('<span class="state state-on">Enabled</span>')
        return mark_safe('<span class="state state-off">Disabled</span>')

    def render_more(self, value: list[tuple[str, str]]) -> SafeString:
        if not value:
            return _NONE
        return mark_safe(  # noqa: S308 (each part escaped by format_html)
            "<br>".join(format_html('<span class="muted">{}</span> {}', k, v) for k, v in value)
        )

    def render_when(self, value: tuple[When, str]) -> SafeString:
        # The time opens the change: in the drawer with htmx, as its own page without.
        when, url = value
        label = _time_html(when) if when else mark_safe("(no time)")
        return format_html(
            '<a href="{}" hx-get="{}" hx-target="#drawer" hx-swap="innerHTML" '
            'hx-push-url="true">{}</a>',
            url,
            url,
            label,
        )


def shown(value: object) -> str:
    """An unknown field's value as text (JSON-ish for lists and objects)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, default=str)


def change_rows(client_id: str, changes: Iterable[TwoFAChange]) -> list[dict[str, Any]]:
    rows = []
    for change in changes:
        url = reverse("clients:change", args=[client_id, change.id])
        rows.append(
            {
                "when": (_when(change.time), url),
                "method": METHODS.get(change.provider, change.provider),
                "change": change.is_enabled,
                "more": [(key, shown(value)[:80]) for key, value in change.extra.items()],
            }
        )
    return rows


__all__ = ["ChangeTable", "ClientTable", "PresortedListData", "change_rows", "client_rows"]
