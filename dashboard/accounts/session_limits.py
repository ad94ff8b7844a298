"""A sign-in ends after SESSION_IDLE_SECONDS without activity and SESSION_MAX_SECONDS in all.

The session holds when it was signed in (stamped at sign-in) and when its user was last seen
doing something. A request past either limit signs the user out, leaves a message saying
why, and goes on as anonymous: the view's own guard (`@requires`) then sends it to the
sign-in page, with `next=` back, or with HX-Redirect for an htmx request.

A page refreshing itself (htmx polling, marked by the X-Poll header: see
dashboard/verifications/polling.py) is not activity: a page left open must not keep a
sign-in alive. Activity is written at most once a minute, so an active operator costs one
session write a minute, not one a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

from dashboard.verifications.polling import is_poll

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
# Seconds: how stale the last-seen time may get before a request writes it again.
SEEN_RESOLUTION = 60


def _moment(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(seconds // 60, 1)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _stamp(session: SessionBase, now: float) -> None:
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


@receiver(user_logged_in, dispatch_uid="dashboard.session_limits.stamp")
def stamp_sign_in(sender: object, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        _stamp(request.session, time.time())


def why_ended(session: SessionBase, now: float) -> str | None:
    """Why this signed-in session is over (a message for the operator), or None."""
    signed_in = _moment(session.get(SIGNED_IN_AT))
    seen = _moment(session.get(SEEN_AT))
    if signed_in is None or seen is None:
        # Every sign-in is stamped (the receiver above): this one predates the limits.
        return "Your sign-in has expired. Sign in again to go on."
    if now - signed_in >= settings.SESSION_MAX_SECONDS:
        return (
            f"You were signed out: a sign-in lasts {_duration(settings.SESSION_MAX_SECONDS)} "
            "at most. Sign in again to go on."
        )
    if now - seen >= settings.SESSION_IDLE_SECONDS:
        return (
            f"You were signed out after {_duration(settings.SESSION_IDLE_SECONDS)} without "
            "activity. Sign in again to go on."
        )
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session, now = request.session, time.time()
        reason = why_ended(session, now)
        if reason is not None:
            logout(request)
            messages.info(request, reason)
            return
        seen = _moment(session.get(SEEN_AT)) or now
        if now - seen >= SEEN_RESOLUTION and not is_poll(request):
            session[SEEN_AT] = now
