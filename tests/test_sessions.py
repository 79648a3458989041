"""Coordinators' sessions: new key at login, idle and absolute limits, deactivation, logout.

The admin stands in for the coordinators' workspace: both sit behind Django's login.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from tests.conftest import log_in_verified

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough passphrase"  # the staff persona's, see conftest.py


def _logged_in(client) -> bool:
    r = client.get("/admin/")
    return r.status_code == 200


def test_the_session_key_changes_at_login(client, staff, settings):
    session = client.session
    session["seen_home"] = True
    session.save()
    before = session.session_key
    r = client.post("/admin/login/", {"username": "sam", "password": PASSWORD})
    assert r.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_it_logs_out_after_the_idle_limit(client, staff):
    with time_machine.travel(MORNING, tick=False) as traveller:
        log_in_verified(client, staff)
        assert _logged_in(client)
        traveller.shift(timedelta(minutes=14))
        assert _logged_in(client)  # activity restarts the idle clock
        traveller.shift(timedelta(minutes=14))
        assert _logged_in(client)
        traveller.shift(timedelta(minutes=16))
        r = client.get("/admin/")
    assert r.status_code == 302
    assert r["Location"].startswith("/admin/login/")
    assert SESSION_KEY not in client.session


def test_the_idle_limit_is_a_setting(client, staff, settings):
    settings.SESSION_IDLE_MINUTES = 5
    with time_machine.travel(MORNING, tick=False) as traveller:
        log_in_verified(client, staff)
        assert _logged_in(client)
        traveller.shift(timedelta(minutes=6))
        assert not _logged_in(client)


def test_it_logs_out_after_the_absolute_limit_however_active(client, staff):
    with time_machine.travel(MORNING, tick=False) as traveller:
        log_in_verified(client, staff)
        for _ in range(8 * 6):  # a request every ten minutes for eight hours
            assert _logged_in(client)
            traveller.shift(timedelta(minutes=10))
        traveller.shift(timedelta(minutes=1))
        assert not _logged_in(client)


def test_an_idle_logout_leaves_nothing_of_the_old_session(client, staff, settings):
    with time_machine.travel(MORNING, tick=False) as traveller:
        log_in_verified(client, staff)
        assert _logged_in(client)
        old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        traveller.shift(timedelta(hours=1))
        client.get("/admin/")
    assert not Session.objects.filter(session_key=old_key).exists()


def test_it_does_not_cut_an_anonymous_patients_session(client):
    with time_machine.travel(MORNING, tick=False) as traveller:
        session = client.session
        session["answers_so_far"] = {"step": 3}
        session.save()
        traveller.shift(timedelta(hours=10))
        r = client.get("/")
        assert r.status_code == 200
        assert client.session["answers_so_far"] == {"step": 3}


def test_a_deactivated_user_loses_access_on_the_next_request(client, staff):
    log_in_verified(client, staff)
    assert _logged_in(client)
    staff.is_active = False
    staff.save()
    assert not _logged_in(client)


def test_logout_invalidates_the_session(client, staff, settings):
    log_in_verified(client, staff)
    assert _logged_in(client)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    r = client.post("/admin/logout/")
    assert r.status_code == 302 and r.url == "/coordinator/login/"  # LOGOUT_REDIRECT_URL
    assert not Session.objects.filter(session_key=old_key).exists()
    # Replaying the old cookie gets nobody in.
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert not _logged_in(client)


def test_a_busy_coordinator_does_not_cost_a_session_write_per_request(client, staff):
    with time_machine.travel(MORNING, tick=False) as traveller:
        log_in_verified(client, staff)
        client.get("/admin/")
        saved = Session.objects.get().expire_date
        traveller.shift(timedelta(seconds=30))
        client.get("/admin/")
        assert Session.objects.get().expire_date == saved  # not written again
        traveller.shift(timedelta(seconds=31))
        client.get("/admin/")
        assert Session.objects.get().expire_date > saved


@pytest.mark.parametrize(
    "key",
    ['"\\000\\000\\000\\000\\000\\000\\000\\000"', "a\x00" * 16, "é" * 32, "A" * 32],
    ids=["quoted-nul", "nul", "non-ascii", "upper-case"],
)
def test_a_session_key_django_never_made_is_no_session(
    client, settings, key, django_assert_num_queries
):
    """Finding 6: a NUL in the session cookie was a 500 on PostgreSQL (the session lookup)."""
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    with django_assert_num_queries(0):  # not even looked up
        assert client.get("/").status_code == 200
    r = client.post("/screen/about-you/", {"age_group": "18_to_64", "pregnant": "no"})
    assert r.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != key  # a new session
