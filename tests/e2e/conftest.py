"""Browser tests: Playwright (sync API) drives Debian's Chromium against the `live_server`.

Environment variables:

- ``HLED_CHROMIUM``: the Chromium binary (default: ``chromium`` or ``chromium-browser`` on PATH).
- ``HLED_REQUIRE_BROWSER=1``: a missing browser fails the tests instead of skipping them (CI).
- ``HLED_ARTIFACTS``: where screenshots are written (default: ``test-artifacts/``).
"""

import os
import re
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from tests.page_types import demo_page_paths

from .helpers import ARTIFACTS

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}


def truthy(name):
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def chromium_executable():
    """The browser to drive: $HLED_CHROMIUM, else Debian's `chromium` on PATH, else None."""
    configured = os.environ.get("HLED_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable(reason):
    """Skip, or fail when the environment says a browser is required (CI)."""
    if truthy("HLED_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (HLED_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so fixtures can save screenshots of failed tests."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for all the browser tests, closed when they are done."""
    executable = chromium_executable()
    if executable is None:
        browser_unavailable("Chromium not found: install Debian's chromium or set HLED_CHROMIUM")
    shutil.rmtree(ARTIFACTS / "failures", ignore_errors=True)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # While Playwright's sync API is open it keeps an asyncio event loop running in this
        # thread, so Django refuses ORM calls here (SynchronousOnlyOperation) although nothing
        # runs concurrently. Django's documented escape hatch switches that check off, for as
        # long as the browser is open only.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Injected by the browser itself (not subject to the page's CSP): every Content-Security-Policy
# violation becomes a console error, which `new_page` records like any other.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber} (${event.documentURI})`);
});
"""


@pytest.fixture
def new_page(browser, live_server, request):
    """Open pages in fresh browser contexts (separate cookies: a new visitor each time).

    Each page records its console errors, uncaught exceptions and Content-Security-Policy
    violations in `page.errors`; a test that leaves any there fails. Pages of a failed test
    are saved as screenshots under test-artifacts/failures/.
    """
    contexts = []
    pages = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and page.errors.append(f"{message.text} ({message.location.get('url')})")
            ),
        )
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed:
        left = [error for page in pages for error in page.errors]
        assert not left, "Console errors or CSP violations:\n" + "\n".join(left)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for number, context in enumerate(contexts):
            for page_number, page in enumerate(context.pages):
                page.screenshot(path=folder / f"{name}-{number}-{page_number}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """An anonymous visitor's page at desktop size."""
    return new_page()


@pytest.fixture
def demo_data(transactional_db):
    """The demo fixture (the initiative's real history), as `make demo` loads it."""
    call_command("loaddata", "hled_demo", "consultations_demo", verbosity=0)


@pytest.fixture
def page_paths(demo_data):
    """The path of each public page type, on the richest demo record of its kind."""
    return demo_page_paths()
