"""Operators' second factor: whether a session still owes one, and the devices behind it.

A signed-in session is complete when its user
- passed the code step in this session (django-otp's ``request.user.is_verified()``), or
- has no second factor set up and none is required of them (OPERATOR_2FA).
Otherwise it owes the code step (a device is set up) or enrolment (none is, but one is
required), and `requires()` sends every dashboard page there (dashboard/accounts/access.py).

Devices: one confirmed TOTP device (an authenticator app) and one static device holding the
unused recovery codes (django-otp deletes a code as it accepts it). Both devices throttle
wrong codes with django-otp's back-off: 1, 2, 4, 8... seconds after each failure in a row.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dashboard.connections import real_provider_settings

Step = Literal["code", "enrol"]
STEP_URLS: dict[Step, str] = {"code": "accounts:login_code", "enrol": "accounts:two_factor"}
RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
_SEPARATORS = re.compile(r"[\s-]+")


def required() -> bool:
    """Whether every operator must use a second factor (read per call: settings may change)."""
    policy = settings.OPERATOR_2FA
    if policy == "auto":
        return bool(real_provider_settings())
    return policy != "optional"


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this session passed the code step (set by django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and bool(user_has_device(user, confirmed=True))


def pending_step(request: HttpRequest) -> Step | None:
    """The step this signed-in session still owes before any dashboard page; None if none."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return None
    if has_second_factor(user):
        return "code"
    return "enrol" if required() else None


def step_url(step: Step, next_url: str) -> str:
    url = reverse(STEP_URLS[step])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# --- Devices ---------------------------------------------------------------------------------


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up: the same one until it is confirmed, so that
    reloading the page keeps the QR code the operator may have scanned already."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def confirm(device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with its first code; the device then replaces any older one."""
    code = _SEPARATORS.sub("", token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
            return False
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def new_recovery_codes(user: User) -> list[str]:
    """RECOVERY_CODES fresh single-use codes; the old ones stop working."""
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODES:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        # The same device, new tokens: a session signed in with a recovery code stays so.
        device = StaticDevice.objects.filter(user=user).order_by("id").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticToken.objects.filter(device__user=user).delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        device.confirmed = True
        device.throttle_reset(commit=False)
        device.save()
    return sorted(codes)


def recovery_codes_left(user: User) -> int:
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


def remove_devices(user: User) -> int:
    """Delete every second-factor device of the user (confirmed or not); how many there were."""
    removed = 0
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
    return removed


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


@dataclass(frozen=True)
class CodeCheck:
    """The answer to a code typed at the code step."""

    device: Device | None  # the device that accepted it, None if refused
    kind: Literal["authenticator code", "recovery code"]
    retry_at: dt.datetime | None = None  # too many wrong codes: none is checked before then


def check_code(user: User, typed: str) -> CodeCheck:
    """An authenticator code (digits) or a recovery code, checked against the user's devices
    with django-otp's throttling; a recovery code is used up when accepted."""
    token = _SEPARATORS.sub("", typed).lower()
    totp = token.isdigit() and len(token) in (6, 8)
    kind: Literal["authenticator code", "recovery code"] = (
        "authenticator code" if totp else "recovery code"
    )
    model: type[TOTPDevice] | type[StaticDevice] = TOTPDevice if totp else StaticDevice
    retry_at = None
    with transaction.atomic():
        devices = model.objects.filter(user=user, confirmed=True).select_for_update()
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                retry_at = (info or {}).get("locked_until")
                continue
            if token and device.verify_token(token):
                return CodeCheck(device, kind)
    return CodeCheck(None, kind, retry_at)
