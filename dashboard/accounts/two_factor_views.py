"""The operator's second factor: the code step of signing in, enrolment, recovery codes.

Every page carries `next` (validated) so that a sign-in ends on the page first asked for.
"""

from __future__ import annotations

from typing import cast

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dashboard.accounts.access import signed_in
from dashboard.accounts.next_url import local_path
from dashboard.accounts.second_factor import (
    RECOVERY_CODES,
    check_code,
    confirm,
    enrolment_device,
    format_recovery_code,
    new_recovery_codes,
    pending_step,
    recovery_codes_left,
    required,
    secret_of,
    step_url,
    totp_device,
)
from dashboard.accounts.signin import SIGN_IN, record_sign_in, user_target
from dashboard.audit.models import FAILED, SUCCESS
from dashboard.audit.trail import actor_from, record

ENROL = "operator_2fa.enrol"
RECOVERY_REGENERATED = "operator_2fa.recovery_codes"
RECOVERY_USED = "operator_2fa.recovery_code_used"
# Shown once on the recovery codes page after enrolment or regeneration, then dropped.
FRESH_CODES_KEY = "operator_2fa_fresh_codes"


class CodeForm(forms.Form):
    code = forms.CharField(max_length=32, strip=True)


def _next(request: HttpRequest) -> str:
    """The page to end on: a safe `next`, else "" (then LOGIN_REDIRECT_URL)."""
    return local_path(request.POST.get("next") or request.GET.get("next", ""), request)


def _onward(request: HttpRequest) -> str:
    return _next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def qr_svg(text: str) -> SafeString:
    """A QR code as inline SVG (no image request, no inline style: fits a strict CSP)."""
    # The lowest error level (segno raises it while the size allows): fewer, larger modules
    # for a phone camera reading a screen. A viewBox, no fixed size: the stylesheet sizes it.
    code = segno.make(text, error="l")
    svg = code.svg_inline(light="#fff", svgclass="qr", title="QR code to scan", omitsize=True)
    return mark_safe(svg)  # noqa: S308 (segno's own markup; the text is only in path data)


@require_http_methods(["GET", "POST"])
@signed_in(second_factor=False)
def login_code(request: HttpRequest) -> HttpResponse:
    """The code step: a code from the authenticator app, or one of the recovery codes."""
    next_url = _next(request)
    step = pending_step(request)
    if step == "enrol":
        return redirect(step_url("enrol", next_url))
    if step is None:  # verified already, or nothing to ask
        return redirect(_onward(request))
    user = cast(User, request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound:
        typed = form.cleaned_data["code"] if form.is_valid() else ""
        check = check_code(user, typed)
        if check.device is not None:
            otp_login(request, check.device)
            request.session.cycle_key()  # a new session id for the fully signed-in session
            if check.kind == "recovery code":
                left = recovery_codes_left(user)
                with transaction.atomic():
                    record(
                        actor_from(request),
                        RECOVERY_USED,
                        [user_target(user.username)],
                        outcome=SUCCESS,
                        reason=f"signed in with a recovery code; {left} left",
                    )
                _warn_about_recovery_codes(request, left)
            record_sign_in(request, f"password and {check.kind}")
            return redirect(_onward(request))
        if check.retry_at is not None:
            wait = max(1, int((check.retry_at - timezone.now()).total_seconds()) + 1)
            error = (
                f"Too many wrong codes in a row. Wait {wait} second{'s' if wait != 1 else ''} "
                "and try again with the newest code."
            )
            reason = f"password accepted; {check.kind} not checked: too many wrong codes"
        elif check.kind == "recovery code":
            error = "That recovery code did not match, or it was used already."
            reason = "password accepted; wrong or used recovery code"
        else:
            error = (
                "That code did not match. Type the code your authenticator app shows now "
                "(it changes every 30 seconds)."
            )
            reason = "password accepted; wrong authenticator code"
        with transaction.atomic():
            record(
                actor_from(request),
                SIGN_IN,
                [user_target(user.username)],
                outcome=FAILED,
                reason=reason,
            )
    context = {"form": form, "error": error, "next": next_url}
    return render(request, "accounts/login_code.html", context, status=400 if error else 200)


def _warn_about_recovery_codes(request: HttpRequest, left: int) -> None:
    if left == 0:
        messages.warning(request, "That was your last recovery code. Make new ones now.")
    elif left <= 3:
        messages.warning(request, f"Only {left} recovery codes left. Make new ones soon.")
    else:
        messages.info(request, f"Recovery code used: {left} left.")


@never_cache
@require_http_methods(["GET", "POST"])
@signed_in(second_factor=False)
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code (or type the key), confirm with a first code; then the
    recovery codes are shown once. Also how a signed-in operator moves to a new phone."""
    next_url = _next(request)
    step = pending_step(request)
    if step == "code":  # a device is set up: prove it before replacing it
        return redirect(step_url("code", request.get_full_path()))
    user = cast(User, request.user)
    device = enrolment_device(user)
    replacing = totp_device(user) is not None
    form = CodeForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound:
        if form.is_valid() and confirm(device, form.cleaned_data["code"]):
            confirmed = TOTPDevice.objects.get(pk=device.pk)
            codes = new_recovery_codes(user)
            otp_login(request, confirmed)
            request.session.cycle_key()
            with transaction.atomic():
                record(
                    actor_from(request),
                    ENROL,
                    [user_target(user.username)],
                    outcome=SUCCESS,
                    reason=(
                        "authenticator app "
                        + ("replaced" if replacing else "set up")
                        + f"; {RECOVERY_CODES} new recovery codes"
                    ),
                )
            if step == "enrol":
                record_sign_in(request, "password; second factor set up")
            request.session[FRESH_CODES_KEY] = codes
            messages.success(request, "Two-factor sign-in is on.")
            return redirect(_with_next("accounts:recovery_codes", next_url))
        error = (
            "That code did not match. Type the 6-digit code the app shows now for this "
            "account (it changes every 30 seconds)."
        )
    context = {
        "form": form,
        "error": error,
        "next": next_url,
        "qr": qr_svg(device.config_url),
        "otpauth_url": device.config_url,
        "secret": secret_of(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "replacing": replacing,
        "sign_in_step": step == "enrol",
    }
    return render(request, "accounts/two_factor.html", context, status=400 if error else 200)


@never_cache
@require_http_methods(["GET", "POST"])
@signed_in()
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, once, after enrolment or regeneration; else how many are left
    and a button for new ones (the old ones then stop working)."""
    user = cast(User, request.user)
    next_url = _next(request)
    if totp_device(user) is None:
        messages.info(request, "Set up two-factor sign-in first: recovery codes come with it.")
        return redirect(_with_next("accounts:two_factor", next_url))
    if request.method == "POST":
        codes = new_recovery_codes(user)
        with transaction.atomic():
            record(
                actor_from(request),
                RECOVERY_REGENERATED,
                [user_target(user.username)],
                outcome=SUCCESS,
                reason=f"{RECOVERY_CODES} new recovery codes; the old ones no longer work",
            )
        request.session[FRESH_CODES_KEY] = codes
        return redirect(_with_next("accounts:recovery_codes", next_url))
    fresh = request.session.pop(FRESH_CODES_KEY, None)
    context = {
        "codes": [format_recovery_code(code) for code in fresh or []],
        "left": recovery_codes_left(user),
        "total": RECOVERY_CODES,
        "next": next_url,
        "onward": _onward(request),
        "required": required(),
    }
    return render(request, "accounts/recovery_codes.html", context)
