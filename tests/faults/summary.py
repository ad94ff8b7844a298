"""The fault matrix's summary, printed at the end of the run: pages × faults, then failures.

Hooks for tests/conftest.py (always loaded, in the xdist controller too): each combination
leaves a ``fault_matrix`` user property on its report, which reaches the controller.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults.fault_server import FAULTS

HEADINGS = {
    "refused": "refuse",
    "connect-timeout": "conn",
    "read-timeout": "read",
    "headers-dribbled": "hdrs",
    "body-dribbled": "body",
    "500": "500",
    "502-html": "502",
    "503": "503",
    "429": "429",
    "401": "401",
    "403": "403",
    "malformed-json": "json",
    "wrong-types": "types",
    "50mb": "50MB",
}
LEGEND = (
    "refuse: connection refused; conn: connect timeout; read: read timeout; hdrs/body: "
    "headers/body dribbled past the deadline; 502: with an HTML body; 429: with Retry-After; "
    "json: malformed JSON; types: wrong types; 50MB: a 50 MB streamed body. "
    "Cells: seconds the faulted request(s) took, or FAIL."
)

_records: list[dict[str, Any]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == "fault_matrix" and isinstance(value, dict):
            _records.append(value)


def table(records: list[dict[str, Any]]) -> list[str]:
    targets = list(dict.fromkeys(r["target"] for r in records))
    cells = {(r["target"], r["fault"]): r for r in records}
    width = max(len(t) for t in targets) + 2
    lines = ["".ljust(width) + "".join(HEADINGS[f].rjust(7) for f in FAULTS)]
    for target in targets:
        row = target.ljust(width)
        for fault in FAULTS:
            record = cells.get((target, fault))
            if record is None:
                cell = "-"
            elif record["problems"]:
                cell = "FAIL"
            else:
                cell = f"{record['seconds']:.2f}"
            row += cell.rjust(7)
        lines.append(row)
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _records:
        return
    records = sorted(_records, key=lambda r: (r["row"], FAULTS.index(r["fault"])))
    failures = [r for r in records if r["problems"]]
    write = terminalreporter.write_line
    terminalreporter.section("fault matrix: provider-backed pages and actions × faults")
    for line in table(records):
        write(line)
    write(LEGEND)
    slowest = max(records, key=lambda r: r["seconds"])
    write(
        f"{len(records)} combinations, {len(failures)} failed; slowest "
        f"{slowest['seconds']:.2f} s ({slowest['target']} × {slowest['fault']}, "
        f"bound {slowest['bound']:.1f} s)"
    )
    for record in failures:
        write(f"FAILED {record['target']} × {record['fault']}: " + "; ".join(record["problems"]))
