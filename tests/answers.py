"""Valid answers for tests: a quiet baseline that any test changes only where it matters."""

from assessments.rules import CRITERIA

BASELINE = {
    "age_group": "18_to_64",
    "pregnant": False,
    "substances": ["alcohol"],
    "use_days": 2,
    **{name: False for name in CRITERIA},
    "withdrawal_now": "none",
    "withdrawal_complications": False,
    "overdose": False,
    "injects": False,
    "self_harm_thoughts": False,
    "harm_others_thoughts": False,
    "mental_health": "none",
    "medical_condition": False,
    "housing": "stable",
    "home_safe": True,
    "others_use_at_home": False,
    "support_person": True,
    "readiness": "ready",
    "recent_higher_care": False,
    "tried_before": [],
    "weekly_hours": "9_to_19",
    "can_leave_home": True,
    "transport": True,
    "mandated": False,
}
# The conditional questions, asked only when their condition holds (screen.md section 1).
CONDITIONAL = {"prescribed_as_directed": False, "used_since_care": False}


def criteria(count: int) -> dict[str, bool]:
    """The first `count` DSM-5 criteria answered yes, the rest no."""
    return {name: index < count for index, name in enumerate(CRITERIA)}


def make_answers(**changes) -> dict:
    """The baseline with `changes`; a conditional answer is added only where it is asked."""
    answers = {**BASELINE, **changes}
    answers["substances"] = list(answers["substances"])
    answers["tried_before"] = list(answers["tried_before"])
    if any(item in ("opioids", "benzodiazepines") for item in answers["substances"]):
        answers.setdefault("prescribed_as_directed", False)
    if answers["recent_higher_care"]:
        answers.setdefault("used_since_care", False)
    return answers
