"""Shared fixtures: the sandbox served over a real socket by a separate process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from dashboard.audit import triggers
from dashboard.sandbox import credentials

# The fault matrix's and the fuzzer's summaries, printed at the end of any run that includes
# them (hooks here, so that the xdist controller, which collects nothing, has them too).
from tests.faults import summary as fault_summary
from tests.fuzz import summary as fuzz_summary

# Django's flush empties every table between transactional tests, the append-only audit
# table too: test connections start in the triggers' maintenance mode, and tests/audit
# switch it off where they test the triggers.
triggers.maintenance_by_default()

ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"sandbox listening on (http://\S+)")
STARTUP_TIMEOUT = 60.0


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    fault_summary.pytest_runtest_logreport(report)
    fuzz_summary.pytest_runtest_logreport(report)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    fault_summary.pytest_terminal_summary(terminalreporter)
    fuzz_summary.pytest_terminal_summary(terminalreporter)


@dataclass
class SandboxServer:
    """A running ``sandbox_serve`` and helpers to steer it through /sandbox/_control/."""

    origin: str
    log_dir: Path
    _control: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._control = httpx.Client(
            base_url=self.control_url,
            headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
            timeout=10,
        )

    @property
    def wavix_url(self) -> str:
        return self.origin + credentials.WAVIX_PREFIX

    @property
    def b2core_url(self) -> str:
        return self.origin + credentials.B2CORE_PREFIX

    @property
    def control_url(self) -> str:
        return self.origin + credentials.CONTROL_PREFIX

    def _ok(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    def set_fault(self, kind: str, path_contains: str = "", times: int = 0) -> dict[str, Any]:
        """Store a fault rule; ``times=0`` keeps it until cleared."""
        body = {"kind": kind, "path_contains": path_contains, "times": times}
        result: dict[str, Any] = self._ok(self._control.post("/faults", json=body))
        return result

    def clear_faults(self) -> None:
        self._ok(self._control.delete("/faults"))

    def set_clock(self, offset_seconds: float) -> None:
        self._ok(self._control.post("/clock", json={"offset_seconds": offset_seconds}))

    def outbox(self, session_id: str) -> dict[str, Any]:
        """The latest code sent for a session (and ``all_codes``)."""
        result: dict[str, Any] = self._ok(
            self._control.get("/outbox", params={"session_id": session_id})
        )
        return result

    def calls(self, path_contains: str = "") -> list[dict[str, Any]]:
        """The write calls the sandbox received (faulted ones too) on matching paths."""
        result: list[dict[str, Any]] = self._ok(
            self._control.get("/calls", params={"path_contains": path_contains})
        )
        return result

    def reset(self) -> None:
        """Clear faults, the clock offset and the log of calls received."""
        self._ok(self._control.post("/reset"))

    def wavix(self, api_key: str = credentials.WAVIX_API_KEY) -> httpx.Client:
        return httpx.Client(
            base_url=self.wavix_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10
        )

    def close(self) -> None:
        self._control.close()


def _wait_for_origin(process: subprocess.Popen[bytes], stdout: Path, stderr: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if match := LISTENING.search(stdout.read_text(errors="replace")):
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    tail = stderr.read_text(errors="replace")[-3000:]
    pytest.fail(f"sandbox_serve did not start (exit {process.poll()}):\n{tail}")


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """``sandbox_serve`` on a free port with its own small seeded database, for the session."""
    var_dir = tmp_path_factory.mktemp("sandbox-server")
    env = {
        **os.environ,
        "DASHBOARD_VAR_DIR": str(var_dir),
        "SANDBOX_DATABASE_URL": f"sqlite:///{var_dir / 'sandbox.sqlite3'}",
    }
    env.pop("SANDBOX_FAULTS", None)  # faults come from the tests, per call or per rule
    stdout, stderr = var_dir / "stdout.log", var_dir / "stderr.log"
    command = [
        sys.executable, str(ROOT / "manage.py"), "sandbox_serve", "--port", "0", "--migrate",
        "--seed-if-empty", "--sessions", "2000", "--clients", "40", "--seed", "7",
    ]  # fmt: skip
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
    server = None
    try:
        server = SandboxServer(_wait_for_origin(process, stdout, stderr), var_dir)
        yield server
    finally:
        if server is not None:
            server.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """The shared server with no faults and a true clock before and after the test."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture(autouse=True)
def _operator_2fa_optional(settings):
    """Tests sign operators in with force_login or the password form and stand for operators
    past the whole sign-in: the second factor is not asked of them here, though many tests
    point the dashboard at a "real" provider (which makes the production default, "auto",
    require it). The tests of the second factor itself set OPERATOR_2FA back to "auto"
    (the production_2fa fixture, tests/accounts/conftest.py), and a test checks that "auto"
    is what an unset environment gives (tests/accounts/test_sign_in_settings.py)."""
    settings.OPERATOR_2FA = "optional"
