"""Fixtures for the operators' sign-in: the production 2FA policy, users with devices,
TOTP codes computed as an authenticator app would."""

from __future__ import annotations

import base64
import time

import pyotp
import pytest
from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice

from dashboard.accounts.second_factor import new_recovery_codes

PASSWORD = "correct horse battery staple"
REAL_WAVIX = "http://wavix.example.invalid"  # never called: every page stops at the sign-in


@pytest.fixture
def fast_hashing(settings):
    """A cheap password hasher: these tests sign in by password many times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def production_2fa(settings):
    """The production default, "auto", with a real provider configured: 2FA required."""
    settings.OPERATOR_2FA = "auto"
    settings.WAVIX_BASE_URL = REAL_WAVIX
    settings.WAVIX_API_KEY = "test-key"


@pytest.fixture
def sandbox_only_2fa(settings):
    """The production default, "auto", with the sandbox playing every provider."""
    settings.OPERATOR_2FA = "auto"
    settings.WAVIX_BASE_URL = ""
    settings.B2CORE_BASE_URL = ""


def operator(username: str = "otto", role: str = "operator", password: str = PASSWORD) -> User:
    user = User.objects.create_user(username, password=password)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def with_device(user: User) -> TOTPDevice:
    """A confirmed authenticator for the user, and recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    new_recovery_codes(user)
    return device


def totp(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for the device (a later one with steps_ahead)."""
    secret = base64.b32encode(device.bin_key).decode()
    return str(pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead))


def wrong_code(device: TOTPDevice) -> str:
    right = {totp(device, steps_ahead=step) for step in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222") if code not in right)
