"""Bulk cancel: a previewed set of sessions cancelled by a task, safe to resume after a crash.

Each item is marked ``sending`` (committed) before its one cancel call. A run that dies
leaves at most the items it was calling in that state; the run that resumes it reads those
back instead of sending again, and carries on with the rest.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dashboard.audit.trail import Actor, record
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.actions.cancel import cancel_verification, read_back
from dashboard.verifications.actions.outcome import FAILED, SUCCESS, UNKNOWN, Outcome
from dashboard.verifications.models import BulkCancel, BulkCancelItem, MirroredSession
from dashboard.verifications.rollups import set_session_status

Item = BulkCancelItem.State


def stale_after() -> dt.timedelta:
    # Longer than any one call can take, so a live run is never taken for a dead one.
    return dt.timedelta(seconds=max(60.0, 2 * settings.PROVIDER_DEADLINE))


@dataclass(frozen=True)
class Progress:
    total: int
    to_send: int
    done: int
    by_state: dict[str, int]
    spend: str

    @property
    def percent(self) -> int:
        return 100 if not self.to_send else round(100 * self.done / self.to_send)


def progress(bulk: BulkCancel) -> Progress:
    rows = BulkCancelItem.objects.filter(bulk=bulk).values("state").annotate(n=Count("id"))
    by_state = {row["state"]: row["n"] for row in rows}
    total = sum(by_state.values())
    skipped = BulkCancelItem.objects.filter(bulk=bulk, status_before__in=_ENDED).count()
    spend = (
        BulkCancelItem.objects.filter(bulk=bulk, status_before="pending").aggregate(
            s=Sum("charge")
        )["s"]
        or 0
    )
    waiting = by_state.get(Item.QUEUED, 0) + by_state.get(Item.SENDING, 0)
    return Progress(
        total=total,
        to_send=total - skipped,
        done=total - skipped - waiting,
        by_state=by_state,
        spend=f"{spend:.4f}",
    )


_ENDED = ("verified", "expired", "canceled", "failed")


def create_draft(sessions: Iterable[MirroredSession], actor: Actor, selection: str) -> BulkCancel:
    """Store the sessions an operator picked, for a preview; ended ones are marked so now."""
    with transaction.atomic():
        bulk = BulkCancel.objects.create(
            created_by_id=actor.user_id,
            created_by_username=actor.username,
            selection=selection[:1000],
            request_id=actor.request_id,
            client_ip=actor.client_ip,
        )
        BulkCancelItem.objects.bulk_create(
            BulkCancelItem(
                bulk=bulk,
                session=session,
                status_before=session.status,
                charge=session.charge,
                state=Item.QUEUED if session.status == "pending" else Item.FINAL,
                message=""
                if session.status == "pending"
                else f"Not sent: already {session.status} when previewed.",
            )
            for session in sessions
        )
    return bulk


def start(bulk: BulkCancel, reason: str, actor: Actor) -> bool:
    """Queue a previewed bulk with its reason; False when it was started already."""
    with transaction.atomic():
        started = BulkCancel.objects.filter(pk=bulk.pk, state=BulkCancel.State.DRAFT).update(
            state=BulkCancel.State.QUEUED,
            reason=reason[:400],
            started_at=timezone.now(),
            request_id=actor.request_id,
            client_ip=actor.client_ip,
        )
        if not started:
            return False
        count = BulkCancelItem.objects.filter(bulk=bulk, state=Item.QUEUED).count()
        record(
            actor,
            "bulk_cancel",
            [f"bulk:{bulk.pk}"],
            outcome=SUCCESS,
            reason=reason,
            provider_message=f"queued {count} pending session(s) to cancel",
        )
    return True


def _actor(bulk: BulkCancel) -> Actor:
    return Actor(
        user_id=bulk.created_by_id,
        username=bulk.created_by_username,
        client_ip=bulk.client_ip,
        request_id=bulk.request_id,
    )


def _claim_run(bulk_id: int, runner: str) -> BulkCancel | None:
    """Take the bulk for this run, unless it is done or a live run holds it."""
    now = timezone.now()
    with transaction.atomic():
        taken = (
            BulkCancel.objects.filter(pk=bulk_id)
            .filter(
                Q(state=BulkCancel.State.QUEUED)
                | Q(state=BulkCancel.State.RUNNING, heartbeat_at__lt=now - stale_after())
            )
            .update(state=BulkCancel.State.RUNNING, runner=runner, heartbeat_at=now)
        )
        return BulkCancel.objects.get(pk=bulk_id) if taken else None


def _item_state(outcome: Outcome) -> str:
    if outcome.state == SUCCESS:
        return Item.CANCELED
    if outcome.state == UNKNOWN:
        return Item.UNKNOWN
    if outcome.status_seen and outcome.status_seen != "pending":
        return Item.FINAL
    return Item.FAILED


def _store(bulk: BulkCancel, item: BulkCancelItem, outcome: Outcome) -> None:
    with transaction.atomic():
        if outcome.status_seen:
            set_session_status(item.session_id, outcome.status_seen)
        BulkCancelItem.objects.filter(pk=item.pk).update(
            state=_item_state(outcome), message=outcome.message[:500]
        )
        BulkCancel.objects.filter(pk=bulk.pk).update(heartbeat_at=timezone.now())
        record(
            _actor(bulk),
            "cancel",
            [item.session_id, f"bulk:{bulk.pk}"],
            outcome=outcome.state,
            reason=bulk.reason,
            provider_message=outcome.provider_message,
        )


def _send_one(client: WavixClient, bulk: BulkCancel, item_id: int) -> None:
    try:
        # Committed before the call: from here on, this item is never sent again.
        marked = BulkCancelItem.objects.filter(pk=item_id, state=Item.QUEUED).update(
            state=Item.SENDING
        )
        if not marked:
            return  # another run took it
        item = BulkCancelItem.objects.select_related("session__service").get(pk=item_id)
        _store(bulk, item, cancel_verification(client, item.session))
    finally:
        connections.close_all()


def _reconcile(client: WavixClient, bulk: BulkCancel) -> None:
    """Items a dead run was sending: read back what became of them; never send again."""
    sending = BulkCancelItem.objects.filter(bulk=bulk, state=Item.SENDING).select_related(
        "session__service"
    )
    for item in sending:
        outcome = read_back(
            client, item.session, "the run calling Wavix stopped before storing its answer"
        )
        if outcome.state == FAILED and outcome.status_seen == "pending":
            outcome = Outcome(
                FAILED,
                "Not canceled: the earlier run stopped around this call and Wavix still "
                "lists the session as pending. It was not sent again; cancel it on its own.",
                provider_message=outcome.provider_message,
                status_seen=outcome.status_seen,
            )
        _store(bulk, item, outcome)


def run(bulk_id: int, client: WavixClient, *, concurrency: int, runner: str | None = None) -> bool:
    """Run (or resume) a bulk cancel; False when there was nothing for this run to do."""
    bulk = _claim_run(bulk_id, runner or uuid.uuid4().hex)
    if bulk is None:
        return False
    _reconcile(client, bulk)
    pending_ids = list(
        BulkCancelItem.objects.filter(bulk=bulk, state=Item.QUEUED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="bulk") as pool:
        running: set[Future[None]] = set()
        position = 0
        try:
            while position < len(pending_ids) or running:
                while position < len(pending_ids) and len(running) < max(1, concurrency):
                    running.add(
                        pool.submit(
                            copy_context().run, _send_one, client, bulk, pending_ids[position]
                        )
                    )
                    position += 1
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()  # a fatal error stops the run: no more calls are started
        finally:
            for future in running:
                future.cancel()
    BulkCancel.objects.filter(pk=bulk.pk, runner=bulk.runner).update(
        state=BulkCancel.State.DONE, finished_at=timezone.now()
    )
    return True


def stale_runs() -> list[int]:
    """Bulks whose run stopped (its heartbeat is old): to be resumed by another worker."""
    cutoff = timezone.now() - stale_after()
    return list(
        BulkCancel.objects.filter(
            state=BulkCancel.State.RUNNING, heartbeat_at__lt=cutoff
        ).values_list("id", flat=True)
    )
