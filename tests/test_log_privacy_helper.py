"""The assert_not_leaked fixture (tests/conftest.py) catches what it should."""

import logging

import pytest
from django.core.mail import send_mail

MARKER = "Zelda-Marker-7f3a"


def test_it_passes_when_the_marker_went_nowhere(assert_not_leaked):
    logging.getLogger("careguide").warning("screen submitted")
    send_mail("New screen", "A screen is waiting.", None, ["admissions@example.org"])
    assert_not_leaked(MARKER)


@pytest.mark.parametrize(
    "leak",
    [
        lambda: logging.getLogger("careguide").info("first name %s", MARKER),
        lambda: logging.getLogger("careguide").debug("quiet", extra={"payload": {"n": MARKER}}),
        lambda: send_mail("New screen", f"Call {MARKER}", None, ["admissions@example.org"]),
        lambda: send_mail(f"About {MARKER}", "body", None, ["admissions@example.org"]),
    ],
)
def test_it_fails_when_the_marker_was_logged_or_emailed(assert_not_leaked, leak):
    leak()
    with pytest.raises(AssertionError):
        assert_not_leaked(MARKER)


def test_it_sees_tracebacks(assert_not_leaked):
    try:
        raise ValueError(MARKER)
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error")
    with pytest.raises(AssertionError):
        assert_not_leaked(MARKER)


@pytest.mark.django_db
def test_it_sees_the_url_of_a_logged_request(client, assert_not_leaked):
    client.get(f"/no-such-page/?name={MARKER}")  # django.request logs the 404 with the request
    with pytest.raises(AssertionError):
        assert_not_leaked(MARKER)
