"""The real B2CoreClient against the B2Core sandbox served over a real socket (no mocks).

The sandbox's data is shared by the whole test session: tests that disable a method search
for a client that still has it on, and expectations about change history are read fresh.
Requests go through httpx's own socket transport, wrapped only to record what was sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
import pytest

from dashboard.providers.b2core import B2CoreClient, TwoFAChange
from dashboard.providers.errors import BadResponse, NotFound, TwoFactorRequired, Unauthorized
from dashboard.sandbox import credentials

if TYPE_CHECKING:
    from tests.conftest import SandboxServer

SEEDED_CLIENTS = 40  # tests/conftest.py starts sandbox_serve with --clients 40
ADMIN_ACTOR = f"admin:{credentials.B2CORE_ADMIN_EMAIL}"


@dataclass
class Recorder(httpx.BaseTransport):
    """httpx's real transport, noting (method, path after the prefix, status) of each call."""

    inner: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)
    calls: list[tuple[str, str, int]] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        path = request.url.path.removeprefix(credentials.B2CORE_PREFIX)
        self.calls.append((request.method, path, response.status_code))
        return response

    def close(self) -> None:
        self.inner.close()


def admin_client(
    sandbox: SandboxServer, transport: httpx.BaseTransport | None = None
) -> B2CoreClient:
    return B2CoreClient(
        sandbox.b2core_url,
        email=credentials.B2CORE_ADMIN_EMAIL,
        password=credentials.B2CORE_ADMIN_PASSWORD,
        transport=transport,
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def b2core(sandbox: SandboxServer, recorder: Recorder) -> Iterator[B2CoreClient]:
    with admin_client(sandbox, recorder) as client:
        yield client


@pytest.fixture(scope="module")
def busy_client_id(sandbox_server: SandboxServer) -> str:
    """An early client whose history has both providers and both states in it."""
    with admin_client(sandbox_server) as client:
        for candidate in client.iter_clients(sort_order="asc"):  # oldest first: most history
            changes = client.list_changes(candidate.id, limit=100).items
            if (
                len(changes) >= 5
                and {c.provider for c in changes} == {"google", "sms"}
                and {c.is_enabled for c in changes} == {True, False}
            ):
                return candidate.id
    pytest.fail("no seeded client has a varied enough 2FA history")


def history(b2core: B2CoreClient, client_id: str) -> list[TwoFAChange]:
    """A client's whole history, oldest first, as it is now."""
    return b2core.list_changes(client_id, sort_order="asc", limit=100).items


def client_with_enabled(b2core: B2CoreClient, method: str) -> str:
    """Some client that has ``method`` on right now (no fixed id: other tests change state)."""
    for client in b2core.iter_clients():
        if b2core.get_method(client.id, method).is_enabled:
            return client.id
    pytest.fail(f"no seeded client has {method} enabled any more")


# Sign-in and tokens


def test_signs_in_with_the_admin_account(b2core: B2CoreClient, recorder: Recorder) -> None:
    page = b2core.list_clients(limit=1)

    assert page.total == SEEDED_CLIENTS
    assert recorder.calls[0] == ("POST", "/api/v2/signin", 200)
    assert recorder.calls[1][1:] == ("/api/v2/clients", 200)


def test_wrong_password_is_unauthorized(sandbox: SandboxServer) -> None:
    password = "not-the-admin-password"
    client = B2CoreClient(
        sandbox.b2core_url, email=credentials.B2CORE_ADMIN_EMAIL, password=password
    )

    with client, pytest.raises(Unauthorized) as raised:
        client.list_clients()

    assert raised.value.status == 401
    assert password not in str(raised.value)


def test_expired_access_token_is_refreshed(
    b2core: B2CoreClient, recorder: Recorder, sandbox: SandboxServer
) -> None:
    b2core.list_clients(limit=1)
    sandbox.set_clock(16 * 60)  # access tokens live 15 minutes

    page = b2core.list_clients(limit=1)

    assert page.total == SEEDED_CLIENTS
    assert recorder.calls[2:] == [
        ("GET", "/api/v2/clients", 401),
        ("POST", "/api/v2/refresh", 200),
        ("GET", "/api/v2/clients", 200),
    ]


def test_sign_in_asking_for_a_second_factor_is_two_factor_required(
    b2core: B2CoreClient, recorder: Recorder, sandbox: SandboxServer
) -> None:
    sandbox.set_fault("2fa-required", "/api/v2/signin")

    with pytest.raises(TwoFactorRequired):
        b2core.list_clients(limit=1)

    assert [path for _method, path, _status in recorder.calls] == ["/api/v2/signin"]


def test_a_given_token_pair_is_refreshed_when_its_access_token_expires(
    sandbox: SandboxServer, recorder: Recorder
) -> None:
    signin = httpx.post(
        sandbox.b2core_url + "/api/v2/signin",
        json={
            "email": credentials.B2CORE_ADMIN_EMAIL,
            "password": credentials.B2CORE_ADMIN_PASSWORD,
        },
        timeout=10,
    ).json()
    client = B2CoreClient(
        sandbox.b2core_url,
        access_token=signin["accessToken"]["token"],
        refresh_token=signin["refreshToken"]["token"],
        transport=recorder,
    )
    sandbox.set_clock(16 * 60)  # access tokens live 15 minutes

    with client:
        page = client.list_clients(limit=1)

    assert page.total == SEEDED_CLIENTS
    assert recorder.calls == [
        ("GET", "/api/v2/clients", 401),
        ("POST", "/api/v2/refresh", 200),
        ("GET", "/api/v2/clients", 200),
    ]


def test_an_unknown_client_is_not_found_in_a_sentence(b2core: B2CoreClient) -> None:
    with pytest.raises(NotFound) as caught:
        b2core.get_methods(987654321)

    assert caught.value.message == (
        "B2Core could not find client 987654321's 2FA methods (404): no such client or record "
        "exists there. B2Core said: Client 987654321 not found."
    )


# Clients


def test_list_clients_filters_by_client_id(b2core: B2CoreClient) -> None:
    wanted = b2core.list_clients(limit=5).items[3]

    page = b2core.list_clients(client_id=wanted.id)

    assert page.items == [wanted]
    assert page.total == 1


def test_list_clients_filters_by_email_substring(b2core: B2CoreClient) -> None:
    everyone = list(b2core.iter_clients())
    part = everyone[0].email.split("@")[1].upper()  # a domain several clients share

    found = b2core.list_clients(email=part, limit=100).items

    assert {c.id for c in found} == {c.id for c in everyone if part.lower() in c.email.lower()}
    assert 1 < len(found) < SEEDED_CLIENTS


def test_list_clients_filters_by_name(b2core: B2CoreClient) -> None:
    everyone = list(b2core.iter_clients())
    surname = everyone[0].name.split()[-1]

    found = b2core.list_clients(name=surname, limit=100).items

    assert everyone[0] in found
    assert {c.id for c in found} == {c.id for c in everyone if surname.lower() in c.name.lower()}


def test_iter_clients_covers_every_client_exactly_once(
    b2core: B2CoreClient, recorder: Recorder
) -> None:
    ids = [c.id for c in b2core.iter_clients(limit=7)]

    assert len(ids) == SEEDED_CLIENTS
    assert len(set(ids)) == SEEDED_CLIENTS
    # Six pages (40 / 7 rounded up), then the empty page that ends the walk.
    assert sum(path == "/api/v2/clients" for _, path, _ in recorder.calls) == 7


def test_iter_clients_reads_them_all_when_the_server_claims_total_1(
    b2core: B2CoreClient, sandbox: SandboxServer
) -> None:
    sandbox.set_fault("total=1", "/api/v2/clients")

    walk = b2core.iter_clients(limit=7)
    ids = [c.id for c in walk]

    assert len(ids) == len(set(ids)) == SEEDED_CLIENTS
    assert (walk.total, walk.complete) == (1, True)


# Methods


def test_get_methods_lists_sms_and_google_in_lower_case(
    b2core: B2CoreClient, busy_client_id: str
) -> None:
    methods = b2core.get_methods(busy_client_id)

    assert sorted(m.name for m in methods) == ["google", "sms"]
    assert all(m.caption for m in methods)


def test_get_method_reads_one_method_whatever_the_case(
    b2core: B2CoreClient, busy_client_id: str
) -> None:
    listed = {m.name: m for m in b2core.get_methods(busy_client_id)}

    method = b2core.get_method(busy_client_id, "SMS")

    assert method == listed["sms"]


# Change history


@pytest.mark.parametrize("enabled", [True, False])
def test_list_changes_filters_by_is_enabled(
    b2core: B2CoreClient, busy_client_id: str, enabled: bool
) -> None:
    expected = [c.id for c in history(b2core, busy_client_id) if c.is_enabled is enabled]

    page = b2core.list_changes(busy_client_id, is_enabled=enabled, sort_order="asc")

    assert [c.id for c in page.items] == expected
    assert expected
    assert page.total == len(expected)


@pytest.mark.parametrize("provider", ["google", "sms"])
def test_list_changes_filters_by_provider(
    b2core: B2CoreClient, busy_client_id: str, provider: str
) -> None:
    expected = [c.id for c in history(b2core, busy_client_id) if c.provider == provider]

    page = b2core.list_changes(busy_client_id, provider=provider.upper(), sort_order="asc")

    assert [c.id for c in page.items] == expected
    assert expected


def test_list_changes_filters_by_an_inclusive_time_range(
    b2core: B2CoreClient, busy_client_id: str
) -> None:
    changes = history(b2core, busy_client_id)
    first, last = changes[1].time, changes[-2].time
    assert first is not None
    assert last is not None
    expected = [c.id for c in changes if c.time is not None and first <= c.time <= last]

    page = b2core.list_changes(busy_client_id, time_from=first, time_to=last, sort_order="asc")

    assert [c.id for c in page.items] == expected
    assert changes[1].id in expected
    assert changes[-2].id in expected
    assert len(expected) < len(changes)


def test_list_changes_sort_order(b2core: B2CoreClient, busy_client_id: str) -> None:
    ascending = b2core.list_changes(busy_client_id, sort_order="asc").items
    descending = b2core.list_changes(busy_client_id, sort_order="desc").items

    times = [c.time for c in ascending if c.time is not None]
    assert len(times) == len(ascending) > 1
    assert times == sorted(times)
    assert descending == ascending[::-1]


def test_iter_changes_pages_through_the_whole_history(
    b2core: B2CoreClient, busy_client_id: str
) -> None:
    whole = b2core.list_changes(busy_client_id, limit=100).items

    walked = list(b2core.iter_changes(busy_client_id, limit=2))

    assert len(whole) > 2
    assert walked == whole


def test_iter_changes_reads_the_whole_history_when_the_server_caps_limit(
    b2core: B2CoreClient, busy_client_id: str, sandbox: SandboxServer
) -> None:
    whole = b2core.list_changes(busy_client_id, limit=100).items
    sandbox.set_fault("cap-limit=2", "/2fa/changes")

    walk = b2core.iter_changes(busy_client_id)  # asks for 100 a page, is served 2
    walked = list(walk)

    assert walked == whole
    assert walk.pages == -(-len(whole) // 2) + 1  # every capped page, then the empty one


def test_get_change_returns_the_listed_record(b2core: B2CoreClient, busy_client_id: str) -> None:
    listed = b2core.list_changes(busy_client_id, limit=3).items[-1]

    change = b2core.get_change(busy_client_id, listed.id)

    assert change == listed
    assert change.extra.get("actor")


# Disabling


def test_disable_method_turns_it_off_and_records_an_admin_change(b2core: B2CoreClient) -> None:
    client_id = client_with_enabled(b2core, "sms")
    before = {c.id for c in b2core.iter_changes(client_id)}

    method = b2core.disable_method(client_id, "sms")

    assert method is not None
    assert (method.name, method.is_enabled) == ("sms", False)
    assert b2core.get_method(client_id, "sms").is_enabled is False
    new = [c for c in b2core.iter_changes(client_id) if c.id not in before]
    assert [(c.provider, c.is_enabled) for c in new] == [("sms", False)]
    assert str(new[0].extra["actor"]).startswith("admin:")
    assert new[0].extra["actor"] == ADMIN_ACTOR


def test_disabling_twice_records_one_change(b2core: B2CoreClient) -> None:
    client_id = client_with_enabled(b2core, "google")
    before = b2core.list_changes(client_id, limit=1).total
    assert before is not None

    b2core.disable_method(client_id, "google")
    again = b2core.disable_method(client_id, "google")

    assert again is None or again.is_enabled is False
    assert b2core.list_changes(client_id, limit=1).total == before + 1


# Faults over the socket


def test_read_is_retried_after_one_503(
    b2core: B2CoreClient, recorder: Recorder, sandbox: SandboxServer
) -> None:
    b2core.list_clients(limit=1)  # signed in first: the fault is for the read itself
    sandbox.set_fault("503", "/api/v2/clients", times=1)

    page = b2core.list_clients(limit=1)

    assert page.total == SEEDED_CLIENTS
    assert [status for *_, status in recorder.calls[2:]] == [503, 200]


def test_html_with_200_is_a_bad_response(b2core: B2CoreClient, sandbox: SandboxServer) -> None:
    b2core.list_clients(limit=1)
    sandbox.set_fault("html-200", "/api/v2/clients")

    with pytest.raises(BadResponse, match="HTML instead of JSON"):
        b2core.list_clients()
