"""The clients feed's filters (a django-filter FilterSet over our mirror): method, state,
rapid toggles, client and a date range read in the operator's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone

from dashboard.clients.models import ClientChange

METHODS = [("google", "Google Authenticator"), ("sms", "SMS")]
STATES = [("disabled", "Disabled"), ("enabled", "Enabled")]
DEFAULT_DAYS = 7


class FeedFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and not 1970 <= day.year <= 9000:
                self.add_error(name, "Choose a date between 1970 and 9000.")
                data.pop(name, None)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def default_from() -> dt.date:
    """The first day of "the last 7 days", today included, in the operator's time zone."""
    return timezone.localdate() - dt.timedelta(days=DEFAULT_DAYS - 1)


class FeedFilter(django_filters.FilterSet):  # type: ignore[misc]
    method = django_filters.ChoiceFilter(field_name="provider", label="Method", choices=METHODS)
    state = django_filters.ChoiceFilter(label="Change", choices=STATES, method="filter_state")
    rapid = django_filters.ChoiceFilter(
        label="Rapid toggles only", choices=[("1", "Rapid toggles only")], method="filter_rapid"
    )
    client = django_filters.CharFilter(
        field_name="client_id",
        label="Client ID",
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", "A client ID is letters and digits.")],
    )
    date_from = django_filters.DateFilter(label="From", method="filter_from")
    date_to = django_filters.DateFilter(label="To", method="filter_to")

    class Meta:
        model = ClientChange
        fields: list[str] = []
        form = FeedFilterForm

    def filter_state(
        self, queryset: QuerySet[ClientChange], name: str, value: str
    ) -> QuerySet[ClientChange]:
        return queryset.filter(is_enabled=value == "enabled")

    def filter_rapid(
        self, queryset: QuerySet[ClientChange], name: str, value: str
    ) -> QuerySet[ClientChange]:
        return queryset.filter(rapid_toggle=True)

    def filter_from(
        self, queryset: QuerySet[ClientChange], name: str, value: dt.date
    ) -> QuerySet[ClientChange]:
        return queryset.filter(time__gte=local_midnight(value))

    def filter_to(
        self, queryset: QuerySet[ClientChange], name: str, value: dt.date
    ) -> QuerySet[ClientChange]:
        return queryset.filter(time__lt=local_midnight(value + dt.timedelta(days=1)))
