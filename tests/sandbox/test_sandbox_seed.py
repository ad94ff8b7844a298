"""The deterministic seed, run in-process on the test sandbox database (small sizes: fast)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from django.core.management import call_command

from dashboard.sandbox.models import Service, VerificationSession
from dashboard.sandbox.seed import seed_wavix

# "default" too: Django orders test databases after it (TEST["DEPENDENCIES"]).
pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NOW = datetime(2024, 5, 10, 12, 0, 0, tzinfo=UTC)
FIELDS = [
    "session_id", "service__service_id", "phone_number", "destination_country", "status",
    "charge", "created_at", "code", "code_sent_at", "code_expires_at", "checks_used",
    "sends_used", "events",
]  # fmt: skip


def rows() -> list[tuple[Any, ...]]:
    return list(VerificationSession.objects.using("sandbox").order_by("id").values_list(*FIELDS))


def seed(seed: int = 3, now: datetime = NOW, sessions: int = 1200) -> list[tuple[Any, ...]]:
    seed_wavix(seed=seed, sessions=sessions, days=5, now=now)
    return rows()


def test_the_same_seed_and_anchor_give_the_same_rows():
    first = seed()

    assert len(first) > 1000
    assert seed() == first


def test_a_different_seed_gives_different_sessions():
    first = {row[0] for row in seed(seed=3)}

    assert first.isdisjoint(row[0] for row in seed(seed=4))


def test_later_the_same_day_the_earlier_history_is_unchanged():
    morning = {row[0]: row for row in seed(now=NOW)}
    evening = {row[0]: row for row in seed(now=NOW + timedelta(hours=6))}
    settled = NOW - timedelta(minutes=15)

    earlier = [row for row in morning.values() if row[6] < settled]
    assert earlier
    assert all(evening[row[0]] == row for row in earlier)
    assert len(evening) > len(morning)  # the afternoon's sessions were added


def test_sessions_are_created_up_to_the_anchor_time_and_the_latest_are_pending():
    all_rows = seed()
    latest = max(row[6] for row in all_rows)
    under_way = [row for row in all_rows if row[4] == "pending"]

    assert NOW - timedelta(minutes=30) < latest <= NOW
    assert all(row[9] > NOW for row in under_way)  # their code has not expired yet
    assert all(row[6] > NOW - timedelta(minutes=15) for row in under_way)


def test_a_session_charge_is_the_sum_of_its_event_charges():
    for row in seed()[:300]:
        events = msgspec.json.decode(row[12])
        assert row[5] == Decimal(sum(event[3] for event in events)).scaleb(-4)


def test_counters_match_the_events():
    for row in seed()[:300]:
        events = msgspec.json.decode(row[12])
        sends = [e for e in events if e[1] in "SV" and e[4] != "Maximum number of codes sent"]
        checks = [e for e in events if e[1] == "C" and e[4] != "Maximum number of checks"]
        assert (row[10], row[11]) == (len(checks), len(sends))


def test_only_the_validating_service_has_number_lookups():
    seed()
    validating = Service.objects.using("sandbox").get(validation_enabled=True)

    for service_id, events in VerificationSession.objects.using("sandbox").values_list(
        "service__service_id", "events"
    )[:500]:
        has_lookup = msgspec.json.decode(events)[0][1] == "L"
        assert has_lookup == (service_id == validating.service_id)


def test_the_default_services_are_three_acme_services():
    seed()

    names = list(Service.objects.using("sandbox").values_list("name", "validation_enabled"))

    assert names == [("Acme Login", False), ("Acme Payments", True), ("Acme Support", False)]


def test_the_command_with_if_empty_leaves_a_seeded_sandbox_alone(capsys):
    before = seed(sessions=200)

    call_command("sandbox_seed", "--sessions", "50", "--clients", "0", "--if-empty")

    assert rows() == before
    assert "already seeded" in capsys.readouterr().out


def test_the_command_seeds_with_the_given_options(capsys):
    call_command(
        "sandbox_seed", "--sessions", "300", "--days", "3", "--clients", "0", "--seed", "9",
        "--now", "2024-05-10T12:00:00Z",
    )  # fmt: skip

    # 300 over three whole days, less what the anchor day's afternoon would have held.
    assert 200 < VerificationSession.objects.using("sandbox").count() < 300
    assert "3 services" in capsys.readouterr().out
