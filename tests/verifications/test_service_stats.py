"""The Services page's figures, read from rollups, equal a raw aggregation of the sessions."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db.models import Count, Max, Q, Sum
from django.http import QueryDict
from django.utils import timezone

from dashboard.accounts.models import Preference
from dashboard.verifications.models import MirroredSession, Service
from dashboard.verifications.service_stats import service_stats, split_period
from dashboard.verifications.session_filters import SessionFilter
from tests.verifications.fake_wavix import FakeWavix
from tests.verifications.test_rollups import fill, sync

pytestmark = pytest.mark.django_db

ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]
PERIODS = [
    {"range": "today"},
    {"range": "24h"},
    {"range": "7d"},
    {"range": "30d"},
    {"range": "custom", "date_from": "-20", "date_to": "-3"},
    {"range": "custom", "date_from": "-1", "date_to": "-1"},
    {"range": "custom", "date_from": "-34", "date_to": "0"},
]


def raw(services, start, end):
    """The aggregation the page ran before rollups."""
    rows = (
        MirroredSession.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("service")
        .annotate(
            sessions=Count("pk"),
            verified=Count("pk", filter=Q(status="verified")),
            failed=Count("pk", filter=Q(status="failed")),
            expired=Count("pk", filter=Q(status="expired")),
            canceled=Count("pk", filter=Q(status="canceled")),
            pending=Count("pk", filter=Q(status="pending")),
            spend=Sum("charge"),
            last_activity=Max("created_at"),
        )
    )
    found = {row["service"]: row for row in rows}
    empty = {"sessions": 0, "verified": 0, "failed": 0, "expired": 0, "canceled": 0}
    return {
        s.pk: found.get(s.pk, {**empty, "pending": 0, "spend": None, "last_activity": None})
        for s in services
    }


def as_raw(stats):
    return {
        s.service.pk: {
            "sessions": s.sessions,
            "verified": s.verified,
            "failed": s.failed,
            "expired": s.expired,
            "canceled": s.canceled,
            "pending": s.pending,
            "spend": s.spend.quantize(Decimal("0.0001")),
            "last_activity": s.last_activity,
        }
        for s in stats
    }


def comparable(rows):
    return {
        pk: {
            **{k: v for k, v in row.items() if k != "service"},
            "spend": (row["spend"] or Decimal(0)).quantize(Decimal("0.0001")),
        }
        for pk, row in rows.items()
    }


@pytest.fixture
def mirror(services, today):
    fake = FakeWavix()
    fill(fake, today, days=40, per_day=30, seed=11)
    sync(fake, services, today - dt.timedelta(days=39), today)
    return services


@pytest.fixture
def today():
    return timezone.now().astimezone(dt.UTC).date()


@pytest.fixture
def services():
    from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B

    return [
        Service.objects.create(service_id=SERVICE_A, source="settings", name="Login"),
        Service.objects.create(service_id=SERVICE_B, source="settings", name="Payments"),
    ]


def resolved(period, zone):
    """The period's query with its day offsets turned into the zone's dates."""
    local_today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date()
    data = dict(period)
    for name in ("date_from", "date_to"):
        if name in data:
            data[name] = str(local_today + dt.timedelta(days=int(data[name])))
    return data


def criteria(period, zone):
    filterset = SessionFilter(
        QueryDict(urlencode(resolved(period, zone))),
        services=[],
        tz=zoneinfo.ZoneInfo(zone),
        partial_phone_search=False,
    )
    assert filterset.is_valid(), filterset.errors
    return filterset.criteria()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("period", PERIODS, ids=lambda p: "-".join(p.values()))
def test_figures_equal_the_raw_aggregation(mirror, period, zone):
    found = criteria(period, zone)

    stats = service_stats(mirror, found.start, found.end)

    assert as_raw(stats) == comparable(raw(mirror, found.start, found.end))
    # Each day's figures add up to the period's.
    for s in stats:
        assert sum(d.sessions for d in s.days) == s.sessions


def test_a_period_of_arbitrary_instants_is_exact_too(mirror):
    now = timezone.now()
    for start, end in [
        (now - dt.timedelta(days=3, hours=5, minutes=7), now - dt.timedelta(hours=2)),
        (now - dt.timedelta(hours=30), now - dt.timedelta(hours=29)),
        (now - dt.timedelta(days=12, hours=20), now - dt.timedelta(days=11, hours=1)),
    ]:
        assert as_raw(service_stats(mirror, start, end)) == comparable(raw(mirror, start, end))


def test_a_period_is_whole_utc_days_and_cut_parts_within_one_day():
    start = dt.datetime(2026, 3, 1, 5, 30, tzinfo=dt.UTC)
    end = dt.datetime(2026, 3, 8, 5, 30, tzinfo=dt.UTC)

    split = split_period(start, end)

    assert (split.first, split.last) == (dt.date(2026, 3, 2), dt.date(2026, 3, 7))
    assert split.parts == (
        (start, dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 8, tzinfo=dt.UTC), end),
    )
    assert split_period(end, start).parts == ()


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_the_services_page_shows_the_raw_figures(mirror, viewer_client, socket_providers, zone):
    user = viewer_client.get("/").wsgi_request.user
    Preference.objects.update_or_create(user=user, defaults={"time_zone": zone})
    query = {"range": "custom", "date_from": "-10", "date_to": "0"}
    found = criteria(query, zone)

    response = viewer_client.get("/", resolved(query, zone))

    assert response.status_code == 200
    assert response.context["criteria"].start == found.start
    shown = [s.service for s in response.context["stats"]]
    expected = comparable(raw(shown, found.start, response.context["criteria"].end))
    assert as_raw(response.context["stats"]) == expected
    assert sum(row["sessions"] for row in expected.values()) > 0


def test_each_service_gets_a_chart_with_a_text_alternative_and_a_table(
    mirror, viewer_client, socket_providers
):
    response = viewer_client.get("/", {"range": "7d"})

    html = response.content.decode()
    charts = re.findall(
        r'<svg class="daily-chart"[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html
    )
    stats = {s.service.name: s for s in response.context["stats"]}
    assert len(charts) == len(stats) >= 2
    login = stats["Login"]
    title, desc = next(c for c in charts if login.service.service_id in c).split()
    assert re.search(rf'<title id="{title}">Login: sessions per UTC day', html)
    described = re.search(rf'<desc id="{desc}">([^<]+)</desc>', html)
    assert described
    assert f"{login.sessions:,} sessions" in described.group(1)
    busiest = max((d for d in login.days if not d.partial), key=lambda d: d.sessions)
    assert f"most {busiest.sessions:,} on" in described.group(1)
    # One bar a UTC day, and the same days in the table behind the chart.
    svg = html[html.index(f'aria-labelledby="{title}') :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count('<rect class="bar') == len(login.days) == 8
    table = html[html.index(f'id="{title}') :]
    table = table[table.index("Daily figures as a table") :]
    table = table[: table.index("</table>")]
    assert table.count("<tr><th scope=row>") == len(login.days)
    assert "(part)" in table
