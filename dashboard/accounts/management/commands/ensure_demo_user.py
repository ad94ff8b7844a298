"""Make sure the demo sign-in exists (sandbox only: no real provider) and print it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from dashboard.accounts.second_factor import has_second_factor, required
from dashboard.connections import real_provider_settings

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-sandbox-only"  # noqa: S105 (printed on purpose; sandbox data only)


class Command(BaseCommand):
    help = "Create the demo admin sign-in for the sandbox, and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        real = real_provider_settings()
        if real:
            # Its password is published: with one real provider, it would read real data.
            raise CommandError(
                "Refusing to create a demo user: a real provider is configured "
                f"({', '.join(real)})."
            )
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name="admin"))
        if has_second_factor(user):
            then = "then a code from the authenticator app set up for it"
        elif required():
            then = "then set up two-factor sign-in (OPERATOR_2FA=required)"
        else:
            then = "two-factor sign-in is optional in the sandbox: Preferences offers it"
        self.stdout.write(f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD} ({then})")
