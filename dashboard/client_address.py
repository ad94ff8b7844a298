"""The client's address, by one rule for the audit trail and for sign-in throttling.

Without proxies (TRUSTED_PROXY_COUNT=0) it is REMOTE_ADDR and any forwarding header is ignored:
anyone can send one. Behind N trusted reverse proxies, each appending the address it was
reached from to CLIENT_IP_HEADER (X-Forwarded-For), the entry the outermost proxy appended,
the N-th from the right, is the client's; entries further left came from the client and
prove nothing. With fewer entries than proxies (a request that came in past the outer ones)
the leftmost entry, which a trusted proxy still wrote, is taken.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str:
    """`text` as a canonical address, without a port a proxy may have added; "" if none."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's address (see the module's docstring); "" when it is not an address."""
    count: int = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        header = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        entries = [entry for entry in request.META.get(header, "").split(",") if entry.strip()]
        if entries:
            found = _address(entries[-count] if len(entries) >= count else entries[0])
            if found:
                return found
    return _address(request.META.get("REMOTE_ADDR", ""))
