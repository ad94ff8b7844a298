"""The sign-in's second-factor steps, fuzzed as the operators who owe them: one with an
authenticator who has passed only the password (the code step), one without (enrolment,
2FA required). test_fuzz.py's principals are fully signed in and never meet these forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.conftest import fast_hashing as fast_hashing
from tests.accounts.conftest import operator, with_device
from tests.accounts.conftest import production_2fa as production_2fa
from tests.fuzz import checks, values
from tests.fuzz.profiles import FUZZ, NAME
from tests.fuzz.surface import Target, driven, targets

PRINCIPALS = ("code step", "enrolling")
# The steps themselves, and pages that send a half-signed-in operator to them.
STEPS = [t for t in targets() if t.route.startswith("accounts/") or t.route in ("", "sessions/")]


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_hashing", "production_2fa")
@pytest.mark.parametrize("target", STEPS, ids=lambda t: f"{t.method} /{t.route}")
def test_the_sign_in_steps_survive_hostile_input(target: Target, client, record_property):
    users = {"code step": operator("otto"), "enrolling": operator("enzo")}
    with_device(users["code step"])
    names = driven(target)
    stats: dict[str, Any] = {
        "route": target.route, "method": target.method, "roles": list(PRINCIPALS),
        "profile": NAME, "examples": 0, "requests": 0, "statuses": {}, "label": "2FA steps",
    }  # fmt: skip
    record_property("fuzz", stats)

    @FUZZ
    @given(
        query=values.params(names if target.method == "GET" else ("next",)),
        form=values.params(names) if target.method == "POST" else st.just({}),
        headers=values.HEADERS,
    )
    def run(query: dict[str, list[str]], form: dict[str, list[str]], headers: dict[str, str]):
        stats["examples"] += 1
        for who in PRINCIPALS:
            client.logout()
            client.force_login(users[who])
            path = target.path + ("?" + urlencode(query, doseq=True) if query else "")
            stats["requests"] += 1
            try:
                if target.method == "GET":
                    response = client.get(path, headers=headers)
                else:
                    response = client.post(path, form, headers=headers)
            except Exception as exc:  # the test client re-raises a view's error: a 500
                stats["problem"] = f"{type(exc).__name__}: {str(exc)[:160]} (as {who})"
                raise AssertionError(f"{target.method} {path} as {who}: the view raised") from exc
            status = str(response.status_code)
            stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
            if found := checks.problems(response):
                stats["problem"] = f"{found[0][:200]} (as {who})"
                pytest.fail(f"{target.method} {path} as {who}\nform={form!r}\n" + "\n".join(found))

    run()
