"""Remove an operator's second factor (a lost phone): their authenticator and recovery codes.

Audited, with the command as the actor and who ran it where as the reason. The operator then
signs in with the password alone and, where 2FA is required, sets up a new app straight away.
"""

from __future__ import annotations

import getpass
import socket
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dashboard.accounts.second_factor import remove_devices, required
from dashboard.accounts.signin import user_target
from dashboard.audit.models import SUCCESS
from dashboard.audit.trail import Actor, record

ACTION = "operator_2fa.reset"
ACTOR = "command:reset_operator_2fa"


def _who_ran_it() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        name = "unknown user"
    return f"{name} on {socket.gethostname()}"


class Command(BaseCommand):
    help = "Remove an operator's authenticator app and recovery codes (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="why, for the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        with transaction.atomic():
            removed = remove_devices(user)
            if removed:
                reason = f"run by {_who_ran_it()}"
                if options["reason"]:
                    reason = f"{options['reason']} ({reason})"
                record(
                    Actor.system(ACTOR),
                    ACTION,
                    [user_target(username)],
                    outcome=SUCCESS,
                    reason=reason,
                    provider_message=f"removed {removed} device(s)",
                )
        if not removed:
            self.stdout.write(f"{username} had no second factor set up: nothing to remove.")
            return
        then = (
            "they will set up a new app at their next sign-in"
            if required()
            else "they sign in with the password alone until they set up a new one"
        )
        self.stdout.write(f"Removed {username}'s second factor ({removed} device(s)): {then}.")
