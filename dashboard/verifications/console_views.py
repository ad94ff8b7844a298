"""The test console (admins): send a real verification through a service, then check a code.

This is how an admin checks that a service works end to end. Both calls are made once,
never retried, and audited; the code typed is never stored or logged.
"""

from __future__ import annotations

import phonenumbers
from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.accounts.access import requires
from dashboard.audit.trail import actor_from, record
from dashboard.connections import sandbox_sent_code, wavix_client
from dashboard.providers.errors import ProviderError
from dashboard.verifications.actions.once import (
    AlreadySubmitted,
    FormExpired,
    claim,
    finish,
    new_key,
)
from dashboard.verifications.actions.outcome import (
    FAILED,
    SUCCESS,
    UNKNOWN,
    Outcome,
    may_have_reached,
)
from dashboard.verifications.actions.resend import CHANNELS
from dashboard.verifications.models import Service
from dashboard.verifications.phone_search import mask


class SendForm(forms.Form):
    service = forms.ChoiceField(label="Service")
    to = forms.CharField(
        label="Phone number",
        max_length=32,
        help_text="In international form, e.g. +44 7911 123456.",
    )
    channel = forms.ChoiceField(label="Send by", choices=list(CHANNELS.items()))
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (s.service_id, s.display_name) for s in Service.objects.all()
        ]

    def clean_to(self) -> str:
        try:
            number = phonenumbers.parse(self.cleaned_data["to"], None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise forms.ValidationError("Type the number in international form, starting with +.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


class CheckForm(forms.Form):
    session_id = forms.RegexField(label="Session ID", regex=r"^[0-9a-fA-F]{32}$", max_length=32)
    code = forms.RegexField(label="Code", regex=r"^\d{4,10}$", max_length=10)


def _console_url(session_id: str = "") -> str:
    url = reverse("verifications:console")
    return f"{url}?{urlencode({'session': session_id})}" if session_id else url


@require_http_methods(["GET"])
@requires("manage")
def console(request: HttpRequest) -> HttpResponse:
    session_id = request.GET.get("session", "")
    if not CheckForm.base_fields["session_id"].regex.match(session_id):  # type: ignore[attr-defined]
        session_id = ""
    return render(
        request,
        "verifications/console.html",
        {
            "send_form": SendForm(initial={"key": new_key(), "channel": "sms"}),
            "check_form": CheckForm(initial={"session_id": session_id}),
            "session_id": session_id,
            "sandbox_code": sandbox_sent_code(session_id) if session_id else None,
        },
    )


@require_POST
@requires("manage")
def console_send(request: HttpRequest) -> HttpResponse:
    form = SendForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "Form"
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
        return HttpResponseRedirect(_console_url())
    data = form.cleaned_data
    try:
        attempt = claim(data["key"], "test_send", data["service"], request.user)
    except FormExpired:
        messages.error(request, "This form has expired; send it again.")
        return HttpResponseRedirect(_console_url())
    except AlreadySubmitted as exc:
        messages.warning(
            request, f"This form was already submitted; nothing was sent again. {exc.first.message}"
        )
        return HttpResponseRedirect(_console_url())
    target = f"+{mask(data['to'])}"
    try:
        created = wavix_client().create_verification(data["service"], data["to"], data["channel"])
    except ProviderError as exc:
        outcome = (
            Outcome(
                UNKNOWN,
                f"Unknown: Wavix may have sent it ({exc.message}). Look for a new session "
                "before sending again.",
                provider_message=exc.message,
            )
            if may_have_reached(exc)
            else Outcome(FAILED, f"Not sent: {exc.message}", provider_message=exc.message)
        )
        session_id = ""
    else:
        session_id = created.session_id
        outcome = Outcome(SUCCESS, f"Sent by {CHANNELS[data['channel']]}: session {session_id}.")
    finish(
        attempt, outcome, actor=actor_from(request), targets=[session_id or data["service"], target]
    )
    messages.add_message(
        request, messages.SUCCESS if outcome.state == SUCCESS else messages.ERROR, outcome.message
    )
    return HttpResponseRedirect(_console_url(session_id))


@require_POST
@requires("manage")
def console_check(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the session's 32-character ID and the 4–10 digit code.")
        return HttpResponseRedirect(_console_url(request.POST.get("session_id", "")[:32]))
    session_id = form.cleaned_data["session_id"].lower()
    valid = False
    try:
        valid = wavix_client().check(session_id, form.cleaned_data["code"])
    except ProviderError as exc:
        state = UNKNOWN if may_have_reached(exc) else FAILED
        message, provider_message = f"The check failed: {exc.message}", exc.message
    else:
        state = SUCCESS
        message = (
            "The code is valid: the session is verified."
            if valid
            else "Wavix says the code is not valid."
        )
        provider_message = "valid" if valid else "not valid"
    with transaction.atomic():
        record(
            actor_from(request),
            "test_check",
            [session_id],
            outcome=state,
            provider_message=provider_message,
        )
    messages.add_message(request, messages.SUCCESS if valid else messages.WARNING, message)
    return HttpResponseRedirect(_console_url(session_id))
