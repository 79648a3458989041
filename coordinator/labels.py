"""Stored values in a coordinator's words.

The questions and their answers come from the question catalogue (assessments.questions),
levels and flags from the policy: this module only adds the profile's short labels and the
lookups that tolerate values an older ruleset stored.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from assessments import questions, rules
from assessments.models import CallOutcome

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


def answers_by_section(answers: dict, schema_version: int) -> list[tuple[str, list]]:
    """[(section title, [(question, answer), ...]), ...] in the order the screen asked."""
    return [
        (_(step.title), [(_(label), _(words)) for label, words in rows])
        for step, rows in questions.staff_rows(answers, schema_version)
    ]


def profile_label(name: str, value) -> str:
    return str(PROFILE_LABELS.get(name, {}).get(value, value))


def language_label(code: str) -> str:
    """The language a screen was answered in, in English ("Spanish"); an unknown code as is."""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


# The languages of the self-screen (settings.LANGUAGES), in the workspace's words.
LANGUAGE_CHOICES = [(code, language_label(code)) for code, _name in settings.LANGUAGES]

FLAG_LABELS = {flag: _(info.staff) for flag, info in rules.FLAGS.items()}


def flag_label(flag: str) -> str:
    try:
        return str(FLAG_LABELS[rules.Flag(flag)])
    except ValueError:
        return flag


def level_label(level: str) -> str:
    try:
        return str(_(rules.LEVELS[rules.Level(level)].label))
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
