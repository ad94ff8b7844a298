"""Every page and action, with hostile query strings and form fields, as every role.

One test per route and method; each example is sent as each principal (anonymous to
superuser). On a failure hypothesis shrinks the example and the message names the request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.url_table import WHO
from tests.fuzz import checks, values
from tests.fuzz.conftest import World
from tests.fuzz.profiles import FUZZ, NAME
from tests.fuzz.surface import Target, driven, targets

TARGETS = targets()


def _request(world: World, who: str, target: Target, query: dict[str, list[str]],
             form: dict[str, list[str]], headers: dict[str, str]) -> tuple[str, Any]:  # fmt: skip
    client = world.client(who)
    path = world.path(target)
    if query:
        path += "?" + urlencode(query, doseq=True)
    if target.method == "GET":
        return path, client.get(path, headers=headers)
    return path, client.post(path, form, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.method} /{t.route}")
def test_no_server_error_nor_unescaped_markup(target: Target, world: World, record_property):
    names = driven(target)
    stats: dict[str, Any] = {
        "route": target.route, "method": target.method, "roles": list(WHO), "profile": NAME,
        "examples": 0, "requests": 0, "statuses": {},
    }  # fmt: skip
    record_property("fuzz", stats)
    query_names = names if target.method == "GET" else ("next",)
    form_names = names if target.method == "POST" else ()

    @FUZZ
    @given(
        query=values.params(query_names),
        form=values.params(form_names) if form_names else st.just({}),
        headers=values.HEADERS,
    )
    def run(query: dict[str, list[str]], form: dict[str, list[str]], headers: dict[str, str]):
        stats["examples"] += 1
        for who in WHO:
            stats["requests"] += 1
            try:
                path, response = _request(world, who, target, query, form, headers)
            except Exception as exc:  # the test client re-raises a view's error: a 500
                stats["problem"] = f"{type(exc).__name__}: {str(exc)[:160]} (as {who})"
                raise AssertionError(f"{target.method} as {who}: the view raised") from exc
            status = str(response.status_code)
            stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
            if found := checks.problems(response):
                stats["problem"] = f"{found[0][:200]} (as {who})"
                pytest.fail(
                    f"{target.method} {path} as {who}\nform={form!r}\nheaders={headers!r}\n"
                    + "\n".join(found)
                )

    run()
