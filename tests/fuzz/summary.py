"""The fuzz run's summary, printed at the end of the run: routes × roles, examples, failures.

Hooks for tests/conftest.py (loaded in the xdist controller too): each fuzz test leaves a
``fuzz`` user property on its report, which reaches the controller.
"""

from __future__ import annotations

from typing import Any

import pytest

_records: list[dict[str, Any]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name == "fuzz" and isinstance(value, dict):
            _records.append({**value, "passed": report.passed})


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _records:
        return
    records = sorted(_records, key=lambda r: (r["route"], r["method"]))
    write = terminalreporter.write_line
    terminalreporter.section("fuzz: every page and action × every role")
    width = max(len(r["method"] + r["route"]) for r in records) + 3
    write("route".ljust(width) + "examples".rjust(9) + "requests".rjust(9) + "  statuses")
    for r in records:
        statuses = " ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items()))
        mark = "" if r["passed"] else "  FAIL"
        write(
            f"{r['method']} /{r['route']}".ljust(width)
            + f"{r['examples']:>9}{r['requests']:>9}  {statuses}{mark}"
        )
    failed = [r for r in records if not r["passed"]]
    roles = len(records[0]["roles"])
    write(
        f"{len(records)} routes×methods × {roles} roles; {sum(r['examples'] for r in records)} "
        f"examples, {sum(r['requests'] for r in records)} requests; {len(failed)} failed"
        f" (profile {records[0]['profile']})"
    )
    for r in failed:
        write(f"FAILED {r['method']} /{r['route']}: {r.get('problem', '')}")
