"""Single flight through the cache: one holder at a time for a named piece of work.

``take(name, seconds)`` returns a Lease, or None while someone else holds one; the lease
ends when released or after ``seconds`` (a holder that died). Taking is the cache's
``add()``: with REDIS_URL one ``SET key token NX EX seconds``, atomic across every process
and machine. Releasing deletes the key only while it still holds our token (a compare-and-
delete script on Redis), so a holder that overran its lease never ends the next holder's.

Without Redis the cache is local memory: a lease then covers its own process only, which is
all a single-process set-up needs. The mirror's windows and clients are leased in database
rows instead (verifications/sync.py, clients/mirror/sync.py), whatever the cache.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

_PREFIX = "lease:"
# Deletes KEYS[1] only while it holds ARGV[1], in one step on the server.
_RELEASE = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Lease:
    name: str
    # An int: Django's Redis cache stores ints as plain digits, which the script compares.
    token: int
    alias: str = "default"

    def release(self) -> bool:
        """End the lease if it is still ours; whether it was."""
        cache = caches[self.alias]
        key = _PREFIX + self.name
        if isinstance(cache, RedisCache):
            full_key = cache.make_and_validate_key(key)
            # Django's cache API has no compare-and-delete: its own Redis client runs one.
            client = cache._cache.get_client(full_key, write=True)
            return bool(client.eval(_RELEASE, 1, full_key, self.token))
        if cache.get(key) != self.token:
            return False
        cache.delete(key)
        return True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def take(name: str, seconds: float, *, alias: str = "default") -> Lease | None:
    """A lease on ``name`` for ``seconds``, or None while another holder has it."""
    token = secrets.randbits(62) + 1
    if caches[alias].add(_PREFIX + name, token, timeout=max(1, math.ceil(seconds))):
        return Lease(name, token, alias)
    return None


def holder(name: str, *, alias: str = "default") -> int | None:
    """The token holding ``name`` now, if any (for tests and diagnostics)."""
    value = caches[alias].get(_PREFIX + name)
    return value if isinstance(value, int) else None
