"""The password step of signing in: Django's LoginView, throttled by django-axes, audited.

- A right password for a user who owes a second factor leads to the code step or to
  enrolment, carrying `next`; otherwise the sign-in is complete and recorded.
- Every wrong password is an audit record (`sign_in`, failed), written by a receiver of
  Django's `user_login_failed` after axes has counted it, so that it says how many failures
  in a row that (username, address) pair has and whether it is now locked out.
- A locked-out pair is refused before any password is hashed (axes' backend comes first);
  the answer is the sign-in page, 429, saying when to try again (`locked_out`).
- Refusals during a lockout do not grow the trail with every attempt: the first refusal of a
  lockout is a record, the others only a counter in the cache (Redis in production, shared by
  every process), keyed on the lockout (username, address, the failure that locked it). When
  the lockout's axes row is deleted (cool-off over and cleaned up at the next sign-in
  activity, or reset), one summary record says how many attempts were refused. So a lockout
  writes at most three records however hard the pair is hammered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from dashboard.accounts.next_url import local_path
from dashboard.accounts.second_factor import pending_step, step_url
from dashboard.audit.models import FAILED, SUCCESS
from dashboard.audit.trail import Actor, actor_from, record
from dashboard.client_address import client_ip

SIGN_IN = "sign_in"


def user_target(username: str) -> str:
    return f"user:{username}"


def record_sign_in(request: HttpRequest, how: str) -> None:
    """The session is now fully signed in: one `sign_in` record saying with what."""
    with transaction.atomic():
        record(
            actor_from(request),
            SIGN_IN,
            [user_target(request.user.get_username())],
            outcome=SUCCESS,
            reason=how,
        )


class SignInView(LoginView):
    redirect_authenticated_user = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Signed in with the password already but owing the second factor: that step.
        if (step := pending_step(request)) is not None:
            return HttpResponseRedirect(step_url(step, self.get_redirect_url()))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)  # signs in (password step), then redirects
        if (step := pending_step(self.request)) is not None:
            return HttpResponseRedirect(step_url(step, self.get_redirect_url()))
        record_sign_in(self.request, "password (no second factor set up)")
        return response


@receiver(user_login_failed, dispatch_uid="dashboard.accounts.audit_failed_sign_in")
def audit_failed_sign_in(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """One failed `sign_in` record per refused password (axes' receiver ran before this one:
    see INSTALLED_APPS)."""
    if request is None:
        return
    username = str(credentials.get("username") or "")[:150]
    failures = getattr(request, "axes_failures_since_start", None)
    locked = getattr(request, "axes_locked_out", False)
    if locked and failures is None:  # refused by axes' backend: no password was checked
        address = _pair_address(request)
        locked_at = _lockout_start(username, address)
        if locked_at is not None and _count_refusal(username, address, locked_at) > 1:
            return  # counted; the lockout's summary record will say how many
        until = _unlock_after(request, locked_at)
        reason = f"refused without checking the password: locked out until {_utc(until)}"
    else:
        reason = _failure_reason(username, failures, locked)
    with transaction.atomic():
        record(actor_from(request), SIGN_IN, [user_target(username)], outcome=FAILED, reason=reason)


def _failure_reason(username: str, failures: int | None, locked: bool) -> str:
    """A password was checked and refused: why, and how near the lockout it is."""
    known = User.objects.filter(username=username).exists()
    what = "wrong password" if known else "no such user"
    if locked:
        return (
            f"{what}; {failures} failures in a row from this address: locked out for "
            f"{settings.LOGIN_COOLOFF_MINUTES} minutes"
        )
    return f"{what}; failure {failures or 1} of {settings.LOGIN_FAILURE_LIMIT} allowed in a row"


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the audit trail's address (None when there is none)."""
    return client_ip(request) or None


def _pair_address(request: HttpRequest) -> str | None:
    return getattr(request, "axes_ip_address", None) or axes_client_ip(request)


def _lockout_start(username: str, address: str | None) -> dt.datetime | None:
    """The time of the failure that locked the pair (attempts while locked do not move it)."""
    latest: dt.datetime | None = AccessAttempt.objects.filter(
        username=username, ip_address=address
    ).aggregate(latest=Max("attempt_time"))["latest"]
    return latest


def unlock_time(request: HttpRequest, username: str) -> dt.datetime:
    """When the (username, this address) pair may sign in again."""
    return _unlock_after(request, _lockout_start(username, _pair_address(request)))


def _unlock_after(request: HttpRequest, locked_at: dt.datetime | None) -> dt.datetime:
    cool_off = get_cool_off(request) or dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
    return (locked_at or timezone.now()) + cool_off


# --- Refusals during a lockout: counted in the cache, summed up once per lockout -------------
# The counter outlives the cool-off by a day: its summary is written when axes deletes the
# lockout's row, which happens at the next sign-in activity of anyone after the cool-off.
REFUSALS_KEPT_AFTER_COOL_OFF = dt.timedelta(days=1)


def refusals_key(username: str, address: str | None, locked_at: dt.datetime) -> str:
    """One key per lockout; hashed, so that no username or address is a cache key."""
    lockout = f"{username}\0{address or ''}\0{locked_at.astimezone(dt.UTC).isoformat()}"
    return "sign-in-refusals:" + hashlib.sha256(lockout.encode()).hexdigest()


def _count_refusal(username: str, address: str | None, locked_at: dt.datetime) -> int:
    """This refusal's number in its lockout, counted atomically across processes."""
    key = refusals_key(username, address, locked_at)
    kept = dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES) + REFUSALS_KEPT_AFTER_COOL_OFF
    cache.add(key, 0, timeout=kept.total_seconds())
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: start again
        cache.add(key, 1, timeout=kept.total_seconds())
        return 1


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="dashboard.accounts.refusal_summary")
def audit_refusals_of_a_lockout(sender: object, instance: AccessAttempt, **_: Any) -> None:
    """The lockout is over (its axes row is gone): one record with how many attempts it
    refused, if more than the first (that one is a record already). Written once even when
    several processes delete the same row: the first to claim the summary writes it."""
    if instance.attempt_time is None:
        return
    username = str(instance.username or "")
    key = refusals_key(username, instance.ip_address, instance.attempt_time)
    refused = cache.get(key)
    if not refused or int(refused) < 2:
        return
    if not cache.add(f"{key}:summed", 1, timeout=REFUSALS_KEPT_AFTER_COOL_OFF.total_seconds()):
        return  # another process wrote it
    cache.delete(key)
    until = instance.attempt_time + dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
    reason = (
        f"{refused} attempts refused without checking the password while locked out "
        f"until {_utc(until)}"
    )
    # As the refused attempts' own records: no user signed in, the client's address.
    actor = Actor(
        user_id=None, username="", client_ip=instance.ip_address or "", request_id=uuid.uuid4().hex
    )
    with transaction.atomic():
        record(actor, SIGN_IN, [user_target(username)], outcome=FAILED, reason=reason)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page, 429, saying when this pair may try again."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    until = unlock_time(request, username[:150])
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    next_url = local_path(
        request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, ""), request
    )
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        REDIRECT_FIELD_NAME: next_url,
        "locked_until": until,
        "locked_minutes": math.ceil(seconds / 60),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
