import copy
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import rules
from assessments.rules import (
    CHOICES,
    CRITERIA,
    FIELDS,
    NOTES,
    RULES,
    SOURCES,
    InvalidAnswers,
    Level,
    recommend,
)
from assessments.sources import POINTS
from tests.answers import BASELINE, criteria, make_answers

SEVERE = criteria(6)
MODERATE = criteria(4)
MILD = criteria(2)


def fired(rec) -> list[str]:
    return [entry.rule for entry in rec.trace]


# --- Profile: severity, detox need, home stability ---------------------------------------


@pytest.mark.parametrize(
    "count, severity",
    [
        (0, "none"),
        (1, "none"),
        (2, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (5, "moderate"),
        (6, "severe"),
        (11, "severe"),
    ],
)
def test_criteria_count_gives_severity(count, severity):
    rec = recommend(make_answers(**criteria(count)))
    assert rec.profile.criteria_count == count
    assert rec.profile.severity == severity
    assert rec.profile["severity"] == severity


@pytest.mark.parametrize(
    "changes, detox_need",
    [
        ({}, "none"),
        ({"withdrawal_complications": True}, "medical"),
        # withdrawal symptoms from a sedative, and one thing that makes home withdrawal unsafe
        ({"withdrawal_symptoms": True, "support_person": False}, "medical"),
        ({"withdrawal_symptoms": True, "medical_condition": True}, "medical"),
        ({"withdrawal_symptoms": True, "mental_health": "unmanaged"}, "medical"),
        ({"withdrawal_symptoms": True, "age_group": "65_plus"}, "medical"),
        (
            {
                "withdrawal_symptoms": True,
                "substances": ["benzodiazepines"],
                "support_person": False,
            },
            "medical",
        ),
        # ... but not from opioids, and not with managed mental health
        (
            {"withdrawal_symptoms": True, "substances": ["opioids"], "support_person": False},
            "monitored",
        ),
        ({"withdrawal_symptoms": True, "mental_health": "managed"}, "monitored"),
        ({"withdrawal_symptoms": True}, "monitored"),
        # near-daily use of both sedatives
        ({"substances": ["alcohol", "benzodiazepines"], "use_days": 20}, "medical"),
        ({"substances": ["alcohol", "benzodiazepines"], "use_days": 19}, "none"),
        # near-daily use of one dependence-forming substance
        ({"substances": ["alcohol"], "use_days": 20}, "monitored"),
        ({"substances": ["benzodiazepines"], "use_days": 20}, "monitored"),
        ({"substances": ["opioids"], "use_days": 30}, "monitored"),
        ({"substances": ["opioids"], "use_days": 19}, "none"),
        ({"substances": ["stimulants", "cannabis", "other"], "use_days": 30}, "none"),
    ],
)
def test_detox_need(changes, detox_need):
    assert recommend(make_answers(**changes)).profile.detox_need == detox_need


@pytest.mark.parametrize(
    "changes, stability",
    [
        ({}, "stable"),
        ({"housing": "temporary"}, "unstable"),
        ({"housing": "none"}, "unstable"),
        ({"home_safe": False}, "unstable"),
        ({"others_use_at_home": True, "support_person": False}, "unstable"),
        ({"others_use_at_home": True}, "strained"),
        ({"support_person": False}, "strained"),
    ],
)
def test_home_stability(changes, stability):
    assert recommend(make_answers(**changes)).profile.home_stability == stability


# --- Every rule: fires, and its boundary does not ----------------------------------------


@pytest.mark.parametrize(
    "changes, rule, level",
    [
        ({"self_harm_thoughts": True}, "crisis", "inpatient"),
        ({"withdrawal_complications": True}, "medical_detox", "inpatient"),
        ({"home_safe": False}, "unstable_home", "inpatient"),
        ({"mental_health": "unmanaged", **MODERATE}, "psychiatric_risk", "inpatient"),
        ({"mental_health": "unmanaged", **SEVERE}, "psychiatric_risk", "inpatient"),
        ({"medical_condition": True, **SEVERE}, "medical_risk", "inpatient"),
        ({"medical_condition": True, "use_days": 20}, "medical_risk", "inpatient"),
        ({**SEVERE}, "severe_use", "inpatient"),
        ({**SEVERE, "can_leave_home": False, "support_person": False}, "severe_use", "inpatient"),
        ({**SEVERE, "can_leave_home": False}, "severe_use_at_home", "iop"),
        ({"recent_higher_care": True}, "step_down", "iop"),
        ({**MODERATE}, "moderate_use", "iop"),
        ({"withdrawal_symptoms": True}, "withdrawal_watch", "iop"),
        ({"mental_health": "unmanaged", **MILD}, "co_occurring", "iop"),
        ({"outpatient_tried": True, **MILD}, "outpatient_not_enough", "iop"),
        ({**MILD}, "mild_use", "outpatient"),
        ({}, "no_disorder_signs", "outpatient"),
    ],
)
def test_each_rule_fires_and_raises(changes, rule, level):
    rec = recommend(make_answers(**changes))
    assert rule in fired(rec)
    entry = next(entry for entry in rec.trace if entry.rule == rule)
    assert entry.level == level
    assert rec.level == level
    assert rule in [reason.rule for reason in rec.reasons]


@pytest.mark.parametrize(
    "changes, rule",
    [
        ({"mental_health": "unmanaged", **MILD}, "psychiatric_risk"),
        ({"mental_health": "managed", **SEVERE}, "psychiatric_risk"),
        ({"medical_condition": True, **MODERATE}, "medical_risk"),
        ({"medical_condition": True, "use_days": 19}, "medical_risk"),
        ({**SEVERE, "recent_higher_care": True}, "severe_use"),
        ({**SEVERE, "can_leave_home": False}, "severe_use"),
        ({**criteria(5)}, "severe_use"),
        ({**SEVERE, "recent_higher_care": True, "can_leave_home": False}, "severe_use_at_home"),
        ({**criteria(3)}, "moderate_use"),
        ({**criteria(6)}, "moderate_use"),
        ({"mental_health": "unmanaged", **criteria(1)}, "co_occurring"),
        ({"outpatient_tried": True, **criteria(1)}, "outpatient_not_enough"),
        ({**criteria(1)}, "mild_use"),
        ({**criteria(4)}, "mild_use"),
        ({**criteria(2)}, "no_disorder_signs"),
    ],
)
def test_rule_does_not_fire_past_its_boundary(changes, rule):
    assert rule not in fired(recommend(make_answers(**changes)))


def test_the_highest_level_wins_and_only_its_rules_are_reasons():
    rec = recommend(make_answers(self_harm_thoughts=True, **MODERATE))
    assert rec.level == "inpatient"
    assert [reason.rule for reason in rec.reasons] == ["crisis"]
    assert fired(rec) == ["crisis", "moderate_use"]


def test_reasons_come_most_decisive_first():
    rec = recommend(make_answers(self_harm_thoughts=True, withdrawal_complications=True))
    assert [reason.rule for reason in rec.reasons] == ["crisis", "medical_detox"]


# --- Flags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, flags",
    [
        ({}, {"low_signs"}),
        ({"self_harm_thoughts": True, **MILD}, {"crisis"}),
        ({"withdrawal_complications": True, **MILD}, {"detox_first"}),
        ({"withdrawal_symptoms": True, **MILD}, {"detox_check"}),
        ({**SEVERE, "can_leave_home": False}, {"discuss_inpatient"}),
        # discuss_inpatient is dropped once another rule sets inpatient
        ({**SEVERE, "can_leave_home": False, "medical_condition": True}, set()),
        (
            {**SEVERE, "can_leave_home": False, "withdrawal_symptoms": True},
            {"discuss_inpatient", "detox_check"},
        ),
        # low_signs stays with a higher level: it is the union of all fired rules' flags
        ({"self_harm_thoughts": True}, {"crisis", "low_signs"}),
    ],
)
def test_flags(changes, flags):
    assert recommend(make_answers(**changes)).flags == flags


@pytest.mark.parametrize(
    "changes, urgent",
    [
        ({}, False),
        ({"self_harm_thoughts": True}, True),
        ({"withdrawal_complications": True}, True),
        ({"withdrawal_symptoms": True}, False),
    ],
)
def test_crisis_and_detox_first_are_urgent(changes, urgent):
    assert recommend(make_answers(**changes)).urgent is urgent


# --- Notes -------------------------------------------------------------------------------

NOTE_TEXT = {note.id: note.text for note in NOTES}


@pytest.mark.parametrize(
    "changes, note, shown",
    [
        ({"self_harm_thoughts": True, "can_leave_home": False}, "inpatient_timing", True),
        ({"self_harm_thoughts": True}, "inpatient_timing", False),
        ({**MODERATE, "weekly_hours": "under_4"}, "iop_hours", True),
        ({**MODERATE, "weekly_hours": "4_to_8"}, "iop_hours", True),
        ({**MODERATE, "weekly_hours": "9_to_19"}, "iop_hours", False),
        ({**MILD, "weekly_hours": "4_to_8"}, "iop_hours", False),
        ({**MILD, "weekly_hours": "under_4"}, "outpatient_hours", True),
        ({**MILD, "weekly_hours": "4_to_8"}, "outpatient_hours", False),
        ({**MILD, "weekly_hours": "9_to_19"}, "iop_option", True),
        ({**MILD, "weekly_hours": "20_plus"}, "iop_option", True),
        ({**MILD, "weekly_hours": "4_to_8"}, "iop_option", False),
        ({"weekly_hours": "20_plus"}, "iop_option", False),
        ({"support_person": False}, "support_network", True),
        ({"others_use_at_home": True}, "support_network", True),
        ({"home_safe": False}, "support_network", False),
        (
            {**SEVERE, "can_leave_home": False, "weekly_hours": "20_plus"},
            "partial_hospitalisation",
            True,
        ),
        (
            {**SEVERE, "can_leave_home": False, "weekly_hours": "9_to_19"},
            "partial_hospitalisation",
            False,
        ),
        ({**MODERATE, "weekly_hours": "20_plus"}, "partial_hospitalisation", False),
        ({"substances": ["benzodiazepines"]}, "benzodiazepines", True),
        ({"substances": ["opioids", "cannabis"]}, "opioids", True),
        ({"substances": ["cannabis"]}, "opioids", False),
        ({"age_group": "under_18"}, "under_18", True),
        ({"age_group": "65_plus"}, "under_18", False),
    ],
)
def test_notes(changes, note, shown):
    assert (NOTE_TEXT[note] in recommend(make_answers(**changes)).notes) is shown


def test_notes_never_change_the_level():
    quiet = recommend(make_answers(**MODERATE, weekly_hours="9_to_19"))
    busy = recommend(make_answers(**MODERATE, weekly_hours="under_4"))
    assert quiet.level == busy.level == "iop"
    assert len(busy.notes) == len(quiet.notes) + 1


# --- Validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("age_group", "adult"),
        ("age_group", 30),
        ("substances", []),
        ("substances", "alcohol"),
        ("substances", ["alcohol", "alcohol"]),
        ("substances", ["beer"]),
        ("substances", [["alcohol"]]),
        ("use_days", -1),
        ("use_days", 31),
        ("use_days", "5"),
        ("use_days", 5.0),
        ("use_days", True),
        ("lost_control", "true"),
        ("lost_control", 1),
        ("withdrawal_symptoms", "yes"),
        ("mental_health", "bad"),
        ("housing", ""),
        ("home_safe", None),
        ("weekly_hours", "40"),
        ("can_leave_home", 0),
    ],
)
def test_bad_value_names_its_field(field, value):
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(make_answers(**{field: value}))
    assert list(excinfo.value.errors) == [field]
    assert excinfo.value.errors[field]
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("field", [field.name for field in FIELDS])
def test_every_field_is_required(field):
    answers = make_answers()
    del answers[field]
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(answers)
    assert excinfo.value.errors == {field: ["This field is required."]}


def test_it_reports_every_error_at_once():
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(make_answers(use_days="5", craving="true", housing="castle"))
    assert set(excinfo.value.errors) == {"use_days", "craving", "housing"}


def test_it_reports_each_duplicate_substance():
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(make_answers(substances=["alcohol", "opioids", "alcohol"]))
    assert excinfo.value.errors == {"substances": ["“alcohol” is listed more than once."]}


@pytest.mark.parametrize("answers", [None, [], "answers", 42])
def test_it_rejects_answers_that_are_not_an_object(answers):
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(answers)
    assert "__all__" in excinfo.value.errors


def test_it_ignores_contact_fields():
    rec = recommend(make_answers(contact_requested=True, first_name="Sam"))
    assert "first_name" not in rec.answers


# --- The table itself --------------------------------------------------------------------


def test_every_rule_cites_sources_with_a_point_for_each():
    cited = set()
    for rule in RULES:
        assert rule.source_ids, rule.id
        for source_id in rule.source_ids:
            assert source_id in SOURCES
            assert POINTS[(rule.id, source_id)]
            cited.add((rule.id, source_id))
    assert cited == set(POINTS), "every point belongs to a rule that cites it"


def test_every_source_is_cited():
    assert {source for rule in RULES for source in rule.source_ids} == set(SOURCES)


def test_rule_ids_are_unique():
    assert len({rule.id for rule in RULES}) == len(RULES)


def test_rules_module_imports_without_django():
    code = "import sys; import assessments.rules; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""})


def test_as_dict_is_the_json_shape():
    data = recommend(make_answers(**MODERATE)).as_dict()
    assert data["level"] == "iop"
    assert data["level_label"] == "Intensive outpatient program (IOP)"
    assert data["reasons"][0]["rule"] == "moderate_use"
    assert set(data["reasons"][0]["sources"][0]) == {"id", "title", "publisher"}
    assert set(data["profile"]) == {
        "severity",
        "criteria_count",
        "detox_need",
        "home_stability",
        "weekly_hours",
        "age_group",
    }
    assert data["ruleset_version"] == "1"


# --- Properties on random valid answers --------------------------------------------------


def _field_strategy(field):
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "int":
        return st.integers(field.minimum, field.maximum)
    if field.kind == "choice":
        return st.sampled_from(CHOICES[field.name])
    return st.lists(st.sampled_from(CHOICES[field.name]), min_size=1, unique=True)


valid_answers = st.fixed_dictionaries({field.name: _field_strategy(field) for field in FIELDS})

# Each risk answer and the direction that makes it worse.
ORDERED = {
    "mental_health": ["none", "managed", "unmanaged"],
    "housing": ["stable", "temporary", "none"],
    "age_group": ["18_to_64", "65_plus"],
}
WORSE_WHEN_TRUE = [
    *CRITERIA,
    "withdrawal_symptoms",
    "withdrawal_complications",
    "self_harm_thoughts",
    "medical_condition",
    "others_use_at_home",
    "outpatient_tried",
]
WORSE_WHEN_FALSE = ["home_safe", "support_person"]


def _worse_variants(answers):
    for name in WORSE_WHEN_TRUE:
        if not answers[name]:
            yield name, {**answers, name: True}
    for name in WORSE_WHEN_FALSE:
        if answers[name]:
            yield name, {**answers, name: False}
    for name, order in ORDERED.items():
        if answers[name] in order:
            for worse in order[order.index(answers[name]) + 1 :]:
                yield name, {**answers, name: worse}
    if answers["use_days"] < 30:
        yield "use_days", {**answers, "use_days": answers["use_days"] + 1}
    for substance in CHOICES["substances"]:
        if substance not in answers["substances"]:
            yield "substances", {**answers, "substances": [*answers["substances"], substance]}


@settings(max_examples=300, deadline=None)
@given(valid_answers)
def test_policy_invariants(answers):
    before = copy.deepcopy(answers)
    rec = recommend(answers)
    assert answers == before, "the input is not mutated"
    assert rec.level in {"inpatient", "iop", "outpatient"}
    assert rec.reasons
    assert all(reason.sources for reason in rec.reasons)
    assert all(reason.rule in {entry.rule for entry in rec.trace} for reason in rec.reasons)
    assert rec.ruleset_version == rules.RULESET_VERSION
    assert recommend(answers) == rec, "same answers, same result"
    if answers["self_harm_thoughts"]:
        assert rec.level == "inpatient" and "crisis" in rec.flags
    if answers["withdrawal_complications"]:
        assert rec.level == "inpatient" and "detox_first" in rec.flags
    if rec.profile.home_stability == "unstable":
        assert rec.level == "inpatient"
    if "discuss_inpatient" in rec.flags:
        assert rec.level == "iop"


@settings(max_examples=200, deadline=None)
@given(valid_answers, st.sampled_from(CHOICES["weekly_hours"]))
def test_weekly_hours_never_changes_the_level(answers, hours):
    assert recommend({**answers, "weekly_hours": hours}).level == recommend(answers).level


@settings(max_examples=200, deadline=None)
@given(valid_answers)
def test_a_worse_risk_answer_never_lowers_the_level(answers):
    level = recommend(answers).level
    for name, worse in _worse_variants(answers):
        assert recommend(worse).level.rank >= level.rank, name


def test_baseline_is_the_quietest_answer():
    assert recommend(BASELINE).level == Level.OUTPATIENT


def test_enum_members_count_as_their_strings():
    as_enums = make_answers(
        substances=[rules.Substance.ALCOHOL, rules.Substance.OPIOIDS],
        age_group=rules.AgeGroup.OLDER,
        mental_health=rules.MentalHealth.MANAGED,
    )
    as_strings = make_answers(
        substances=["alcohol", "opioids"], age_group="65_plus", mental_health="managed"
    )
    with_enums, with_strings = recommend(as_enums), recommend(as_strings)
    assert with_enums == with_strings
    assert type(with_enums.answers["substances"][0]) is str
    assert type(with_enums.answers["age_group"]) is str


def test_the_stored_answers_never_share_the_callers_list():
    answers = make_answers(substances=["alcohol"])
    rec = recommend(answers)
    rec.answers["substances"].append("cannabis")
    assert answers["substances"] == ["alcohol"]


@pytest.mark.parametrize(
    "value", [["alcohol", 5], ["alcohol", None], [["alcohol"]], ["Alcohol"], [True]]
)
def test_it_rejects_bad_items_in_the_substance_list(value):
    with pytest.raises(InvalidAnswers) as error:
        recommend(make_answers(substances=value))
    assert list(error.value.errors) == ["substances"]
