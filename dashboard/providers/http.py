"""The one place for timeouts, retries, deadlines and error mapping of provider calls.

Reference: httpx docs/advanced/timeouts.md (timeouts are per operation, so a server that
dribbles bytes never trips them: hence a wall-clock deadline per call, enforced at the socket
by deadline.py) and docs/advanced/transports.md.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import msgspec

from .calllog import log_call, mask_phones
from .deadline import available, call_deadline, install_deadline, time_left
from .errors import (
    BadResponse,
    ProviderError,
    RateLimited,
    Unavailable,
    display_name,
)
from .wire import (
    Reply,
    Scrubber,
    decode_json,
    map_status,
    parse_retry_after,
    provider_message,
    read_capped,
)

__all__ = [
    "MAX_RESPONSE_BYTES",
    "ProviderHTTP",
    "Reply",
    "RetryPolicy",
    "Scrubber",
    "Timeouts",
    "decode_json",
    "map_status",
    "parse_retry_after",
    "provider_message",
    "read_capped",
]

T = TypeVar("T")
log = logging.getLogger("dashboard.providers")

# The largest answer read by default. Every answer but Wavix's sessions list is one record
# or one page of at most 100: a few kilobytes. Wavix lists a service's day whole, unpaged
# (~270 bytes a session), so that call asks for more (wavix.py).
MAX_RESPONSE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Seconds: per connect, per socket read, and wall-clock for a whole call with retries."""

    connect: float = 5.0
    read: float = 15.0
    deadline: float = 30.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently retryable calls are repeated (full-jitter backoff)."""

    max_retries: int = 2
    backoff_base: float = 0.2
    backoff_cap: float = 2.0
    retry_after_cap: float = 10.0

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Return the pause before retry ``retry_number`` (1-based), drawn in [0, ceiling)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (retry_number - 1))
        return rand() * ceiling


@dataclass(frozen=True)
class _Budget:
    """When a call must end (on ProviderHTTP's clock), and how many seconds it was given."""

    deadline: float
    seconds: float


def _ran_out(error: ProviderError) -> bool:
    """The call's deadline ended this attempt (ProviderHTTP._deadline_error)."""
    return isinstance(error, Unavailable) and not error.retryable


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every provider client shares, built once per process.

    httpx builds one per client otherwise, reading the CA bundle each time (~120 ms of CPU,
    measured here): paid again by every client a test, a task or a settings change makes.
    Built as httpx builds its own (certifi, or SSL_CERT_FILE / SSL_CERT_DIR when set).
    """
    return httpx.create_ssl_context()


class ProviderHTTP:
    """One pooled httpx.Client for one provider connection, with deadlines and retries.

    ``retry=True`` is for reads and idempotent writes only; with ``retry=False`` a request is
    attempted exactly once, whatever happens, because it may have reached the provider.
    An answer longer than ``max_response_bytes`` (or a call's own ``max_bytes``) is refused as
    it streams in, never held whole.
    """

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self.provider = provider
        self.name = display_name(provider)
        self.timeouts = timeouts or Timeouts()
        self.max_response_bytes = max_response_bytes
        self.retry_policy = retry or RetryPolicy()
        self.scrub = Scrubber(secrets)
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._log = log.getChild(provider)
        # httpx joins relative paths under a base URL's own path (…/sandbox/wavix/v1/…).
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            # No transport of our own by default: httpx then honours HTTP(S)_PROXY settings.
            transport=transport,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            auth=auth,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=self._timeout(self.timeouts.deadline),
            follow_redirects=False,
            verify=tls_context(),
        )
        # Every socket operation of the pools httpx built ends by the call's deadline.
        install_deadline(self._client)

    def __repr__(self) -> str:
        return f"ProviderHTTP({self.provider!r}, {str(self._client.base_url)!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def error_for(self, reply: Reply, scrub: Callable[[str], str] | None = None) -> ProviderError:
        """Return the error an unexpected reply stands for."""
        return map_status(
            self.provider, reply.status, reply.headers, reply.body, scrub or self.scrub
        )

    def decode(self, reply: Reply, decoder: msgspec.json.Decoder[T], *, what: str) -> T:
        """Decode a reply's JSON body into ``decoder``'s type, or raise BadResponse."""
        return decode_json(self.provider, reply, decoder, what=what)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: object = None,
        retry: bool,
        ok: Collection[int] = (200,),
        secrets: Sequence[str] = (),
        operation: str = "",
        max_bytes: int | None = None,
    ) -> Reply:
        """Send one call; return its reply when the status is in ``ok``, else raise.

        ``secrets`` are scrubbed from this call's error messages too (an OTP code, say).
        ``operation`` names the call in its log line (calllog.py): "cancel", "list_sessions".
        ``max_bytes`` replaces the client's ``max_response_bytes`` for this call.
        """
        scrub = self.scrub.extended(secrets)
        started = self._clock()
        attempts = [0]
        status: int | None = None
        outcome, error = "ok", ""
        try:
            # Within a deadline shared with other calls (a request's: see shared_deadline), or
            # one set around this call (keeping), a call gets only what is left of it.
            left = available()
            seconds = self.timeouts.deadline if left is None else min(self.timeouts.deadline, left)
            if seconds <= 0.01:
                raise Unavailable(
                    self.provider,
                    f"{self.name} was not asked: no time was left before the deadline.",
                    retryable=False,
                )
            budget = _Budget(started + seconds, seconds)
            limit = self.max_response_bytes if max_bytes is None else max_bytes
            with call_deadline(seconds):
                reply = self._request(
                    method, path, params, json, retry, ok, scrub, budget, limit, attempts
                )
            status = reply.status
            return reply
        except ProviderError as exc:
            status, outcome, error = exc.status, type(exc).__name__, exc.message
            raise
        except BaseException as exc:
            outcome = type(exc).__name__
            raise
        finally:
            log_call(
                provider=self.provider,
                operation=operation or "unnamed",
                method=method,
                status=status,
                duration_ms=(self._clock() - started) * 1000,
                attempts=attempts[0],
                outcome=outcome,
                error=error,
            )

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json: object,
        retry: bool,
        ok: Collection[int],
        scrub: Callable[[str], str],
        budget: _Budget,
        limit: int,
        attempts: list[int],
    ) -> Reply:
        attempt = 0
        earlier: ProviderError | None = None
        while True:
            attempt += 1
            attempts[0] = attempt
            started = self._clock()
            error: ProviderError
            try:
                reply = self._attempt(method, path, params, json, budget, limit)
            except ProviderError as exc:
                error = exc
            else:
                if reply.status in ok:
                    self._log.debug(
                        "%s %s %s -> %s in %.0f ms (attempt %d)",
                        self.provider,
                        method,
                        scrub(path),
                        reply.status,
                        (self._clock() - started) * 1000,
                        attempt,
                    )
                    return reply
                error = self.error_for(reply, scrub)
            delay = self._retry_delay(error, attempt, retry, budget.deadline)
            # Each attempt at DEBUG: the call's own line (calllog.py) says how it ended.
            self._log.debug(
                "%s %s %s failed in %.0f ms (attempt %d, %s): %s",
                self.provider,
                method,
                scrub(path),
                (self._clock() - started) * 1000,
                attempt,
                "giving up" if delay is None else f"retrying in {delay:.2f} s",
                mask_phones(error.message),
            )
            if delay is None:
                if earlier is not None and _ran_out(error):
                    # A retry ran into the deadline: what the provider itself said (a 502, a
                    # 429) tells the operator more than "did not answer in time".
                    raise earlier
                raise error
            earlier = error
            self._sleep(delay)

    def _retry_delay(
        self, error: ProviderError, attempt: int, retry: bool, deadline: float
    ) -> float | None:
        policy = self.retry_policy
        if not retry or attempt > policy.max_retries:
            return None
        if isinstance(error, RateLimited) or (isinstance(error, Unavailable) and error.retryable):
            hint = error.retry_after
        else:
            return None
        if hint is None:
            delay = policy.backoff(attempt, self._rand)
        elif hint > policy.retry_after_cap:
            # Waiting less than asked would only earn another 429: let the caller say so.
            return None
        else:
            delay = hint
        if self._clock() + delay >= deadline:
            return None
        return delay

    def _timeout(self, remaining: float) -> httpx.Timeout:
        t = self.timeouts
        read = max(0.001, min(t.read, remaining))
        connect = max(0.001, min(t.connect, remaining))
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)

    def _out_of_time(self, deadline: float) -> bool:
        # Either clock: ours (injectable) or the socket layer's, which raised at its deadline.
        left = time_left()
        return self._clock() >= deadline - 0.01 or (left is not None and left <= 0.01)

    def _deadline_error(self, budget: _Budget) -> Unavailable:
        return Unavailable(
            self.provider,
            f"{self.name} did not answer within {round(budget.seconds, 1):g} s.",
            retryable=False,
        )

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json: object,
        budget: _Budget,
        limit: int,
    ) -> Reply:
        deadline = budget.deadline
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise self._deadline_error(budget)
        url = path.lstrip("/")
        kwargs: dict[str, Any] = {"params": params, "timeout": self._timeout(remaining)}

        def in_time() -> None:
            # Checked per chunk too, for transports that are not sockets (tests, sandbox).
            if self._clock() >= deadline:
                raise self._deadline_error(budget)

        if json is not None:
            kwargs["json"] = json
        try:
            with self._client.stream(method, url, **kwargs) as response:
                body = read_capped(self.provider, response, limit, in_time)
                return Reply(response.status_code, response.headers, body)
        except httpx.TimeoutException as exc:
            if self._out_of_time(deadline):
                raise self._deadline_error(budget) from exc
            if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                message = f"Could not connect to {self.name} within {self.timeouts.connect:g} s."
            else:
                message = f"{self.name} did not answer within {self.timeouts.read:g} s."
            raise Unavailable(self.provider, message) from exc
        except httpx.ConnectError as exc:
            reason = self.scrub(str(exc)) or type(exc).__name__
            raise Unavailable(
                self.provider, f"Could not connect to {self.name} ({reason})."
            ) from exc
        except httpx.RemoteProtocolError as exc:
            raise Unavailable(
                self.provider, f"{self.name} closed the connection before answering in full."
            ) from exc
        except httpx.TransportError as exc:
            raise Unavailable(
                self.provider, f"The connection to {self.name} failed ({type(exc).__name__})."
            ) from exc
        except httpx.DecodingError as exc:
            raise BadResponse(
                self.provider, f"{self.name} sent a body that could not be decompressed."
            ) from exc


class ProviderClient:
    """What every provider client shares: one ProviderHTTP, closed with the client."""

    http: ProviderHTTP

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.http!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self.http.close()
