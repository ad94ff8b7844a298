"""The fuzzer's checks catch what they are for (so a passing fuzz run means something)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, HttpResponseRedirect

from tests.fuzz.checks import off_site, problems


def test_a_server_error_is_a_problem():
    assert problems(HttpResponse(status=500)) == ["status 500"]


def test_markup_reflected_raw_is_a_problem_and_escaped_is_not():
    assert problems(HttpResponse("<p><fz-7q></p>"))
    assert problems(HttpResponse('<a title=""><svg/onload=fz-7q>">'))
    assert problems(HttpResponse('<a title="" onmouseover="fz-7q">'))
    assert not problems(HttpResponse("<p>&lt;fz-7q&gt; &quot; onmouseover=&quot;fz-7q</p>"))


def test_a_csv_may_hold_the_marker_as_data():
    assert not problems(HttpResponse("<fz-7q>\n", content_type="text/csv"))


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:x()",
     " javascript:x()", "java\tscript:x()", "http:evil.example"],
)  # fmt: skip
def test_a_redirect_off_the_site_is_a_problem(target):
    assert off_site(target)


@pytest.mark.parametrize("target", ["/", "/sessions/?next=//evil", "http://testserver/x"])
def test_a_redirect_within_the_site_is_not(target):
    assert not off_site(target)


def test_an_htmx_redirect_off_the_site_is_a_problem():
    response = HttpResponse()
    response["HX-Redirect"] = "//evil.example"
    assert problems(response) == ["HX-Redirect leaves the site: '//evil.example'"]


def test_an_odd_content_type_is_a_problem():
    redirect = HttpResponseRedirect("/")
    assert not problems(redirect)
    assert problems(HttpResponse(content_type="application/x-evil"))
