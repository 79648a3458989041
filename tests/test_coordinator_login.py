import pytest

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
