"""One-time form keys: the same form submitted twice (double click, a retried POST, two tabs)
makes one provider call; the second submit is shown the first one's outcome."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from dashboard.audit.trail import Actor, record
from dashboard.verifications.actions.outcome import Outcome
from dashboard.verifications.models import ActionRequest

_KEY = re.compile(r"^[0-9a-f]{32}$")


class FormExpired(Exception):
    """The key is missing, malformed, or belongs to another form."""


class AlreadySubmitted(Exception):
    def __init__(self, first: ActionRequest) -> None:
        super().__init__(first.key)
        self.first = first


def new_key() -> str:
    return uuid.uuid4().hex


def claim(
    key: str, action: str, target: str, user: AbstractBaseUser | AnonymousUser
) -> ActionRequest:
    """Record the form as submitted, committed before any provider call is made."""
    if not _KEY.fullmatch(key):
        raise FormExpired
    try:
        with transaction.atomic():
            return ActionRequest.objects.create(
                key=key,
                action=action,
                target=target,
                actor_id=user.pk if user.is_authenticated else None,
            )
    except IntegrityError:
        first = ActionRequest.objects.filter(key=key).first()
        if first is None or (first.action, first.target, first.actor_id) != (
            action,
            target,
            user.pk if user.is_authenticated else None,
        ):
            raise FormExpired from None
        raise AlreadySubmitted(first) from None


def finish(
    request: ActionRequest,
    outcome: Outcome,
    *,
    actor: Actor,
    targets: Sequence[str],
    reason: str = "",
    effect: Callable[[], None] | None = None,
) -> None:
    """Store the outcome, the action's local effect and its audit record together."""
    with transaction.atomic():
        if effect is not None:
            effect()
        request.state = outcome.state
        request.message = outcome.message[:500]
        request.finished_at = timezone.now()
        request.save(update_fields=["state", "message", "finished_at"])
        record(
            actor,
            request.action,
            targets,
            outcome=outcome.state,
            reason=reason,
            provider_message=outcome.provider_message,
        )
