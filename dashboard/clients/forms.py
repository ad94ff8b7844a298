"""Filters for the provider-backed lists: plain forms whose cleaned data becomes B2Core's
query (``filter[...]``, ``sort_order``, ``limit``, ``offset``), and the disable form.

Paging is B2Core's own limit/offset: one page is fetched at a time, and the next offset is
this one plus the records received (a server may cap ``limit`` silently).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from dashboard.clients.actions.disable import METHODS, REASONS

PAGE_SIZES = (25, 50, 100)
# Past this an offset is a forged or mistyped URL, not a page anyone reached by "next".
MAX_OFFSET = 1_000_000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PRINTABLE = RegexValidator(r"^[^\x00-\x1f\x7f]*$", "Use printable characters only.")


class PagedForm(forms.Form):
    sort = forms.ChoiceField(
        label="Order",
        choices=[("desc", "Newest first"), ("asc", "Oldest first")],
        required=False,
    )
    limit = forms.TypedChoiceField(
        label="Per page",
        choices=[(str(n), str(n)) for n in PAGE_SIZES],
        coerce=int,
        required=False,
    )
    offset = forms.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)

    def paging(self) -> dict[str, Any]:
        """sort_order, limit and offset for the provider client (defaults filled in)."""
        data = self.cleaned_data
        return {
            "sort_order": data.get("sort") or "desc",
            "limit": data.get("limit") or PAGE_SIZES[0],
            "offset": data.get("offset") or 0,
        }


class ClientSearchForm(PagedForm):
    """Back Office client list: filter[clientId], filter[email], filter[name]; createTime."""

    client_id = forms.CharField(
        label="Client ID",
        max_length=64,
        required=False,
        validators=[RegexValidator(CLIENT_ID, "A client ID is letters, digits, dots or dashes.")],
    )
    email = forms.CharField(label="Email", max_length=254, required=False, validators=[_PRINTABLE])
    name = forms.CharField(label="Name", max_length=200, required=False, validators=[_PRINTABLE])

    def api_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for B2CoreClient.list_clients."""
        data = self.cleaned_data
        return {
            "client_id": data.get("client_id") or None,
            "email": data.get("email") or None,
            "name": data.get("name") or None,
            **self.paging(),
        }


class HistoryFilterForm(PagedForm):
    """A client's 2FA changes: filter[provider], filter[isEnabled], filter[timeFrom/timeTo]
    (times typed in the operator's time zone), sort_by=time."""

    method = forms.ChoiceField(
        label="Method", choices=[("", "Any"), *METHODS.items()], required=False
    )
    state = forms.ChoiceField(
        label="Change",
        choices=[("", "Any"), ("enabled", "Enabled"), ("disabled", "Disabled")],
        required=False,
    )
    time_from = forms.DateTimeField(
        label="From", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_to = forms.DateTimeField(
        label="To", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("time_from", "time_to"):
            value = data.get(name)
            if value is not None and not 1970 <= value.year <= 9000:
                self.add_error(name, "Choose a time between 1970 and 9000.")
                data.pop(name, None)
        start, end = data.get("time_from"), data.get("time_to")
        if start and end and start > end:
            self.add_error("time_to", "The end is before the start.")
        return data

    def api_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for B2CoreClient.list_changes (aware times, in UTC on the wire)."""
        data = self.cleaned_data
        state = data.get("state")
        return {
            "provider": data.get("method") or None,
            "is_enabled": None if not state else state == "enabled",
            "time_from": _aware(data.get("time_from")),
            "time_to": _aware(data.get("time_to")),
            **self.paging(),
        }


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # Django reads a datetime-local value in the current (operator's) zone and makes it aware.
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class DisableForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=32)
    reason = forms.ChoiceField(label="Reason", choices=[("", "Choose a reason…"), *REASONS.items()])
    note = forms.CharField(
        label="Details",
        max_length=300,
        required=False,
        validators=[_PRINTABLE],
        help_text="Ticket number, how the client's identity was checked… Required for “Other”.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == "other" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why, when the reason is “Other”.")
        return data

    def reason_text(self) -> str:
        data = self.cleaned_data
        label = REASONS[data["reason"]]
        note = (data.get("note") or "").strip()
        return f"{label}: {note}" if note else label
