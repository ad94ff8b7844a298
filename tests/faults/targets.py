"""The provider-backed pages and actions the fault matrix drives, one step each.

A step makes the requests an operator would (a page, or an action then the page it leads
to) through a Visit (tests/faults/matrix.py). ``calls`` is how many deadlines the step may
wait out in turn: its time bound is that many, plus a margin. The calls one request makes
share one deadline (dashboard/provider_deadline.py), so a request waits out one; but a page's
own fetches (the service list, then the days it shows) run on the page pool, each with its
deadline, inline here (tests run in a transaction), so those pages may wait out two. Tasks
run outside requests: each call has its deadline.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from dashboard.clients.tasks import sync_clients_task
from dashboard.verifications.actions import bulk
from dashboard.verifications.actions.once import new_key
from dashboard.verifications.models import BulkCancel, BulkCancelItem
from dashboard.verifications.tasks import run_bulk_cancel, sync_recent_days
from tests.faults.canned import CHANGE, CLIENT, NEW_SERVICE, SERVICE, SESSION, SESSION_B
from tests.faults.fault_server import FAULTS, Scope, everything
from tests.faults.matrix import SLOW_FAULTS, Visit

WAVIX, B2CORE = "Wavix", "B2Core"
HTMX = {"HX-Request": "true"}


def only(method: str, *, ends: str = "") -> Scope:
    """Fault the calls of this method whose path ends with ``ends``; answer the rest well."""

    def scope(m: str, path: str) -> bool:
        return m == method and path.endswith(ends)

    return scope


@dataclass(frozen=True)
class Target:
    name: str
    provider: str
    step: Callable[[Visit], object]
    calls: int = 1
    scope: Scope = everything
    # The writes the step makes, as (method, path suffix): each must reach the provider once.
    writes: tuple[tuple[str, str], ...] = ()
    # Writes the step must never make (a call a dead run may have made already).
    never: tuple[tuple[str, str], ...] = ()


# --- Wavix ---------------------------------------------------------------------------------


def services_page(v: Visit) -> None:
    v.get("/", {"range": "today"})


def services_partial(v: Visit) -> None:
    v.get("/", {"range": "today"}, headers=HTMX)


def sessions_list(v: Visit) -> None:
    text = v.get("/sessions/", {"range": "today"})
    if "+44 7911 123456" not in text:  # the held sessions' number (an admin sees it whole)
        v.problems.append("the sessions already held are not shown")


def sessions_partial(v: Visit) -> None:
    v.get("/sessions/", {"range": "today"}, headers=HTMX)


def session_page(v: Visit) -> None:
    v.get(f"/sessions/{SESSION}/")


def session_panel(v: Visit) -> None:
    v.get(f"/sessions/{SESSION}/", headers=HTMX)


def register_service(v: Visit) -> None:
    v.post("/services/register/", {"service_id": NEW_SERVICE, "name": ""})


def _twice(
    v: Visit, path: str, data: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Send an action's form, then the very same form again (a double click, a retried POST)."""
    v.post(path, data, headers)
    v.note("the same form again", v.client.post(path, data, headers=headers))


def resend(v: Visit) -> None:
    data = {"channel": "sms", "reason": "fault matrix", "key": new_key()}
    _twice(v, f"/sessions/{SESSION}/resend/", data)


def resend_in_panel(v: Visit) -> None:
    """The resend form in the session's side panel: htmx posts it and swaps the answer in."""
    data = {"channel": "sms", "reason": "fault matrix", "key": new_key()}
    _twice(v, f"/sessions/{SESSION}/resend/", data, HTMX)


def cancel(v: Visit) -> None:
    _twice(v, f"/sessions/{SESSION}/cancel/", {"reason": "user_request", "key": new_key()})


def cancel_in_panel(v: Visit) -> None:
    data = {"reason": "user_request", "key": new_key()}
    _twice(v, f"/sessions/{SESSION}/cancel/", data, HTMX)


def bulk_cancel(v: Visit) -> None:
    """Preview, start, then the task worker's run, under the fault; its page after."""
    draft = v.client.post("/sessions/bulk-cancel/", {"session": [SESSION, SESSION_B]})
    v.note("POST /sessions/bulk-cancel/", draft)
    match = re.search(r"/bulk/(\d+)/", draft.get("Location", ""))
    if match is None:
        v.problems.append(f"no bulk cancel was drafted ({draft.status_code})")
        return
    bulk_id = int(match.group(1))
    started = v.client.post(f"/bulk/{bulk_id}/start/", {"reason": "suspected_fraud"})
    v.note(f"POST /bulk/{bulk_id}/start/", started)
    with v.timed():
        run_bulk_cancel.call(bulk_id)
    v.heal()
    v.read(f"GET /bulk/{bulk_id}/", v.client.get(f"/bulk/{bulk_id}/"))


def bulk_resume(v: Visit) -> None:
    """A bulk cancel whose run died part-way, resumed under the fault; its page after.

    The dead run had marked SESSION's item `sending` (its cancel may have left) and not yet
    started SESSION_B's. The resume must read SESSION back, never cancel it again, and send
    SESSION_B's cancel once."""
    draft = v.client.post("/sessions/bulk-cancel/", {"session": [SESSION, SESSION_B]})
    v.note("POST /sessions/bulk-cancel/", draft)
    match = re.search(r"/bulk/(\d+)/", draft.get("Location", ""))
    if match is None:
        v.problems.append(f"no bulk cancel was drafted ({draft.status_code})")
        return
    bulk_id = int(match.group(1))
    v.note(
        f"POST /bulk/{bulk_id}/start/",
        v.client.post(f"/bulk/{bulk_id}/start/", {"reason": "suspected_fraud"}),
    )
    # The run that died: it took the bulk, marked the first item and stopped beating.
    long_ago = timezone.now() - bulk.stale_after() - dt.timedelta(minutes=1)
    BulkCancel.objects.filter(pk=bulk_id).update(
        state=BulkCancel.State.RUNNING, runner="dead-run", heartbeat_at=long_ago
    )
    BulkCancelItem.objects.filter(bulk_id=bulk_id, session_id=SESSION).update(
        state=BulkCancelItem.State.SENDING
    )
    if bulk.stale_runs() != [bulk_id]:
        v.problems.append("the stopped run was not found stale")
        return
    with v.timed():
        resumed = run_bulk_cancel.call(bulk_id)
    if not resumed:
        v.problems.append("the resume did not take the stopped bulk")
    states = dict(BulkCancelItem.objects.filter(bulk_id=bulk_id).values_list("session_id", "state"))
    if states.get(SESSION) == BulkCancelItem.State.SENDING:
        v.problems.append("the item the dead run was sending was left unreconciled")
    if BulkCancel.objects.get(pk=bulk_id).state != BulkCancel.State.DONE:
        v.problems.append("the resumed bulk did not finish")
    v.heal()
    v.read(f"GET /bulk/{bulk_id}/", v.client.get(f"/bulk/{bulk_id}/"))


def console_send(v: Visit) -> None:
    data = {"service": SERVICE, "to": "+447911123456", "channel": "sms", "key": new_key()}
    _twice(v, "/console/send/", data)


def console_check(v: Visit) -> None:
    v.post("/console/check/", {"session_id": SESSION, "code": "123456"})


def scheduled_sync(v: Visit) -> None:
    """The task that keeps recent days fresh; its failure shows on the sessions list."""
    with v.timed():
        sync_recent_days.call(1)
    v.heal()
    # A poll fetches nothing: it shows what the failed sync left.
    response = v.client.get("/sessions/", {"range": "today"}, headers={"X-Poll": "1"})
    v.read("GET /sessions/ (poll)", response)


# --- B2Core --------------------------------------------------------------------------------


def clients_list(v: Visit) -> None:
    v.get("/clients/")


def clients_partial(v: Visit) -> None:
    v.get("/clients/", headers=HTMX)


def client_page(v: Visit) -> None:
    v.get(f"/clients/{CLIENT}/")


def history_partial(v: Visit) -> None:
    v.get(f"/clients/{CLIENT}/", {"sort": "asc"}, headers=HTMX)


def change_drawer(v: Visit) -> None:
    v.get(f"/clients/{CLIENT}/changes/{CHANGE}/")


def change_drawer_partial(v: Visit) -> None:
    v.get(f"/clients/{CLIENT}/changes/{CHANGE}/", headers=HTMX)


def disable_confirm(v: Visit) -> None:
    v.get(f"/clients/{CLIENT}/2fa/sms/disable/")


def disable(v: Visit) -> None:
    data = {"reason": "locked_out", "note": "", "key": new_key()}
    _twice(v, f"/clients/{CLIENT}/2fa/sms/disable/", data)


def feed_sync(v: Visit) -> None:
    """The task that mirrors every client's 2FA changes; its failure shows on the feed."""
    with v.timed():
        sync_clients_task.call(force=True)
    v.heal()
    v.read("GET /clients/feed/", v.client.get("/clients/feed/"))


RESEND = (("POST", f"/verification/{SESSION}"),)
CANCEL = (("PATCH", f"/verification/{SESSION}/cancel"),)
DISABLE = (("PUT", f"/clients/{CLIENT}/2fa/sms"),)
TARGETS = [
    Target("Wavix services page", WAVIX, services_page, calls=2),
    Target("Wavix sessions list", WAVIX, sessions_list, calls=2),
    Target("Wavix session page", WAVIX, session_page),
    Target("Wavix register service", WAVIX, register_service),
    Target("Wavix resend", WAVIX, resend, writes=RESEND),
    Target("Wavix cancel", WAVIX, cancel, writes=CANCEL),
    Target(
        "Wavix cancel (read-back ok)",
        WAVIX,
        cancel,
        scope=only("PATCH", ends="/cancel"),
        writes=CANCEL,
    ),
    Target(
        "Wavix console send", WAVIX, console_send, writes=(("POST", "/v1/two-fa/verification"),)
    ),
    Target("Wavix console check", WAVIX, console_check, writes=(("POST", f"{SESSION}/check"),)),
    Target("Wavix scheduled sync", WAVIX, scheduled_sync, calls=2),
    Target("B2Core clients list", B2CORE, clients_list),
    Target("B2Core client page", B2CORE, client_page),
    Target(
        "B2Core client page: record",
        B2CORE,
        client_page,
        scope=only("GET", ends="/api/v2/clients"),
    ),
    Target(
        "B2Core client page: history",
        B2CORE,
        client_page,
        scope=only("GET", ends="/2fa/changes"),
    ),
    Target("B2Core change drawer", B2CORE, change_drawer),
    Target("B2Core disable: confirm", B2CORE, disable_confirm),
    Target("B2Core disable", B2CORE, disable, writes=DISABLE),
    Target("B2Core disable (read-back ok)", B2CORE, disable, scope=only("PUT"), writes=DISABLE),
    Target("B2Core feed sync: list", B2CORE, feed_sync),
    Target(
        "B2Core feed sync: changes",
        B2CORE,
        feed_sync,
        scope=only("GET", ends="/2fa/changes"),
    ),
]
# Its task runs cancels on worker threads, which a test's transaction would hide rows from.
# Two sessions, two at a time: each cancel and its read-back, side by side.
BULK = Target(
    "Wavix bulk cancel (task)",
    WAVIX,
    bulk_cancel,
    calls=4,
    writes=(*CANCEL, ("PATCH", f"/verification/{SESSION_B}/cancel")),
)
# The resume of a bulk whose run stopped: SESSION read back (one call), SESSION_B cancelled
# and, failing, read back: three calls in turn.
BULK_RESUME = Target(
    "Wavix bulk cancel resumed (task)",
    WAVIX,
    bulk_resume,
    calls=3,
    writes=(("PATCH", f"/verification/{SESSION_B}/cancel"),),
    never=CANCEL,
)
# Every htmx partial of a provider-backed page or action (what htmx asks for when a filter
# changes, a session opens in the side panel, a form in it is sent, a drawer opens).
PARTIALS = [
    Target("Wavix services page (htmx)", WAVIX, services_partial, calls=2),
    Target("Wavix sessions list (htmx)", WAVIX, sessions_partial, calls=2),
    Target("Wavix session panel (htmx)", WAVIX, session_panel),
    Target("Wavix resend in the panel (htmx)", WAVIX, resend_in_panel, writes=RESEND),
    Target("Wavix cancel in the panel (htmx)", WAVIX, cancel_in_panel, writes=CANCEL),
    Target("B2Core clients list (htmx)", B2CORE, clients_partial),
    Target("B2Core client history (htmx)", B2CORE, history_partial),
    Target("B2Core change drawer (htmx)", B2CORE, change_drawer_partial),
]
ROWS = [*TARGETS, BULK, BULK_RESUME, *PARTIALS]

# `make faults` (FAULT_MATRIX=full) drives every partial through every fault. The default
# run, inside `make test`, keeps its added time small: every partial through every fault
# answered at once, and through one of the four slow faults (each a deadline or two waited
# out), taken in turn within each provider, so that each provider meets as many of them as
# it has partials (up to all four) and all four are met.
FULL_MATRIX = os.environ.get("FAULT_MATRIX", "") == "full"


def partial_combinations(full: bool = FULL_MATRIX) -> list[tuple[Target, str]]:
    slow = [fault for fault in FAULTS if fault in SLOW_FAULTS]
    providers = list(dict.fromkeys(target.provider for target in PARTIALS))
    seen: dict[str, int] = {}
    chosen: list[tuple[Target, str]] = []
    for target in PARTIALS:
        number = seen[target.provider] = seen.get(target.provider, -1) + 1
        turn = slow[(number + providers.index(target.provider)) % len(slow)]
        chosen += [(target, f) for f in FAULTS if full or f not in SLOW_FAULTS or f == turn]
    return chosen
