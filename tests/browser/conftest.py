"""Browser tests: the real portal served on a free local port, driven by Debian's Chromium.

- `live_server`: the base URL of the portal running in a background thread (one per session),
  serving `live_app`.
- `browser`: Debian's Chromium launched through Playwright (Playwright's own browsers cannot be
  downloaded here: never run `playwright install`).
- `browser_page`: a fresh page (its own context: cookies, viewport) for one test; the
  console errors, HTTP errors and page errors it meets are kept in `page.problems`.
- `axe_check(page)`, in tests/browser/axe.py, fails on any axe violation.

Without /usr/bin/chromium the browser tests are skipped on a workstation, but fail in CI
(CI set to a true value): a browser test must never pass silently in CI.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    # Debian's launcher should add this when /dev/shm is small (containers: 64 MB), but its
    # test breaks when findmnt prints more than one line; Chromium then crashes on big pages.
    "--disable-dev-shm-usage",
]
# Wait at most this long for a page, a selector or an evaluate (milliseconds).
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app behind `live_server`, on its own migrated SQLite file.

    A SQLite file even when TEST_DATABASE_URL points at PostgreSQL: the browser tests check
    what pages render and how they behave; the database layer is tested by the rest of the
    suite on both engines. A file, not sqlite://, because the server answers from threads.
    A test that needs data seeds it through `live_app.extensions["database"]` (the engine).
    """
    from portal import create_app
    from portal.commands.database import upgrade

    if not (ROOT / "static" / "dsfr" / "dsfr.min.css").exists():
        pytest.fail("static/dsfr is missing: run `make assets` first (the pages load DSFR).")
    url = f"sqlite:///{tmp_path_factory.mktemp('browser')}/browser.sqlite3"
    upgrade(url)
    app = create_app("test", DATABASE_URL=url)
    yield app
    app.extensions["database"].dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The portal served by werkzeug on 127.0.0.1:<free port>, in a thread; yields its URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed: apt-get install chromium"
        if in_ci():
            pytest.fail(f"{message} (CI is set: browser tests may not be skipped)")
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A page in a fresh context, with `base_url` set to the live server.

    `page.problems` lists what went wrong so far: console errors (CSP violations among
    them), responses with an HTTP error status, uncaught exceptions. A test can assert it is
    empty.
    """
    context = browser.new_context(base_url=live_server, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def on_response(response) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.problems = problems  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()
