"""Every provider-backed page and action, through every fault a provider can throw at it.

The providers are reached over a real socket (tests/faults/fault_server.py). For each
combination: no answer of 500 or more and no traceback; the page tells the operator what
failed, in the provider's words of our making (providers/http.py); every provider call ends
by its deadline, and the request within the deadlines it may wait out in turn (one for a
request, whose calls share it; see targets.py), plus a margin for a busy machine; a 50 MB
answer is cut, not read; reads never write, and a resend, cancel, disable or test send
reaches the provider at most once, even when the same form is sent again. The summary table
is printed at the end of the run (tests/faults/summary.py).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from dashboard.connections import wavix_client
from dashboard.providers.http import ProviderHTTP, Reply
from dashboard.verifications.models import Service, SyncWindow
from dashboard.verifications.service_catalog import refresh_catalog
from dashboard.verifications.sync import sync_window
from tests.faults import matrix
from tests.faults.canned import SERVICE
from tests.faults.fault_server import CONNECT_FAULTS, FAULTS, HUGE_BYTES, FaultServer
from tests.faults.matrix import Record, Visit
from tests.faults.targets import (
    BULK,
    BULK_RESUME,
    PARTIALS,
    ROWS,
    TARGETS,
    Target,
    partial_combinations,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call_seconds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """How long each provider call took (retries included: one call as the caller sees it)."""
    seconds: list[float] = []
    real = ProviderHTTP.request

    def timed(self: ProviderHTTP, *args: Any, **kwargs: Any) -> Reply:
        started = time.monotonic()
        try:
            return real(self, *args, **kwargs)
        finally:
            seconds.append(time.monotonic() - started)

    monkeypatch.setattr(ProviderHTTP, "request", timed)
    return seconds


@pytest.fixture
def held(providers: Any, fault_server: FaultServer) -> None:
    """Today's sessions mirrored while the provider was well; their day left stale."""
    client = wavix_client()
    refresh_catalog(client)
    service = Service.objects.get(service_id=SERVICE)
    day = timezone.now().astimezone(dt.UTC).date()
    outcome = sync_window(client, service, day)
    assert outcome.fetched, outcome
    assert outcome.sessions == 2, outcome
    SyncWindow.objects.all().delete()  # stale: the pages fetch it again, under the fault


def _gist(v: Visit, target: Target) -> str:
    """The sentences around the provider's name, for a failure's report."""
    found: list[str] = []
    for text in v.texts:
        at = text.find(target.provider, text.find("Sign out"))
        while at != -1 and len(found) < 3:
            found.append(text[max(0, at - 60) : at + 140])
            at = text.find(target.provider, at + 140)
    return " | ".join(found) or "(nothing about it)"


def _check(target: Target, fault: str, v: Visit) -> list[str]:
    problems = list(v.problems)
    calls = v.faulted_calls()
    said = matrix.expected_message(fault, target.provider)
    if not any(said.search(text) for text in v.texts):
        problems.append(f"no message matching /{said.pattern}/; it said: {_gist(v, target)}")
    deadline = matrix.timeouts_for(fault).deadline
    late = [c for c in calls if c > deadline + matrix.CALL_MARGIN]
    if late:
        problems.append(f"provider calls past the deadline: {', '.join(f'{c:.2f}' for c in late)}")
    slow = [c for c in calls if c >= matrix.SLOW_CALL_SHARE * deadline]
    if len(slow) > target.calls:
        problems.append(f"{len(slow)} calls waited out the deadline in turn, not {target.calls}")
    bound = target.calls * deadline + matrix.PAGE_MARGIN
    if v.seconds > bound:
        problems.append(f"took {v.seconds:.2f} s, more than {bound:.1f} s")
    server = v.server
    if fault == "50mb" and server.sent_bytes >= HUGE_BYTES // 2:
        problems.append(f"{server.sent_bytes:,} bytes of the 50 MB answer were read")
    if not target.writes:
        writes = [c for c in server.calls if c.method in ("POST", "PUT", "PATCH", "DELETE")]
        if writes:
            problems.append(f"a read wrote: {writes[0].method} {writes[0].path}")
    wanted = 0 if fault in CONNECT_FAULTS else 1
    for method, suffix in target.writes:
        sent = server.writes(method, suffix)
        if sent != wanted:
            problems.append(f"{method} …{suffix} reached the provider {sent} times, not {wanted}")
    for method, suffix in target.never:
        if sent := server.writes(method, suffix):
            problems.append(f"{method} …{suffix} reached the provider {sent} times, not 0")
    return problems


def _drive(
    target: Target,
    fault: str,
    request: pytest.FixtureRequest,
    providers: Any,
    client: Any,
    server: FaultServer,
    calls: list[float],
) -> None:
    providers.point(fault)
    server.set(fault, target.scope)
    calls.clear()
    visit = Visit(client, server, fault, healer=providers.heal, calls=calls)

    visit.run(target.step)
    visit.heal()

    problems = _check(target, fault, visit)
    bound = target.calls * matrix.timeouts_for(fault).deadline + matrix.PAGE_MARGIN
    row = ROWS.index(target)
    record = Record(row, target.name, fault, visit.seconds, bound, tuple(problems))
    request.node.user_properties.append(record.as_property())
    assert not problems, f"{target.name} × {fault}: " + "; ".join(problems)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_fault(
    target: Target,
    fault: str,
    request: pytest.FixtureRequest,
    providers: Any,
    held: None,
    admin_client: Any,
    fault_server: FaultServer,
    call_seconds: list[float],
) -> None:
    _drive(target, fault, request, providers, admin_client, fault_server, call_seconds)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", FAULTS)
def test_bulk_cancel_fault(
    fault: str,
    request: pytest.FixtureRequest,
    providers: Any,
    held: None,
    admin_client: Any,
    fault_server: FaultServer,
    call_seconds: list[float],
) -> None:
    _drive(BULK, fault, request, providers, admin_client, fault_server, call_seconds)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", FAULTS)
def test_bulk_cancel_resume_fault(
    fault: str,
    request: pytest.FixtureRequest,
    providers: Any,
    held: None,
    admin_client: Any,
    fault_server: FaultServer,
    call_seconds: list[float],
) -> None:
    _drive(BULK_RESUME, fault, request, providers, admin_client, fault_server, call_seconds)


@pytest.mark.parametrize(
    ("target", "fault"),
    partial_combinations(),
    ids=[f"{target.name}-{fault}" for target, fault in partial_combinations()],
)
def test_partial_fault(
    target: Target,
    fault: str,
    request: pytest.FixtureRequest,
    providers: Any,
    held: None,
    admin_client: Any,
    fault_server: FaultServer,
    call_seconds: list[float],
) -> None:
    _drive(target, fault, request, providers, admin_client, fault_server, call_seconds)


def test_the_default_run_covers_every_fault_and_every_partial() -> None:
    chosen = partial_combinations(full=False)
    assert {fault for _, fault in chosen} == set(FAULTS)
    assert {target.name for target, _ in chosen} == {target.name for target in PARTIALS}
    for provider in ("Wavix", "B2Core"):
        partials = sum(1 for target in PARTIALS if target.provider == provider)
        slow = {f for t, f in chosen if t.provider == provider and f in matrix.SLOW_FAULTS}
        assert len(slow) == min(partials, len(matrix.SLOW_FAULTS)), (provider, slow)


def test_the_full_run_drives_every_partial_through_every_fault() -> None:
    assert len(partial_combinations(full=True)) == len(PARTIALS) * len(FAULTS)
