"""A session's event timeline: held in the database, fetched from Wavix when it can change.

Wavix has no "get one session" call, only its events. Events of a session that has ended
cannot change: they are stored once and never fetched again. A pending session's events are
fetched each time it is opened, within the page's budget; when that fails, what is held is
shown with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dashboard.providers.errors import ProviderError
from dashboard.providers.wavix import CODE_LIFETIME, Event, WavixClient
from dashboard.verifications.models import MirroredSession, SessionEvent, SessionTimeline
from dashboard.verifications.page_sync import PageBudget, within_budget

TERMINAL_STATUSES = frozenset({"verified", "expired", "canceled", "failed"})
# Wavix's platform limits: codes sent and checks per session.
MAX_SENDS = 5
MAX_CHECKS = 5


@dataclass(frozen=True)
class Held:
    """The events held for a session, and what happened when we asked Wavix for them."""

    events: list[SessionEvent]
    fetched_at: dt.datetime | None
    final: bool
    # Why the events shown may be out of date ("" when they are current).
    problem: str = ""
    # A fetch is still running after the budget: the page should look again shortly.
    loading: bool = False


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


def held_events(session: MirroredSession) -> list[SessionEvent]:
    return list(SessionEvent.objects.filter(session=session).order_by("position"))


def store_events(session: MirroredSession, events: list[Event]) -> SessionTimeline:
    """Replace the stored events of a session with these, in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        SessionEvent.objects.filter(session=session).delete()
        SessionEvent.objects.bulk_create(
            SessionEvent(
                session=session,
                position=position,
                created_at=event.created_at,
                event=event.event[:200],
                status=event.status[:32],
                charge=event.charge,
                error=(event.error or "")[:500],
            )
            for position, event in enumerate(events)
        )
        timeline, _ = SessionTimeline.objects.update_or_create(
            session=session,
            defaults={"fetched_at": now, "final": is_terminal(session.status)},
        )
    return timeline


def refresh_events(client: WavixClient, session: MirroredSession) -> SessionTimeline:
    """Fetch a session's events from Wavix and store them (ProviderError on failure)."""
    return store_events(session, client.list_events(session.session_id))


def load_timeline(
    client: WavixClient, session: MirroredSession, *, budget_seconds: float, force: bool = False
) -> Held:
    """The events to show: held ones for an ended session, else fetched within the budget."""
    timeline = SessionTimeline.objects.filter(session=session).first()
    if timeline is not None and timeline.final and not force:
        return Held(held_events(session), timeline.fetched_at, final=True)
    problem = ""
    loading = False
    try:
        # One fetch per session at a time; one the page stops waiting for is stored later.
        fetched = within_budget(
            ("events", session.session_id),
            lambda: refresh_events(client, session),
            PageBudget.start(budget_seconds),
        )
    except ProviderError as exc:
        problem = f"The timeline could not be refreshed: {exc.message}"
    else:
        if fetched is not None:
            return Held(held_events(session), fetched.fetched_at, final=fetched.final)
        loading = True
        problem = "Wavix is still answering; the timeline below may be out of date."
    held = SessionTimeline.objects.filter(session=session).first()
    return Held(
        held_events(session),
        held.fetched_at if held else None,
        final=bool(held and held.final),
        problem=problem,
        loading=loading,
    )


@dataclass(frozen=True)
class Step:
    """One timeline row, as display text."""

    kind: str  # lookup, sms, voice, check, other
    label: str
    status: str
    status_class: str
    charge: str
    error: str
    at: dt.datetime
    since_previous: str


_KINDS = (
    ("number lookup", "lookup"),
    ("via sms", "sms"),
    ("via voice", "voice"),
    ("verification", "check"),
)


def kind_of(event_text: str) -> str:
    text = event_text.lower()
    for needle, kind in _KINDS:
        if needle in text:
            return kind
    return "other"


def _gap(elapsed: float) -> str:
    seconds = round(elapsed)
    if seconds < 60:
        return f"+{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"+{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"+{hours} h {minutes:02d} min"


def steps(events: list[SessionEvent]) -> list[Step]:
    rows: list[Step] = []
    previous: dt.datetime | None = None
    for event in events:
        status = event.status or "unknown"
        rows.append(
            Step(
                kind=kind_of(event.event),
                label=event.event,
                status=status,
                status_class=status.lower() if status.isalnum() else "unknown",
                charge=str(event.charge),
                error=event.error,
                at=event.created_at,
                since_previous=""
                if previous is None
                else _gap((event.created_at - previous).total_seconds()),
            )
        )
        previous = event.created_at
    return rows


@dataclass(frozen=True)
class Usage:
    codes_sent: int
    checks: int
    # For a pending session: when its current code stops working.
    code_expires_at: dt.datetime | None

    @property
    def can_resend(self) -> bool:
        return self.codes_sent < MAX_SENDS


def usage(session: MirroredSession, rows: list[Step]) -> Usage:
    # A send Wavix refused (the sixth, say) sent no code.
    sends = [row for row in rows if row.kind in ("sms", "voice") and row.status != "failed"]
    checks = sum(1 for row in rows if row.kind == "check")
    expires = None
    if session.status == "pending" and sends:
        expires = sends[-1].at + CODE_LIFETIME
    return Usage(codes_sent=len(sends), checks=checks, code_expires_at=expires)
