"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live_server.

Every test fails on a request to another host, on a Content-Security-Policy violation and on a
JavaScript error. Screenshots go to var/screenshots/ (ignored by git) for people to look at.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
PHONE, DESKTOP = 375, 1280

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - make install always installs it
    sync_playwright = None


def _why_not_runnable() -> str | None:
    if sync_playwright is None:
        return "Playwright is not installed (make install installs it)"
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_not_runnable()
    if reason is None:
        return
    e2e = [item for item in items if "tests/e2e/" in str(item.fspath).replace(os.sep, "/")]
    if e2e and os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI must run the browser tests, but: {reason}")
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Watch:
    """What a page did that it must not: foreign requests, console errors, CSP violations."""

    def __init__(self):
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []

    def check(self):
        assert self.foreign_requests == [], "requests to another host"
        assert self.console_errors == [], "console errors or CSP violations"


@pytest.fixture
def open_page(browser, live_server, settings):
    """open_page(path, js=True, width=DESKTOP) -> a Playwright page with the guards on."""
    contexts, watches = [], []

    def _route(route):
        host = urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS:
            route.continue_()
        else:
            watches[-1].foreign_requests.append(route.request.url)
            route.abort()

    def _open(path="/", js=True, width=DESKTOP):
        context = browser.new_context(
            java_script_enabled=js, viewport={"width": width, "height": 900}
        )
        watch = Watch()
        contexts.append(context)
        watches.append(watch)
        context.route("**/*", _route)
        page = context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and watch.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
        page.set_default_timeout(10_000)
        if path is not None:
            page.goto(live_server.url + path)
        page.watch = watch
        page.base_url = live_server.url
        return page

    yield _open
    try:
        for watch in watches:
            watch.check()
    finally:
        for context in contexts:
            context.close()


def shoot(page, name: str):
    """Saves the page at phone and desktop widths, full length, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page):
    """axe-core: no serious or critical violation of WCAG 2.1 A/AA rules (JavaScript on only)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{page.url}: " + "; ".join(bad)


def assert_fits_a_phone(page):
    """At 375px nothing scrolls sideways and every visible control is at least 44px tall."""
    page.wait_for_load_state()  # a click may have only just started the next page
    page.set_viewport_size({"width": PHONE, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page.url} scrolls sideways at {PHONE}px"
    )
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              'button, input:not([type=hidden]), select, textarea, .btn')]
            .filter(el => el.offsetParent !== null)
            // A radio or checkbox is as tall as its row: the label is part of the target.
            .map(el => el.closest('.form-check') || el)
            .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == [], f"{page.url}: controls under 44px tall: {small}"
