"""The audit page's filters (a django-filter FilterSet): each one an index's equality
column, and a date range read in the operator's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone

from dashboard.audit.models import OUTCOMES, AuditRecord


class AuditFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        for name, day in (("date_from", start), ("date_to", end)):
            if day and not 1970 <= day.year <= 9000:
                self.add_error(name, "Choose a date between 1970 and 9000.")
                data.pop(name, None)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class AuditFilter(django_filters.FilterSet):  # type: ignore[misc]
    actor = django_filters.CharFilter(field_name="actor_username", label="Actor", max_length=150)
    action = django_filters.CharFilter(
        field_name="action",
        label="Action",
        max_length=40,
        validators=[RegexValidator(r"^[a-z0-9_.]+$", "An action is a short code, e.g. cancel.")],
    )
    outcome = django_filters.ChoiceFilter(
        field_name="outcome", label="Outcome", choices=[(o, o.capitalize()) for o in OUTCOMES]
    )
    target = django_filters.CharFilter(field_name="first_target", label="Target", max_length=200)
    date_from = django_filters.DateFilter(label="From", method="filter_from")
    date_to = django_filters.DateFilter(label="To", method="filter_to")

    class Meta:
        model = AuditRecord
        fields: list[str] = []
        form = AuditFilterForm

    def filter_from(
        self, queryset: QuerySet[AuditRecord], name: str, value: dt.date
    ) -> QuerySet[AuditRecord]:
        return queryset.filter(created_at__gte=_local_midnight(value))

    def filter_to(
        self, queryset: QuerySet[AuditRecord], name: str, value: dt.date
    ) -> QuerySet[AuditRecord]:
        return queryset.filter(created_at__lt=_local_midnight(value + dt.timedelta(days=1)))
