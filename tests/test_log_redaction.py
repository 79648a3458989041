"""No log record holds a token that opens a screen or sets a password (finding 7).

Django's request and CSRF loggers write the path of a 404, a 410, a 503 or a refused form,
with the request itself: /r/<token>/ there opens and deletes a person's screen.
"""

import io
import logging
import re
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client, RequestFactory

from assessments import rules
from assessments.models import Screen
from careguide.logfilters import RedactTokens, redact
from tests.answers import BASELINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def screen():
    screen, _ = Screen.objects.submit(rules.recommend(BASELINE), {}, idempotency_key=None)
    return screen


def test_a_refused_form_logs_no_token(screen, assert_not_leaked, caplog):
    client = Client(enforce_csrf_checks=True)
    r = client.post(f"/r/{screen.result_token}/delete/", HTTP_REFERER="https://evil.example/x")
    assert r.status_code == 403
    assert any(record.name == "django.security.csrf" for record in caplog.records)
    assert_not_leaked(screen.result_token)
    assert Screen.objects.filter(pk=screen.pk).exists()


def test_a_refused_form_from_the_result_page_logs_no_token(screen, assert_not_leaked, caplog):
    # The Referer holds the token too, and the CSRF failure's reason quotes it.
    client = Client(enforce_csrf_checks=True)
    page = f"https://testserver/r/{screen.result_token}/"
    r = client.post(f"/r/{screen.result_token}/contact/", secure=True, HTTP_REFERER=page)
    assert r.status_code == 403
    assert_not_leaked(screen.result_token)


def test_an_expired_link_logs_no_token(client, assert_not_leaked, caplog):
    with time_machine.travel("2026-11-01 12:00Z", tick=False):
        screen, _ = Screen.objects.submit(rules.recommend(BASELINE), {}, idempotency_key=None)
    with time_machine.travel("2026-12-02 12:00Z", tick=False):
        assert client.get(f"/r/{screen.result_token}/").status_code == 410
    assert any("Gone" in record.getMessage() for record in caplog.records)
    assert_not_leaked(screen.result_token)


def test_a_database_outage_logs_no_token(screen, assert_not_leaked, caplog):
    client = Client(raise_request_exception=False)
    with mock.patch("assessments.views.render", side_effect=OperationalError("down")):
        assert client.get(f"/r/{screen.result_token}/").status_code == 503
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    assert_not_leaked(screen.result_token)


def test_a_deleted_screens_link_logs_no_token(client, screen, assert_not_leaked):
    token = screen.result_token
    screen.delete()
    assert client.get(f"/r/{token}/").status_code == 404
    assert_not_leaked(token)


def test_a_password_reset_link_logs_no_token(alice, assert_not_leaked):
    client = Client(enforce_csrf_checks=True)
    token = "c4k8mz-0123456789abcdef0123456789abcdef"
    r = client.post(f"/coordinator/password-reset/MQ/{token}/", {"new_password1": "x"})
    assert r.status_code == 403
    assert_not_leaked(token)


def test_what_is_written_to_the_console_holds_no_token(screen):
    console = logging.getLogger().handlers[0]
    stream = console.setStream(io.StringIO())
    try:
        Client(enforce_csrf_checks=True).post(f"/r/{screen.result_token}/delete/")
    finally:
        written = console.setStream(stream).getvalue()
    assert "Forbidden (CSRF cookie not set.): /r/[token]/delete/" in written
    assert screen.result_token not in written


def test_every_record_reaches_the_filter_first():
    """Django's own handlers are gone: every record goes to the root's first handler, whose
    filter cleans the record itself, before any handler added later (a test's, a service's)."""
    for name in ("django", "django.request", "django.security.csrf", "django.server"):
        logger = logging.getLogger(name)
        assert logger.handlers == [] and logger.propagate, name
    first = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactTokens) for f in first.filters)


TOKEN = "Zq8v1Xr0pLm2Nc7Tb4Wy9Ke3Ab5Cd6Ef"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/r/{TOKEN}/", "/r/[token]/"),
        (f"Gone: /r/{TOKEN}/delete/", "Gone: /r/[token]/delete/"),
        (f"https://screen.example.org/r/{TOKEN}", "https://screen.example.org/r/[token]"),
        (f"'/r/{TOKEN}/?x=1'", "'/r/[token]/?x=1'"),
        (
            "/coordinator/password-reset/MQ/c4k8mz-abc/",
            "/coordinator/password-reset/[uid]/[token]/",
        ),
        ("/coordinator/password-reset/sent/", "/coordinator/password-reset/sent/"),
        ("/screen/about-you/", "/screen/about-you/"),
    ],
)
def test_it_redacts_tokens_in_text(text, expected):
    assert redact(text) == expected


def test_it_cleans_every_part_of_a_record():
    request = RequestFactory().get(f"/r/{TOKEN}/", HTTP_REFERER=f"https://x.example/r/{TOKEN}/")
    try:
        raise ValueError(f"while reading /r/{TOKEN}/")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Failed: %s (%r)",
            (f"/r/{TOKEN}/", {"path": f"/r/{TOKEN}/"}),
            __import__("sys").exc_info(),
            extra={"request": request, "status_code": 500, "path": f"/r/{TOKEN}/"},
        )
    assert RedactTokens().filter(record) is True
    seen = logging.Formatter().format(record) + repr(vars(record))
    assert TOKEN not in seen
    assert "Failed: /r/[token]/" in seen and "Traceback" in seen
    assert record.request.path == "/r/[token]/"
    assert record.request.META["HTTP_REFERER"] == "https://x.example/r/[token]/"
    assert request.path == f"/r/{TOKEN}/"  # the request itself is left as it was
    assert re.search(r"ValueError: while reading /r/\[token\]/", record.exc_text)
