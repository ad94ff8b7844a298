from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from dashboard.accounts.roles import ROLES, can


@pytest.mark.django_db
def test_migration_creates_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


@pytest.mark.django_db
def test_viewer_can_read_but_not_act():
    user = User.objects.create_user("vera", password="x")
    user.groups.add(Group.objects.get(name="viewer"))
    assert can(user, "read")
    assert not can(user, "act")
    assert not can(user, "unmask")


@pytest.mark.django_db
def test_user_without_role_can_do_nothing():
    user = User.objects.create_user("nobody", password="x")
    assert not can(user, "read")


@pytest.mark.django_db
def test_demo_user_command_creates_an_admin_and_prints_the_sign_in(capsys):
    call_command("ensure_demo_user")
    call_command("ensure_demo_user")  # twice: still one user, still the same password
    out = capsys.readouterr().out
    user = User.objects.get(username="demo")
    assert user.check_password("demo-sandbox-only")
    assert can(user, "manage")
    assert out.count("Sign in as demo / demo-sandbox-only") == 2


@pytest.mark.django_db
def test_pages_require_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("setting", ["WAVIX_BASE_URL", "B2CORE_BASE_URL"])
def test_demo_user_command_refuses_while_a_real_provider_is_configured(settings, setting):
    # Its password is published; with one real provider it would read real data.
    setattr(settings, setting, "https://provider.invalid")

    with pytest.raises(CommandError, match=setting):
        call_command("ensure_demo_user")

    assert not User.objects.filter(username="demo").exists()


@pytest.mark.django_db
def test_demo_user_command_says_2fa_is_optional_in_the_sandbox(settings, capsys):
    settings.OPERATOR_2FA = "auto"
    call_command("ensure_demo_user")
    assert "two-factor sign-in is optional in the sandbox" in capsys.readouterr().out
