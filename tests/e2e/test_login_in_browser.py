"""A real browser keeps the __Host- cookies and the CSRF check passes; the lockout page is clean.

live_server speaks plain http on localhost, which Chromium treats as secure enough for Secure
and __Host- cookies: the forms of the other browser tests rely on that too.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, assert_fits_a_phone, shoot
from tests.e2e.test_workspace_in_browser import log_in, screens  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"  # the staff persona's, see tests/conftest.py


def _log_in(page, password):
    page.goto(page.base_url + "/admin/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", password)
    page.click("input[type=submit]")


@pytest.mark.usefixtures("screens")  # alice, a coordinator, and some screens
def test_a_coordinator_logs_in_with_host_prefixed_cookies(open_page):
    page = open_page(None)
    log_in(page)  # password and code, on the workspace's own pages
    assert page.url.endswith("/coordinator/")
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        assert cookies[name]["secure"] and cookies[name]["httpOnly"], name


def test_the_lockout_page_shows_in_the_browser(open_page, staff):
    page = open_page(None)
    for _ in range(5):
        _log_in(page, "wrong password")
    _log_in(page, PASSWORD)
    expect(page.get_by_role("heading", name="Too many login attempts")).to_be_visible()
    shoot(page, "locked-out")
    # The browser reports each 429 as a failed load; that is the point here, and nothing else.
    errors = page.watch.console_errors
    assert errors and all("status of 429" in error for error in errors), errors
    errors.clear()


def test_the_password_reset_throttle_page_shows_in_the_browser(open_page, settings):
    settings.PASSWORD_RESET_RATE_PER_CLIENT = "1/h"
    page = open_page("/coordinator/password-reset/", width=PHONE)
    for _ in range(2):
        page.get_by_label("Email").fill("someone@example.org")
        with page.expect_navigation():
            page.get_by_role("button", name="Send the link").click()
        if page.url.endswith("/sent/"):
            page.goto(page.base_url + "/coordinator/password-reset/")
    expect(page.get_by_role("heading", name="Too many password resets")).to_be_visible()
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "password-reset-throttled")
    errors = page.watch.console_errors
    assert errors and all("status of 429" in error for error in errors), errors
    errors.clear()
