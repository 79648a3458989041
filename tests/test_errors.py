"""Server errors show a plain page with the crisis line; a database outage is a 503."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.conftest import log_in_verified

pytestmark = pytest.mark.django_db

CRISIS_LINE = ("988", "911", "1-800-662-4357")
SECRET = "SELECT secret_column FROM assessments_screen"


@pytest.fixture
def client():
    # Like a real server: an exception becomes the error page instead of failing the test.
    return Client(raise_request_exception=False)


def _assert_plain_page(r):
    for number in CRISIS_LINE:
        assert number in r.text
    assert SECRET not in r.text
    assert "Traceback" not in r.text
    assert "SECRET_KEY" not in r.text


def test_a_server_error_shows_a_plain_page_with_the_crisis_line(client):
    with mock.patch("assessments.views.render", side_effect=RuntimeError(SECRET)):
        r = client.get("/how-it-works/")
    assert r.status_code == 500
    assert "Something went wrong on our side" in r.text
    assert "Retry-After" not in r
    _assert_plain_page(r)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_in_a_view_is_a_503(client, error):
    with mock.patch("assessments.views.render", side_effect=error(SECRET)):
        r = client.get("/how-it-works/")
    assert r.status_code == 503
    assert r["Retry-After"] == "60"
    assert "they were not saved yet" in r.text
    assert "try again in a minute" in r.text
    _assert_plain_page(r)


def test_a_wrapped_database_error_is_a_503(client):
    def fail(*args, **kwargs):
        try:
            raise OperationalError(SECRET)
        except OperationalError as exc:
            raise RuntimeError("while rendering") from exc

    with mock.patch("assessments.views.render", side_effect=fail):
        r = client.get("/how-it-works/")
    assert r.status_code == 503


def test_a_database_error_in_middleware_is_a_503(client, settings):
    # Loading the session happens in middleware, before any view runs.
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError(SECRET),
    ):
        r = client.get("/")
    assert r.status_code == 503
    assert r["Retry-After"] == "60"
    _assert_plain_page(r)


def test_the_error_pages_keep_the_security_headers(client):
    with mock.patch("assessments.views.render", side_effect=OperationalError(SECRET)):
        r = client.get("/how-it-works/")
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"


def test_a_missing_page_is_a_404_in_careguides_look(client):
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    assert "We could not find that page" in r.text
    assert "CareGuide" in r.text
    for number in CRISIS_LINE:
        assert number in r.text


def test_personal_pages_can_forbid_storing_and_nothing_strips_it(client, admin_user):
    # The admin's views use never_cache, as every page with personal data must.
    log_in_verified(client, admin_user)
    r = client.get("/admin/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]


def test_every_page_seen_logged_in_is_not_stored(client, admin_user):
    log_in_verified(client, admin_user)
    r = client.get("/")
    assert "no-store" in r["Cache-Control"]


def test_public_pages_seen_anonymously_are_left_alone(client):
    r = client.get("/")
    assert "no-store" not in r.get("Cache-Control", "")


def test_the_error_pages_keep_the_quick_exit(client):
    with mock.patch("assessments.views.render", side_effect=OperationalError(SECRET)):
        r = client.get("/how-it-works/")
    assert 'href="https://www.weather.gov/" rel="noreferrer">Exit this page</a>' in r.text
