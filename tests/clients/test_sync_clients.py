"""sync_clients against the B2Core sandbox over a real socket."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections

from dashboard.clients.mirror.sync import sync_clients
from dashboard.clients.models import ClientChange, ClientListSync, ClientSyncState
from tests.clients.sandbox_b2core import admin, recorded_client, truth

pytestmark = pytest.mark.django_db


def stored() -> list[tuple[str, int]]:
    return list(ClientChange.objects.values_list("client_id", "change_id"))


@pytest.mark.parametrize(
    ("fault", "path"),
    [
        ("total=1", "/2fa/changes"),
        ("total=100000", "/2fa/changes"),
        ("cap-limit=2", "/2fa/changes"),
        ("total=3", "/api/v2/clients"),
        ("cap-limit=7", "/api/v2/clients"),
    ],
)
def test_every_change_is_stored_exactly_once_whatever_total_and_limit_say(sandbox, fault, path):
    expected = truth(admin(sandbox))
    sandbox.set_fault(fault, path_contains=path)
    b2core, _ = recorded_client(sandbox)

    report = sync_clients(b2core, workers=4)

    rows = stored()
    assert len(rows) == len(set(rows)) == len(expected)
    assert set(rows) == expected
    assert report.ok
    assert report.changes == len(expected)


def test_a_second_run_asks_each_client_only_from_its_newest_change(sandbox):
    b2core, recorder = recorded_client(sandbox)
    sync_clients(b2core, workers=4)
    newest = dict(ClientSyncState.objects.values_list("client_id", "last_change_time"))
    first_count = ClientChange.objects.count()
    recorder.requests.clear()

    report = sync_clients(b2core, workers=4, force=True)

    asked = {
        url.path.split("/clients/")[1].split("/")[0]: url.params.get("filter[timeFrom]")
        for url in recorder.change_requests()
    }
    assert set(asked) == set(newest)
    for client_id, since in asked.items():
        if newest[client_id] is None:
            assert since is None  # nothing held yet: the whole history
        else:
            assert dt.datetime.fromisoformat(since) == newest[client_id]
    assert all(url.params["sort_order"] == "asc" for url in recorder.change_requests())
    assert report.changes == 0
    assert ClientChange.objects.count() == first_count


def test_clients_synced_a_moment_ago_are_not_asked_again(sandbox, settings):
    settings.CLIENT_SYNC_FRESHNESS_SECONDS = 600
    b2core, recorder = recorded_client(sandbox)
    sync_clients(b2core, workers=4)
    recorder.requests.clear()

    report = sync_clients(b2core, workers=4)

    assert recorder.change_requests() == []
    assert report.fresh == report.clients > 0


def test_a_forbidden_client_is_recorded_as_restricted_not_failed(sandbox):
    client_id = sorted(truth(admin(sandbox)))[0][0]
    sandbox.set_fault("403", path_contains=f"/clients/{client_id}/2fa/changes")
    b2core, _ = recorded_client(sandbox)

    report = sync_clients(b2core, workers=4)

    state = ClientSyncState.objects.get(client_id=client_id)
    assert state.error_kind == ClientSyncState.ErrorKind.FORBIDDEN
    assert [f.client_id for f in report.restricted] == [client_id]
    assert report.failed == []
    assert report.ok
    assert not ClientChange.objects.filter(client_id=client_id).exists()


def test_a_client_that_cannot_be_read_is_recorded_as_failed_and_later_cleared(sandbox):
    client_id = sorted(truth(admin(sandbox)))[0][0]
    rule = f"/clients/{client_id}/2fa/changes"
    sandbox.set_fault("malformed-json", path_contains=rule)
    b2core, _ = recorded_client(sandbox)

    report = sync_clients(b2core, workers=4)

    state = ClientSyncState.objects.get(client_id=client_id)
    assert state.error_kind == ClientSyncState.ErrorKind.FAILED
    assert state.last_error
    assert [f.client_id for f in report.failed] == [client_id]
    assert not report.ok
    sandbox.clear_faults()
    sync_clients(b2core, workers=4)
    state.refresh_from_db()
    assert (state.error_kind, state.last_error) == ("", "")
    assert ClientChange.objects.filter(client_id=client_id).exists()


def test_a_run_that_cannot_read_the_client_list_is_remembered_until_one_can(sandbox):
    sandbox.set_fault("503", path_contains="/api/v2/clients")
    b2core, _ = recorded_client(sandbox)

    report = sync_clients(b2core, workers=2)

    failed = ClientListSync.objects.get()
    assert failed.last_error == report.list_error
    assert "B2Core failed on its side (503)" in failed.last_error
    assert failed.read_at is None
    sandbox.clear_faults()
    sync_clients(b2core, workers=2)
    read = ClientListSync.objects.get()
    assert read.last_error == ""
    assert read.read_at == read.attempted_at > failed.attempted_at


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_never_fetch_the_same_client(sandbox):
    expected = truth(admin(sandbox))
    # Slow answers keep both runs busy at the same time.
    sandbox.set_fault("latency=0.02", path_contains="/2fa/changes")
    runs = [recorded_client(sandbox) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            sync_clients(runs[index][0], workers=3)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    first, second = (set(recorder.clients_asked()) for _, recorder in runs)
    assert first, "the first run fetched nothing"
    assert second, "the second run fetched nothing"
    assert first.isdisjoint(second)
    assert first | second == set(ClientSyncState.objects.values_list("client_id", flat=True))
    assert set(stored()) == expected


def test_the_command_shows_progress_and_counts(socket_providers):
    out = io.StringIO()

    call_command("sync_clients", "--workers", "2", stdout=out)

    clients = ClientSyncState.objects.count()
    last = out.getvalue().strip().splitlines()[-1]
    assert f"clients {clients}/{clients}" in last
    assert f"{ClientChange.objects.count()} change(s) stored" in last
    assert "0 failed" in last


def test_the_overlap_asks_again_from_before_the_newest_change(sandbox, settings):
    settings.CLIENT_SYNC_OVERLAP_SECONDS = 3600
    b2core, recorder = recorded_client(sandbox)
    sync_clients(b2core, workers=4)
    newest = dict(ClientSyncState.objects.values_list("client_id", "last_change_time"))
    recorder.requests.clear()

    report = sync_clients(b2core, workers=4, force=True)

    for url in recorder.change_requests():
        held = newest[url.path.split("/clients/")[1].split("/")[0]]
        if held is not None:
            since = dt.datetime.fromisoformat(url.params["filter[timeFrom]"])
            assert since == held - dt.timedelta(hours=1)
    assert report.changes == 0
