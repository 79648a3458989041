"""The dashboard's numbers, and the geometry of its server-drawn SVG charts."""

from datetime import datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from assessments import rules
from assessments.models import OverrideReason, Screen, Status
from coordinator import labels

WEEKS = 12
LEVEL_ORDER = (rules.Level.INPATIENT, rules.Level.IOP, rules.Level.OUTPATIENT)
# Chart sizes in SVG user units; the SVG scales to its container.
CHART_WIDTH, CHART_HEIGHT, AXIS = 600, 220, 24
BAR_ROW, BAR_LABEL = 28, 190


def first_week_start(now: datetime | None = None) -> datetime:
    """Midnight, local time, on the Monday that starts the first of the last WEEKS weeks."""
    today = timezone.localdate(now or timezone.now())
    monday = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    return timezone.make_aware(datetime.combine(monday, time.min))


def median_wait(screens) -> timedelta | None:
    """The median time from submission to first contact, without loading every screen."""
    waits = (
        screens.filter(first_contacted_at__isnull=False)
        .annotate(
            wait=ExpressionWrapper(
                F("first_contacted_at") - F("created_at"), output_field=DurationField()
            )
        )
        .order_by("wait")
        .values_list("wait", flat=True)
    )
    count = waits.count()
    if not count:
        return None
    middle = list(waits[(count - 1) // 2 : count // 2 + 1])
    return sum(middle, timedelta()) / len(middle)


def duration_text(duration: timedelta) -> str:
    """A wait in days, hours and minutes, to the minute."""
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(ngettext("%d day", "%d days", days) % days)
    if hours:
        parts.append(ngettext("%d hour", "%d hours", hours) % hours)
    if minutes or not parts:
        parts.append(ngettext("%d minute", "%d minutes", minutes) % minutes)
    return " ".join(parts)


@lru_cache
def _short_formats(language: str) -> tuple[str, str, str]:
    # Translated once per language: the queue shows two durations a row.
    return _("%(days)d d %(hours)d h"), _("%(hours)d h %(minutes)d min"), _("%(minutes)d min")


def short_duration(duration: timedelta) -> str:
    """A duration in its two largest units, short enough for a table cell: "2 d 4 h"."""
    in_days, in_hours, in_minutes = _short_formats(get_language())
    minutes = max(0, int(duration.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return in_days % {"days": days, "hours": hours}
    if hours:
        return in_hours % {"hours": hours, "minutes": minutes}
    return in_minutes % {"minutes": minutes}


def weekly_by_level(screens, start: datetime) -> list[dict]:
    rows = (
        screens.annotate(week=TruncWeek("created_at"))
        .order_by()
        .values_list("week", "level")
        .annotate(n=Count("id"))
    )
    counts = {(timezone.localdate(week), level): n for week, level, n in rows}
    weeks = []
    for index in range(WEEKS):
        week = (start + timedelta(weeks=index)).date()
        by_level = [(level, counts.get((week, level), 0)) for level in LEVEL_ORDER]
        weeks.append({"week": week, "levels": by_level, "total": sum(n for _l, n in by_level)})
    return weeks


def _wait():
    return ExpressionWrapper(
        F("first_contacted_at") - F("created_at"), output_field=DurationField()
    )


def weekly_median_waits(screens) -> dict:
    """{week: median time from submission to first contact} in one query: each week's waits
    ranked by a window function, only the middle one or two read back."""
    ranked = (
        screens.filter(first_contacted_at__isnull=False)
        .annotate(week=TruncWeek("created_at"), wait=_wait())
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("week")], order_by=[F("wait"), F("pk")]),
            n=Window(Count("pk"), partition_by=[F("week")]),
        )
        .filter(rank__gte=(F("n") + 1) / 2, rank__lte=F("n") / 2 + 1)
        .values_list("week", "wait")
    )
    middles: dict = {}
    for week, wait in ranked:
        middles.setdefault(timezone.localdate(week), []).append(wait)
    return {week: sum(waits, timedelta()) / len(waits) for week, waits in middles.items()}


def within_target():
    """Reached within the centre's target: URGENT_RESPONSE_MINUTES for an urgent screen,
    RESPONSE_HOURS for the others (the queue's overdue mark, Screen.response_target)."""
    urgent = timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
    other = timedelta(hours=settings.RESPONSE_HOURS)
    return Q(urgent=True, first_contacted_at__lte=F("created_at") + urgent) | Q(
        urgent=False, first_contacted_at__lte=F("created_at") + other
    )


def weekly_response(screens, start: datetime) -> list[dict]:
    """Per week, of the screens that asked for contact: how many, how many were reached
    within the target and the share, and the median time to first contact."""
    asked = screens.filter(contact_requested=True)
    rows = (
        asked.annotate(week=TruncWeek("created_at"))
        .order_by()
        .values_list("week")
        .annotate(n=Count("pk"), in_time=Count("pk", filter=within_target()))
    )
    counts = {timezone.localdate(week): (n, in_time) for week, n, in_time in rows}
    medians = weekly_median_waits(asked)
    weeks = []
    for index in range(WEEKS):
        week = (start + timedelta(weeks=index)).date()
        n, in_time = counts.get(week, (0, 0))
        median = medians.get(week)
        weeks.append(
            {
                "week": week,
                "asked": n,
                "in_time": in_time,
                "share": _share(in_time, n),
                "percent": round(100 * in_time / n) if n else None,
                "median": median,
                "median_text": duration_text(median) if median is not None else None,
                "median_hours": median.total_seconds() / 3600 if median is not None else 0,
            }
        )
    return weeks


# A person who withdrew or was referred elsewhere ends the centre's deadline, met or not.
DEADLINE_ENDED = (Status.WITHDRAWN, Status.REFERRED_ELSEWHERE)


def priority_compliance(screens, now: datetime) -> list[dict]:
    """For priority populations who asked for contact: each deadline met, missed, ended (the
    person withdrew or was referred elsewhere) or not yet due, from the screens' own deadline
    arithmetic (Screen.priority_deadlines). Priority screens are a few percent of all: read."""
    kinds = ("met", "missed", "ended", "open")
    tally = {name: dict.fromkeys(kinds, 0) for name in ("interim", "admission")}
    fields = ("created_at", "first_contacted_at", "scheduled_at", "status")
    fields += ("priority", "contact_requested")
    for screen in screens.filter(priority=True, contact_requested=True).only(*fields):
        for deadline in screen.priority_deadlines():
            met, due = deadline["met"], deadline["due"]
            if met is not None:
                kind = "met" if met <= due else "missed"
            elif screen.status in DEADLINE_ENDED:
                kind = "ended"
            else:
                kind = "missed" if due < now else "open"
            tally[deadline["name"]][kind] += 1
    names = {
        "interim": (_("Reached within 48 hours (interim services deadline)"), _("48 hours")),
        "admission": (
            _("Assessment booked within 14 days (admission deadline)"),
            _("14 days"),
        ),
    }
    return [
        {
            "name": names[name][0],
            "short": names[name][1],
            **counts,
            "share": _share(counts["met"], counts["met"] + counts["missed"]),
            "percent": (
                round(100 * counts["met"] / (counts["met"] + counts["missed"]))
                if counts["met"] + counts["missed"]
                else None
            ),
        }
        for name, counts in tally.items()
    ]


def _stacked_bars(weeks: list[dict], top: float | None = None) -> dict:
    top = top or max((week["total"] for week in weeks), default=0) or 1
    slot = CHART_WIDTH / len(weeks)
    plot = CHART_HEIGHT - AXIS
    bars = []
    for index, week in enumerate(weeks):
        y = plot
        parts = []
        for level, n in week["levels"]:
            height = plot * n / top
            y -= height
            parts.append({"level": level, "y": round(y, 1), "height": round(height, 1), "n": n})
        bars.append(
            {
                "x": round(index * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "label_x": round(index * slot + slot / 2, 1),
                "week": week["week"],
                "parts": parts,
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "axis_y": plot + 16}


def _horizontal_bars(rows: list[tuple[str, int]]) -> dict:
    top = max((n for _label, n in rows), default=0) or 1
    room = CHART_WIDTH - BAR_LABEL - 50
    bars = [
        {
            "label": label,
            "n": n,
            "y": index * BAR_ROW,
            "text_y": index * BAR_ROW + BAR_ROW * 0.65,
            "width": round(room * n / top, 1),
            "value_x": round(BAR_LABEL + room * n / top + 6, 1),
        }
        for index, (label, n) in enumerate(rows)
    ]
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(1, len(rows)) * BAR_ROW,
        "label_x": BAR_LABEL - 8,
        "bar_x": BAR_LABEL,
        "bar_height": BAR_ROW - 8,
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def dashboard(now: datetime | None = None) -> dict:
    start = first_week_start(now)
    screens = Screen.objects.filter(created_at__gte=start)
    totals = screens.aggregate(
        total=Count("id"),
        urgent=Count("id", filter=Q(urgent=True)),
        overridden=Count("id", filter=~Q(override_level="")),
        # In the same query: the languages the screens were answered in.
        **{
            f"language_{code}": Count("id", filter=Q(language=code))
            for code, _name in labels.LANGUAGE_CHOICES
        },
    )
    languages = [(name, totals[f"language_{code}"]) for code, name in labels.LANGUAGE_CHOICES]
    weeks = weekly_by_level(screens, start)
    status_counts = screens.status_counts()
    statuses = [(label, status_counts[value]) for value, label in Status.choices]
    reason_counts = dict(
        screens.exclude(override_reason="")
        .order_by()
        .values_list("override_reason")
        .annotate(n=Count("id"))
    )
    reasons = [(label, reason_counts.get(value, 0)) for value, label in OverrideReason.choices]
    wait = median_wait(screens)
    response = weekly_response(screens, start)
    compliance = priority_compliance(screens, now or timezone.now())
    compliance_rows = [
        (f"{row['short']}: {label}", row[key])
        for row in compliance
        for key, label in (("met", _("met")), ("missed", _("missed")))
    ]
    return {
        "response": response,
        "share_chart": _stacked_bars(
            [
                {"week": w["week"], "levels": [("share", w["percent"] or 0)], "total": 0}
                for w in response
            ],
            top=100,
        ),
        "median_chart": _stacked_bars(
            [
                {"week": w["week"], "levels": [("median", w["median_hours"])], "total": 0}
                for w in response
            ],
            top=max((w["median_hours"] for w in response), default=0) or 1,
        ),
        "compliance": compliance,
        "compliance_chart": _horizontal_bars(compliance_rows),
        "response_targets": {
            "urgent": settings.URGENT_RESPONSE_MINUTES,
            "other": settings.RESPONSE_HOURS,
        },
        "start": start,
        "weeks": weeks,
        "levels": [(level, labels.level_label(level)) for level in LEVEL_ORDER],
        "weekly_chart": _stacked_bars(weeks),
        "statuses": statuses,
        "reasons": reasons,
        "languages": languages,
        "bar_charts": [
            ("by-status", _("Screens by status"), _horizontal_bars(statuses), statuses),
            ("override-reasons", _("Override reasons"), _horizontal_bars(reasons), reasons),
            ("by-language", _("Screens by language"), _horizontal_bars(languages), languages),
        ],
        "total": totals["total"],
        "urgent": totals["urgent"],
        "urgent_share": _share(totals["urgent"], totals["total"]),
        "overridden": totals["overridden"],
        "override_share": _share(totals["overridden"], totals["total"]),
        "median_wait": None if wait is None else duration_text(wait),
        "title": _("The last %(weeks)d weeks") % {"weeks": WEEKS},
    }
