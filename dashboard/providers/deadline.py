"""A wall-clock deadline for a whole provider call, enforced at the socket.

httpx's timeouts bound each socket operation, never a call: a server that sends its headers
a byte a second, or never closes a body, keeps a ``read=15`` request alive for ever. httpx has
no overall timeout, but httpcore's network backend is a public extension point (httpcore
docs/network-backends.md): every connect, TLS handshake, read and write of the pool goes
through it. ``DeadlineBackend`` wraps the default one and clamps each of those timeouts to the
time left before the deadline of the call in progress, held in a context variable that
``ProviderHTTP`` sets around a call (retries included). Past the deadline an operation fails at
once with httpcore's own timeout, which httpx maps as usual.

httpx 0.28's ``HTTPTransport`` takes no ``network_backend`` (encode/httpx PR #3749 proposes
one), so ``install_deadline`` puts the wrapper into the pools httpx already built, proxies included.
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

__all__ = [
    "DeadlineBackend",
    "available",
    "call_deadline",
    "install_deadline",
    "keeping",
    "shared_deadline",
    "shared_time_left",
    "time_left",
    "unshared",
]

# time.monotonic() at which the current provider call must end; None outside a call.
_deadline: ContextVar[float | None] = ContextVar("provider_call_deadline", default=None)


class _Shared:
    """One deadline for every call made in a scope, running from the first of them."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at: float | None = None

    def start(self) -> float:
        if self.at is None:
            self.at = time.monotonic() + self.seconds
        return self.at


_shared: ContextVar[_Shared | None] = ContextVar("provider_shared_deadline", default=None)


def time_left() -> float | None:
    """Seconds left before the current call's deadline (may be <= 0), or None outside one."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


@contextlib.contextmanager
def shared_deadline(seconds: float) -> Iterator[None]:
    """Make every call in this context end within ``seconds`` of the first one's start.

    For a web request: the calls it makes in turn share one deadline instead of each having
    its own. Other threads (a pool the context hands work to) are not bound by it.
    """
    token = _shared.set(_Shared(seconds))
    try:
        yield
    finally:
        _shared.reset(token)


@contextlib.contextmanager
def unshared() -> Iterator[None]:
    """Leave the shared deadline for the calls in this context, as if on another thread."""
    token = _shared.set(None)
    try:
        yield
    finally:
        _shared.reset(token)


def shared_time_left() -> float | None:
    """Seconds left of the shared deadline (starting it if no call has yet), or None."""
    shared = _shared.get()
    return None if shared is None else shared.start() - time.monotonic()


def available() -> float | None:
    """Seconds a call starting now may take under the deadlines around it, or None if none."""
    bounds = [left for left in (time_left(), shared_time_left()) if left is not None]
    return min(bounds) if bounds else None


@contextlib.contextmanager
def keeping(fraction: float) -> Iterator[None]:
    """Leave ``fraction`` of the time left to the calls after this context (a write's
    read-back): the calls inside get the rest. Without a deadline around, nothing changes."""
    left = available()
    if left is None:
        yield
        return
    with call_deadline(max(0.0, left * (1.0 - fraction))):
        yield


@contextlib.contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    """Make every socket operation in this context end within ``seconds`` from now.

    Nested calls keep the earlier deadline: an inner call cannot outlive an outer one, nor
    a call the shared deadline around it (``shared_deadline``).
    """
    at = time.monotonic() + seconds
    shared = _shared.get()
    if shared is not None:
        at = min(at, shared.start())
    outer = _deadline.get()
    token = _deadline.set(at if outer is None else min(at, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


def _clamp(timeout: float | None, timeout_error: type[httpcore.TimeoutException]) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise timeout_error("the provider call's deadline has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation also ends by the current call's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(
            ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Wraps a network backend so that its streams honour the current call's deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            timeout=_clamp(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, timeout=_clamp(timeout, httpcore.ConnectTimeout), socket_options=socket_options
        )
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        left = time_left()
        self._backend.sleep(seconds if left is None else max(0.0, min(seconds, left)))


def install_deadline(client: httpx.Client) -> int:
    """Put DeadlineBackend under every connection pool httpx built for ``client``.

    Transports given by callers (MockTransport, the in-process sandbox) are left as they are.
    Returns how many pools were wrapped; raises RuntimeError if httpx or httpcore changed
    shape, so an upgrade that would silently drop the deadline fails loudly instead.
    """
    wrapped = 0
    # Private attributes: the only way in until HTTPTransport takes a network_backend.
    for transport in (client._transport, *client._mounts.values()):
        if not isinstance(transport, httpx.HTTPTransport):
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore.NetworkBackend):
            raise RuntimeError(
                "cannot install the provider deadline: httpx/httpcore internals changed"
            )
        if not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
        wrapped += 1
    return wrapped
