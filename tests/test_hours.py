"""The centre's opening hours: read from CENTRE_HOURS, and when a call can be expected."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from careguide import hours

NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_8_TO_8 = hours.parse("Mon-Fri 08:00-20:00")
TWO_HOURS = timedelta(hours=2)


def at(text: str) -> datetime:
    """A local time in the centre's zone; 2026-12-01 is a Tuesday."""
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


def test_it_reads_days_and_ranges_of_days():
    assert hours.parse("Mon-Fri 08:00-20:00, Sat 9:00-13:30") == {
        **{day: (time(8), time(20)) for day in range(5)},
        5: (time(9), time(13, 30)),
    }
    assert hours.parse(" sun 10:00 - 14:00 ") == {6: (time(10), time(14))}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no opening hours given"),
        ("Monday to Friday, 8am to 8pm", "does not look like"),
        ("Mon-Fri 8am-8pm", "does not look like"),
        ("Mon-Fry 08:00-20:00", "'fry' is not a day"),
        ("Mon 08:00-25:00", "not a time from 00:00 to 23:59"),
        ("Mon 20:00-08:00", "closes before it opens"),
        ("Mon 08:00-08:00", "closes before it opens"),
        ("Fri-Mon 08:00-20:00", "from Monday to Sunday"),
        ("Mon-Fri 08:00-20:00, Fri 09:00-12:00", "fri is given twice"),
    ],
)
def test_it_refuses_hours_it_cannot_read(text, message):
    with pytest.raises(hours.HoursError, match=message):
        hours.parse(text)


@pytest.mark.parametrize(
    "now, closes",
    [
        ("2026-12-01 07:59", None),  # Tuesday, before opening
        ("2026-12-01 08:00", "2026-12-01 20:00"),
        ("2026-12-01 19:59", "2026-12-01 20:00"),
        ("2026-12-01 20:00", None),  # closing time: closed
        ("2026-12-06 12:00", None),  # Sunday
    ],
)
def test_it_knows_whether_the_centre_is_open(now, closes):
    assert hours.closes_at(WEEKDAYS_8_TO_8, at(now)) == (closes and at(closes))


@pytest.mark.parametrize(
    "now, opens",
    [
        ("2026-12-01 02:00", "2026-12-01 08:00"),  # 2 a.m. Tuesday: this morning
        ("2026-12-01 08:00", "2026-12-02 08:00"),  # open now: the next opening is tomorrow
        ("2026-12-01 21:00", "2026-12-02 08:00"),
        ("2026-12-04 20:30", "2026-12-07 08:00"),  # Friday night: Monday
        ("2026-12-06 15:00", "2026-12-07 08:00"),  # Sunday: Monday
    ],
)
def test_it_finds_the_next_opening(now, opens):
    assert hours.next_opening(WEEKDAYS_8_TO_8, at(now)) == at(opens)


def test_a_centre_open_one_day_a_week_opens_a_week_later():
    sundays = hours.parse("Sun 10:00-12:00")
    assert hours.next_opening(sundays, at("2026-12-06 10:30")) == at("2026-12-13 10:00")


def test_when_open_the_call_comes_within_the_hours_given_rounded_to_a_quarter():
    call = hours.when_we_call(WEEKDAYS_8_TO_8, at("2026-12-01 10:05"), TWO_HOURS)
    assert call == {
        "open_now": True,
        "by": at("2026-12-01 12:15"),
        "closes": at("2026-12-01 20:00"),
    }


def test_just_before_closing_the_call_comes_today_or_at_the_next_opening():
    call = hours.when_we_call(WEEKDAYS_8_TO_8, at("2026-12-04 19:00"), TWO_HOURS)  # Friday
    assert call == {
        "open_now": True,
        "closes": at("2026-12-04 20:00"),
        "next": at("2026-12-07 08:00"),
    }


@pytest.mark.parametrize(
    "now, opens",
    [("2026-12-01 02:00", "2026-12-01 08:00"), ("2026-12-06 11:00", "2026-12-07 08:00")],
)
def test_when_closed_the_call_comes_at_the_next_opening(now, opens):
    assert hours.when_we_call(WEEKDAYS_8_TO_8, at(now), TWO_HOURS) == {
        "open_now": False,
        "next": at(opens),
    }


def test_it_says_the_hours_in_words():
    text = hours.describe(hours.parse("Mon-Fri 08:00-20:00, Sat 09:00-12:00, Sun 09:00-12:00"))
    assert text == "Monday to Friday, 8 a.m. to 8 p.m.; Saturday and Sunday, 9 a.m. to noon"
    assert hours.describe(hours.parse("Wed 08:30-17:00")) == "Wednesday, 8:30 a.m. to 5 p.m."


def test_unequal_days_are_not_grouped():
    text = hours.describe(hours.parse("Mon 08:00-20:00, Tue 08:00-18:00, Wed 08:00-20:00"))
    assert text == (
        "Monday, 8 a.m. to 8 p.m.; Tuesday, 8 a.m. to 6 p.m.; Wednesday, 8 a.m. to 8 p.m."
    )


@pytest.mark.parametrize(
    "day, words",
    [
        ("2026-12-01 08:00", "today"),
        ("2026-12-02 08:00", "tomorrow"),
        ("2026-12-07 08:00", "on Monday"),
    ],
)
def test_it_names_the_day_of_the_next_opening(day, words):
    assert hours.day_words(at(day), at("2026-12-01 02:00")) == words
