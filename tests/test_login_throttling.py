"""django-axes: after AXES_FAILURE_LIMIT failures a username is locked at that address.

The admin login stands in for the coordinators' login: both are Django's LoginView.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough passphrase"  # the staff persona's, see conftest.py


def _login(client, password, username="sam", **extra):
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


def _fail(client, times, **extra):
    for _ in range(times):
        _login(client, "wrong password", **extra)


def test_it_refuses_the_right_password_after_five_failures(client, staff):
    _fail(client, 5)
    r = _login(client, PASSWORD)
    assert r.status_code == 429
    assert "Too many login attempts" in r.text
    assert "try again in 15 minutes" in r.text
    assert "CareGuide" in r.text  # the site's own page, not a bare message
    assert SESSION_KEY not in client.session


def test_it_lets_a_user_in_before_the_limit(client, staff):
    _fail(client, 4)
    assert _login(client, PASSWORD).status_code == 302
    assert SESSION_KEY in client.session


def test_a_success_resets_the_count(client, staff):
    _fail(client, 4)
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    _fail(client, 4)
    assert _login(client, PASSWORD).status_code == 302


def test_it_lets_the_user_in_again_after_the_cool_off(client, staff):
    with time_machine.travel(MORNING, tick=False) as traveller:
        _fail(client, 5)
        traveller.shift(timedelta(minutes=10))
        assert _login(client, PASSWORD).status_code == 429  # retrying does not extend it
        traveller.shift(timedelta(minutes=6))
        assert _login(client, PASSWORD).status_code == 302


def test_the_limit_is_a_setting(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _fail(client, 2)
    assert _login(client, PASSWORD).status_code == 429


def test_it_locks_the_username_at_that_address_only(client, staff, django_user_model):
    django_user_model.objects.create_user("kim", password=PASSWORD, is_staff=True)
    _fail(client, 5, REMOTE_ADDR="198.51.100.7")
    assert _login(client, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    # The same person from another address, and a colleague from the same one, still get in.
    assert _login(client, PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 302
    client.logout()
    assert _login(client, PASSWORD, username="kim", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_behind_a_proxy_it_uses_the_address_the_proxy_saw(client, staff, settings):
    settings.PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    _fail(client, 5, headers={"X-Forwarded-For": "203.0.113.5"}, **proxy)
    # A forged left-hand entry does not change the address our proxy appended.
    forged = {"X-Forwarded-For": "192.0.2.1, 203.0.113.5"}
    assert _login(client, PASSWORD, headers=forged, **proxy).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.9"}
    assert _login(client, PASSWORD, headers=other, **proxy).status_code == 302


def test_client_login_works_in_tests(client, staff):
    # conftest.py hands django-axes the request that Client.login() does not pass.
    assert not client.login(username="sam", password="wrong password")
    assert client.login(username="sam", password=PASSWORD)
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.parametrize("forwarded", ["not-an-ip", "999.1.1.1", "203.0.113.7, <script>", ""])
def test_a_forwarded_address_that_is_not_one_counts_for_the_peer(
    client, staff, settings, forwarded
):
    """Finding 6: stored in django-axes' address column (inet on PostgreSQL), it was a 500."""
    from axes.models import AccessAttempt

    settings.PROXY_COUNT = 1
    r = _login(client, "wrong password", headers={"X-Forwarded-For": forwarded})
    assert r.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"  # REMOTE_ADDR
    for forwarded in ("::ffff:203.0.113.9", "fe80::1%eth0"):  # written as plain addresses
        _login(client, "wrong password", headers={"X-Forwarded-For": forwarded})
    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert addresses == {"127.0.0.1", "::ffff:203.0.113.9", "fe80::1"}
