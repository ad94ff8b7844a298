"""/csp-report/: browsers' Content-Security-Policy violation reports, logged and not stored.

The two report-uri bodies below are what Chromium (Debian's chromium, driven by Playwright)
posted for a page served with `script-src 'self'; report-uri /csp-report/` holding an inline
script and a script from another host, at /sessions/?phone=%2B447911123456. The report-to
body follows the Reporting API's format (Chromium batched none within two minutes there).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from dashboard.csp_reports import MAX_REPORTS_PER_REQUEST

pytestmark = pytest.mark.django_db

URL = "/csp-report/"
PHONE = "447911123456"
CHROMIUM_INLINE = (
    '{"csp-report":{"document-uri":"http://localhost:36809/sessions/?phone=%2B447911123456",'
    '"referrer":"","violated-directive":"script-src-elem","effective-directive":'
    '"script-src-elem","original-policy":"default-src \'self\'; script-src \'self\'; '
    'report-uri /csp-report/","disposition":"enforce","blocked-uri":"inline","line-number":1,'
    '"column-number":29,"source-file":"http://localhost:36809/sessions/","status-code":200,'
    '"script-sample":""}}'
)
CHROMIUM_OTHER_HOST = (
    '{"csp-report":{"document-uri":"http://localhost:36809/sessions/?phone=%2B447911123456",'
    '"referrer":"","violated-directive":"script-src-elem","effective-directive":'
    '"script-src-elem","original-policy":"default-src \'self\'; script-src \'self\'; '
    'report-uri /csp-report/","disposition":"enforce",'
    '"blocked-uri":"https://evil.example/x.js?phone=447911123456","status-code":200,'
    '"script-sample":""}}'
)
# The Reporting API's format (report-to): a list of reports, each with its body.
REPORTS_JSON = json.dumps(
    [
        {
            "age": 53,
            "body": {
                "blockedURL": "https://evil.example/x.js?phone=447911123456",
                "disposition": "enforce",
                "documentURL": "https://dash.example/sessions/?phone=%2B447911123456#top",
                "effectiveDirective": "script-src-elem",
                "originalPolicy": "default-src 'self'; report-to csp-endpoint",
                "referrer": "",
                "sample": "",
                "statusCode": 200,
            },
            "type": "csp-violation",
            "url": "https://dash.example/sessions/?phone=%2B447911123456",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0",
        }
    ]
)


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def post(body: str | bytes, content_type: str = "application/csp-report", address="192.0.2.7"):
    # enforce_csrf_checks: browsers send no CSRF token with a report.
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    return client.post(URL, body, content_type=content_type)


def logged(caplog) -> list[dict[str, Any]]:
    """The CSP lines logged, each as its fields (the message and every extra)."""
    return [
        vars(r) | {"message": r.getMessage()} for r in caplog.records if r.name == "dashboard.csp"
    ]


def test_a_chromium_report_uri_body_is_logged_as_one_structured_line(caplog):
    caplog.set_level(logging.INFO)
    response = post(CHROMIUM_INLINE)
    assert response.status_code == 204
    [line] = logged(caplog)
    assert line["message"] == "csp violation"
    assert line["csp_directive"] == "script-src-elem"
    assert line["csp_blocked_uri"] == "inline"
    assert line["csp_document"] == "http://localhost:36809/sessions/"
    assert line["csp_source"] == "http://localhost:36809/sessions/"
    assert line["csp_line"] == "1"
    assert line["csp_disposition"] == "enforce"


def test_no_query_string_is_logged_the_phone_number_stays_out(caplog):
    caplog.set_level(logging.INFO)
    assert post(CHROMIUM_OTHER_HOST).status_code == 204
    assert post(REPORTS_JSON, "application/reports+json").status_code == 204
    lines = logged(caplog)
    assert len(lines) == 2
    assert all(line["csp_blocked_uri"] == "https://evil.example/x.js" for line in lines)
    assert all(PHONE not in str(line) for line in lines)


def test_a_reporting_api_body_is_logged(caplog):
    caplog.set_level(logging.INFO)
    assert post(REPORTS_JSON, "application/reports+json").status_code == 204
    [line] = logged(caplog)
    assert (line["csp_directive"], line["csp_document"]) == (
        "script-src-elem",
        "https://dash.example/sessions/",
    )


def test_one_request_logs_a_bounded_number_of_reports(caplog):
    caplog.set_level(logging.INFO)
    one = json.loads(REPORTS_JSON)[0]
    one["body"]["originalPolicy"] = ""
    many = json.dumps(
        [{"type": "csp-violation", "body": one["body"]}] * (MAX_REPORTS_PER_REQUEST + 5)
    )
    assert post(many, "application/reports+json").status_code == 204
    assert len(logged(caplog)) == MAX_REPORTS_PER_REQUEST


def test_long_fields_are_cut_short(caplog):
    caplog.set_level(logging.INFO)
    report = json.loads(CHROMIUM_INLINE)
    report["csp-report"]["effective-directive"] = "x" * 5000
    report["csp-report"]["blocked-uri"] = "https://evil.example/" + "a" * 5000
    assert post(json.dumps(report)).status_code == 204
    [line] = logged(caplog)
    assert len(line["csp_directive"]) == 200
    assert len(line["csp_blocked_uri"]) == 200


def test_a_body_over_16_kb_is_refused_unread(caplog):
    caplog.set_level(logging.INFO)
    report = json.loads(CHROMIUM_INLINE)
    report["csp-report"]["original-policy"] = "p" * (16 * 1024)
    assert post(json.dumps(report)).status_code == 413
    assert logged(caplog) == []


def test_a_body_without_a_length_is_still_cut_at_16_kb():
    from io import BytesIO

    from django.test import RequestFactory

    from dashboard.csp_reports import csp_report

    body = CHROMIUM_INLINE.replace('"referrer":""', '"referrer":"' + "r" * 20000 + '"')
    request = RequestFactory().post(URL, body, content_type="application/csp-report")
    request.META.pop("CONTENT_LENGTH")
    request._stream = BytesIO(body.encode())  # as a chunked upload: no declared length
    request.user = None  # type: ignore[assignment]
    assert csp_report(request).status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00garbage",
        b"null",
        b"42",
        b'"csp-report"',
        b"[]",
        b'{"csp-report": "inline"}',
        b'{"csp-report": []}',
        b'[{"type": "csp-violation", "body": "x"}]',
        b'[{"type": "deprecation", "body": {}}]',
        b"[" * 5000 + b"]" * 5000,
        b'{"csp-report": {"document-uri": "http://[::1", "blocked-uri": {"a": 1}}}',
    ],
)
def test_garbage_is_refused_never_a_server_error(body):
    status = post(body).status_code
    # 415 for the empty body: the test client sends no Content-Type without a body.
    assert status in (204, 400, 415), status


def test_garbage_fields_are_logged_empty_not_raised(caplog):
    caplog.set_level(logging.INFO)
    body = (
        b'{"csp-report": {"document-uri": "http://[::1", "blocked-uri": {"a": 1},'
        b' "line-number": "x"}}'
    )
    assert post(body).status_code == 204
    [line] = logged(caplog)
    assert (line["csp_document"], line["csp_blocked_uri"], line["csp_line"]) == ("", "", "")


def test_another_content_type_is_refused():
    assert post(CHROMIUM_INLINE, "text/plain").status_code == 415
    assert post("a=b", "application/x-www-form-urlencoded").status_code == 415


def test_get_is_not_allowed():
    assert Client().get(URL).status_code == 405


def test_reports_are_rate_limited_per_client_address(settings):
    settings.CSP_REPORTS_PER_MINUTE = 3
    assert [post(CHROMIUM_INLINE).status_code for _ in range(4)] == [204, 204, 204, 429]
    assert post(CHROMIUM_INLINE, address="198.51.100.1").status_code == 204


def test_nothing_is_stored(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert post(CHROMIUM_INLINE).status_code == 204


def test_pages_name_the_endpoint_in_their_policy():
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "report-uri /csp-report/" in policy
    assert "report-to csp-endpoint" in policy
    assert response["Reporting-Endpoints"] == 'csp-endpoint="/csp-report/"'


def test_with_reports_off_the_endpoint_is_gone_and_not_declared(settings):
    settings.CSP_REPORTS = False
    assert post(CHROMIUM_INLINE).status_code == 404
    assert "Reporting-Endpoints" not in Client().get("/accounts/login/").headers
