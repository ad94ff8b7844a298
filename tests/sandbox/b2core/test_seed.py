"""The generated B2Core data: deterministic, varied, histories consistent with the state."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.sandbox.b2core.models import Change, Client, Method
from dashboard.sandbox.b2core.seed import seed_b2core
from dashboard.sandbox.b2core.testing import Api
from dashboard.sandbox.routers import SANDBOX_DB

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("tests.sandbox.b2core.urls"),
]
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def seeded() -> None:
    assert seed_b2core(seed=2024, clients=500, now=NOW) == 500


def snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    clients = list(
        Client.objects.using(SANDBOX_DB)
        .order_by("id")
        .values_list("email", "name", "phone", "create_time")
    )
    methods = list(
        Method.objects.using(SANDBOX_DB)
        .order_by("client__email", "provider")
        .values_list("client__email", "provider", "is_enabled", "secret", "phone")
    )
    changes = list(
        Change.objects.using(SANDBOX_DB)
        .order_by("id")
        .values_list("client__email", "provider", "is_enabled", "time", "actor")
    )
    return clients, methods, changes


def test_same_seed_gives_the_same_data(seeded: None) -> None:
    first = snapshot()
    Client.objects.using(SANDBOX_DB).all().delete()
    seed_b2core(seed=2024, clients=500, now=NOW)
    assert snapshot() == first


def test_another_seed_gives_other_data(seeded: None) -> None:
    first = snapshot()
    Client.objects.using(SANDBOX_DB).all().delete()
    seed_b2core(seed=2025, clients=500, now=NOW)
    assert snapshot()[0] != first[0]


def test_clients_have_unique_plausible_emails_and_phones(seeded: None) -> None:
    rows = list(Client.objects.using(SANDBOX_DB).values_list("email", "phone"))
    assert len({email for email, _ in rows}) == 500
    assert all(email.isascii() and "@" in email for email, _ in rows)
    assert all(phone.startswith("+") and phone[1:].isdigit() for _, phone in rows)


def test_every_mix_of_methods_occurs(seeded: None) -> None:
    state: defaultdict[int, dict[str, bool]] = defaultdict(dict)
    for client_id, provider, enabled in Method.objects.using(SANDBOX_DB).values_list(
        "client_id", "provider", "is_enabled"
    ):
        state[client_id][provider] = enabled
    mixes = Counter((s["google"], s["sms"]) for s in state.values())
    assert len(state) == 500
    assert set(mixes) == {(False, False), (True, False), (False, True), (True, True)}
    assert min(mixes.values()) >= 30


def test_each_history_alternates_and_ends_in_the_current_state(seeded: None) -> None:
    current = {
        (c, p): e
        for c, p, e in Method.objects.using(SANDBOX_DB).values_list(
            "client_id", "provider", "is_enabled"
        )
    }
    history = defaultdict(list)
    for client_id, provider, enabled in (
        Change.objects.using(SANDBOX_DB)
        .order_by("time", "id")
        .values_list("client_id", "provider", "is_enabled")
    ):
        history[(client_id, provider)].append(enabled)
    for key, enabled in current.items():
        steps = history.get(key, [])
        assert steps == [i % 2 == 0 for i in range(len(steps))], key
        assert (steps[-1] if steps else False) == enabled, key


def test_changes_fall_between_joining_and_now_with_ids_in_time_order(seeded: None) -> None:
    rows = list(
        Change.objects.using(SANDBOX_DB).order_by("id").values_list("time", "client__create_time")
    )
    assert rows
    assert all(joined <= time <= NOW for time, joined in rows)
    times = [time for time, _ in rows]
    assert times == sorted(times)


def test_some_disables_were_made_by_admins(seeded: None) -> None:
    actors = Counter(
        Change.objects.using(SANDBOX_DB).filter(is_enabled=False).values_list("actor", flat=True)
    )
    by_admin = sum(n for actor, n in actors.items() if actor.startswith("admin:"))
    assert 0 < by_admin < actors["client"]
    assert (
        not Change.objects.using(SANDBOX_DB)
        .filter(is_enabled=True, actor__startswith="admin:")
        .exists()
    )


def test_seeded_clients_appear_in_the_back_office(api: Api, admin_token: str, seeded: None) -> None:
    body = api.get("/api/v2/clients", token=admin_token, limit=1).json()
    assert body["total"] == 500
