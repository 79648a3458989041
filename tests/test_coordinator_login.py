import re

import pytest
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_is_in_careguides_look(client):
    r = client.get("/coordinator/login/")
    assert r.status_code == 200
    assert "Coordinators: log in" in r.text
    assert 'name="username"' in r.text and 'name="password"' in r.text
    assert "Skip to main content" in r.text  # base.html


def test_a_coordinator_logs_in_to_the_queue(client, alice, settings):
    settings.COORDINATOR_2FA_REQUIRED = False  # with it: tests/test_two_factor.py
    r = client.post("/coordinator/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 302 and r.url == "/coordinator/"
    assert client.get("/coordinator/").status_code == 200


def test_a_wrong_password_is_refused(client, alice):
    r = client.post("/coordinator/login/", {"username": "alice", "password": "nope"})
    assert r.status_code == 200
    assert "Please enter a correct username and password" in r.text


def test_logout_takes_a_post(alice_client):
    assert alice_client.get("/coordinator/logout/").status_code == 405
    r = alice_client.post("/coordinator/logout/")
    assert r.status_code == 302 and r.url == "/coordinator/login/"
    assert alice_client.get("/coordinator/").status_code == 302


def test_the_workspace_navigation_marks_the_current_page(alice_client):
    r = alice_client.get("/coordinator/dashboard/")
    assert '<a class="nav-link" href="/coordinator/dashboard/" aria-current="page">' in r.text
    assert 'action="/coordinator/logout/"' in r.text


def test_password_reset_sends_a_link_that_works(client, alice, settings):
    settings.SITE_URL = "https://screen.example.org"
    r = client.post("/coordinator/password-reset/", {"email": "alice@example.org"})
    assert r.status_code == 302 and r.url == "/coordinator/password-reset/sent/"
    link = re.search(r"https://screen\.example\.org(/\S+)", mail.outbox[0].body).group(1)
    r = client.get(link, follow=True)
    assert "Choose a new password" in r.text
    new = "another-long-password-2026"
    r = client.post(r.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert r.url == "/coordinator/password-reset/done/"
    alice.refresh_from_db()
    assert alice.check_password(new)
