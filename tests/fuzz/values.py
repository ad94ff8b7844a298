"""hypothesis strategies for hostile values, and valid-looking ones to reach deeper code.

Markup carries MARKER, so a reflection left unescaped is found in the body (checks.py).
"""

from __future__ import annotations

import base64
import json

from hypothesis import strategies as st

from tests.faults import canned

MARKER = "fz-7q"
MARKUP = (
    f"<{MARKER}>",
    f'"><svg/onload={MARKER}>',
    f"'><{MARKER} x='",
    f'" onmouseover="{MARKER}',
    f"javascript:{MARKER}()",
    f"</script><{MARKER}>",
    f"<!--<{MARKER}>-->",
    "'",
    '"',
    "\\",
    "%",
    "%00",
)
UNICODE = (
    "\u202e\u0647\u0630\u0627",  # right-to-left override, Arabic
    "😀🏳️‍🌈",
    "e\u0301\u0301\u0301",  # combining accents
    "\ufeff\u200b",  # zero-width
    "\ud7ff\uffff",
    "Ω≈ç√",
)
CONTROL = ("\x00", "a\x00b", "\x01\x07\x1b[31m", "\r\nSet-Cookie: fz=1", "\t", "\x7f")
DATES = (
    "2026-11-30",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "2026-13-01",
    "30/11/2026",
    "2026-11-30T25:61:61",
    "2026-11-30T10:00",
    "2026-11-30 10:00:00+99:00",
    "-1",
    "now",
)
NUMBERS = (
    "0",
    "-1",
    "1e309",
    "NaN",
    "-Infinity",
    "1.5",
    "99999999999999999999999999",
    "-99999999999999999999",
    "0x10",
    "1_000",
)
VALID = (
    canned.SERVICE,
    canned.SESSION,
    canned.SESSION_B.upper(),
    canned.NEW_SERVICE,
    canned.CLIENT,
    canned.CHANGE,
    "today",
    "7d",
    "30d",
    "custom",
    "pending",
    "verified",
    "GB",
    "US",
    "sms",
    "voice",
    "google",
    "enabled",
    "user_request",
    "created_at",
    "-created_at",
    "447911123456",
    "+44 7911 123456",
    "Europe/London",
    "Etc/GMT+5",
    "success",
    "disabled",
    "/sessions/?range=today",
    "range=today&status=pending",
    "1",
    "on",
)
ZONES = ("Etc/GMT+5", "Etc/GMT-14", "+05:00", "UTC+5", "Europe/London", "../../etc/passwd")
REDIRECTS = (
    "//evil.example/",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "http:evil.example",
    "/%2F%2Fevil.example",
    "/sessions/",
)


def _cursor(payload: object) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = st.one_of(
    st.builds(_cursor, st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()))),
    st.builds(_cursor, st.dictionaries(st.text(max_size=3), st.integers(), max_size=3)),
    st.sampled_from(("!!!", "=", "e30", "bnVsbA", "W10", "WyIiLCIiXQ")),
    st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()),
)

ATOMS = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(UNICODE),
    st.sampled_from(CONTROL),
    st.sampled_from(DATES),
    st.sampled_from(NUMBERS),
    st.sampled_from(VALID),
    st.sampled_from(ZONES),
    st.sampled_from(REDIRECTS),
    st.just(""),
    st.just("x" * 10_000),
    st.just(f"<{MARKER}>" * 1_500),
    CURSORS,
    st.text(max_size=30),
)
# A value: one atom, or two glued together (markup inside a date, a valid ID then a NUL).
VALUE = st.one_of(ATOMS, st.tuples(ATOMS, ATOMS).map("".join))
# A parameter sent once, or repeated (a list), or not at all.
VALUES = st.one_of(st.lists(VALUE, min_size=1, max_size=1), st.lists(VALUE, min_size=2, max_size=3))


@st.composite
def params(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, list[str]]:
    """Some of the names, each with one or more values, and now and then an unknown name."""
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    data = {name: draw(VALUES) for name in chosen}
    if draw(st.booleans()):
        data[draw(st.sampled_from(("fz", f"<{MARKER}>", "range[]", "")))] = draw(VALUES)
    return data


HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.sampled_from(("true", "false", f"<{MARKER}>")),
        "X-Poll": st.sampled_from(("1", "3", "-1", "99999999999999999999", "x", "")),
        "HX-Current-URL": st.sampled_from(REDIRECTS),
    },
)
