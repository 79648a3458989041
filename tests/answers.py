"""Valid answers for tests: a quiet baseline that any test changes only where it matters."""

from assessments.rules import CRITERIA

BASELINE = {
    "age_group": "18_to_64",
    "substances": ["alcohol"],
    "use_days": 2,
    **{name: False for name in CRITERIA},
    "withdrawal_symptoms": False,
    "withdrawal_complications": False,
    "self_harm_thoughts": False,
    "mental_health": "none",
    "medical_condition": False,
    "housing": "stable",
    "home_safe": True,
    "others_use_at_home": False,
    "support_person": True,
    "weekly_hours": "9_to_19",
    "can_leave_home": True,
    "recent_higher_care": False,
    "outpatient_tried": False,
}


def criteria(count: int) -> dict[str, bool]:
    """The first `count` DSM-5 criteria answered yes, the rest no."""
    return {name: index < count for index, name in enumerate(CRITERIA)}


def make_answers(**changes) -> dict:
    answers = {**BASELINE, **changes}
    answers["substances"] = list(answers["substances"])
    return answers
