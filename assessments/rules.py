"""CareGuide's decision policy, ruleset 2: the public names in one place.

`from assessments.rules import recommend` works anywhere (no Django import). The policy
itself is in policy.py (the rule table a clinician reads), the questions in questions.py,
the engine that applies them in engine.py. See shared/design/screen.md.
"""

from assessments.engine import (
    MSG_BOOL,
    MSG_NOT_ASKED,
    MSG_NOT_OBJECT,
    InvalidAnswers,
    Message,
    Note,
    Reason,
    Recommendation,
    TraceEntry,
    evaluate,
    level_without,
    profile_for,
    recommend,
    validate,
)
from assessments.policy import (
    FLAGS,
    LEVELS,
    NOT_AN_ASSESSMENT,
    NOTES,
    RULES,
    RULESET_VERSION,
    URGENT_FLAGS,
)
from assessments.questions import (
    ANSWER_NAMES,
    CONTACT_NAMES,
    CRITERIA,
    SCHEMA_VERSION,
    USE_DAYS_MAX,
    AgeGroup,
    Housing,
    MentalHealth,
    PreferredContact,
    Readiness,
    Substance,
    TriedBefore,
    WeeklyHours,
    WithdrawalNow,
)
from assessments.sources import SOURCES
from assessments.terms import DetoxNeed, Flag, HomeStability, Level, Profile, Severity

RULES_BY_ID = {rule.id: rule for rule in RULES}

__all__ = [
    "ANSWER_NAMES",
    "CONTACT_NAMES",
    "CRITERIA",
    "FLAGS",
    "LEVELS",
    "MSG_BOOL",
    "MSG_NOT_ASKED",
    "MSG_NOT_OBJECT",
    "NOTES",
    "NOT_AN_ASSESSMENT",
    "RULES",
    "RULESET_VERSION",
    "RULES_BY_ID",
    "SCHEMA_VERSION",
    "SOURCES",
    "URGENT_FLAGS",
    "USE_DAYS_MAX",
    "AgeGroup",
    "DetoxNeed",
    "Flag",
    "HomeStability",
    "Housing",
    "InvalidAnswers",
    "Message",
    "Level",
    "MentalHealth",
    "Note",
    "PreferredContact",
    "Profile",
    "Readiness",
    "Reason",
    "Recommendation",
    "Severity",
    "Substance",
    "TraceEntry",
    "TriedBefore",
    "WeeklyHours",
    "WithdrawalNow",
    "evaluate",
    "level_without",
    "profile_for",
    "recommend",
    "validate",
]
