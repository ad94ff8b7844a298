"""Rapid toggles are decided when changes are stored, and flagged on both of the pair."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.clients.mirror.store import Fetched, store
from dashboard.clients.models import ClientChange, ClientSyncState
from dashboard.providers.b2core import TwoFAChange

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
OWNER = "test-owner"


def change(change_id: int, minutes: float, enabled: bool, provider: str = "google") -> TwoFAChange:
    return TwoFAChange(
        id=change_id,
        provider=provider,
        is_enabled=enabled,
        time=T0 + dt.timedelta(minutes=minutes),
        extra={},
    )


def put(client_id: str, *changes: TwoFAChange) -> int:
    ClientSyncState.objects.update_or_create(client_id=client_id, defaults={"lease_owner": OWNER})
    return store([Fetched(client_id, list(changes), T0 + dt.timedelta(days=1), 1)], OWNER)


def flags() -> dict[int, bool]:
    return dict(ClientChange.objects.values_list("change_id", "rapid_toggle"))


def test_a_disable_and_re_enable_within_the_hour_are_both_flagged():
    put("c1", change(1, 0, True), change(2, 30, False), change(3, 75, True))

    assert flags() == {1: True, 2: True, 3: True}


def test_an_enable_then_disable_an_hour_and_more_apart_is_not_flagged():
    put("c1", change(1, 0, True), change(2, 61, False))

    assert flags() == {1: False, 2: False}


def test_changes_of_different_methods_or_clients_do_not_pair():
    put("c1", change(1, 0, True, "google"), change(2, 5, False, "sms"))
    put("c2", change(3, 10, False, "google"))

    assert flags() == {1: False, 2: False, 3: False}


def test_the_partner_arriving_in_a_later_sync_flags_the_stored_change():
    put("c1", change(1, 0, False))
    assert flags() == {1: False}

    put("c1", change(1, 0, False), change(2, 20, True))  # timeFrom is inclusive: 1 comes again

    assert flags() == {1: True, 2: True}
    assert ClientChange.objects.count() == 2


def test_the_sync_state_remembers_the_newest_change_and_releases_the_lease():
    put("c1", change(7, 50, True), change(5, 10, False))

    state = ClientSyncState.objects.get(client_id="c1")
    assert (state.last_change_id, state.last_change_time) == (7, T0 + dt.timedelta(minutes=50))
    assert (state.lease_owner, state.lease_until, state.changes_stored) == ("", None, 2)


def test_a_change_sent_again_without_a_time_is_not_stored_twice():
    undated = TwoFAChange(id=9, provider="sms", is_enabled=True, time=None, extra={})
    assert put("c1", undated) == 1

    ClientSyncState.objects.filter(client_id="c1").update(lease_owner=OWNER)
    later = Fetched("c1", [undated], T0 + dt.timedelta(days=30), 1)

    assert store([later], OWNER) == 0
    assert ClientChange.objects.filter(change_id=9).count() == 1
    assert ClientSyncState.objects.get(client_id="c1").changes_stored == 1
