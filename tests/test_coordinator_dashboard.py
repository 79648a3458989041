import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assessments.models import Status
from coordinator.stats import duration_text
from tests.answers import criteria

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")  # the settings' default TIME_ZONE
NOW = datetime(2026, 6, 17, 12, 0, tzinfo=NEW_YORK)  # a Wednesday


def at(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


@pytest.fixture
def known_screens(make_screen):
    """Four screens in the last 12 weeks (from Monday 30 March) and one just before."""
    received = at(2026, 6, 16, 10)
    make_screen(
        created_at=received,
        status=Status.CONTACTED,
        first_contacted_at=received + timedelta(hours=1),
    )
    make_screen(
        criteria(4),
        created_at=at(2026, 6, 16, 11),
        status=Status.CONTACTED,
        first_contacted_at=at(2026, 6, 16, 14),
        override_level="inpatient",
        override_reason="clinical_judgement",
    )
    make_screen(
        {"self_harm_thoughts": True, **criteria(4)},
        created_at=at(2026, 6, 9, 8),
        status=Status.SCHEDULED,
        first_contacted_at=at(2026, 6, 9, 13),
    )
    make_screen(created_at=at(2026, 3, 30, 0, 30))
    make_screen(criteria(4), created_at=at(2026, 3, 29, 23, 30))  # the week before: left out


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_numbers_of_the_last_twelve_weeks(alice_client, known_screens):
    r = alice_client.get("/coordinator/dashboard/")
    assert r.status_code == 200
    numbers = r.context
    assert numbers["total"] == 4
    assert numbers["urgent"] == 1 and numbers["urgent_share"] == 0.25
    assert numbers["overridden"] == 1 and numbers["override_share"] == 0.25
    assert numbers["median_wait"] == "3 hours"
    assert dict(numbers["statuses"]) == {
        "New": 1,
        "In review": 0,
        "Contacted": 2,
        "Scheduled": 1,
        "Referred elsewhere": 0,
        "No response": 0,
        "Withdrawn": 0,
        "Closed": 0,
    }
    assert dict(numbers["reasons"])["Clinical judgment"] == 1


@time_machine.travel(NOW, tick=False)
def test_it_counts_screens_per_week_by_recommended_level(alice_client, known_screens):
    weeks = alice_client.get("/coordinator/dashboard/").context["weeks"]
    assert len(weeks) == 12
    assert weeks[0]["week"] == date(2026, 3, 30) and weeks[-1]["week"] == date(2026, 6, 15)
    per_week = {week["week"]: dict(week["levels"]) for week in weeks if week["total"]}
    assert per_week == {
        date(2026, 3, 30): {"inpatient": 0, "iop": 0, "outpatient": 1},
        date(2026, 6, 8): {"inpatient": 1, "iop": 0, "outpatient": 0},
        date(2026, 6, 15): {"inpatient": 0, "iop": 1, "outpatient": 1},
    }


@time_machine.travel(NOW, tick=False)
def test_each_chart_is_svg_with_its_numbers_in_a_table(alice_client, known_screens):
    r = alice_client.get("/coordinator/dashboard/")
    assert r.text.count('<svg class="chart"') == 7
    assert r.text.count('role="img"') == 7
    charts = [
        section for section in r.text.split("<section")[1:] if '<svg class="chart"' in section
    ]
    assert len(charts) == 7
    for section in charts:  # each chart keeps its table
        assert "<table" in section.split('<svg class="chart"')[1]
    for table in (
        "weekly",
        "response",
        "median",
        "deadlines",
        "by-status",
        "override-reasons",
        "by-language",
    ):
        assert f'id="{table}-table"' in r.text
    assert 'class="chart-level-inpatient"' in r.text
    assert "style=" not in r.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", r.text)  # our own files only
    week = '<th scope="row" class="text-nowrap">Jun 15, 2026</th>'
    assert week + "<td>0</td><td>1</td><td>1</td><td>2</td>" in r.text


@time_machine.travel(NOW, tick=False)
def test_it_works_with_no_screens_at_all(alice_client):
    r = alice_client.get("/coordinator/dashboard/")
    assert r.status_code == 200
    assert r.context["total"] == 0 and r.context["median_wait"] is None
    assert "No screen contacted yet" in r.text


@pytest.mark.parametrize(
    ("wait", "text"),
    [
        (timedelta(0), "0 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(hours=3, minutes=20), "3 hours 20 minutes"),
        (timedelta(days=2, hours=1), "2 days 1 hour"),
    ],
)
def test_waits_read_in_words(wait, text):
    assert duration_text(wait) == text


@pytest.fixture
def contacts(make_screen):
    """Screens that asked for contact: reached in time or not, in two weeks."""
    crisis = {"self_harm_thoughts": True}
    make_screen(
        crisis,
        contact_requested=True,
        created_at=at(2026, 6, 15, 9),
        first_contacted_at=at(2026, 6, 15, 9, 30),  # urgent, within 60 minutes
    )
    make_screen(
        contact_requested=True,
        created_at=at(2026, 6, 15, 10),
        first_contacted_at=at(2026, 6, 16, 12),  # 26 hours: past the 24
    )
    make_screen(contact_requested=True, created_at=at(2026, 6, 16, 8))  # not reached yet
    make_screen(
        crisis,
        contact_requested=True,
        created_at=at(2026, 6, 8, 10),
        first_contacted_at=at(2026, 6, 8, 12),  # urgent, two hours
    )
    make_screen(created_at=at(2026, 6, 9, 10), first_contacted_at=at(2026, 6, 9, 11))  # no ask


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_share_reached_within_target_and_the_median_per_week(alice_client, contacts):
    r = alice_client.get("/coordinator/dashboard/")
    weeks = {week["week"]: week for week in r.context["response"]}
    assert len(weeks) == 12
    this, last = weeks[date(2026, 6, 15)], weeks[date(2026, 6, 8)]
    assert (this["asked"], this["in_time"], this["percent"]) == (3, 1, 33)
    assert this["median_text"] == "13 hours 15 minutes"  # of 30 minutes and 26 hours
    assert (last["asked"], last["in_time"], last["percent"]) == (1, 0, 0)
    assert last["median_text"] == "2 hours"
    assert weeks[date(2026, 6, 1)]["percent"] is None
    row = '<th scope="row" class="text-nowrap">Jun 15, 2026</th><td>3</td><td>1</td><td>33%</td>'
    assert row in r.text
    assert "<td>13 hours 15 minutes</td>" in r.text


@time_machine.travel(NOW, tick=False)
def test_the_targets_of_the_share_come_from_the_settings(alice_client, contacts, settings):
    settings.RESPONSE_HOURS = 48
    weeks = {w["week"]: w for w in alice_client.get("/coordinator/dashboard/").context["response"]}
    assert weeks[date(2026, 6, 15)]["in_time"] == 2


@time_machine.travel(NOW, tick=False)
def test_it_shows_priority_deadline_compliance(alice_client, make_screen):
    def priority(**fields):
        make_screen(contact_requested=True, priority=True, **fields)

    priority(
        created_at=at(2026, 6, 1, 9),
        first_contacted_at=at(2026, 6, 2, 9),
        scheduled_at=at(2026, 6, 10, 9),
        status=Status.SCHEDULED,
    )  # both met
    priority(
        created_at=at(2026, 6, 1, 9), first_contacted_at=at(2026, 6, 4, 9), status="contacted"
    )  # both missed
    priority(created_at=at(2026, 6, 16, 9))  # neither due yet
    priority(created_at=at(2026, 6, 2, 9), status="withdrawn")  # the person withdrew
    make_screen(priority=True, created_at=at(2026, 6, 1, 9))  # no contact asked: no deadline
    r = alice_client.get("/coordinator/dashboard/")
    rows = [
        (row["met"], row["missed"], row["ended"], row["open"]) for row in r.context["compliance"]
    ]
    assert rows == [(1, 1, 1, 1), (1, 1, 1, 1)]
    assert [row["percent"] for row in r.context["compliance"]] == [50, 50]
    assert "Assessment booked within 14 days (admission deadline)" in r.text
