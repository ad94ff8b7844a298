"""B2CoreClient additions for the client pages: a disable sent exactly once, a client's phone."""

from __future__ import annotations

import httpx
import pytest
import respx

from dashboard.providers.b2core import B2CoreClient
from dashboard.providers.errors import Unavailable

from .fakes import FakeClock

BASE = "https://b2core.test/sandbox/b2core"


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(base_url=BASE, assert_all_called=False)


def make_client(router: respx.MockRouter, clock: FakeClock) -> B2CoreClient:
    return B2CoreClient(
        BASE,
        access_token="t0ken",
        transport=httpx.MockTransport(router.handler),
        sleep=clock.sleep,
        clock=clock,
    )


def test_disable_method_without_retry_is_sent_once_whatever_the_answer(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    route = router.put("/api/v2/clients/42/2fa/sms").mock(
        side_effect=[httpx.Response(503), httpx.Response(204)]
    )
    with pytest.raises(Unavailable):
        make_client(router, clock).disable_method(42, "sms", retry=False)
    assert route.call_count == 1


def test_client_phone_is_read_under_either_name_and_absent_is_empty(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.get("/api/v2/clients").respond(
        json={
            "total": 3,
            "data": [
                {"id": 1, "email": "a@b.test", "name": "A", "phone": "+447911123456"},
                {"id": 2, "email": "c@d.test", "name": "C", "phoneNumber": 4915112345678},
                {"id": 3, "email": "e@f.test", "name": "E"},
            ],
        }
    )
    clients = make_client(router, clock).list_clients().items
    assert [c.phone for c in clients] == ["+447911123456", "4915112345678", ""]
