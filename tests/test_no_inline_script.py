"""Templates carry no inline JavaScript, so a strict Content-Security-Policy
(script-src 'self') breaks nothing: behaviour lives in static/ui.js."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INLINE = re.compile(r"\son[a-z]+\s*=|\shx-on[:-]|<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


def test_no_template_has_inline_script_or_event_handlers():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert found == []
