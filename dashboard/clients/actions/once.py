"""One-time form keys: a double submit (double click, a retried POST, two tabs) of the same
disable form makes one B2Core call; the second is shown what became of the first.

The same contract as verifications' action requests (claim before the call, finish with the
outcome), kept in the cache because this app owns no table: ``cache.add`` is atomic in the
local-memory cache within a process and in Redis (SET NX) across processes, which is what a
deployment with several web processes runs (REDIS_URL). A key lives a day.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache

_KEY = re.compile(r"^[0-9a-f]{32}$")
TTL_SECONDS = 24 * 3600
PENDING = "pending"


class FormExpired(Exception):
    """The key is missing, malformed, or belongs to another form or person."""


@dataclass(frozen=True)
class Claim:
    key: str
    action: str
    target: str
    actor_id: int | None
    state: str = PENDING
    message: str = ""


class AlreadySubmitted(Exception):
    def __init__(self, first: Claim) -> None:
        super().__init__(first.key)
        self.first = first


def new_key() -> str:
    return uuid.uuid4().hex


def _cache_key(key: str) -> str:
    return f"dashboard:once:{key}"


def claim(key: str, action: str, target: str, user: AbstractBaseUser | AnonymousUser) -> Claim:
    """Record the form as submitted before any provider call; raise if it already was."""
    if not _KEY.fullmatch(key):
        raise FormExpired
    mine = Claim(key, action, target, user.pk if user.is_authenticated else None)
    if cache.add(_cache_key(key), mine, TTL_SECONDS):
        return mine
    first = cache.get(_cache_key(key))
    if not isinstance(first, Claim) or (first.action, first.target, first.actor_id) != (
        mine.action,
        mine.target,
        mine.actor_id,
    ):
        raise FormExpired
    raise AlreadySubmitted(first)


def finish(claimed: Claim, state: str, message: str) -> None:
    """Keep what the call came to, for a second submit of the same form to be shown."""
    done = Claim(
        claimed.key, claimed.action, claimed.target, claimed.actor_id, state, message[:500]
    )
    cache.set(_cache_key(claimed.key), done, TTL_SECONDS)
