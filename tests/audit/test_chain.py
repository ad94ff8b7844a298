from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from dashboard.audit.chain import GENESIS, Content, canonical, utc_text

HOSTILE = [
    "",
    "plain",
    'quo"te\\back',
    "new\nline\ttab\x01",
    "é ü 中文 🙂",
    "\u2028\u2029",
    "</script>",
]


def reference(content: Content, prev_hash: str) -> bytes:
    """The definition in chain.py's docstring, written the obvious way."""
    document = {
        "v": 1,
        "prev": prev_hash,
        "time": content.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": content.actor_username,
        "ip": content.client_ip,
        "action": content.action,
        "targets": list(content.targets),
        "reason": content.reason,
        "outcome": content.outcome,
        "message": content.provider_message,
        "request_id": content.request_id,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("text", HOSTILE)
def test_canonical_form_is_sorted_compact_utf8_json(text):
    moment = dt.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    content = Content(
        moment, text, "2001:db8::1", "cancel", [text, "s2"], text, "failed", text, text
    )
    assert canonical(content, GENESIS) == reference(content, GENESIS)


def test_time_is_utc_with_six_fraction_digits_whatever_the_zone():
    moment = dt.datetime(2026, 7, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert utc_text(moment) == "2026-07-01T06:30:00.000000Z"
