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
    records = sorted(_records, key=lambda r: (r.get("label", ""), r["route"], r["method"]))
    write = terminalreporter.write_line
    terminalreporter.section("fuzz: every page and action × every role")
    for r in records:
        r["name"] = f"{r['method']} /{r['route']}" + (f" [{r['label']}]" if "label" in r else "")
    width = max(len(r["name"]) for r in records) + 2
    write("route".ljust(width) + "examples".rjust(9) + "requests".rjust(9) + "  statuses")
    for r in records:
        statuses = " ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items()))
        mark = "" if r["passed"] else "  FAIL"
        write(r["name"].ljust(width) + f"{r['examples']:>9}{r['requests']:>9}  {statuses}{mark}")
    failed = [r for r in records if not r["passed"]]
    roles = sorted({who for r in records for who in r["roles"]}, key=str)
    write(
        f"{len(records)} routes×methods, as {len(roles)} principals ({', '.join(roles)}); "
        f"{sum(r['examples'] for r in records)} "
        f"examples, {sum(r['requests'] for r in records)} requests; {len(failed)} failed"
        f" (profile {records[0]['profile']})"
    )
    for r in failed:
        write(f"FAILED {r['name']}: {r.get('problem', '')}")
