"""Make sure the demo sign-in exists (sandbox only) and print it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-sandbox-only"  # noqa: S105 (printed on purpose; sandbox data only)


class Command(BaseCommand):
    help = "Create the demo admin sign-in for the sandbox, and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SANDBOX_ENABLED:
            raise CommandError("Refusing to create a demo user: real providers are configured.")
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name="admin"))
        self.stdout.write(f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}")
