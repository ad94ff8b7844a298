from __future__ import annotations

from django.template import Context, Template

CHOICES = [("GB", "United Kingdom"), ("FR", "France"), ("X<", 'Bad "label" <b>')]


def render(selected: object) -> str:
    template = Template("{% load options %}{% options choices selected %}")
    return template.render(Context({"choices": CHOICES, "selected": selected}))


def test_options_mark_every_selected_value():
    html = render(["GB", "FR"])

    assert '<option value="GB" selected>United Kingdom</option>' in html
    assert '<option value="FR" selected>France</option>' in html


def test_options_with_a_single_selected_string_select_only_that_value():
    html = render("FR")

    assert '<option value="GB">United Kingdom</option>' in html
    assert '<option value="FR" selected>France</option>' in html


def test_options_with_nothing_selected_select_nothing():
    assert "selected" not in render(None)


def test_options_escape_values_and_labels():
    html = render([])

    assert '<option value="X&lt;">Bad &quot;label&quot; &lt;b&gt;</option>' in html
    assert "<b>" not in html
