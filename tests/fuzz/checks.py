"""What every fuzzed response must be: no server error, no markup reflected unescaped, no
redirect off the site, a sane Content-Type."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.http import HttpResponse

from tests.fuzz.values import MARKER

# The marker as markup or an attribute break, which escaping would have turned into
# &lt;fz-7q / &quot; onmouseover=&quot;fz-7q / &#x27;.
UNESCAPED = re.compile(
    rf"<{MARKER}|<svg/onload={MARKER}|[\"'] ?on\w+=[\"']?{MARKER}|href=[\"']?javascript:{MARKER}",
    re.IGNORECASE,
)
CONTENT_TYPES = ("text/html", "text/csv", "application/json", "text/plain")
REDIRECT_HEADERS = ("Location", "HX-Redirect", "HX-Location")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")


def off_site(target: str) -> bool:
    """True when a browser would leave the site (or run script) following ``target``."""
    bare = _INVISIBLE.sub("", target).replace("\\", "/")
    parts = urlsplit(bare)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return True
    if parts.netloc and parts.netloc.lower() not in ("testserver", "localhost"):
        return True
    return bool(parts.scheme and not parts.netloc)  # "http:evil.example"


def problems(response: HttpResponse) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(CONTENT_TYPES):
        found.append(f"Content-Type {content_type!r}")
    for header in REDIRECT_HEADERS:
        if header in response and off_site(response[header]):
            found.append(f"{header} leaves the site: {response[header]!r}")
    if content_type.startswith("text/html") and not getattr(response, "streaming", False):
        body = response.content.decode(errors="replace")
        if match := UNESCAPED.search(body):
            start = max(match.start() - 80, 0)
            found.append(f"markup reflected unescaped: …{body[start : match.end() + 40]!r}…")
    return found
