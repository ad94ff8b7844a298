"""B2Core Back Office: clients, their 2FA methods and 2FA change history.

Reference: specs/b2core-2fa.md. B2Core publishes no machine-readable contract and its own
examples are sloppy, so every read here is tolerant: ``{total, data}`` or a bare list,
ints or strings for IDs, unknown fields kept on change records. Whole lists are walked
to their first empty page (b2core_paging), never to ``total``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from datetime import datetime
from typing import TypeVar

import httpx

from .b2core_auth import B2CoreAuth, TokenPair
from .b2core_paging import MAX_PAGES, PageBoundReached, Walk
from .b2core_records import (
    CHANGE_DECODER,
    CHANGES_DECODER,
    CLIENTS_DECODER,
    MAX_LIMIT,
    METHOD_DECODER,
    METHODS_DECODER,
    Client,
    Page,
    TwoFAChange,
    TwoFAMethod,
    clamp_limit,
    path_segment,
    read_change,
    read_client,
    read_method,
    unwrap,
    utc_iso,
)
from .errors import Forbidden, NotFound, ProviderError, Unauthorized
from .http import MAX_RESPONSE_BYTES, ProviderClient, ProviderHTTP, Reply, RetryPolicy, Timeouts

__all__ = [
    "MAX_LIMIT",
    "MAX_PAGES",
    "B2CoreAuth",
    "B2CoreClient",
    "Client",
    "Page",
    "PageBoundReached",
    "TokenPair",
    "TwoFAChange",
    "TwoFAMethod",
    "Walk",
]

PROVIDER = "b2core"

T = TypeVar("T")


class B2CoreClient(ProviderClient):
    """Typed calls to B2Core's Back Office API for 2FA oversight.

    ``max_pages`` bounds every walk of a whole list (``iter_clients``, ``iter_changes``):
    past it the walk raises ``PageBoundReached`` instead of returning part of the list.

    Hooks for the caller's storage (this layer keeps nothing): ``on_tokens`` receives every
    pair B2Core issues, ``latest_tokens`` may return a newer pair another process obtained
    (asked on a 401 before refreshing), and ``on_auth_problem`` receives each Unauthorized
    (TwoFactorRequired included) a call ends with, then None once a call succeeds again.
    """

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str = "",
        refresh_token: str = "",
        email: str = "",
        password: str = "",
        on_tokens: Callable[[TokenPair], None] = lambda pair: None,
        latest_tokens: Callable[[], TokenPair | None] = lambda: None,
        on_auth_problem: Callable[[Unauthorized | None], None] = lambda problem: None,
        transport: httpx.BaseTransport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        disable_body: Mapping[str, object] | None = None,
        bool_style: str = "int",
        max_pages: int = MAX_PAGES,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if bool_style not in ("int", "word"):
            raise ValueError("bool_style must be 'int' (1/0) or 'word' (true/false)")
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        self._bool_style = bool_style
        self._max_pages = max_pages
        self._disable_body = (
            dict(disable_body) if disable_body is not None else {"isEnabled": False}
        )
        self._on_auth_problem = on_auth_problem
        # True until a call succeeds: the first success clears a problem an earlier run saw.
        self._auth_problem_known = True
        self.http: ProviderHTTP  # the auth needs its error mapping, the HTTP layer the auth
        self.auth = B2CoreAuth(
            base_url,
            access_token=access_token,
            refresh_token=refresh_token,
            email=email,
            password=password,
            on_token=lambda token: self.http.scrub.add(token),
            on_tokens=on_tokens,
            latest_tokens=latest_tokens,
            error_for=lambda reply: self.http.error_for(reply),
        )
        self.http = ProviderHTTP(
            PROVIDER,
            base_url,
            transport=transport,
            auth=self.auth,
            secrets=[s for s in (access_token, refresh_token, password) if s],
            timeouts=timeouts,
            retry=retry,
            max_response_bytes=max_response_bytes,
            sleep=sleep,
            clock=clock,
        )

    def _get(
        self,
        operation: str,
        path: str,
        subject: str,
        params: Mapping[str, str | int] | None = None,
        missing: str = "no such client or record exists there",
    ) -> Reply:
        return self._call(operation, "GET", path, subject, params=params, missing=missing)

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        subject: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: object = None,
        ok: tuple[int, ...] = (200,),
        missing: str = "no such client or record exists there",
        retry: bool = True,
    ) -> Reply:
        """One request; its errors say what was asked for (``subject``: "client 42")."""
        try:
            reply = self.http.request(
                method, path, params=params, json=json, retry=retry, ok=ok, operation=operation
            )
        except Unauthorized as exc:
            self._auth_problem_known = True
            self._on_auth_problem(exc)
            raise
        except (Forbidden, NotFound) as exc:
            raise _about(exc, subject, missing) from exc
        if self._auth_problem_known:
            self._auth_problem_known = False
            self._on_auth_problem(None)
        return reply

    def list_clients(
        self,
        *,
        client_id: str | None = None,
        email: str | None = None,
        name: str | None = None,
        sort_order: str = "desc",
        limit: int = 50,
        offset: int = 0,
    ) -> Page[Client]:
        """Return one page of clients, newest first by default."""
        limit = clamp_limit(limit)
        params: dict[str, str | int] = {
            "sort_by": "createTime",
            "sort_order": _order(sort_order),
            "limit": limit,
            "offset": max(0, offset),
        }
        for key, value in (("clientId", client_id), ("email", email), ("name", name)):
            if value:
                params[f"filter[{key}]"] = value
        reply = self._get(
            "list_clients",
            "/api/v2/clients",
            "the client list",
            params,
            missing="check B2CORE_BASE_URL",
        )
        items, total = unwrap(self.http.decode(reply, CLIENTS_DECODER, what="a client list"))
        clients = [read_client(item, f"$.data[{i}]") for i, item in enumerate(items)]
        return Page(clients, total, limit, max(0, offset))

    def iter_clients(
        self,
        *,
        client_id: str | None = None,
        email: str | None = None,
        name: str | None = None,
        sort_order: str = "desc",
        limit: int = MAX_LIMIT,
        max_pages: int | None = None,
    ) -> Walk[Client]:
        """Yield every matching client once, page by page until B2Core sends an empty one.

        ``limit`` is capped at MAX_LIMIT; ``max_pages`` overrides the client's bound. The
        returned walk keeps B2Core's claimed ``total`` for display (see ``Walk``).
        """

        def fetch(page_limit: int, offset: int) -> Page[Client]:
            return self.list_clients(
                client_id=client_id,
                email=email,
                name=name,
                sort_order=sort_order,
                limit=page_limit,
                offset=offset,
            )

        return self._walk(fetch, lambda client: client.id, limit, max_pages, "clients")

    def get_methods(self, client_id: str | int) -> list[TwoFAMethod]:
        """Return a client's 2FA methods (``total`` is ignored: B2Core gets it wrong)."""
        reply = self._get(
            "get_methods",
            f"/api/v2/clients/{path_segment(client_id)}/2fa",
            f"client {client_id}'s 2FA methods",
        )
        items, _total = unwrap(self.http.decode(reply, METHODS_DECODER, what="a 2FA method list"))
        return [read_method(item) for item in items]

    def get_method(self, client_id: str | int, method: str) -> TwoFAMethod:
        """Return one of a client's 2FA methods ("sms" or "google")."""
        reply = self._get(
            "get_method",
            f"/api/v2/clients/{path_segment(client_id)}/2fa/{path_segment(method.lower())}",
            f"client {client_id}'s {method} 2FA method",
        )
        return read_method(self.http.decode(reply, METHOD_DECODER, what="a 2FA method"))

    def disable_method(
        self, client_id: str | int, method: str, *, retry: bool = True
    ) -> TwoFAMethod | None:
        """Turn a client's 2FA method off; None when B2Core answers 204 without a body.

        Idempotent, so retried by default; ``retry=False`` sends it exactly once, for a
        caller that settles an unclear answer by reading the method back instead.
        """
        reply = self._call(
            "disable_method",
            "PUT",
            f"/api/v2/clients/{path_segment(client_id)}/2fa/{path_segment(method.lower())}",
            f"client {client_id}'s {method} 2FA method",
            json=self._disable_body,
            retry=retry,
            ok=(200, 201, 202, 204),
        )
        if reply.status == 204 or not reply.body.strip():
            return None
        return read_method(self.http.decode(reply, METHOD_DECODER, what="a 2FA method"))

    def list_changes(
        self,
        client_id: str | int,
        *,
        is_enabled: bool | None = None,
        time_from: datetime | None = None,
        time_to: datetime | None = None,
        provider: str | None = None,
        sort_order: str = "desc",
        limit: int = 50,
        offset: int = 0,
    ) -> Page[TwoFAChange]:
        """Return one page of a client's 2FA change history."""
        limit = clamp_limit(limit)
        params: dict[str, str | int] = {
            "sort_by": "time",
            "sort_order": _order(sort_order),
            "limit": limit,
            "offset": max(0, offset),
        }
        if is_enabled is not None:
            params["filter[isEnabled]"] = self._bool(is_enabled)
        if time_from is not None:
            params["filter[timeFrom]"] = utc_iso(time_from, "time_from")
        if time_to is not None:
            params["filter[timeTo]"] = utc_iso(time_to, "time_to")
        if provider:
            params["filter[provider]"] = provider.lower()
        reply = self._get(
            "list_changes",
            f"/api/v2/clients/{path_segment(client_id)}/2fa/changes",
            f"client {client_id}'s 2FA change history",
            params,
        )
        what = "a 2FA change list"
        items, total = unwrap(self.http.decode(reply, CHANGES_DECODER, what=what))
        changes = [read_change(item, what, f"$.data[{i}]") for i, item in enumerate(items)]
        return Page(changes, total, limit, max(0, offset))

    def iter_changes(
        self,
        client_id: str | int,
        *,
        is_enabled: bool | None = None,
        time_from: datetime | None = None,
        time_to: datetime | None = None,
        provider: str | None = None,
        sort_order: str = "desc",
        limit: int = MAX_LIMIT,
        max_pages: int | None = None,
    ) -> Walk[TwoFAChange]:
        """Yield a client's whole (filtered) change history once, page by page until empty.

        As ``iter_clients``: ``total`` is kept on the returned walk for display only.
        """

        def fetch(page_limit: int, offset: int) -> Page[TwoFAChange]:
            return self.list_changes(
                client_id,
                is_enabled=is_enabled,
                time_from=time_from,
                time_to=time_to,
                provider=provider,
                sort_order=sort_order,
                limit=page_limit,
                offset=offset,
            )

        return self._walk(fetch, lambda change: change.id, limit, max_pages, "2FA changes")

    def get_change(self, client_id: str | int, change_id: str | int) -> TwoFAChange:
        """Return one 2FA change record."""
        reply = self._get(
            "get_change",
            f"/api/v2/clients/{path_segment(client_id)}/2fa/changes/{path_segment(change_id)}",
            f"2FA change {change_id} of client {client_id}",
        )
        what = "a 2FA change"
        return read_change(self.http.decode(reply, CHANGE_DECODER, what=what), what, "$")

    def _walk(
        self,
        fetch: Callable[[int, int], Page[T]],
        key: Callable[[T], Hashable],
        limit: int,
        max_pages: int | None,
        what: str,
    ) -> Walk[T]:
        bound = self._max_pages if max_pages is None else max_pages
        return Walk(fetch, key, limit=limit, max_pages=bound, what=what)

    def _bool(self, value: bool) -> str:
        if self._bool_style == "word":
            return "true" if value else "false"
        return "1" if value else "0"


def _about(exc: ProviderError, subject: str, missing: str) -> ProviderError:
    """A 403 or 404 retold as a sentence about what was asked for, B2Core's own words after."""
    said = f" B2Core said: {exc.detail}" if exc.detail else ""
    if said and said[-1] not in ".!?":
        said += "."
    if isinstance(exc, Forbidden):
        return Forbidden(
            PROVIDER,
            f"B2Core does not let the dashboard's service account see {subject} (403): "
            f"B2Core admins restricted by tags see only some clients.{said}",
            status=exc.status,
            detail=exc.detail,
        )
    return NotFound(
        PROVIDER,
        f"B2Core could not find {subject} (404): {missing}.{said}",
        status=exc.status,
        detail=exc.detail,
    )


def _order(sort_order: str) -> str:
    order = sort_order.lower()
    if order not in ("asc", "desc"):
        raise ValueError("sort_order must be 'asc' or 'desc'")
    return order
