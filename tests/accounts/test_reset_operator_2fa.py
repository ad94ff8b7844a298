"""`manage.py reset_operator_2fa <username>`: an operator who lost their phone."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from dashboard.audit.models import SUCCESS, AuditRecord
from tests.accounts.conftest import operator, with_device

pytestmark = pytest.mark.django_db


def test_the_command_removes_the_app_and_the_recovery_codes(capsys):
    user, other = operator(), operator("olga")
    with_device(user)
    with_device(other)

    call_command("reset_operator_2fa", "otto")

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert TOTPDevice.objects.filter(user=other).exists()  # nobody else's
    assert "Removed otto's second factor (2 device(s))" in capsys.readouterr().out


def test_the_reset_is_audited_with_the_command_as_actor():
    with_device(operator())
    call_command("reset_operator_2fa", "otto", reason="lost phone, ticket 4521")
    record = AuditRecord.objects.get()
    assert (record.action, record.outcome, record.actor_username, record.actor_id) == (
        "operator_2fa.reset",
        SUCCESS,
        "command:reset_operator_2fa",
        None,
    )
    assert record.targets == ["user:otto"]
    assert record.reason.startswith("lost phone, ticket 4521 (run by ")
    assert record.provider_message == "removed 2 device(s)"


def test_after_a_reset_the_operator_sets_up_a_new_app(production_2fa):
    user = operator()
    with_device(user)
    call_command("reset_operator_2fa", "otto")
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/preferences/")
    assert response["Location"].startswith("/accounts/two-factor/")


def test_an_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("reset_operator_2fa", "ghost")


def test_nothing_to_remove_is_said_and_not_audited(capsys):
    operator()
    call_command("reset_operator_2fa", "otto")
    assert "had no second factor set up" in capsys.readouterr().out
    assert not AuditRecord.objects.exists()
