"""Screenshots of a running dashboard (for the README and for looking at every screen).

Usage: .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [out-dir]
Signs in with the demo user that `make run` prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = [
    ("services", "/"),
    ("sessions", "/sessions/"),
    ("sessions-filtered", "/sessions/?range=30d&status=failed&country=GB"),
    ("sessions-bad-input", "/sessions/?range=custom&date_from=2025-13-01&phone=%3Cscript%3E"),
    ("audit", "/audit/"),
    ("audit-bad-input", "/audit/?date_from=2025-13-01&action=%3Cscript%3E"),
    ("clients-feed", "/clients/feed/"),
    ("clients-feed-rapid", "/clients/feed/?rapid=1&date_from="),
    ("clients-feed-bad-input", "/clients/feed/?date_from=2025-13-01&client=%3Cscript%3E"),
]
# Also at a phone's width (390 px).
NARROW = [("clients-feed", "/clients/feed/")]


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base + "/accounts/login/")
        page.screenshot(path=str(out / "login.png"))
        page.get_by_label("Username").fill("demo")
        page.get_by_label("Password").fill("demo-sandbox-only")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        for name, path in PAGES:
            page.goto(base + path)
            page.screenshot(path=str(out / f"{name}.png"))
            print(out / f"{name}.png")
        page.set_viewport_size({"width": 390, "height": 844})
        for name, path in NARROW:
            page.goto(base + path)
            page.screenshot(path=str(out / f"{name}-390.png"))
            print(out / f"{name}-390.png")
        browser.close()


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000",
        Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/screens"),
    )
