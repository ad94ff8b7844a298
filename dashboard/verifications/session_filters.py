"""The sessions list's filters: a django-filter FilterSet over the mirror, read from the URL.

The Services page validates the same URL with it (a shared link carries one period) and uses
only its period.
"""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Func, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual
from django.db.models.sql.compiler import SQLCompiler
from django.http import QueryDict
from django.utils import timezone

from dashboard.verifications.countries import country_choices
from dashboard.verifications.keyset import SortKey
from dashboard.verifications.models import MirroredSession, Service
from dashboard.verifications.phone_search import (
    WHOLE_NUMBERS_ONLY,
    PhoneMatch,
    PhoneQuery,
    PhoneQueryError,
    parse_phone_query,
)

RANGE_PRESETS: dict[str, tuple[str, dt.timedelta | None]] = {
    "today": ("Today", None),
    "24h": ("Last 24 hours", dt.timedelta(hours=24)),
    "7d": ("Last 7 days", dt.timedelta(days=7)),
    "30d": ("Last 30 days", dt.timedelta(days=30)),
    "90d": ("Last 90 days", dt.timedelta(days=90)),
}
DEFAULT_RANGE = "7d"
# No 2FA session is older; the floor also keeps dates off the calendar's edges (year 1 has
# no UTC day before it, and years below 1000 reach the provider as "1-01-01").
EARLIEST_DAY = dt.date(2000, 1, 1)
STATUSES = ("pending", "verified", "expired", "canceled", "failed")
SORTS: dict[str, tuple[str, SortKey]] = {
    "-created": ("Newest first", SortKey(("created_at", "session_id"), (True, True))),
    "created": ("Oldest first", SortKey(("created_at", "session_id"), (False, False))),
    "-charge": (
        "Highest charge",
        SortKey(("charge", "created_at", "session_id"), (True, True, True)),
    ),
    "charge": (
        "Lowest charge",
        SortKey(("charge", "created_at", "session_id"), (False, True, True)),
    ),
    "status": ("Status", SortKey(("status", "created_at", "session_id"), (False, True, True))),
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class SessionCriteria:
    start: dt.datetime
    end: dt.datetime
    service_ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    phone: PhoneQuery | None = None
    min_charge: Decimal | None = None
    sort: str = DEFAULT_SORT

    @property
    def sort_key(self) -> SortKey:
        return SORTS[self.sort][1]

    def utc_days(self) -> list[dt.date]:
        first = self.start.astimezone(dt.UTC).date()
        last = (self.end - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _phone_condition(phone: PhoneQuery) -> Q:
    if phone.match is PhoneMatch.EXACT:
        return Q(phone_number=phone.digits)
    if phone.match is PhoneMatch.LAST4:
        return Q(phone_last4=phone.digits)
    # A digit prefix as a range (":" sorts right after "9"): an index range scan in every
    # database, where LIKE 'x%' is not in SQLite.
    return Q(
        _Likelihood(
            GreaterThanOrEqual(F("phone_number"), phone.digits),
            # Roughly one number in ten shares each further digit of a prefix.
            max(10.0 ** -len(phone.digits), 1e-12),
        ),
        phone_number__lt=phone.digits + ":",
    )


class _Likelihood(Func):
    """A condition, with SQLite told how likely it is to hold (its ``likelihood()``).

    SQLite has no statistics on ranges: it guesses every range keeps a quarter of the rows,
    so for "phone prefix + date range, newest first" it walks the date index (which gives
    the order) through every row of the range, not the few rows with that prefix. Other
    databases see the bare condition.
    """

    output_field = BooleanField()
    template = "%(expressions)s"

    def __init__(self, condition: Expression, probability: float) -> None:
        super().__init__(condition)
        self.probability = min(max(probability, 0.0), 1.0)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        # A literal (SQLite wants a constant), made here from a float, never from input.
        template = f"likelihood(%(expressions)s, {self.probability:.12f})"
        return self.as_sql(compiler, connection, template=template, **extra)


class _FixedChoicesField(forms.MultipleChoiceField):
    """A multiple choice over a long list that never changes (countries).

    Given as a list, not a callable (a callable is normalised again at every use), and
    shared by the form instances rather than deep-copied, 250 pairs, for each request.
    """

    def __deepcopy__(self, memo: dict[int, object]) -> _FixedChoicesField:
        copied: _FixedChoicesField = forms.Field.__deepcopy__(self, memo)
        return copied


class SessionFilterForm(forms.Form):
    """The form SessionFilter builds on: the fields that filter nothing by themselves (the
    period's dates, read by the period filter; the sort, which keyset paging applies), and the
    checks that read several fields at once. SessionFilter adds a field per filter."""

    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))
    sort = forms.ChoiceField(
        choices=[(k, label) for k, (label, _) in SORTS.items()], required=False
    )
    field_order = [
        "range",
        "date_from",
        "date_to",
        "service",
        "status",
        "country",
        "phone",
        "min_charge",
        "sort",
    ]
    # Set by SessionFilter for each request (django-filter builds the form itself).
    tz: dt.tzinfo = dt.UTC
    # Whether prefixes and last fours may be searched, which only roles that see whole
    # numbers may (to anyone else they unmask a number digit by digit).
    partial_phone_search = False

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        now = timezone.now()
        preset = data.get("range") or (
            "custom" if data.get("date_from") or data.get("date_to") else DEFAULT_RANGE
        )
        data["range"] = preset
        if preset == "custom":
            self._clean_custom(data, now)
        elif preset == "today":
            local_midnight = dt.datetime.combine(now.astimezone(self.tz).date(), dt.time(), self.tz)
            data["start"], data["end"] = local_midnight, now
        else:
            delta = RANGE_PRESETS[preset][1]
            assert delta is not None
            data["start"], data["end"] = now - delta, now
        countries = data.get("country") or []
        region = countries[0] if len(countries) == 1 else None
        try:
            phone = parse_phone_query(data.get("phone") or "", region)
        except PhoneQueryError as exc:
            self.add_error("phone", str(exc))
        else:
            partial = phone is not None and phone.match is not PhoneMatch.EXACT
            if partial and not self.partial_phone_search:
                # Refused before the mirror is asked: the answer must not depend on it.
                self.add_error("phone", WHOLE_NUMBERS_ONLY)
            data["phone_query"] = phone
        return data

    def _clean_custom(self, data: dict[str, object], now: dt.datetime) -> None:
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return
        today = now.astimezone(self.tz).date()
        if not isinstance(date_from, dt.date):
            date_from = today - dt.timedelta(days=6)
        if not isinstance(date_to, dt.date):
            date_to = today
        if date_from > date_to:
            self.add_error("date_to", "The end date is before the start date.")
            return
        if date_from < EARLIEST_DAY:
            earliest = f"{EARLIEST_DAY.day} {EARLIEST_DAY:%b %Y}"
            self.add_error("date_from", f"Choose a day from {earliest} on.")
            return
        days = (date_to - date_from).days + 1
        if days > settings.MIRROR_MAX_RANGE_DAYS:
            self.add_error(
                "date_to",
                f"That range is {days} days; the longest allowed is "
                f"{settings.MIRROR_MAX_RANGE_DAYS} days.",
            )
            return
        data["start"] = dt.datetime.combine(date_from, dt.time(), self.tz)
        # Days after today hold nothing yet (and 31 Dec 9999 has no next day).
        last = min(date_to, today)
        data["end"] = min(now, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), self.tz))
        if data["start"] >= data["end"]:  # type: ignore[operator]
            self.add_error("date_from", "That range starts in the future.")


class AnyOfFilter(django_filters.MultipleChoiceFilter):  # type: ignore[misc]
    """Rows whose column holds any of the chosen values, as one `IN (...)`.

    django-filter's own ORs one condition per value and adds DISTINCT (for to-many
    relations, which these are not); an IN list is what the indexes were planned for.
    """

    def filter(self, qs: QuerySet[MirroredSession], value: list[str]) -> QuerySet[MirroredSession]:
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs

    def __deepcopy__(self, memo: dict[int, object]) -> AnyOfFilter:
        # Each FilterSet deep-copies its filters: 250 country pairs, every request. The
        # choices are never changed in place; only `extra` itself needs its own copy.
        copied = copy.copy(self)
        copied.extra = dict(self.extra)
        return copied


class CountryFilter(AnyOfFilter):
    field_class = _FixedChoicesField


class SessionFilter(django_filters.FilterSet):  # type: ignore[misc]
    range = django_filters.ChoiceFilter(
        label="Range",
        choices=[(k, label) for k, (label, _) in RANGE_PRESETS.items()] + [("custom", "Custom")],
        empty_label=None,
        method="filter_period",
    )
    service = AnyOfFilter(field_name="service__service_id", label="Service")
    status = AnyOfFilter(choices=[(s, s.capitalize()) for s in STATUSES], label="Status")
    country = CountryFilter(choices=country_choices(), label="Country")
    phone = django_filters.CharFilter(label="Phone", max_length=40, method="filter_phone")
    min_charge = django_filters.NumberFilter(
        field_name="charge",
        lookup_expr="gte",
        label="Min. charge (USD)",
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=4,
    )

    class Meta:
        model = MirroredSession
        fields: list[str] = []
        form = SessionFilterForm

    def __init__(
        self,
        data: QueryDict,
        *,
        services: list[Service],
        tz: dt.tzinfo,
        partial_phone_search: bool,
        queryset: QuerySet[MirroredSession] | None = None,
    ) -> None:
        """`services`: the choices of the service filter (the caller has them already);
        `partial_phone_search`: see SessionFilterForm."""
        super().__init__(
            data, queryset=MirroredSession.objects.all() if queryset is None else queryset
        )
        form = self.form
        form.tz = tz
        form.partial_phone_search = partial_phone_search
        form.fields["service"].choices = [(s.service_id, s.display_name) for s in services]

    @classmethod
    def _form_class(cls, filters: dict[str, django_filters.Filter]) -> type[forms.Form]:
        # django-filter builds a form class, and its fields, for every FilterSet; these fields
        # are the same every time (the service choices are set on each form), and the
        # countries' field alone cost ~2 ms a request to build.
        if "_built_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in filters.items()}
            cls._built_form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        form_class: type[forms.Form] = cls.__dict__["_built_form_class"]
        return form_class

    def get_form_class(self) -> type[forms.Form]:
        return self._form_class(self.filters)

    def filter_queryset(self, queryset: QuerySet[MirroredSession]) -> QuerySet[MirroredSession]:
        # By filter, not by cleaned_data key as django-filter does: the form's clean() adds
        # what it read from several fields (start, end, phone_query), which are no filters.
        data = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, data.get(name))
        return queryset

    def filter_period(
        self, queryset: QuerySet[MirroredSession], name: str, value: str
    ) -> QuerySet[MirroredSession]:
        # The form resolved the preset or the dates (clean() always sets a preset).
        data = self.form.cleaned_data
        return queryset.filter(created_at__gte=data["start"], created_at__lt=data["end"])

    def filter_phone(
        self, queryset: QuerySet[MirroredSession], name: str, value: str
    ) -> QuerySet[MirroredSession]:
        phone: PhoneQuery | None = self.form.cleaned_data.get("phone_query")
        return queryset if phone is None else queryset.filter(_phone_condition(phone))

    def criteria(self) -> SessionCriteria:
        """The filters as values (for chips, the sort and the days to sync); only after
        is_valid()."""
        data = self.form.cleaned_data
        return SessionCriteria(
            start=data["start"],
            end=data["end"],
            service_ids=tuple(data.get("service") or ()),
            statuses=tuple(data.get("status") or ()),
            countries=tuple(data.get("country") or ()),
            phone=data.get("phone_query"),
            min_charge=data.get("min_charge"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


def zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC
