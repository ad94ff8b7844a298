"""B2CoreClient: token auth with refresh, tolerant records (paging: test_b2core_paging)."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
import respx

from dashboard.providers.b2core import B2CoreClient, TwoFAChange
from dashboard.providers.errors import (
    BadResponse,
    Forbidden,
    Rejected,
    TwoFactorRequired,
    Unauthorized,
    Unavailable,
)

from .fakes import FakeClock

BASE = "https://b2core.test/sandbox/b2core"
EMAIL = "admin@broker.test"
PASSWORD = "correct-horse-battery"


def tokens(access: str, refresh: str, *, two_fa: bool = False) -> dict[str, object]:
    def token(value: str) -> dict[str, str]:
        return {
            "token": value,
            "createdAt": "2024-01-01T00:00:00+00:00",
            "expiresAt": "2024-01-01T01:00:00+00:00",
        }

    return {"2faRequired": two_fa, "accessToken": token(access), "refreshToken": token(refresh)}


def bearer(request: httpx.Request) -> str:
    return str(request.headers.get("Authorization", ""))


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(base_url=BASE, assert_all_called=False)


def make_client(router: respx.MockRouter, clock: FakeClock, **kwargs: object) -> B2CoreClient:
    return B2CoreClient(
        BASE,
        transport=httpx.MockTransport(router.handler),
        sleep=clock.sleep,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


def signed_in(router: respx.MockRouter, clock: FakeClock, **kwargs: object) -> B2CoreClient:
    return make_client(router, clock, email=EMAIL, password=PASSWORD, **kwargs)


METHODS = {
    "total": 1,
    "data": [
        {"caption": "Google Authenticator", "isEnabled": True, "name": "google"},
        {"caption": "SMS", "isEnabled": False, "name": "SMS"},
    ],
}


def test_given_access_token_is_used_without_signing_in(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin")
    methods = router.get("/api/v2/clients/42/2fa").respond(json=METHODS)
    make_client(router, clock, access_token="static-token-1").get_methods(42)
    assert bearer(methods.calls.last.request) == "Bearer static-token-1"
    assert signin.call_count == 0


def test_b2core_signs_in_with_email_and_password_first(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin").respond(json=tokens("access-1", "refresh-1"))
    methods = router.get("/api/v2/clients/42/2fa").respond(json=METHODS)
    client = signed_in(router, clock)
    client.get_methods(42)
    client.get_methods(42)
    assert json.loads(signin.calls.last.request.content) == {"email": EMAIL, "password": PASSWORD}
    assert signin.call_count == 1
    assert [bearer(call.request) for call in methods.calls] == ["Bearer access-1"] * 2


def test_b2core_refreshes_once_on_401(router: respx.MockRouter, clock: FakeClock) -> None:
    router.post("/api/v2/signin").respond(json=tokens("access-1", "refresh-1"))
    refresh = router.post("/api/v2/refresh").respond(json=tokens("access-2", "refresh-2"))
    sent: list[str] = []

    def methods_answer(request: httpx.Request) -> httpx.Response:
        sent.append(bearer(request))  # httpx resends the same (mutated) request object
        return httpx.Response(401 if len(sent) == 1 else 200, json=METHODS)

    router.get("/api/v2/clients/42/2fa").mock(side_effect=methods_answer)
    result = signed_in(router, clock).get_methods(42)
    assert len(result) == 2
    assert refresh.call_count == 1
    assert json.loads(refresh.calls.last.request.content) == {"refreshToken": "refresh-1"}
    assert sent == ["Bearer access-1", "Bearer access-2"]


def test_b2core_gives_up_when_401_persists_after_refresh(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin").respond(json=tokens("access-1", "refresh-1"))
    refresh = router.post("/api/v2/refresh").respond(json=tokens("access-2", "refresh-2"))
    methods = router.get("/api/v2/clients/42/2fa").respond(401, json={"message": "Expired"})
    with pytest.raises(Unauthorized):
        signed_in(router, clock).get_methods(42)
    assert (signin.call_count, refresh.call_count, methods.call_count) == (1, 1, 2)


def test_b2core_signs_in_again_when_refresh_fails(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin").mock(
        side_effect=[
            httpx.Response(200, json=tokens("access-1", "refresh-1")),
            httpx.Response(200, json=tokens("access-3", "refresh-3")),
        ]
    )
    refresh = router.post("/api/v2/refresh").respond(401, json={"message": "Refresh expired"})
    methods = router.get("/api/v2/clients/42/2fa").mock(
        side_effect=[httpx.Response(401), httpx.Response(200, json=METHODS)]
    )
    signed_in(router, clock).get_methods(42)
    assert (signin.call_count, refresh.call_count) == (2, 1)
    assert bearer(methods.calls.last.request) == "Bearer access-3"


def test_b2core_static_token_refused_without_credentials_is_unauthorized(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin")
    methods = router.get("/api/v2/clients/42/2fa").respond(401)
    with pytest.raises(Unauthorized, match="B2Core did not accept our credentials"):
        make_client(router, clock, access_token="old-token").get_methods(42)
    assert (methods.call_count, signin.call_count) == (1, 0)


def test_b2core_two_fa_on_service_account_is_two_factor_required(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/signin").respond(json={"2faRequired": True})
    methods = router.get("/api/v2/clients/42/2fa").respond(json=METHODS)
    with pytest.raises(TwoFactorRequired) as caught:
        signed_in(router, clock).get_methods(42)
    assert methods.call_count == 0
    assert "second factor" in caught.value.message
    assert "B2CORE_ACCESS_TOKEN and B2CORE_REFRESH_TOKEN" in caught.value.message


def test_b2core_two_fa_required_ignores_tokens_sent_beside_it(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/signin").respond(json=tokens("half-a", "half-r", two_fa=True))
    methods = router.get("/api/v2/clients/42/2fa").respond(json=METHODS)
    with pytest.raises(TwoFactorRequired):
        signed_in(router, clock).get_methods(42)
    assert methods.call_count == 0


def test_b2core_wrong_password_is_unauthorized(router: respx.MockRouter, clock: FakeClock) -> None:
    router.post("/api/v2/signin").respond(401, json={"message": "Invalid credentials"})
    with pytest.raises(Unauthorized, match="check its email and password"):
        signed_in(router, clock).get_methods(42)


def test_b2core_missing_credentials_is_unauthorized(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    with pytest.raises(Unauthorized, match="credentials are missing"):
        make_client(router, clock).get_methods(42)


def test_b2core_tokens_absent_from_logs_and_errors(
    router: respx.MockRouter, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    router.post("/api/v2/signin").respond(json=tokens("secret-access-abc", "secret-refresh-xyz"))
    router.get("/api/v2/clients/42/2fa").respond(
        403, json={"message": f"token secret-access-abc may not read; pw {PASSWORD}"}
    )
    caplog.set_level(logging.DEBUG)
    client = signed_in(router, clock)
    with pytest.raises(Forbidden) as caught:
        client.get_methods(42)
    texts = [caplog.text, str(caught.value), repr(caught.value), repr(client), repr(client.auth)]
    for secret in ("secret-access-abc", "secret-refresh-xyz", PASSWORD):
        assert all(secret not in text for text in texts), secret
    assert "may not read" in str(caught.value)


def test_b2core_concurrent_401s_renew_the_token_once(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/signin").respond(json=tokens("access-1", "refresh-1"))
    refreshed = threading.Event()

    def refresh_answer(request: httpx.Request) -> httpx.Response:
        refreshed.set()
        return httpx.Response(200, json=tokens("access-2", "refresh-2"))

    refresh = router.post("/api/v2/refresh").mock(side_effect=refresh_answer)
    barrier = threading.Barrier(4, timeout=5)

    def methods_answer(request: httpx.Request) -> httpx.Response:
        if bearer(request) == "Bearer access-1":
            barrier.wait()  # all four threads hold the stale token at once
            return httpx.Response(401)
        return httpx.Response(200, json=METHODS)

    router.get("/api/v2/clients/42/2fa").mock(side_effect=methods_answer)
    client = signed_in(router, clock)
    client.auth._access = "access-1"  # skip the initial sign-in race
    client.auth._refresh = "refresh-1"
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(len(client.get_methods(42))))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [2, 2, 2, 2]
    assert refresh.call_count == 1


def test_b2core_methods_accepts_bare_list(router: respx.MockRouter, clock: FakeClock) -> None:
    router.get("/api/v2/clients/42/2fa").respond(json=METHODS["data"])
    methods = make_client(router, clock, access_token="t0ken").get_methods(42)
    assert [(m.name, m.is_enabled) for m in methods] == [("google", True), ("sms", False)]


def test_b2core_methods_ignores_a_wrong_total(router: respx.MockRouter, clock: FakeClock) -> None:
    router.get("/api/v2/clients/42/2fa").respond(json=METHODS)  # total 1, two items
    assert len(make_client(router, clock, access_token="t0ken").get_methods(42)) == 2


def test_sms_uppercase_name_is_lowercased(router: respx.MockRouter, clock: FakeClock) -> None:
    router.get("/api/v2/clients/42/2fa/sms").respond(
        json={"caption": "SMS", "isEnabled": True, "name": "SMS"}
    )
    method = make_client(router, clock, access_token="t0ken").get_method(42, "SMS")
    assert (method.name, method.caption, method.is_enabled) == ("sms", "SMS", True)


def test_disable_method_puts_configured_body_and_accepts_204(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    route = router.put("/api/v2/clients/42/2fa/google").respond(204)
    client = make_client(router, clock, access_token="t0ken", disable_body={"enabled": 0})
    assert client.disable_method(42, "google") is None
    assert json.loads(route.calls.last.request.content) == {"enabled": 0}


def test_disable_method_reads_200_body_and_defaults_to_is_enabled_false(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    route = router.put("/api/v2/clients/42/2fa/sms").respond(
        json={"caption": "SMS", "isEnabled": False, "name": "sms"}
    )
    method = make_client(router, clock, access_token="t0ken").disable_method(42, "sms")
    assert method is not None
    assert method.is_enabled is False
    assert json.loads(route.calls.last.request.content) == {"isEnabled": False}


def test_disable_method_is_retried_because_idempotent(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    route = router.put("/api/v2/clients/42/2fa/sms").mock(
        side_effect=[httpx.Response(503), httpx.Response(204)]
    )
    make_client(router, clock, access_token="t0ken").disable_method(42, "sms")
    assert route.call_count == 2


def test_list_clients_sends_filters_and_coerces_ids(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    route = router.get("/api/v2/clients").respond(
        json={
            "total": 1,
            "data": [
                {
                    "id": 1001,
                    "email": "a@b.test",
                    "name": "Ann",
                    "createTime": "2022-01-01T00:00:00+02:00",
                }
            ],
        }
    )
    page = make_client(router, clock, access_token="t0ken").list_clients(
        email="a@b.test", name="Ann", limit=500, offset=20
    )
    params = dict(route.calls.last.request.url.params)
    assert params == {
        "filter[email]": "a@b.test",
        "filter[name]": "Ann",
        "sort_by": "createTime",
        "sort_order": "desc",
        "limit": "100",
        "offset": "20",
    }
    (client,) = page.items
    assert client.id == "1001"
    assert client.create_time == datetime(2022, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert (page.total, page.limit, page.offset) == (1, 100, 20)


CHANGE = {"id": 7, "provider": "google", "isEnabled": True, "time": "2022-01-01T00:00:00+00:00"}


@pytest.mark.parametrize(("style", "sent"), [("int", "0"), ("word", "false")])
def test_list_changes_sends_filters(
    router: respx.MockRouter, clock: FakeClock, style: str, sent: str
) -> None:
    route = router.get("/api/v2/clients/42/2fa/changes").respond(
        json={"total": 1, "data": [CHANGE]}
    )
    client = make_client(router, clock, access_token="t0ken", bool_style=style)
    client.list_changes(
        42,
        is_enabled=False,
        time_from=datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
        time_to=datetime(2024, 1, 31, tzinfo=UTC),
        provider="SMS",
        sort_order="asc",
    )
    assert dict(route.calls.last.request.url.params) == {
        "filter[isEnabled]": sent,
        "filter[timeFrom]": "2024-01-01T00:00:00+00:00",
        "filter[timeTo]": "2024-01-31T00:00:00+00:00",
        "filter[provider]": "sms",
        "sort_by": "time",
        "sort_order": "asc",
        "limit": "50",
        "offset": "0",
    }


def test_naive_time_filter_is_refused(router: respx.MockRouter, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_client(router, clock, access_token="t").list_changes(
            42, time_from=datetime(2024, 1, 1)
        )


def test_change_keeps_unknown_fields_in_extra(router: respx.MockRouter, clock: FakeClock) -> None:
    actor = {"type": "admin", "id": 3}
    router.get("/api/v2/clients/42/2fa/changes/7").respond(json={**CHANGE, "actor": actor})
    change = make_client(router, clock, access_token="t0ken").get_change(42, 7)
    assert change == TwoFAChange(
        id=7,
        provider="google",
        is_enabled=True,
        time=datetime(2022, 1, 1, tzinfo=UTC),
        extra={"actor": actor},
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({**CHANGE, "isEnabled": "maybe"}, "$.data[0].isEnabled"),
        ({**CHANGE, "time": "last tuesday"}, "$.data[0].time"),
        ({k: v for k, v in CHANGE.items() if k != "id"}, "`id`"),
    ],
    ids=["flag", "time", "id"],
)
def test_b2core_wrong_types_are_bad_response_naming_the_field(
    router: respx.MockRouter, clock: FakeClock, change: dict[str, object], named: str
) -> None:
    router.get("/api/v2/clients/42/2fa/changes").respond(json={"total": 1, "data": [change]})
    with pytest.raises(BadResponse) as caught:
        make_client(router, clock, access_token="t0ken").list_changes(42)
    assert named in str(caught.value)


def change_pages(total: int | None, sizes: list[int]) -> list[httpx.Response]:
    pages = []
    next_id = 0
    for size in sizes:
        data = [{**CHANGE, "id": next_id + i} for i in range(size)]
        next_id += size
        pages.append(httpx.Response(200, json={"total": total, "data": data}))
    return pages


def test_b2core_paging_stops_on_an_empty_page(router: respx.MockRouter, clock: FakeClock) -> None:
    route = router.get("/api/v2/clients/42/2fa/changes").mock(
        side_effect=change_pages(None, [100, 0, 100])
    )
    assert len(list(make_client(router, clock, access_token="t0ken").iter_changes(42))) == 100
    assert route.call_count == 2


def test_b2core_validation_error_quotes_errors_field(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.get("/api/v2/clients").respond(422, json={"errors": {"limit": ["must be <= 100"]}})
    with pytest.raises(Rejected) as caught:
        make_client(router, clock, access_token="t0ken").list_clients()
    assert str(caught.value) == "B2Core rejected the request (422): limit: must be <= 100."


def test_b2core_sign_in_outage_is_unavailable(router: respx.MockRouter, clock: FakeClock) -> None:
    signin = router.post("/api/v2/signin").respond(503)
    with pytest.raises(Unavailable):
        signed_in(router, clock).get_methods(42)
    assert signin.call_count == 3  # a read: the whole call, sign-in included, is retried


def test_b2core_sign_in_connect_error_does_not_wedge_the_token_lock(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=tokens("a-1", "r-1"))]
    )
    router.get("/api/v2/clients/42/2fa").respond(json=METHODS)
    client = signed_in(router, clock)
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(len(client.get_methods(42))))
    worker.start()
    worker.join(timeout=5)
    assert results == [2], "the retry after a failed sign-in must not block on the lock"
    assert signin.call_count == 2
