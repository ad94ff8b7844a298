"""Provider clients built from settings: the one place the Django side gets them.

An unconfigured provider is played by the built-in sandbox, reached in-process through an
httpx transport (still real HTTP semantics, no socket).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import httpx
from django.conf import settings

from dashboard.credentials import problems
from dashboard.credentials.store import TokenStore
from dashboard.providers.b2core import B2CoreClient
from dashboard.providers.http import Timeouts
from dashboard.providers.wavix import WavixClient
from dashboard.sandbox import credentials

# Any host name works for the in-process transport; this one says where requests go.
SANDBOX_ORIGIN = "http://sandbox.internal"

_lock = threading.Lock()
_wavix: dict[tuple[str, str], WavixClient] = {}
_b2core: dict[tuple[str, str, str, str], B2CoreClient] = {}


@dataclass(frozen=True)
class ProviderStatus:
    wavix_sandbox: bool
    b2core_sandbox: bool

    @property
    def any_sandbox(self) -> bool:
        return self.wavix_sandbox or self.b2core_sandbox


def provider_status() -> ProviderStatus:
    return ProviderStatus(
        wavix_sandbox=not settings.WAVIX_BASE_URL,
        b2core_sandbox=not settings.B2CORE_BASE_URL,
    )


def real_provider_settings() -> list[str]:
    """The settings that point the dashboard at a real provider ([] when the sandbox plays all)."""
    return [name for name in ("WAVIX_BASE_URL", "B2CORE_BASE_URL") if getattr(settings, name)]


def _timeouts() -> Timeouts:
    return Timeouts(
        connect=settings.PROVIDER_CONNECT_TIMEOUT,
        read=settings.PROVIDER_READ_TIMEOUT,
        deadline=settings.PROVIDER_DEADLINE,
    )


def _sandbox_transport() -> httpx.BaseTransport:
    # Imported lazily: only the sandbox configuration needs the in-process handler.
    from dashboard.sandbox.transport import SandboxTransport

    return SandboxTransport()


def wavix_client() -> WavixClient:
    """The shared Wavix client for the configured account, or for the sandbox."""
    base_url, api_key = settings.WAVIX_BASE_URL, settings.WAVIX_API_KEY
    key = (base_url, api_key)
    with _lock:
        client = _wavix.get(key)
        if client is None:
            sandbox = not base_url
            client = WavixClient(
                SANDBOX_ORIGIN + credentials.WAVIX_PREFIX if sandbox else base_url,
                credentials.WAVIX_API_KEY if sandbox else api_key,
                transport=_sandbox_transport() if sandbox else None,
                timeouts=_timeouts(),
                max_response_bytes=settings.PROVIDER_MAX_RESPONSE_BYTES,
                max_sessions_bytes=settings.WAVIX_MAX_SESSIONS_BYTES,
            )
            _wavix[key] = client
        return client


def b2core_client() -> B2CoreClient:
    """The shared B2Core client for the configured host, or for the sandbox."""
    key = (
        settings.B2CORE_BASE_URL,
        settings.B2CORE_ACCESS_TOKEN,
        settings.B2CORE_REFRESH_TOKEN,
        settings.B2CORE_EMAIL,
    )
    with _lock:
        client = _b2core.get(key)
        if client is None:
            client = _b2core[key] = new_b2core_client()
        return client


def sandbox_sent_code(session_id: str) -> str | None:
    """The latest code the embedded sandbox sent for a session (its outbox), when Wavix is
    played by the sandbox: the test console shows it so the loop can be tried end to end."""
    if settings.WAVIX_BASE_URL:
        return None
    with httpx.Client(
        base_url=SANDBOX_ORIGIN + credentials.CONTROL_PREFIX,
        transport=_sandbox_transport(),
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
        timeout=settings.PROVIDER_READ_TIMEOUT,
    ) as control:
        response = control.get("/outbox", params={"session_id": session_id})
    if response.status_code != 200:
        return None
    code = response.json().get("code")
    return code if isinstance(code, str) else None


def new_b2core_client() -> B2CoreClient:
    """A B2Core client of its own (the caller closes it), as a new process would build it."""
    base_url = settings.B2CORE_BASE_URL
    disable_body = json.loads(settings.B2CORE_DISABLE_BODY)
    if not base_url:
        return B2CoreClient(
            SANDBOX_ORIGIN + credentials.B2CORE_PREFIX,
            email=credentials.B2CORE_ADMIN_EMAIL,
            password=credentials.B2CORE_ADMIN_PASSWORD,
            on_auth_problem=problems.record,
            transport=_sandbox_transport(),
            timeouts=_timeouts(),
            disable_body=disable_body,
            max_pages=settings.B2CORE_MAX_PAGES,
            max_response_bytes=settings.PROVIDER_MAX_RESPONSE_BYTES,
        )
    access, refresh = settings.B2CORE_ACCESS_TOKEN, settings.B2CORE_REFRESH_TOKEN
    store = TokenStore.for_settings(
        base_url, email=settings.B2CORE_EMAIL, access_token=access, refresh_token=refresh
    )
    # A pair renewed by an earlier run (or another process) beats the configured one it
    # descends from: B2Core rotates refresh tokens, so that one is spent.
    stored = store.load()
    if stored is not None:
        access, refresh = stored.access, stored.refresh or refresh
    return B2CoreClient(
        base_url,
        access_token=access,
        refresh_token=refresh,
        email=settings.B2CORE_EMAIL,
        password=settings.B2CORE_PASSWORD,
        on_tokens=store.save,
        latest_tokens=store.load,
        on_auth_problem=problems.record,
        timeouts=_timeouts(),
        disable_body=disable_body,
        max_pages=settings.B2CORE_MAX_PAGES,
        max_response_bytes=settings.PROVIDER_MAX_RESPONSE_BYTES,
    )


def reset_clients() -> None:
    """Forget cached clients (tests that change provider settings call this)."""
    with _lock:
        for wavix in _wavix.values():
            wavix.close()
        for b2core in _b2core.values():
            b2core.close()
        _wavix.clear()
        _b2core.clear()


def install_wavix_client(client: WavixClient) -> None:
    """Use this client for the configured Wavix connection (tests and benchmarks)."""
    with _lock:
        _wavix[(settings.WAVIX_BASE_URL, settings.WAVIX_API_KEY)] = client
