"""The renewed B2Core token pair: sealed at rest, used after a restart, never logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection

from dashboard.connections import b2core_client, new_b2core_client, reset_clients
from dashboard.credentials.models import StoredTokenPair
from dashboard.credentials.store import TokenStore
from dashboard.providers.b2core import TokenPair
from dashboard.providers.errors import Unauthorized

from .conftest import issued_pair

if TYPE_CHECKING:
    from tests.conftest import SandboxServer

pytestmark = pytest.mark.django_db

HOST = "https://b2core.example.test"
EXPIRED = 16 * 60  # the sandbox's access tokens live 15 minutes


def store_for(access: str = "configured-access", refresh: str = "configured-refresh") -> TokenStore:
    return TokenStore.for_settings(HOST, email="", access_token=access, refresh_token=refresh)


def raw_columns() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM provider_credentials_storedtokenpair")
        return repr(cursor.fetchall())


def test_the_stored_pair_is_encrypted_at_rest() -> None:
    store_for().save(TokenPair("renewed-access-0123456789", "renewed-refresh-0123456789"))

    raw = raw_columns()

    assert "renewed-access" not in raw
    assert "renewed-refresh" not in raw
    assert "configured-access" not in raw  # the origin is a keyed digest, not the tokens
    loaded = store_for().load()
    assert loaded is not None
    assert (loaded.access, loaded.refresh) == (
        "renewed-access-0123456789",
        "renewed-refresh-0123456789",
    )


def test_a_stored_pair_is_ignored_once_other_credentials_are_configured() -> None:
    store_for().save(TokenPair("renewed-access", "renewed-refresh"))

    assert store_for(access="new-access", refresh="new-refresh").load() is None


def test_a_pair_sealed_under_another_key_is_ignored(settings: Any) -> None:
    settings.B2CORE_TOKEN_KEY = "the-first-key"
    store_for().save(TokenPair("renewed-access", "renewed-refresh"))
    settings.B2CORE_TOKEN_KEY = "a-different-key"

    # The origin digest is keyed too: nothing matches under the new key.
    assert store_for().load() is None
    assert StoredTokenPair.objects.count() == 1


def test_a_pair_sealed_under_a_previous_secret_key_still_opens(settings: Any) -> None:
    settings.B2CORE_TOKEN_KEY = ""
    settings.SECRET_KEY = "old-secret-key-" + "x" * 40
    store = store_for()
    store.save(TokenPair("renewed-access", "renewed-refresh"))
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = (
        "new-secret-key-" + "y" * 40,
        [settings.SECRET_KEY],
    )

    loaded = store.load()  # same origin as saved: only the sealing key is looked up anew

    assert loaded is not None
    assert loaded.access == "renewed-access"


def test_a_refreshed_pair_survives_a_restart(
    settings: Any, b2core_host: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    given = issued_pair(b2core_host)
    settings.B2CORE_ACCESS_TOKEN, settings.B2CORE_REFRESH_TOKEN = given.access, given.refresh
    b2core_client().list_clients(limit=1)
    b2core_host.set_clock(EXPIRED)
    b2core_client().list_clients(limit=1)  # 401, refresh: the given refresh token is now spent

    reset_clients()  # a restart: a new client from the same settings
    page = b2core_client().list_clients(limit=1)

    assert page.items
    assert b2core_client().auth._tokens() != (given.access, given.refresh)
    stored = TokenStore.for_settings(
        b2core_host.b2core_url, email="", access_token=given.access, refresh_token=given.refresh
    ).load()
    assert stored is not None
    assert b2core_client().auth._tokens() == (stored.access, stored.refresh)
    for secret in (given.access, given.refresh, stored.access, stored.refresh):
        assert secret not in caplog.text


def test_without_the_stored_pair_the_spent_configured_pair_fails(
    settings: Any, b2core_host: SandboxServer
) -> None:
    given = issued_pair(b2core_host)
    settings.B2CORE_ACCESS_TOKEN, settings.B2CORE_REFRESH_TOKEN = given.access, given.refresh
    b2core_host.set_clock(EXPIRED)
    b2core_client().list_clients(limit=1)
    StoredTokenPair.objects.all().delete()  # what a restart would face without the store

    reset_clients()
    with pytest.raises(Unauthorized) as caught:
        b2core_client().list_clients(limit=1)

    assert "refused to refresh" in caught.value.message
    assert given.refresh not in caught.value.message


def test_a_process_holding_a_spent_pair_takes_the_one_another_process_stored(
    settings: Any, b2core_host: SandboxServer
) -> None:
    given = issued_pair(b2core_host)
    settings.B2CORE_ACCESS_TOKEN, settings.B2CORE_REFRESH_TOKEN = given.access, given.refresh
    with new_b2core_client() as this_process, new_b2core_client() as other_process:
        this_process.list_clients(limit=1)
        b2core_host.set_clock(EXPIRED)
        other_process.list_clients(limit=1)  # refreshes: this one's refresh token is spent

        page = this_process.list_clients(limit=1)

        assert page.items
        assert this_process.auth._tokens() == other_process.auth._tokens()
