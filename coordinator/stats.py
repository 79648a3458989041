"""The dashboard's numbers, and the geometry of its server-drawn SVG charts."""

from datetime import datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def short_duration(duration: timedelta) -> str:
    """A duration in its two largest units, short enough for a table cell: "2 d 4 h"."""
    minutes = max(0, int(duration.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


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


def _stacked_bars(weeks: list[dict]) -> dict:
    top = max((week["total"] for week in weeks), default=0) or 1
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
    )
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
    return {
        "start": start,
        "weeks": weeks,
        "levels": [(level, labels.level_label(level)) for level in LEVEL_ORDER],
        "weekly_chart": _stacked_bars(weeks),
        "statuses": statuses,
        "reasons": reasons,
        "bar_charts": [
            ("by-status", _("Screens by status"), _horizontal_bars(statuses), statuses),
            ("override-reasons", _("Override reasons"), _horizontal_bars(reasons), reasons),
        ],
        "total": totals["total"],
        "urgent": totals["urgent"],
        "urgent_share": _share(totals["urgent"], totals["total"]),
        "overridden": totals["overridden"],
        "override_share": _share(totals["overridden"], totals["total"]),
        "median_wait": None if wait is None else duration_text(wait),
        "title": _("The last %(weeks)d weeks") % {"weeks": WEEKS},
    }
