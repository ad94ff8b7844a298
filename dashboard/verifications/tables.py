"""The sessions list and the Services page as django-tables2 Tables.

Plain columns, each cell made by a render_* method from a row prepared once. As in
dashboard/audit/tables.py, the Table draws <thead> and `body_html` fills <tbody> in one pass
calling the same render_* methods (notes/tables2-fast.md: the library's own cell loop costs
~0.4 ms a row, an inspect.signature per cell and the column attrs rebuilt per <td>).

The rows come in page order from keyset paging, so the tables never sort: `sort` is the
URL's own parameter, and each sortable header links to the next of the sorts its column maps
to, without the paging cursor (a cursor belongs to one sort).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape as _escape
from typing import Any

import django_tables2 as tables
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from dashboard.tables import PresortedListData, cell_opening
from dashboard.times import Shown, shown, time_html
from dashboard.verifications.countries import country_name
from dashboard.verifications.filter_chips import CURSORS, without
from dashboard.verifications.models import MirroredSession
from dashboard.verifications.phone_search import format_e164_digits, mask
from dashboard.verifications.service_stats import ServiceStats


@dataclass(frozen=True)
class Header:
    """One <th> of a table: its label, attributes, and where a click sorts to."""

    label: str
    attrs: SafeString  # with a leading space, or empty
    href: str = ""
    # "ascending"/"descending" on the column the rows are sorted by (aria-sort).
    sorted: str = ""


class OnePassTable(tables.Table):  # type: ignore[misc]
    """A Table whose body is one string built by its render_* methods.

    Each render_* takes the row (`record`) and returns its cell's HTML, every value in it
    escaped; a column without one shows the row's attribute of its name, escaped. `sorts`
    maps a column to the URL's sorts, first click first.
    """

    sorts: dict[str, tuple[str, ...]] = {}
    # A column whose cells head their row (<th scope="row">).
    row_header = ""

    def __init__(self, rows: Sequence[Any], *, query: QueryDict, **kwargs: Any) -> None:
        super().__init__(PresortedListData(rows), **kwargs)
        self.query = query

    @property
    def current_sort(self) -> str:
        return str(self.order_by[0]) if self.order_by else ""

    @cached_property
    def headers(self) -> list[Header]:
        current = self.current_sort
        headers = []
        for column in self.columns:
            th = column.attrs["th"].as_html()
            attrs = mark_safe(f" {th}" if th else "")  # noqa: S308 (escaped by as_html)
            cycle = self.sorts.get(column.name, ())
            if not cycle:
                headers.append(Header(column.header, attrs))
                continue
            following = (
                cycle[(cycle.index(current) + 1) % len(cycle)] if current in cycle else cycle[0]
            )
            query = without(self.query, *CURSORS)
            query["sort"] = following
            state = ""
            if current in cycle:
                state = "descending" if current.startswith("-") else "ascending"
            headers.append(Header(column.header, attrs, f"?{query.urlencode()}", state))
        return headers

    @cached_property
    def body_html(self) -> SafeString:
        """<tr>s for every row, each cell through its render_* method (else escaped)."""
        cells = []
        for column in self.columns:
            name = column.name
            tag = "th" if name == self.row_header else "td"
            # Its role and its column's label (a card on a phone: dashboard/tables.py).
            opening = cell_opening(column, tag=tag)
            render = getattr(self, f"render_{name}", None)
            cells.append((opening, f"</{tag}>", name, render))
        lines = []
        for row in self.data:
            parts = ['<tr role="row">']
            for opening, closing, name, render in cells:
                parts += (
                    opening,
                    render(record=row) if render else _text(getattr(row, name)),
                    closing,
                )
            parts.append("</tr>")
            lines.append("".join(parts))
        return mark_safe("\n".join(lines))  # noqa: S308 (every cell escaped by its renderer)


def _text(value: Any) -> str:
    """conditional_escape, without the keep_lazy wrapper's cost in a loop over cells."""
    return str(value.__html__()) if hasattr(value, "__html__") else _escape(str(value))


# --- Sessions ---


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One table row, as display text: computed once, placed by the render_* methods."""

    session_id: str
    created: Shown
    created_local: str
    service: str
    phone: str
    country: str
    status: str
    status_class: str
    charge: str


def session_rows(sessions: Iterable[MirroredSession], *, unmasked: bool) -> list[SessionRow]:
    """Display values in the operator's zone, named on each time (UTC on hover); numbers
    masked unless `unmasked`."""
    zone = timezone.get_current_timezone()
    rows = []
    for session in sessions:
        phone = format_e164_digits(session.phone_number)
        created = shown(session.created_at, zone)
        local = created.local
        rows.append(
            SessionRow(
                session_id=session.session_id,
                created=created,
                created_local=f"{local.day} {local:%b %H:%M:%S}",
                service=session.service.display_name,
                phone=phone if unmasked else mask(phone),
                country=country_name(session.country),
                status=session.status,
                status_class=slugify(session.status),
                charge=str(session.charge),
            )
        )
    return rows


def _th_td(css: str) -> dict[str, dict[str, str]]:
    return {"th": {"class": css}, "td": {"class": css}}


def _td(css: str) -> dict[str, dict[str, str]]:
    return {"td": {"class": css}}


def _figure() -> dict[str, dict[str, str]]:
    """A figure's cells: right-aligned on a wide screen; on a phone the row is a card, each
    figure under its column's label (data-label, given every cell by cell_opening)."""
    return {"th": {"class": "num"}, "td": {"class": "num"}}


class SessionTable(OnePassTable):
    pick = tables.Column(
        verbose_name=mark_safe('<span class="visually-hidden">Select</span>'),
        orderable=False,
        attrs=_th_td("pick"),
    )
    # Each cell's class places it in the row's card on a phone (static/app.css).
    created = tables.Column(verbose_name="Created", attrs=_td("created"))
    service = tables.Column(verbose_name="Service", orderable=False, attrs=_td("service"))
    phone = tables.Column(verbose_name="Phone", orderable=False, attrs=_td("phone"))
    country = tables.Column(verbose_name="Country", orderable=False, attrs=_td("country"))
    status = tables.Column(verbose_name="Status", attrs=_td("status-cell"))
    charge = tables.Column(verbose_name="Charge", attrs=_th_td("num"))
    session = tables.Column(verbose_name="Session", orderable=False, attrs=_td("session"))

    # Newest and highest first, as operators look for them; status has one order (its index).
    sorts = {
        "created": ("-created", "created"),
        "charge": ("-charge", "charge"),
        "status": ("status",),
    }

    class Meta:
        template_name = "verifications/_table.html"
        attrs = {"class": "data sessions cards"}
        empty_text = "No sessions match these filters in this period."

    def __init__(
        self, rows: Sequence[SessionRow], *, query: QueryDict, sort: str, selectable: bool
    ) -> None:
        """`sort`: the validated sort (the URL's may be empty); `selectable`: a checkbox
        per row for the bulk cancel form."""
        super().__init__(
            rows, query=query, order_by=(sort,), exclude=() if selectable else ("pick",)
        )
        # One reverse() a table, not a row: the IDs are 32 hex characters, safe in a path.
        self._session_base = reverse("verifications:session", args=["0" * 32]).removesuffix(
            "0" * 32 + "/"
        )

    # Each cell is an f-string over html.escape (what Django's escape calls), returned as a
    # plain str that body_html marks safe once for the whole body. Measured on the 1M-row
    # page: format_html, mark_safe and conditional_escape per cell (~600 calls of Django's
    # keep_lazy wrapper) made the body 15-20 ms inside a request, against ~2 ms this way.

    def render_pick(self, record: SessionRow) -> str:
        session_id = _escape(record.session_id)
        return (
            f'<input type="checkbox" name="session" value="{session_id}" form="bulk-form" '
            f'aria-label="Select session {session_id}">'
        )

    def render_created(self, record: SessionRow) -> str:
        return time_html(record.created, record.created_local)

    def render_status(self, record: SessionRow) -> str:
        return (
            f'<span class="status status-{_escape(record.status_class)}">'
            f"{_escape(record.status)}</span>"
        )

    def render_session(self, record: SessionRow) -> str:
        """The session opens as a page of its own, or with htmx in the side panel."""
        url = _escape(f"{self._session_base}{record.session_id}/")
        return (
            f'<a href="{url}" hx-get="{url}" hx-target="#panel-host" '
            'hx-swap="innerHTML show:#panel-host:top" hx-push-url="true">'
            f'<code class="id">{_escape(record.session_id)}</code></a>'
        )


# --- Services ---


class ServiceTable(OnePassTable):
    service = tables.Column(verbose_name="Service", orderable=False)
    sessions = tables.Column(verbose_name="Sessions", orderable=False, attrs=_figure())
    verified = tables.Column(verbose_name="Verified", orderable=False, attrs=_figure())
    failed = tables.Column(verbose_name="Failed", orderable=False, attrs=_figure())
    expired = tables.Column(verbose_name="Expired", orderable=False, attrs=_figure())
    canceled = tables.Column(verbose_name="Canceled", orderable=False, attrs=_figure())
    spend = tables.Column(verbose_name="Spend (USD)", orderable=False, attrs=_figure())
    last_activity = tables.Column(
        verbose_name="Last activity",
        orderable=False,
        attrs=_td("last"),
    )

    row_header = "service"

    class Meta:
        template_name = "verifications/_table.html"
        attrs = {"class": "data services cards"}

    def __init__(
        self,
        stats: Sequence[ServiceStats],
        *,
        query: QueryDict,
        range_query: str,
        can_register: bool,
        settings_ids: Iterable[str],
        csrf_token: str,
    ) -> None:
        """`range_query`: the period, carried into each figure's link to the sessions list;
        `can_register`: whether each service offers its actions (they need `csrf_token`)."""
        super().__init__(stats, query=query)
        self.range_query = range_query
        self.can_register = can_register
        self.settings_ids = frozenset(settings_ids)
        self.csrf_token = csrf_token
        self._sessions_url = reverse("verifications:sessions")
        self._register_url = reverse("verifications:register")

    def _link(self, record: ServiceStats, text: str, extra: str = "") -> SafeString:
        """A figure, linked to the sessions behind it (same period, this service)."""
        href = f"{self._sessions_url}?{self.range_query}&service={record.service.service_id}"
        return format_html('<a href="{}">{}</a>', href + extra, text)

    def render_service(self, record: ServiceStats) -> SafeString:
        service = record.service
        parts = [
            format_html(
                '<span class="name">{}</span><br><code class="id">{}</code>',
                service.display_name,
                service.service_id,
            )
        ]
        if service.rejected_at:
            parts.append(
                format_html(
                    '<p class="rejected" id="rejected-{}"><strong>Not synced:</strong> {} '
                    '<span class="muted">(since {})</span></p>',
                    service.service_id,
                    service.rejected_message,
                    _time(service.rejected_at, "j M H:i"),
                )
            )
        if self.can_register:
            parts.append(self._actions(record))
        return mark_safe("".join(parts))  # noqa: S308 (each part built by format_html)

    def _actions(self, record: ServiceStats) -> SafeString:
        service_id = record.service.service_id
        check_again = (
            format_html(
                '<form method="post" action="{}" class="inline">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="service_id" value="{}">'
                '<button type="submit" class="small" aria-describedby="rejected-{}">'
                "Check again</button></form>",
                self._register_url,
                self.csrf_token,
                service_id,
                service_id,
            )
            if record.service.rejected_at
            else ""
        )
        if service_id in self.settings_ids:
            watch = mark_safe(
                '<span class="muted" title="Listed in WAVIX_SERVICE_IDS: the deployment&#x27;s '
                'settings decide whether it is watched.">set in WAVIX_SERVICE_IDS</span>'
            )
        else:
            watch = format_html(
                '<a href="{}">Stop watching</a>',
                reverse("verifications:unwatch", args=[service_id]),
            )
        return format_html('<div class="service-actions">{}{}</div>', check_again, watch)

    def render_sessions(self, record: ServiceStats) -> SafeString:
        return self._link(record, f"{record.sessions:,}")

    def render_verified(self, record: ServiceStats) -> SafeString:
        percent = record.verified_percent
        text = "—" if percent is None else f"{floatformat(percent, 1)}\xa0%"
        return self._link(record, text, "&status=verified")

    def render_failed(self, record: ServiceStats) -> SafeString:
        return self._link(record, f"{record.failed:,}", "&status=failed")

    def render_expired(self, record: ServiceStats) -> SafeString:
        return self._link(record, f"{record.expired:,}", "&status=expired")

    def render_canceled(self, record: ServiceStats) -> SafeString:
        return self._link(record, f"{record.canceled:,}", "&status=canceled")

    def render_spend(self, record: ServiceStats) -> SafeString:
        return self._link(record, floatformat(record.spend, 2), "&sort=-charge")

    def render_last_activity(self, record: ServiceStats) -> SafeString:
        if record.last_activity is None:
            return mark_safe('<span class="muted">no sessions</span>')
        return _time(record.last_activity, "j M Y, H:i")


def _time(moment: dt.datetime, pattern: str) -> SafeString:
    """As `{% when %}` shows it: in the operator's zone, the zone named, UTC on hover."""
    local = shown(moment)
    return mark_safe(time_html(local, dateformat.format(local.local, pattern)))  # noqa: S308 (escaped in time_html)
