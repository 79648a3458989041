"""The Due view: follow-ups due today (the centre's day) and overdue, the oldest first."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assessments.models import Status

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 17, 12, 0, tzinfo=NEW_YORK)
DUE = "/coordinator/due/"


def _references(response) -> list[str]:
    return [row["screen"].reference for row in response.context["screens"]]


@time_machine.travel(NOW, tick=False)
def test_it_lists_follow_ups_due_today_and_overdue_oldest_first(alice_client, make_screen):
    later_today = make_screen(
        contact_requested=True, next_follow_up_at=datetime(2026, 6, 17, 23, 59, tzinfo=NEW_YORK)
    )
    overdue = make_screen(
        contact_requested=True, next_follow_up_at=datetime(2026, 6, 15, 9, 0, tzinfo=NEW_YORK)
    )
    this_morning = make_screen(
        contact_requested=True, next_follow_up_at=datetime(2026, 6, 17, 9, 0, tzinfo=NEW_YORK)
    )
    make_screen(
        contact_requested=True, next_follow_up_at=datetime(2026, 6, 18, 0, 0, tzinfo=NEW_YORK)
    )  # tomorrow
    make_screen(contact_requested=True)  # no follow-up
    r = alice_client.get(DUE)
    assert r.status_code == 200
    assert _references(r) == [overdue.reference, this_morning.reference, later_today.reference]
    rows = r.context["screens"]
    assert [row["follow_up_overdue"] for row in rows] == [True, True, False]
    assert rows[0]["follow_up"]["text"] == "2026-06-15 09:00"
    assert (
        f'href="/coordinator/screens/{overdue.reference}/?back=%2Fcoordinator%2Fdue%2F%3F"'
        in r.text
    )


@time_machine.travel(NOW, tick=False)
def test_the_header_counts_what_is_due_on_every_workspace_page(alice_client, make_screen):
    for days in (-3, 0, 2):
        make_screen(contact_requested=True, next_follow_up_at=NOW + timedelta(days=days))
    for path in ("/coordinator/", DUE, "/coordinator/dashboard/"):
        r = alice_client.get(path)
        assert r.context["counts"]["due"] == 2
        assert '<span class="badge text-bg-warning" data-count="due">2</span>' in r.text


def test_the_next_logged_call_takes_a_screen_off_the_list(
    alice_client, make_screen, django_capture_on_commit_callbacks
):
    screen = make_screen(
        contact_requested=True,
        status=Status.IN_REVIEW,
        next_follow_up_at=datetime(2020, 1, 1, tzinfo=NEW_YORK),
    )
    assert len(alice_client.get(DUE).context["screens"]) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the cached counts are forgotten
        alice_client.post(
            f"/coordinator/screens/{screen.reference}/call/",
            {"version": 1, "outcome": "no_answer", "note": ""},
        )
    r = alice_client.get(DUE)
    assert r.context["screens"] == [] and "No follow-ups are due." in r.text
    assert r.context["counts"]["due"] == 0


@pytest.mark.parametrize("status", ["closed", "withdrawn"])
def test_closing_or_withdrawing_clears_the_follow_up(alice_client, make_screen, status):
    screen = make_screen(
        contact_requested=True,
        status="no_response" if status == "closed" else "contacted",
        next_follow_up_at=datetime(2020, 1, 1, tzinfo=NEW_YORK),
    )
    alice_client.post(
        f"/coordinator/screens/{screen.reference}/status/", {"version": 1, "status": status}
    )
    screen.refresh_from_db()
    assert screen.status == status and screen.next_follow_up_at is None


def test_it_pages_by_fifty(alice_client, make_screen):
    for minutes in range(51):
        make_screen(
            contact_requested=True,
            next_follow_up_at=datetime(2020, 1, 1, tzinfo=NEW_YORK) + timedelta(minutes=minutes),
        )
    first = alice_client.get(DUE)
    assert len(first.context["screens"]) == 50 and first.context["next_url"] == "?page=2"
    second = alice_client.get(DUE, {"page": 2})
    assert len(second.context["screens"]) == 1


def test_it_requires_a_coordinator(bob_client):
    assert bob_client.get(DUE).status_code == 403


# Session, user, the two-factor device, permissions (user's and groups', one query), the page
# of rows; the header's counts from the cache.
DUE_QUERIES = 5


@pytest.mark.parametrize("count", [2, 60])
def test_it_takes_the_same_number_of_queries_whatever_the_size(
    alice_client, make_screen, alice, django_assert_num_queries, count
):
    for index in range(count):
        make_screen(
            contact_requested=True,
            assigned_to=alice if index % 2 else None,
            next_follow_up_at=datetime(2020, 1, 1, tzinfo=NEW_YORK),
        )
    alice_client.get(DUE)  # a session seen this minute, counts cached: as all day
    with django_assert_num_queries(DUE_QUERIES):
        r = alice_client.get(DUE)
    assert len(r.context["screens"]) == min(count, 50)
