"""Resend a code or cancel a verification: a confirmation, then exactly one provider call."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dashboard.accounts.access import requires
from dashboard.audit.trail import actor_from
from dashboard.connections import wavix_client
from dashboard.errors import NotHeld
from dashboard.htmx import HtmxHttpRequest
from dashboard.verifications.action_forms import CancelForm, ResendForm
from dashboard.verifications.actions.cancel import cancel_verification
from dashboard.verifications.actions.once import (
    AlreadySubmitted,
    FormExpired,
    claim,
    finish,
    new_key,
)
from dashboard.verifications.actions.outcome import SUCCESS, UNKNOWN, Outcome
from dashboard.verifications.actions.resend import CHANNELS, resend_code
from dashboard.verifications.detail_views import NOT_HELD
from dashboard.verifications.models import ActionRequest, MirroredSession, SessionEvent
from dashboard.verifications.rollups import set_session_status
from dashboard.verifications.timeline import MAX_SENDS, steps, usage

_LEVEL = {SUCCESS: messages.SUCCESS, UNKNOWN: messages.WARNING}


def _session(session_id: str) -> MirroredSession:
    session = (
        MirroredSession.objects.select_related("service")
        .filter(session_id=session_id.lower())
        .first()
    )
    if session is None:
        raise NotHeld(NOT_HELD)
    return session


def _back(session: MirroredSession) -> HttpResponseRedirect:
    # 303: the browser (and htmx) follows with a GET of the session.
    response = HttpResponseRedirect(reverse("verifications:session", args=[session.session_id]))
    response.status_code = 303
    return response


def _report(request: HtmxHttpRequest, outcome: Outcome) -> None:
    messages.add_message(request, _LEVEL.get(outcome.state, messages.ERROR), outcome.message)


def _claim_or_report(
    request: HtmxHttpRequest, key: str, action: str, session: MirroredSession
) -> ActionRequest | None:
    """Claim the form's key; when it cannot be claimed, say why and return None."""
    try:
        return claim(key, action, session.session_id, request.user)
    except FormExpired:
        messages.error(request, "This form has expired. Open it again from the session.")
    except AlreadySubmitted as exc:
        said = exc.first.message or "it is still in progress; look at the timeline shortly."
        messages.warning(
            request, f"This form was already submitted; nothing was sent again. {said}"
        )
    return None


def _render(
    request: HtmxHttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    in_panel = bool(request.htmx) and not request.htmx.history_restore_request
    context["in_panel"] = in_panel
    return render(request, template + ("#confirm" if in_panel else ""), context, status=status)


def _with_new_key(request: HtmxHttpRequest) -> QueryDict:
    # A form sent back for correction gets a fresh key: the invalid one made no call.
    data = request.POST.copy()
    data["key"] = new_key()
    return data


def _refusal(session: MirroredSession, action: str) -> str:
    if session.status != "pending":
        return f"Nothing to {action}: the session has ended ({session.status})."
    if action == "resend":
        sent = usage(session, steps(list(SessionEvent.objects.filter(session=session)))).codes_sent
        if sent >= MAX_SENDS:
            return f"No resend: all {MAX_SENDS} codes of this session were sent."
    return ""


@require_http_methods(["GET", "POST"])
@requires("act")
def resend(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    session = _session(session_id)
    if refusal := _refusal(session, "resend"):
        messages.error(request, refusal)
        return _back(session)
    if request.method == "GET":
        channel = request.GET.get("channel", "sms")
        form = ResendForm(initial={"channel": channel if channel in CHANNELS else "sms"})
        form.initial["key"] = new_key()
        return _render(request, "verifications/resend.html", {"session": session, "form": form})
    form = ResendForm(request.POST)
    if not form.is_valid():
        form = ResendForm(_with_new_key(request))
        form.is_valid()  # the same errors, shown beside a fresh key
        return _render(
            request, "verifications/resend.html", {"session": session, "form": form}, 400
        )
    data = form.cleaned_data
    request_row = _claim_or_report(request, data["key"], "resend", session)
    if request_row is None:
        return _back(session)
    outcome = resend_code(wavix_client(), session.session_id, data["channel"])
    finish(
        request_row,
        outcome,
        actor=actor_from(request),
        targets=[session.session_id],
        reason=f"{CHANNELS[data['channel']]}: {data['reason']}",
    )
    _report(request, outcome)
    return _back(session)


@require_http_methods(["GET", "POST"])
@requires("act")
def cancel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    session = _session(session_id)
    if refusal := _refusal(session, "cancel"):
        messages.error(request, refusal)
        return _back(session)
    if request.method == "GET":
        form = CancelForm(initial={"key": new_key()})
        return _render(request, "verifications/cancel.html", {"session": session, "form": form})
    form = CancelForm(request.POST)
    if not form.is_valid():
        form = CancelForm(_with_new_key(request))
        form.is_valid()
        return _render(
            request, "verifications/cancel.html", {"session": session, "form": form}, 400
        )
    request_row = _claim_or_report(request, form.cleaned_data["key"], "cancel", session)
    if request_row is None:
        return _back(session)
    outcome = cancel_verification(wavix_client(), session)

    def store_status() -> None:
        if outcome.status_seen:
            set_session_status(session.pk, outcome.status_seen)

    finish(
        request_row,
        outcome,
        actor=actor_from(request),
        targets=[session.session_id],
        reason=form.reason_text(),
        effect=store_status,
    )
    _report(request, outcome)
    return _back(session)
