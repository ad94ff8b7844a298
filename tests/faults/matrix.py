"""The fault matrix's pieces: what each fault must make the page say, how a visit is timed and
read, and the record each combination leaves for the summary (tests/faults/summary.py)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from tests.faults.fault_server import FaultServer

# Timeouts under a slow fault: small, so that the matrix waits little (4 slow faults × 27
# rows, a deadline or two each). Under the other faults nothing is waited for, and healthy
# calls beside a faulted one (a read-back, a page's other reads) must not time out when a
# busy machine stalls the process for a few hundred ms: there, generous ones. Healed, the
# same, so that the seed and the pages read after an action never time out by themselves.
SLOW_FAULTS = frozenset({"connect-timeout", "read-timeout", "headers-dribbled", "body-dribbled"})


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float
    deadline: float


SLOW = Timeouts(connect=0.25, read=0.25, deadline=0.5)
# Under 7 s: a 429's Retry-After (fault_server.RETRY_AFTER) is then never waited for.
GENEROUS = Timeouts(connect=2.0, read=2.0, deadline=4.0)


def timeouts_for(fault: str) -> Timeouts:
    return SLOW if fault in SLOW_FAULTS else GENEROUS


# A call ends at its deadline at the socket; what follows is CPU time, which other processes
# on a busy 2-core machine stretch. Generous on purpose: a hang is 20 s (GIVE_UP_AFTER).
CALL_MARGIN = 1.0
PAGE_MARGIN = 3.0
# A call that took this much of its deadline ran into it (or nearly).
SLOW_CALL_SHARE = 0.8
# Small caps, so that the 50 MB answer meets them wherever it is sent (the sessions list's
# own default, 64 MB, would take it: a day of ~185,000 sessions is that long).
MAX_RESPONSE_BYTES = 1024 * 1024
MAX_SESSIONS_BYTES = 4 * 1024 * 1024

# What the operator must read for each fault: what failed, in the provider's name.
_SAID = {
    "refused": r"Could not connect to {p}",
    "connect-timeout": r"Could not connect to {p} within",
    "read-timeout": r"{p} did not answer within",
    "headers-dribbled": r"{p} did not answer within",
    "body-dribbled": r"{p} did not answer within",
    "500": r"{p} failed on its side \(500\)",
    "502-html": r"{p} failed on its side \(502\)",
    "503": r"{p} failed on its side \(503\)",
    "429": r"{p} is limiting how often we may call it \(429\)",
    "401": r"{p} did not accept our credentials \(401\)",
    # A 403 about one Wavix service marks it rejected; about one B2Core client, restricted.
    "403": r"{p} refused access \(403\)|{p} does not let|{p} refused the dashboard|"
    r"Wavix rejects|may not see this client|restricted to other Back Office tags \(403",
    "malformed-json": r"{p} answered malformed JSON",
    "wrong-types": r"{p} sent .{{1,40}} we cannot read",
    "50mb": r"{p} sent an answer larger than",
}


def expected_message(fault: str, provider: str) -> re.Pattern[str]:
    return re.compile(_SAID[fault].format(p=provider))


def visible_text(body: bytes) -> str:
    """What a reader sees of a page: no tags, no scripts, entities decoded, spaces folded."""
    text = body.decode("utf-8", "replace")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL | re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Visit:
    """One combination's requests: timed while the fault lasts, read after."""

    client: Client
    server: FaultServer
    fault: str
    healer: Callable[[], None]  # the provider answers well from then on
    calls: list[float]  # how long each provider call took, appended as they end
    seconds: float = 0.0  # spent in requests made while the fault lasted
    calls_under_fault: int | None = None  # how many of ``calls`` were made before healing
    statuses: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def heal(self) -> None:
        if self.calls_under_fault is None:
            self.calls_under_fault = len(self.calls)
        self.healer()

    def faulted_calls(self) -> list[float]:
        """The calls made while the fault lasted."""
        return self.calls[: self.calls_under_fault]

    def note(self, label: str, response: Any) -> None:
        self.statuses.append((label, response.status_code))
        if response.status_code >= 500:
            self.problems.append(f"{label} answered {response.status_code}")

    @contextmanager
    def timed(self) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds += time.monotonic() - started

    def get(
        self, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> str:
        """A page under the fault: timed, and its text kept for the message check."""
        with self.timed():
            response = self.client.get(path, params or {}, headers=headers)
        return self.read(f"GET {path}", response)

    def post(self, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> str:
        """An action under the fault, then (the provider healed) the page it leads to."""
        with self.timed():
            response = self.client.post(path, data, headers=headers)
        self.note(f"POST {path}", response)
        return self.follow(response, headers)

    def follow(self, response: Any, headers: dict[str, str] | None = None) -> str:
        if response.status_code not in (301, 302, 303):
            return self.read("the answer", response)
        self.heal()  # the operator reads the outcome on a page that works
        location = response["Location"]
        # htmx follows a redirect itself, with its own headers: the partial of the page.
        return self.read(f"GET {location}", self.client.get(location, headers=headers))

    def read(self, label: str, response: Any) -> str:
        self.note(label, response)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = visible_text(content)
        self.texts.append(text)
        return text

    def run(self, step: Callable[[Visit], object]) -> None:
        try:
            step(self)
        except Exception as exc:
            self.problems.append(f"raised {type(exc).__name__}: {exc}"[:300])


@dataclass(frozen=True)
class Record:
    """One cell of the summary."""

    row: int
    target: str
    fault: str
    seconds: float
    bound: float
    problems: tuple[str, ...]

    def as_property(self) -> tuple[str, dict[str, Any]]:
        return (
            "fault_matrix",
            {
                "row": self.row,
                "target": self.target,
                "fault": self.fault,
                "seconds": round(self.seconds, 3),
                "bound": self.bound,
                "problems": list(self.problems),
            },
        )
