"""The answers in a coordinator's words: one question and one label per stored value.

The patient-side forms word the same questions in the second person for the person
answering; these are short third-person labels for staff reading a stored screen.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments import rules
from assessments.models import CallOutcome

QUESTIONS = {
    "age_group": _("Age group"),
    "substances": _("Substances used in the past 12 months"),
    "use_days": _("Days of use in the past 30 days"),
    "lost_control": _("Used more, or for longer, than meant to"),
    "cant_cut_down": _("Wanted to cut down or stop, and couldn't"),
    "time_spent": _("A lot of time spent getting, using or recovering"),
    "craving": _("Strong cravings or urges"),
    "neglected_duties": _("Use got in the way of work, school or home"),
    "relationship_problems": _("Kept using despite trouble with family or friends"),
    "gave_up_activities": _("Gave up or cut back important activities"),
    "risky_use": _("Used where it was physically risky (e.g. driving)"),
    "health_problems": _("Kept using despite health problems it caused or worsened"),
    "tolerance": _("Needed more to get the same effect"),
    "withdrawal": _("Felt withdrawal, or used to avoid it"),
    "withdrawal_symptoms": _("Withdrawal symptoms in the past week when going without"),
    "withdrawal_complications": _(
        "Ever had a seizure, hallucinations or severe confusion (DTs) when stopping"
    ),
    "self_harm_thoughts": _("Thoughts of ending their life or self-harm in the past month"),
    "mental_health": _("Mental health"),
    "medical_condition": _("Serious medical condition needing regular care, or pregnancy"),
    "housing": _("Housing"),
    "home_safe": _("Feels safe where they live"),
    "others_use_at_home": _("Someone they live with drinks heavily or uses drugs"),
    "support_person": _("Someone in their life supports their recovery"),
    "weekly_hours": _("Hours a week they could set aside for treatment"),
    "can_leave_home": _("Could leave home, work or family for a residential stay"),
    "recent_higher_care": _(
        "Completed detox, inpatient or partial hospitalisation in the past 3 months"
    ),
    "outpatient_tried": _("Tried outpatient treatment before and it wasn't enough"),
}

CHOICE_LABELS = {
    "age_group": {
        rules.AgeGroup.UNDER_18: _("Under 18"),
        rules.AgeGroup.ADULT: _("18 to 64"),
        rules.AgeGroup.OLDER: _("65 or older"),
    },
    "substances": {
        rules.Substance.ALCOHOL: _("Alcohol"),
        rules.Substance.OPIOIDS: _("Opioids (heroin, fentanyl, pain pills)"),
        rules.Substance.BENZODIAZEPINES: _("Benzodiazepines (e.g. Xanax, Valium)"),
        rules.Substance.STIMULANTS: _("Stimulants (meth, cocaine, prescription stimulants)"),
        rules.Substance.CANNABIS: _("Cannabis"),
        rules.Substance.OTHER: _("Other"),
    },
    "mental_health": {
        rules.MentalHealth.NONE: _("No mental health condition"),
        rules.MentalHealth.MANAGED: _("A condition that is stable or treated"),
        rules.MentalHealth.UNMANAGED: _("Symptoms not under control"),
    },
    "housing": {
        rules.Housing.STABLE: _("Own or steady place"),
        rules.Housing.TEMPORARY: _("Temporary (couch-surfing, shelter, about to lose it)"),
        rules.Housing.NONE: _("No place to live"),
    },
    "weekly_hours": {
        rules.WeeklyHours.UNDER_4: _("Under 4 hours"),
        rules.WeeklyHours.FROM_4_TO_8: _("4 to 8 hours"),
        rules.WeeklyHours.FROM_9_TO_19: _("9 to 19 hours"),
        rules.WeeklyHours.OVER_20: _("20 hours or more"),
    },
}

PROFILE_LABELS = {
    "severity": {
        rules.Severity.NONE: _("Few or no signs"),
        rules.Severity.MILD: _("Mild"),
        rules.Severity.MODERATE: _("Moderate"),
        rules.Severity.SEVERE: _("Severe"),
    },
    "detox_need": {
        rules.DetoxNeed.NONE: _("None"),
        rules.DetoxNeed.MONITORED: _("To be checked"),
        rules.DetoxNeed.MEDICAL: _("Medical"),
    },
    "home_stability": {
        rules.HomeStability.STABLE: _("Stable"),
        rules.HomeStability.STRAINED: _("Strained"),
        rules.HomeStability.UNSTABLE: _("Unstable"),
    },
}

FLAG_LABELS = {
    rules.Flag.CRISIS: _("Crisis"),
    rules.Flag.DETOX_FIRST: _("Detox first"),
    rules.Flag.DETOX_CHECK: _("Detox check"),
    rules.Flag.DISCUSS_INPATIENT: _("Discuss inpatient"),
    rules.Flag.LOW_SIGNS: _("Few signs"),
}


def answer_label(name: str, value) -> str:
    """One stored answer in words; a value this version does not know is shown as it is."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "use_days" and isinstance(value, int):
        return ngettext("%(days)d day of %(total)d", "%(days)d days of %(total)d", value) % {
            "days": value,
            "total": rules.USE_DAYS_MAX,
        }
    labels = CHOICE_LABELS.get(name, {})
    if isinstance(value, list):
        return ", ".join(str(labels.get(item, item)) for item in value)
    return str(labels.get(value, value))


def answers_by_section(answers: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(question, answer), ...]), ...] in the order the screen asks."""
    sections: dict[rules.Section, list[tuple[str, str]]] = {}
    for field in rules.FIELDS:
        if field.name in answers:
            row = (QUESTIONS[field.name], answer_label(field.name, answers[field.name]))
            sections.setdefault(field.section, []).append(row)
    return [(_(rules.SECTION_TITLES[section]), rows) for section, rows in sections.items()]


def profile_label(name: str, value) -> str:
    return str(PROFILE_LABELS.get(name, {}).get(value, value))


def flag_label(flag: str) -> str:
    return str(FLAG_LABELS.get(flag, flag))


def level_label(level: str) -> str:
    try:
        return _(rules.Level(level).label)
    except ValueError:
        return level


def call_text(data: dict) -> str:
    """A logged call in words: its outcome, the note, the follow-up it set."""
    outcome = data.get("outcome", "")
    parts = [str(CallOutcome(outcome).label) if outcome in CallOutcome.values else outcome]
    if data.get("note"):
        parts.append(data["note"])
    if data.get("follow_up"):
        when = timezone.localtime(datetime.fromisoformat(data["follow_up"]))
        parts.append(_("Follow-up set for %s") % when.strftime("%Y-%m-%d %H:%M"))
    return ". ".join(str(part) for part in parts if part)
