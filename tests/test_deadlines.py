"""Response targets and priority-population deadlines: the arithmetic, across time zones and
daylight saving time, and how the queue and a screen's page show them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assessments.models import Screen, Status

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CRISIS = {"self_harm_thoughts": True}
QUEUE = "/coordinator/"


def _screen(**fields) -> Screen:
    return Screen(contact_requested=True, priority=True, status=Status.NEW, **fields)


@pytest.mark.parametrize(
    ("created", "interim", "admission"),
    [
        # Before spring forward (March 8, 2026): 48 elapsed hours land an hour later on the
        # clock; 14 calendar days keep the wall-clock time (335 elapsed hours).
        (
            datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK),
            datetime(2026, 3, 9, 13, 0, tzinfo=NEW_YORK),
            datetime(2026, 3, 21, 12, 0, tzinfo=NEW_YORK),
        ),
        # Before fall back (November 1, 2026): 48 hours land an hour earlier on the clock;
        # 14 days still end at 23:30 (337 elapsed hours).
        (
            datetime(2026, 10, 31, 23, 30, tzinfo=NEW_YORK),
            datetime(2026, 11, 2, 22, 30, tzinfo=NEW_YORK),
            datetime(2026, 11, 14, 23, 30, tzinfo=NEW_YORK),
        ),
        # No change in between: plain arithmetic.
        (
            datetime(2026, 6, 1, 8, 0, tzinfo=NEW_YORK),
            datetime(2026, 6, 3, 8, 0, tzinfo=NEW_YORK),
            datetime(2026, 6, 15, 8, 0, tzinfo=NEW_YORK),
        ),
    ],
)
def test_deadlines_across_daylight_saving_time(created, interim, admission):
    screen = _screen(created_at=created.astimezone(UTC))
    assert screen.interim_deadline() == interim
    assert screen.interim_deadline() - screen.created_at == timedelta(hours=48)
    assert screen.admission_deadline() == admission


def test_spring_forward_makes_the_fourteen_days_an_hour_shorter():
    created = datetime(2026, 3, 1, 9, 0, tzinfo=NEW_YORK)
    screen = _screen(created_at=created)
    assert screen.admission_deadline() == datetime(2026, 3, 15, 9, 0, tzinfo=NEW_YORK)
    # Elapsed time: in UTC (two times in one zone subtract by their wall clocks in Python).
    elapsed = screen.admission_deadline().astimezone(UTC) - created.astimezone(UTC)
    assert elapsed == timedelta(days=14, hours=-1)


def test_the_48_hours_are_elapsed_time_even_from_a_local_time():
    created = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)  # not UTC, as a form might give
    assert _screen(created_at=created).interim_deadline() == datetime(
        2026, 3, 9, 13, 0, tzinfo=NEW_YORK
    )


def test_the_fourteen_days_count_in_the_centres_own_time_zone(settings):
    # 01:30 UTC on March 2 is March 1 in Los Angeles, before its own DST change on March 8.
    created = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    settings.TIME_ZONE = "America/Los_Angeles"
    screen = _screen(created_at=created)
    assert screen.admission_deadline() == datetime(2026, 3, 15, 17, 30, tzinfo=LOS_ANGELES)
    assert screen.admission_deadline() - created == timedelta(days=14, hours=-1)
    settings.TIME_ZONE = "UTC"
    assert _screen(created_at=created).admission_deadline() - created == timedelta(days=14)


def test_deadlines_are_met_by_first_contact_and_a_booked_assessment():
    created = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    screen = _screen(created_at=created)
    assert screen.next_deadline()["name"] == "interim"
    screen.first_contacted_at = created + timedelta(hours=3)
    assert screen.next_deadline()["name"] == "admission"
    screen.scheduled_at = created + timedelta(days=3)
    assert screen.next_deadline() is None
    assert [d["met"] for d in screen.priority_deadlines()] == [
        screen.first_contacted_at,
        screen.scheduled_at,
    ]


@pytest.mark.parametrize(
    "fields", [{"priority": False}, {"contact_requested": False}, {"status": Status.WITHDRAWN}]
)
def test_no_deadline_without_a_priority_request_for_contact_or_once_done(fields):
    screen = Screen(
        **{"contact_requested": True, "priority": True, "status": Status.NEW, **fields},
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert screen.next_deadline() is None


@pytest.mark.parametrize(
    ("urgent", "waited", "overdue"),
    [
        (True, timedelta(minutes=59), False),
        (True, timedelta(minutes=61), True),
        (False, timedelta(hours=23, minutes=59), False),
        (False, timedelta(hours=24, minutes=1), True),
    ],
)
def test_a_screen_is_overdue_past_the_centres_target(urgent, waited, overdue):
    created = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    screen = Screen(created_at=created, urgent=urgent, contact_requested=True, status="new")
    assert screen.is_overdue(created + waited) is overdue


def test_the_targets_come_from_the_settings(settings):
    created = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    settings.URGENT_RESPONSE_MINUTES, settings.RESPONSE_HOURS = 15, 4
    urgent = Screen(created_at=created, urgent=True, contact_requested=True, status="new")
    other = Screen(created_at=created, urgent=False, contact_requested=True, status="new")
    assert urgent.is_overdue(created + timedelta(minutes=16))
    assert other.is_overdue(created + timedelta(hours=4, minutes=1))


@pytest.mark.parametrize(
    "fields",
    [
        {"contact_requested": False},
        {"first_contacted_at": datetime(2026, 6, 1, 9, 0, tzinfo=UTC)},
        {"status": Status.CLOSED},
    ],
)
def test_only_an_open_screen_nobody_has_reached_is_overdue(fields):
    created = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    screen = Screen(
        **{"created_at": created, "contact_requested": True, "status": "new", **fields}
    )
    assert not screen.is_overdue(created + timedelta(days=3))


@time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=NEW_YORK), tick=False)
def test_the_queue_counts_a_priority_deadline_down(alice_client, make_screen):
    # Received at 1:00 before the spring-forward night: 34 elapsed hours ago (the clock says
    # 35), so 14 hours are left, not the 13 the clock would say.
    make_screen(
        contact_requested=True,
        priority=True,
        created_at=datetime(2026, 3, 8, 1, 0, tzinfo=NEW_YORK),
    )
    row = alice_client.get(QUEUE).context["screens"][0]
    assert row["waiting"] == "1 d 10 h"
    assert row["deadline"]["text"] == "48-hour deadline: 14 h 0 min left"
    assert row["deadline"]["at"]["text"] == "2026-03-10 02:00"
    assert not row["deadline"]["passed"]
    assert row["overdue"]  # past the 24-hour response target all the same
    assert "48-hour deadline: 14 h 0 min left" in alice_client.get(QUEUE).text


@time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=NEW_YORK), tick=False)
def test_the_queue_shows_a_passed_deadline(alice_client, make_screen):
    make_screen(
        contact_requested=True,
        priority=True,
        created_at=datetime(2026, 3, 1, 12, 0, tzinfo=NEW_YORK),
        first_contacted_at=datetime(2026, 3, 1, 13, 0, tzinfo=NEW_YORK),
        status=Status.CONTACTED,
    )
    r = alice_client.get(QUEUE)
    row = r.context["screens"][0]
    assert row["deadline"] == {
        "text": "14-day deadline passed 5 d 0 h ago",  # due Mar 15 12:00 EDT
        "passed": True,
        "at": {"iso": "2026-03-15T12:00:00-04:00", "text": "2026-03-15 12:00"},
    }
    assert not row["overdue"]  # reached in time: the response target was met
    assert 'class="deadline deadline-passed"' in r.text


@time_machine.travel(datetime(2026, 6, 17, 12, 0, tzinfo=NEW_YORK), tick=False)
def test_the_queue_marks_overdue_rows(alice_client, make_screen):
    now = datetime(2026, 6, 17, 12, 0, tzinfo=NEW_YORK)
    late = make_screen(CRISIS, contact_requested=True, created_at=now - timedelta(minutes=90))
    soon = make_screen(CRISIS, contact_requested=True, created_at=now - timedelta(minutes=30))
    rows = {row["screen"].reference: row for row in alice_client.get(QUEUE).context["screens"]}
    assert rows[late.reference]["overdue"] and not rows[soon.reference]["overdue"]
    assert rows[late.reference]["waiting"] == "1 h 30 min"


@time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=NEW_YORK), tick=False)
def test_a_screens_page_lists_its_deadlines(alice_client, make_screen):
    screen = make_screen(
        contact_requested=True,
        priority=True,
        created_at=datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK),
        first_contacted_at=datetime(2026, 3, 8, 10, 0, tzinfo=NEW_YORK),
        status=Status.CONTACTED,
    )
    page = alice_client.get(f"/coordinator/screens/{screen.reference}/").text
    deadlines = page.split('id="deadlines"')[1].split("</ul>")[0]
    assert "48-hour deadline" in deadlines and "met 2026-03-08 10:00" in deadlines
    assert "14-day deadline" in deadlines and "2026-03-22 09:00" in deadlines
    assert "not met yet" in deadlines
    assert "14-day deadline: 12 d 21 h left" in page
