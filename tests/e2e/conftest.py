"""Browser tests: Playwright's sync API driving Debian's Chromium against ``live_server``.

One Chromium serves all the tests here (see ``browser``); every test gets
fresh contexts (no cookies, storage or cache shared between tests). No browser is ever downloaded:
Playwright is pointed at /usr/bin/chromium.

Every module here sets ``pytestmark = pytest.mark.e2e``, which lets the root
conftest skip these tests where Chromium is missing.

``live_server`` needs a transactional database, and pytest-django empties it
after every transactional test, data-migration rows included: from the second
browser test on there would be no region to choose at sign-up. pytest-django's
``serialized_rollback`` does restore them, but only while no plain
transactional test has run earlier in the session; after one, restoring fails
on content types that the flush re-created under new ids. So ``_migration_data``
reloads the rows the data migrations provide, through the migrations' own
functions, before each test here.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)

from tests.conftest import CHROMIUM, REQUIRE_SERVICES

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A Peruvian visitor's browser. Django picks the language from Accept-Language
# when no language cookie is set, so pinning the locale keeps "Spanish first"
# deterministic whatever the machine's own locale is.
DEFAULT_LOCALE = "es-PE"
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CSP_MARKER = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)


@dataclass
class BrowserLog:
    """Console errors and uncaught exceptions from every page of a test."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if CSP_MARKER.search(text)]

    def assert_no_csp_violations(self) -> None:
        violations = self.csp_violations()
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)

    def assert_clean(self) -> None:
        """No CSP violation and no uncaught script error."""
        self.assert_no_csp_violations()
        assert not self.page_errors, "Uncaught script errors:\n" + "\n".join(self.page_errors)


@pytest.fixture(autouse=True)
def _e2e_markers(request):
    """Fails a browser test that forgot ``pytestmark = pytest.mark.e2e``."""
    if request.node.get_closest_marker("e2e") is None:
        pytest.fail("tests under tests/e2e must be marked with pytest.mark.e2e")


@pytest.fixture(autouse=True)
def _migration_data(migration_data) -> None:
    """Every browser test starts with the regions and role groups in place."""


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all the tests of this package.

    Package rather than session scope: while Playwright's sync API is alive it
    marks an asyncio loop as running in the main thread, and Django then keeps
    database connections in context-local storage instead of thread-local
    storage. Tests run after this package (pytest-django runs non-database
    tests last) would get fresh connection objects and hit the database where
    they expect none, so Playwright stops as soon as the run leaves tests/e2e.
    pytest-django keeps the transactional tests, all of these among them,
    together, so Chromium still starts once per run.
    """
    # Fixtures of wider scope are set up before the root conftest's autouse
    # skip runs, so repeat its check rather than fail on a missing executable.
    if not CHROMIUM.exists():
        message = f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(f"APORTA_REQUIRE_SERVICES=1 but this test {message}")
        pytest.skip(message)
    # Django refuses ORM calls while an event loop runs in the thread; the tests
    # here use the ORM between browser steps on purpose, never concurrently.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
                # Close the connections opened in the loop's context storage
                # while it is still the one Django sees.
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def new_context(browser, live_server, browser_log) -> Iterator[Callable[..., BrowserContext]]:
    """Makes browser contexts aimed at the live server; all are closed after the test.

    Keyword arguments go to ``Browser.new_context`` (``locale``,
    ``java_script_enabled``, ``viewport``…). Console errors and uncaught
    exceptions of every page land in ``browser_log``.
    """
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", DEFAULT_LOCALE)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", browser_log.on_console)
        context.on("weberror", lambda web_error: browser_log.on_page_error(web_error.error))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture
def sign_in(live_server) -> Callable[[BrowserContext, object], None]:
    """Signs ``user`` in to ``context`` by handing it a session cookie.

    For tests about what a signed-in person sees; the sign-in form itself is
    covered by the journey tests.
    """

    def sign_in_as(context: BrowserContext, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return sign_in_as
