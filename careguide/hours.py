"""The centre's opening hours (CENTRE_HOURS): read from text, asked "open now?", "open next?".

Hours are per weekday (Monday is 0), each an opening and a closing time in the centre's own
time zone (TIME_ZONE); a day that is not listed is closed. Written as e.g.
"Mon-Fri 08:00-20:00, Sat 09:00-13:00".
"""

import re
from datetime import date, datetime, time, timedelta

from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

Hours = dict[int, tuple[time, time]]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})"
)


class HoursError(ValueError):
    pass


def _time(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise HoursError(f"{text!r} is not a time from 00:00 to 23:59")
    return time(hour, minute)


def _day(text: str) -> int:
    if text not in DAY_NAMES:
        raise HoursError(f"{text!r} is not a day (one of {', '.join(DAY_NAMES)})")
    return DAY_NAMES.index(text)


def parse(text: str) -> Hours:
    """'Mon-Fri 08:00-20:00, Sat 09:00-13:00' -> {0: (08:00, 20:00), ..., 5: (09:00, 13:00)}."""
    hours: Hours = {}
    parts = [part.strip() for part in text.lower().split(",")]
    if not any(parts):
        raise HoursError("no opening hours given")
    for part in parts:
        match = _PART.fullmatch(part)
        if not match:
            raise HoursError(f"{part!r} does not look like 'Mon-Fri 08:00-20:00'")
        first = _day(match["first"])
        last = _day(match["last"]) if match["last"] else first
        opens, closes = _time(match["open"]), _time(match["close"])
        if closes <= opens:
            raise HoursError(f"{part!r} closes before it opens")
        if last < first:
            raise HoursError(f"{part!r}: write the days from Monday to Sunday")
        for day in range(first, last + 1):
            if day in hours:
                raise HoursError(f"{DAY_NAMES[day]} is given twice")
            hours[day] = (opens, closes)
    return dict(sorted(hours.items()))


def _at(day: date, at: time, tz) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def closes_at(hours: Hours, now: datetime) -> datetime | None:
    """When the centre closes today, if it is open at `now` (an aware local time)."""
    today = hours.get(now.weekday())
    if today and _at(now.date(), today[0], now.tzinfo) <= now < _at(
        now.date(), today[1], now.tzinfo
    ):
        return _at(now.date(), today[1], now.tzinfo)
    return None


def next_opening(hours: Hours, now: datetime) -> datetime:
    """The first opening time after `now` (an aware local time), within the next week."""
    for ahead in range(8):
        day = now.date() + timedelta(days=ahead)
        if (today := hours.get(day.weekday())) and (opens := _at(day, today[0], now.tzinfo)) > now:
            return opens
    raise HoursError("no opening hours")  # parse() never returns empty hours


def _quarter_hour_up(moment: datetime) -> datetime:
    """12:05 -> 12:15: "by about 12:15 p.m.", not "by 12:07 p.m.", which promises too much."""
    start = moment.replace(minute=0, second=0, microsecond=0)
    quarters = -(-(moment - start) // timedelta(minutes=15))  # rounded up
    return start + quarters * timedelta(minutes=15)


def when_we_call(hours: Hours, now: datetime, within: timedelta) -> dict:
    """When a person who asks now can expect the team's call.

    open_now and by: open, and the call comes within `within`, by that time today;
    open_now, closes and next: open, but closing before that: today before closing, or else
    at the next opening; otherwise closed: at the next opening.
    """
    closes = closes_at(hours, now)
    if closes is None:
        return {"open_now": False, "next": next_opening(hours, now)}
    by = _quarter_hour_up(now + within)
    if by <= closes:
        return {"open_now": True, "by": by, "closes": closes}
    return {"open_now": True, "closes": closes, "next": next_opening(hours, closes)}


# --- In words, for the pages ------------------------------------------------------------


def time_words(at: time | datetime) -> str:
    """8 a.m., 8:30 p.m., noon (US style, from Django's formats)."""
    return formats.time_format(at, "P")


def day_words(day: datetime, now: datetime) -> str:
    """today, tomorrow, or on the weekday (within the week ahead): "at 8 a.m. {day}"."""
    if day.date() == now.date():
        return _("today")
    if day.date() == now.date() + timedelta(days=1):
        return _("tomorrow")
    return _("on %(weekday)s") % {"weekday": WEEKDAYS[day.weekday()]}


def describe(hours: Hours) -> str:
    """Monday to Friday, 8 a.m. to 8 p.m.; Saturday, 9 a.m. to 1 p.m."""
    groups: list[list] = []  # [first day, last day, opens, closes]
    for day, (opens, closes) in hours.items():
        if groups and groups[-1][1] == day - 1 and groups[-1][2:] == [opens, closes]:
            groups[-1][1] = day
        else:
            groups.append([day, day, opens, closes])
    parts = []
    for first, last, opens, closes in groups:
        if last == first:
            days = str(WEEKDAYS[first])
        elif last == first + 1:
            days = _("%(first)s and %(last)s") % {
                "first": WEEKDAYS[first],
                "last": WEEKDAYS[last],
            }
        else:
            days = _("%(first)s to %(last)s") % {"first": WEEKDAYS[first], "last": WEEKDAYS[last]}
        parts.append(
            _("%(days)s, %(opens)s to %(closes)s")
            % {"days": days, "opens": time_words(opens), "closes": time_words(closes)}
        )
    return "; ".join(parts)
