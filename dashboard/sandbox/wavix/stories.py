"""One generated verification's life: its events, final status, charge and counters.

Plain Python (no Django, no I/O) so the seed can make a million of these in seconds. A story
is always drawn in full and then cut at "now", so the random stream it consumes does not
depend on the clock: the same seed gives the same stories whatever the anchor time.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from dashboard.sandbox.models import CODE_LIFETIME_SECONDS, MAX_CHECKS, MAX_SENDS
from dashboard.sandbox.wavix.events import CHECK, LOOKUP, SEND_KIND, Event
from dashboard.sandbox.wavix.pricing import LOOKUP_E4, VERIFIED_E4, send_charge_e4

LIFETIME_MS = CODE_LIFETIME_SECONDS * 1000
TOO_MANY_SENDS = "Maximum number of codes sent"
TOO_MANY_CHECKS = "Maximum number of checks"


class Story(NamedTuple):
    status: str
    charge_e4: int
    code: str
    code_sent_ms: int
    checks_used: int
    sends_used: int
    events: list[Event]
    end_ms: int  # when the outcome is reached (for expiry: when the last code expires)


def _between(rng: random.Random, low: int, high: int) -> int:
    # random.randint is several times slower, and the seed calls this millions of times.
    return low + int(rng.random() * (high - low + 1))


def _sms_status(rng: random.Random) -> str:
    r = rng.random()
    return (
        "delivered" if r < 0.93 else "success" if r < 0.96 else "failed" if r < 0.99 else "pending"
    )


def _send(rng: random.Random, events: list[Event], at: int, channel: str, country: str) -> None:
    status = (
        _sms_status(rng) if channel == "sms" else ("success" if rng.random() < 0.95 else "failed")
    )
    events.append((at, SEND_KIND[channel], status, send_charge_e4(country, channel), None))


def _checks(rng: random.Random, events: list[Event], at: int, wrong: int, right: bool) -> int:
    for _ in range(wrong):
        events.append((at, CHECK, "failed", 0, "Invalid code"))
        at += _between(rng, 5_000, 30_000)
    if right:
        events.append((at, CHECK, "success", VERIFIED_E4, None))
    return at


def normal_story(
    rng: random.Random, t0: int, country: str, validation: bool, code_length: int
) -> Story:
    """An ordinary verification started at ``t0`` (epoch ms), told to its end."""
    r = rng.random()
    outcome = (
        "verified" if r < 0.82 else "expired" if r < 0.93 else "failed" if r < 0.96 else "canceled"
    )
    events: list[Event] = []
    if validation:
        events.append((t0, LOOKUP, "success", LOOKUP_E4, None))
    r = rng.random()
    sends = 1 if r < 0.86 else 2 if r < 0.97 else 3
    by_sends = outcome == "failed" and rng.random() < 0.3
    if by_sends:
        sends = MAX_SENDS
    at = t0 + _between(rng, 150, 900)
    for index in range(sends):
        if index:
            at += _between(rng, 20_000, 50_000) if by_sends else _between(rng, 30_000, 150_000)
        first = index == 0
        channel = "sms" if rng.random() < (0.92 if first else 0.6) else "voice"
        _send(rng, events, at, channel, country)
    last_send = at
    at += _between(rng, 8_000, 90_000)
    end = at
    if outcome == "verified":
        r = rng.random()
        end = _checks(rng, events, at, 0 if r < 0.88 else 1 if r < 0.97 else 2, right=True)
    elif outcome == "expired":
        r = rng.random()
        _checks(rng, events, at, 0 if r < 0.7 else 1 if r < 0.9 else 2, right=False)
        end = last_send + LIFETIME_MS
    elif by_sends:
        events.append((at, SEND_KIND["sms"], "failed", 0, TOO_MANY_SENDS))
        end = at
    elif outcome == "failed":
        end = _checks(rng, events, at, MAX_CHECKS, right=False)
        events.append((end, CHECK, "failed", 0, TOO_MANY_CHECKS))
    else:  # canceled by the application, maybe after a wrong code
        end = _checks(rng, events, at, 1 if rng.random() < 0.3 else 0, right=False)
        end += _between(rng, 2_000, 60_000)
    code = f"{int(rng.random() * 10**code_length):0{code_length}d}"
    return _finish(outcome, events, code, end)


def pumping_story(rng: random.Random, t0: int, country: str, code_length: int) -> Story:
    """A bot-driven verification: SMS only, resends, almost never a check."""
    events: list[Event] = []
    at = t0 + _between(rng, 150, 900)
    r = rng.random()
    for index in range(1 if r < 0.6 else 2 if r < 0.9 else 3):
        if index:
            at += _between(rng, 15_000, 60_000)
        s = rng.random()
        status = "delivered" if s < 0.7 else "pending" if s < 0.9 else "failed"
        events.append((at, SEND_KIND["sms"], status, send_charge_e4(country, "sms"), None))
    outcome = "verified" if rng.random() < 0.02 else "expired"
    if outcome == "verified":
        end = _checks(rng, events, at + _between(rng, 10_000, 60_000), 0, right=True)
    else:
        end = at + LIFETIME_MS
    code = f"{int(rng.random() * 10**code_length):0{code_length}d}"
    return _finish(outcome, events, code, end)


def _finish(outcome: str, events: list[Event], code: str, end: int) -> Story:
    sends = [e for e in events if e[1] in ("S", "V") and e[4] != TOO_MANY_SENDS]
    checks = [e for e in events if e[1] == CHECK and e[4] != TOO_MANY_CHECKS]
    return Story(
        status=outcome,
        charge_e4=sum(e[3] for e in events),
        code=code,
        code_sent_ms=sends[-1][0],
        checks_used=len(checks),
        sends_used=len(sends),
        events=events,
        end_ms=end,
    )


def cut_at(story: Story, now: int) -> Story:
    """The story as seen at ``now``: a verification still under way is pending.

    Needs the first send to be in the past (the seed starts sessions at least a second ago).
    """
    if story.end_ms <= now:
        return story
    events = [e for e in story.events if e[0] <= now]
    return _finish("pending", events, story.code, story.end_ms)
