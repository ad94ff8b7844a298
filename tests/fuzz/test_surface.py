"""The fuzzer drives every field the pages show and every filter the views declare: a new
one fails here until DRIVEN (surface.py) names it."""

from __future__ import annotations

import pytest

from tests.accounts.test_url_roles import routes
from tests.accounts.url_table import WHO
from tests.fuzz.conftest import World
from tests.fuzz.surface import (
    DRIVEN,
    IGNORED,
    Target,
    declared_filters,
    driven,
    forms_of,
    route_of,
    targets,
)


def test_the_form_reader_finds_every_kind_of_field():
    html = """
        <form method="post" action="/console/send/" id="f">
          <input type="hidden" name="key"><select name="service"></select>
          <textarea name="to"></textarea><input name="channel" type="radio">
        </form>
        <button name="confirm" form="f">Go</button>
        <form><input name="q"></form>
    """
    sent, here = forms_of("/console/", html)
    assert (sent.method, sent.action) == ("POST", "/console/send/")
    assert sent.fields == {"key", "service", "to", "channel", "confirm"}
    assert (here.method, here.action, here.fields) == ("GET", "/console/", {"q"})


def test_every_filter_the_views_declare_is_driven():
    missing = {
        route: sorted(names - IGNORED - set(driven(Target(route, "GET", ""))))
        for route, names in declared_filters().items()
    }
    assert not {r: m for r, m in missing.items() if m}, (
        f"filters the fuzzer does not send: add them to DRIVEN in tests/fuzz/surface.py: {missing}"
    )


def test_driven_names_only_routes_that_exist():
    assert not set(DRIVEN) - set(routes())


@pytest.mark.django_db
def test_every_form_field_on_every_page_is_driven(world: World):
    missing: set[str] = set()
    forms_seen = 0
    for target in targets():
        if target.method != "GET":
            continue
        path = world.path(target)
        for who in WHO:
            response = world.client(who).get(path)
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue
            for form in forms_of(path, response.content.decode()):
                route = route_of(form.action)
                assert route is not None, f"{path} has a form sent off the site: {form.action}"
                if route.startswith("admin/"):  # Django's own admin, with its own forms
                    continue
                forms_seen += 1
                sent = set(driven(Target(route, form.method, "")))
                for name in form.fields - IGNORED - sent:
                    missing.add(f"{form.method} /{route} field {name!r} (on {path} as {who})")
    assert forms_seen > 20  # the pages were reached, with their forms
    assert not missing, "form fields the fuzzer does not send: add them to DRIVEN:\n" + "\n".join(
        sorted(missing)
    )
