"""The client's address behind TRUSTED_PROXY_COUNT proxies (audit trail and throttling)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from dashboard.client_address import client_ip


def request_from(remote: str, forwarded: str | None = None, **headers: Any):
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_proxies_the_forwarding_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_one_proxy_the_rightmost_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "6.6.6.6" itself; the proxy appended the address it saw.
    assert client_ip(request_from("10.0.0.2", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2")
    assert client_ip(request) == "203.0.113.9"


def test_fewer_entries_than_proxies_take_the_leftmost(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.3", "203.0.113.9")) == "203.0.113.9"


def test_no_header_behind_a_proxy_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


def test_the_header_is_configurable(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    request = request_from("10.0.0.2", "6.6.6.6", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("unknown", "10.0.0.2"),  # not an address: the proxy's own
    ],
)
def test_ports_are_dropped_and_addresses_made_canonical(settings, entry, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", entry)) == expected


def test_neither_an_address_gives_an_empty_string(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("not-an-address")) == ""
