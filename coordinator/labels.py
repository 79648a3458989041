"""Stored values in a coordinator's words.

The questions and their answers come from the question catalogue (assessments.questions),
levels and flags from the policy: this module only adds the profile's short labels and the
lookups that tolerate values an older ruleset stored.
"""

from django.utils.translation import gettext_lazy as _

from assessments import questions, rules

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


def flag_label(flag: str) -> str:
    try:
        return str(_(rules.FLAGS[rules.Flag(flag)].staff))
    except ValueError:
        return flag


def level_label(level: str) -> str:
    try:
        return str(_(rules.LEVELS[rules.Level(level)].label))
    except ValueError:
        return level
