"""The counts every workspace page shows, the poll that keeps them current, and the status
counts the database keeps (assessments.models.StatusCount, kept by triggers)."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from assessments.models import Screen, StatusCount, workspace_counts
from assessments.rules import recommend
from tests.answers import make_answers

pytestmark = pytest.mark.django_db

COUNTS = "/coordinator/counts/"
CRISIS = {"self_harm_thoughts": True}
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _kept() -> dict[str, int]:
    return {status: n for status, n in StatusCount.objects.values_list("status", "screens") if n}


def _counted() -> dict[str, int]:
    return {status: n for status, n in Screen.objects.status_counts().items() if n}


def test_the_database_keeps_the_status_counts_whoever_writes(make_screen, alice, settings):
    screen = make_screen()  # save()
    rec = recommend(make_answers())
    Screen.objects.bulk_create(
        [Screen.from_recommendation(rec, status=status) for status in ["new", "closed", "closed"]]
    )
    screen.change_status(alice, 1, "in_review")  # an UPDATE of one row
    Screen.objects.filter(status="closed").update(status="withdrawn")  # of several
    Screen.objects.filter(status="new").delete()
    assert _kept() == _counted() == {"in_review": 1, "withdrawn": 2}
    old = make_screen(created_at=datetime(2020, 1, 1, tzinfo=UTC), status="closed")
    assert _kept()["closed"] == 1
    call_command("purge_screens", stdout=None)
    assert not Screen.objects.filter(pk=old.pk).exists()
    assert _kept() == _counted() == {"in_review": 1, "withdrawn": 2}


def test_the_queue_reads_the_kept_counts_not_the_table(
    alice_client, make_screen, django_assert_num_queries
):
    make_screen()
    # The kept counts, the follow-ups due, the urgent new ones, the newest of them: each an
    # index range or a few rows, never a count over the table.
    with django_assert_num_queries(4):
        counts = workspace_counts()
    assert counts["statuses"]["new"] == 1 and counts["open"] == 1 and counts["all"] == 1
    with django_assert_num_queries(0):
        workspace_counts()  # cached


def test_the_counts_endpoint_answers_json(alice_client, make_screen):
    make_screen(CRISIS)
    newest = make_screen(CRISIS)
    make_screen(CRISIS, status="in_review")  # picked up already
    make_screen(next_follow_up_at=datetime(2020, 1, 1, tzinfo=UTC))
    r = alice_client.get(COUNTS)
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert "no-store" in r["Cache-Control"]
    assert r.json() == {
        "open": 4,
        "due": 1,
        "urgent_new": 2,
        "latest_urgent": {
            "reference": newest.reference,
            "url": f"/coordinator/screens/{newest.reference}/",
        },
    }


def test_a_new_urgent_screen_shows_at_the_next_poll(
    alice_client, make_screen, django_capture_on_commit_callbacks, mailoutbox
):
    make_screen()
    assert alice_client.get(COUNTS).json()["latest_urgent"] is None  # and now cached
    with django_capture_on_commit_callbacks(execute=True):
        urgent, _new = Screen.objects.submit(recommend(make_answers(**CRISIS)), {}, None)
    numbers = alice_client.get(COUNTS).json()
    assert numbers["urgent_new"] == 1
    assert numbers["latest_urgent"]["reference"] == urgent.reference
    assert len(mailoutbox) == 1  # the urgent email still goes out


def test_counts_follow_the_same_access_rule(bob, make_screen):
    make_screen(CRISIS)
    anonymous = Client().get(COUNTS)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/coordinator/login/")
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.get(COUNTS).status_code == 403


def test_polling_does_not_keep_an_idle_session_alive(client, alice, make_screen):
    from tests.conftest import log_in_verified

    with time_machine.travel(MORNING, tick=False) as traveller:
        log_in_verified(client, alice)
        assert client.get("/coordinator/").status_code == 200
        for _ in range(10):  # 20 minutes of polling, nobody at the keyboard
            traveller.shift(timedelta(minutes=2))
            r = client.get(COUNTS)
            if r.status_code != 200:
                break
        assert r.status_code == 302 and r.url.startswith("/coordinator/login/")
        assert client.get("/coordinator/").status_code == 302


# Session, user, the two-factor device, permissions (user's and groups', one query); the counts
# are cached.
COUNTS_QUERIES = 4


def test_a_poll_costs_no_query_for_the_counts(
    alice_client, make_screen, django_assert_num_queries
):
    for _ in range(30):
        make_screen(CRISIS)
    alice_client.get(COUNTS)
    with django_assert_num_queries(COUNTS_QUERIES):
        alice_client.get(COUNTS)


def test_the_poll_is_a_file_of_ours_loaded_by_workspace_pages_only(alice_client, client):
    script = Path(__file__).resolve().parents[1] / "static" / "js" / "workspace.js"
    assert "fetch(url" in script.read_text()
    page = alice_client.get("/coordinator/").text
    assert re.search(r'<script src="/static/js/workspace\.js" defer></script>', page)
    assert 'data-url="/coordinator/counts/"' in page
    assert "workspace.js" not in Client().get("/").text
