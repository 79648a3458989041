"""Ruleset 2 (screen.md sections 2 and 3), tested as tables and as properties."""

import copy
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import policy, questions, rules
from assessments.questions import ANSWER_QUESTIONS, Kind
from assessments.rules import (
    CRITERIA,
    NOTES,
    RULES,
    SOURCES,
    InvalidAnswers,
    Level,
    recommend,
)
from tests.answers import BASELINE, criteria, make_answers

SEVERE = criteria(6)
MODERATE = criteria(4)
MILD = criteria(2)


def fired(rec) -> list[str]:
    return [entry.rule for entry in rec.trace]


def note_ids(rec) -> list[str]:
    return [note.id for note in rec.notes]


# --- Profile: severity, detox need, home stability and the rest ---------------------------


@pytest.mark.parametrize(
    "count, severity",
    [(0, "none"), (1, "none"), (2, "mild"), (3, "mild"), (4, "moderate"), (5, "moderate")]
    + [(6, "severe"), (11, "severe")],
)
def test_criteria_count_gives_severity(count, severity):
    rec = recommend(make_answers(**criteria(count)))
    assert rec.profile.criteria_count == count
    assert rec.profile.severity == severity
    assert rec.profile["severity"] == severity


def test_tolerance_and_withdrawal_do_not_count_for_medication_taken_as_directed():
    both = {**criteria(3), "tolerance": True, "withdrawal": True}
    on_methadone = make_answers(substances=["opioids"], prescribed_as_directed=True, **both)
    assert recommend(on_methadone).profile.criteria_count == 3
    misused = make_answers(substances=["opioids"], prescribed_as_directed=False, **both)
    assert recommend(misused).profile.criteria_count == 5


# Detox need at each edge of screen.md section 2. Daily = 20 days, regular = 10.
@pytest.mark.parametrize(
    "changes, detox_need",
    [
        ({}, "none"),
        # History alone never says "don't stop": not using means no detox need.
        ({"use_days": 0, "withdrawal_complications": True}, "none"),
        ({"use_days": 0, "withdrawal_now": "severe"}, "none"),
        ({"use_days": 1, "withdrawal_complications": True}, "medical"),
        # Severe withdrawal this week, from any substance.
        ({"withdrawal_now": "severe", "substances": ["stimulants"]}, "medical"),
        # Withdrawal signs from a sedative and a reason home is not safe.
        ({"withdrawal_now": "mild", "support_person": False}, "medical"),
        ({"withdrawal_now": "mild", "medical_condition": True}, "medical"),
        ({"withdrawal_now": "mild", "pregnant": True}, "medical"),
        ({"withdrawal_now": "mild", "mental_health": "unmanaged"}, "medical"),
        ({"withdrawal_now": "mild", "self_harm_thoughts": True}, "medical"),
        ({"withdrawal_now": "mild", "age_group": "65_plus"}, "medical"),
        ({"withdrawal_now": "mild", "mental_health": "managed"}, "monitored"),
        ({"withdrawal_now": "mild"}, "monitored"),
        # ... and not a sedative: checked, not medical.
        (
            {"withdrawal_now": "mild", "substances": ["opioids"], "support_person": False},
            "monitored",
        ),
        # Stimulant or cannabis withdrawal is no withdrawal sign in itself.
        ({"withdrawal_now": "mild", "substances": ["stimulants", "cannabis"]}, "none"),
        # Opioids (misused) with a sedative, and withdrawal signs.
        ({"withdrawal_now": "mild", "substances": ["opioids", "alcohol"]}, "medical"),
        (
            {
                "withdrawal_now": "mild",
                "substances": ["opioids", "alcohol"],
                "prescribed_as_directed": True,
            },
            "monitored",
        ),
        # Regular use with the withdrawal criterion: a sign, even with a quiet week.
        ({"use_days": 10, "withdrawal": True, "support_person": False}, "medical"),
        ({"use_days": 9, "withdrawal": True, "support_person": False}, "none"),
        # Near-daily drinking with misused benzodiazepines.
        ({"use_days": 20, "substances": ["alcohol", "benzodiazepines"]}, "medical"),
        ({"use_days": 19, "substances": ["alcohol", "benzodiazepines"]}, "none"),
        # Near-daily sedative pills with tolerance or withdrawal counted.
        ({"use_days": 20, "substances": ["benzodiazepines"], "tolerance": True}, "medical"),
        ({"use_days": 20, "substances": ["other_sedatives"], "withdrawal": True}, "medical"),
        ({"use_days": 20, "substances": ["benzodiazepines"]}, "monitored"),
        # Near daily: alcohol, other sedatives, misused benzodiazepines or opioids.
        ({"use_days": 20}, "monitored"),
        ({"use_days": 19}, "none"),
        ({"use_days": 20, "substances": ["opioids"]}, "monitored"),
        ({"use_days": 20, "substances": ["opioids"], "prescribed_as_directed": True}, "none"),
        ({"use_days": 30, "substances": ["stimulants"]}, "none"),
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


def test_the_profile_says_using_withdrawal_relapse_and_priority():
    quiet = recommend(make_answers(use_days=0)).profile
    assert not (quiet.using or quiet.withdrawal_signs or quiet.relapse_after_care)
    assert not quiet.priority_population
    busy = recommend(
        make_answers(
            use_days=1,
            withdrawal_now="mild",
            recent_higher_care=True,
            used_since_care=True,
            injects=True,
        )
    ).profile
    assert busy.using and busy.withdrawal_signs and busy.relapse_after_care
    assert busy.priority_population
    assert recommend(make_answers(pregnant=True)).profile.priority_population


# --- Every rule at its edge: fires on one side, not on the other ---------------------------

EDGES = [
    ("crisis", {"self_harm_thoughts": True, **MODERATE}, {"self_harm_thoughts": True, **MILD}),
    (
        "crisis_low_signs",
        {"harm_others_thoughts": True, **criteria(3)},
        {"harm_others_thoughts": True, **MODERATE},
    ),
    ("medical_detox", {"withdrawal_now": "severe"}, {"withdrawal_now": "severe", "use_days": 0}),
    ("unstable_home", {"housing": "temporary", **MODERATE}, {"housing": "temporary", **MILD}),
    (
        "unstable_home_mild",
        {"housing": "temporary", **MILD},
        {"housing": "temporary", **criteria(1)},
    ),
    (
        "psychiatric_risk",
        {"mental_health": "unmanaged", **MODERATE},
        {"mental_health": "unmanaged", **criteria(3)},
    ),
    (
        "medical_risk",
        {"medical_condition": True, "substances": ["opioids"], "use_days": 20},
        {"medical_condition": True, "substances": ["opioids"], "use_days": 19},
    ),
    ("severe_plus", {"overdose": True, **SEVERE}, {"overdose": True, **criteria(5)}),
    ("severe_use", SEVERE, criteria(5)),
    ("pregnancy", {"pregnant": True, **MILD}, {"pregnant": True, **criteria(1)}),
    ("overdose_risk", {"overdose": True, "use_days": 1}, {"overdose": True, "use_days": 0}),
    (
        "relapse_after_care",
        {"recent_higher_care": True, "used_since_care": True},
        {"recent_higher_care": True, "used_since_care": False},
    ),
    (
        "step_down",
        {"recent_higher_care": True, "used_since_care": False},
        {"recent_higher_care": True, "used_since_care": True},
    ),
    ("moderate_use", MODERATE, criteria(3)),
    ("withdrawal_watch", {"use_days": 20}, {"use_days": 19}),
    (
        "co_occurring",
        {"mental_health": "unmanaged", **MILD},
        {"mental_health": "unmanaged", **criteria(1)},
    ),
    (
        "iop_not_enough",
        {"tried_before": ["iop"], **MILD},
        {"tried_before": ["iop"], **criteria(1)},
    ),
    (
        "outpatient_not_enough",
        {"tried_before": ["outpatient"], **MILD},
        {"tried_before": ["outpatient"], **criteria(1)},
    ),
    ("mild_use", criteria(3), MODERATE),
    ("no_disorder_signs", criteria(1), MILD),
]


def test_every_rule_has_an_edge_case():
    assert [rule for rule, *_ in EDGES] == [rule.id for rule in RULES]


@pytest.mark.parametrize("rule, fires, does_not", EDGES, ids=[edge[0] for edge in EDGES])
def test_each_rule_fires_at_its_edge_and_not_past_it(rule, fires, does_not):
    rec = recommend(make_answers(**fires))
    assert rule in fired(rec)
    entry = next(entry for entry in rec.trace if entry.rule == rule)
    assert entry.level == rules.RULES_BY_ID[rule].raises_to
    assert rule not in fired(recommend(make_answers(**does_not)))


# --- What changed from ruleset 1 (screen.md's opening paragraph), one case each ---------


def _result(**changes):
    rec = recommend(make_answers(**changes))
    return rec.level, set(rec.flags)


def test_a_daily_drinker_who_never_goes_without_is_checked_for_withdrawal():
    # No symptoms to report, because they never stop; ruleset 1 saw nothing.
    assert _result(use_days=30, **criteria(3)) == ("iop", {"detox_check"})
    # With the withdrawal criterion and no one at home to help: medical detox.
    changes = {**criteria(2), "use_days": 30, "withdrawal": True, "support_person": False}
    assert _result(**changes) == ("inpatient", {"detox_first"})


def test_a_benzodiazepine_user_who_never_goes_without_needs_medical_detox():
    answers = {"substances": ["benzodiazepines"], "use_days": 25, "tolerance": True}
    assert _result(**answers) == ("inpatient", {"detox_first"})


def test_severe_withdrawal_now_needs_medical_detox_whatever_the_substance():
    answers = {"substances": ["stimulants"], "withdrawal_now": "severe", **MILD}
    assert _result(**answers) == ("inpatient", {"detox_first"})


def test_opioid_withdrawal_with_alcohol_or_sedatives_needs_medical_detox():
    for sedative in ("alcohol", "benzodiazepines", "other_sedatives"):
        answers = {"substances": ["opioids", sedative], "withdrawal_now": "mild"}
        assert _result(**answers) == ("inpatient", {"detox_first"}), sedative


def test_few_signs_and_no_home_is_not_a_residential_stay():
    rec = recommend(make_answers(housing="none", **criteria(1)))
    assert (rec.level, set(rec.flags)) == ("outpatient", {"low_signs"})
    assert "housing_help" in note_ids(rec)


def test_few_signs_and_a_medical_condition_is_not_a_residential_stay():
    assert _result(medical_condition=True, **criteria(1)) == ("outpatient", {"low_signs"})


def test_few_signs_and_a_crisis_bring_crisis_help_not_a_residential_stay():
    rec = recommend(make_answers(self_harm_thoughts=True, **criteria(1)))
    assert (rec.level, set(rec.flags)) == ("outpatient", {"crisis", "low_signs"})
    assert rec.urgent


def test_an_abstinent_person_is_not_told_not_to_stop():
    rec = recommend(make_answers(use_days=0, withdrawal_complications=True, **MILD))
    assert rec.profile.detox_need == "none" and "detox_first" not in rec.flags
    assert rec.level == "outpatient"
    assert "restart_caution" in note_ids(rec)


def test_prescribed_medication_taken_as_directed_is_not_a_disorder():
    answers = {
        **criteria(1),
        "substances": ["opioids"],
        "prescribed_as_directed": True,
        "use_days": 30,
        "tolerance": True,
        "withdrawal": True,
    }
    rec = recommend(make_answers(**answers))
    assert rec.profile.criteria_count == 1  # tolerance and withdrawal not counted
    assert (rec.level, set(rec.flags)) == ("outpatient", {"low_signs"})
    assert "keep_medication" in note_ids(rec)


def test_a_pregnant_opioid_user_hears_about_pregnancy_care_not_naltrexone():
    rec = recommend(make_answers(pregnant=True, substances=["opioids"], use_days=5, **MILD))
    assert (rec.level, set(rec.flags)) == ("iop", {"priority"})
    assert "opioids_in_pregnancy" in note_ids(rec)
    assert "opioid_medications" not in note_ids(rec)
    assert not any("naltrexone" in note.text for note in rec.notes)


def test_being_able_to_leave_home_no_longer_decides_between_iop_and_inpatient():
    for can_leave in (True, False):
        assert _result(can_leave_home=can_leave, **SEVERE) == ("iop", {"discuss_inpatient"})


def test_readiness_never_lowers_the_level():
    for readiness in ("not_ready", "unsure", "ready"):
        assert _result(readiness=readiness, **MODERATE) == ("iop", set())


def test_an_overdose_while_still_using_is_urgent():
    rec = recommend(make_answers(overdose=True, substances=["opioids"], **MILD))
    assert (rec.level, set(rec.flags)) == ("iop", {"overdose_risk"})
    assert rec.urgent and "naloxone" in note_ids(rec)


def test_injecting_makes_a_priority_population():
    assert _result(injects=True, **MILD) == ("outpatient", {"priority"})


def test_going_back_to_use_after_care_is_iop_and_with_severe_use_inpatient():
    relapse = {"recent_higher_care": True, "used_since_care": True}
    assert _result(**relapse) == ("iop", set())
    assert _result(**relapse, **SEVERE) == ("inpatient", set())


# --- Flags and notes -------------------------------------------------------------------


def test_discuss_inpatient_only_at_iop_and_low_signs_only_at_outpatient():
    assert _result(tried_before=["iop"], housing="temporary", **MODERATE) == ("inpatient", set())
    answers = {"self_harm_thoughts": True, "withdrawal_complications": True}
    assert _result(**answers) == ("inpatient", {"crisis", "detox_first"})


@pytest.mark.parametrize(
    "changes, note, shown",
    [
        ({"housing": "none", **MODERATE, "can_leave_home": False}, "inpatient_timing", True),
        ({"housing": "none", **MODERATE}, "inpatient_timing", False),
        ({**MODERATE, "can_leave_home": False}, "inpatient_timing", False),
        ({**MODERATE, "weekly_hours": "under_4"}, "iop_hours", True),
        ({**MODERATE, "weekly_hours": "4_to_8"}, "iop_hours", True),
        ({**MODERATE, "weekly_hours": "9_to_19"}, "iop_hours", False),
        ({**MILD, "weekly_hours": "4_to_8"}, "iop_hours", False),
        ({**MILD, "weekly_hours": "under_4"}, "outpatient_hours", True),
        ({**MILD, "weekly_hours": "4_to_8"}, "outpatient_hours", False),
        ({**MODERATE, "weekly_hours": "under_4"}, "outpatient_hours", False),
        ({**MILD, "weekly_hours": "9_to_19"}, "iop_option", True),
        ({**MILD, "weekly_hours": "20_plus"}, "iop_option", True),
        ({**MILD, "weekly_hours": "4_to_8"}, "iop_option", False),
        ({"weekly_hours": "20_plus"}, "iop_option", False),
        ({"support_person": False}, "support_network", True),
        ({"others_use_at_home": True, **MODERATE}, "support_network", True),
        ({"others_use_at_home": True, **SEVERE}, "support_network", False),  # inpatient
        ({"home_safe": False}, "support_network", False),
        ({**SEVERE, "weekly_hours": "20_plus"}, "partial_hospitalization", True),
        ({**SEVERE, "weekly_hours": "9_to_19"}, "partial_hospitalization", False),
        ({**MODERATE, "weekly_hours": "20_plus"}, "partial_hospitalization", False),
        ({"transport": False}, "telehealth", True),
        ({"transport": False, "withdrawal_complications": True}, "telehealth", False),
        ({"mandated": True}, "mandated", True),
        ({"readiness": "not_ready"}, "readiness", True),
        ({"readiness": "unsure"}, "readiness", True),
        ({"readiness": "ready"}, "readiness", False),
        ({"substances": ["benzodiazepines"]}, "sedative_taper", True),
        ({"substances": ["other_sedatives"]}, "sedative_taper", True),
        ({"substances": ["alcohol"]}, "sedative_taper", False),
        ({"use_days": 20, "transport": False}, "withdrawal_visits", True),
        ({"use_days": 19, "transport": False}, "withdrawal_visits", False),
        ({"substances": ["opioids", "cannabis"]}, "opioid_medications", True),
        ({"substances": ["cannabis"]}, "opioid_medications", False),
        ({"substances": ["opioids"], "pregnant": True}, "opioids_in_pregnancy", True),
        ({"substances": ["alcohol"], "pregnant": True}, "opioids_in_pregnancy", False),
        ({"substances": ["opioids"], "injects": True}, "naloxone", True),
        ({"substances": ["opioids"], "overdose": True}, "naloxone", True),
        ({"substances": ["stimulants"], "overdose": True}, "naloxone", False),
        ({"housing": "temporary"}, "housing_help", True),
        ({"housing": "temporary", **MILD}, "housing_help", False),
        ({"use_days": 0, "withdrawal_complications": True}, "restart_caution", True),
        ({"use_days": 1, "withdrawal_complications": True}, "restart_caution", False),
        ({"age_group": "under_18"}, "young_people", True),
        ({"age_group": "65_plus"}, "young_people", False),
        (
            {"substances": ["opioids", "benzodiazepines"], "prescribed_as_directed": True},
            "keep_medication",
            True,
        ),
        (
            {"substances": ["opioids", "alcohol"], "prescribed_as_directed": True},
            "keep_medication",
            False,
        ),
    ],
)
def test_notes(changes, note, shown):
    assert (note in note_ids(recommend(make_answers(**changes)))) is shown


def test_every_note_has_a_case():
    assert {note.id for note in NOTES} <= {
        note for _changes, note, _shown in test_notes.pytestmark[0].args[1]
    }


def test_notes_never_change_the_level():
    quiet = recommend(make_answers(**MODERATE, weekly_hours="9_to_19"))
    busy = recommend(make_answers(**MODERATE, weekly_hours="under_4"))
    assert quiet.level == busy.level == "iop"
    assert note_ids(busy) == [*note_ids(quiet), "iop_hours"]


# --- Validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("age_group", "adult"),
        ("age_group", 30),
        ("pregnant", "no"),
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
        ("withdrawal_now", "yes"),
        ("withdrawal_now", True),
        ("mental_health", "bad"),
        ("housing", ""),
        ("home_safe", None),
        ("readiness", "maybe"),
        ("tried_before", "iop"),
        ("tried_before", ["inpatient"]),
        ("tried_before", ["iop", "iop"]),
        ("weekly_hours", "40"),
        ("can_leave_home", 0),
        ("transport", "yes"),
        ("mandated", None),
    ],
)
def test_bad_value_names_its_field(field, value):
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(make_answers(**{field: value}))
    assert list(excinfo.value.errors) == [field]
    assert excinfo.value.errors[field]
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("field", [q.name for q in ANSWER_QUESTIONS if not q.conditional])
def test_every_field_is_required(field):
    answers = make_answers()
    del answers[field]
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(answers)
    assert excinfo.value.errors == {field: ["This field is required."]}


@pytest.mark.parametrize(
    "answers, field",
    [
        (make_answers(substances=["opioids"]), "prescribed_as_directed"),
        (make_answers(recent_higher_care=True), "used_since_care"),
    ],
)
def test_a_conditional_answer_is_required_when_it_is_asked(answers, field):
    del answers[field]
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend(answers)
    assert excinfo.value.errors == {field: ["This field is required."]}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"substances": ["alcohol"], "prescribed_as_directed": True}, "prescribed_as_directed"),
        ({"recent_higher_care": False, "used_since_care": True}, "used_since_care"),
    ],
)
def test_a_conditional_answer_sent_when_not_asked_is_an_error_naming_it(changes, field):
    with pytest.raises(InvalidAnswers) as excinfo:
        recommend({**make_answers(), **changes})
    assert list(excinfo.value.errors) == [field]
    assert "Not asked with these answers" in excinfo.value.errors[field][0]


def test_a_conditional_answer_not_asked_may_be_left_out_or_false():
    left_out = recommend(make_answers())
    assert left_out.answers["prescribed_as_directed"] is False
    assert left_out.answers["used_since_care"] is False
    sent_false = recommend({**make_answers(), "prescribed_as_directed": False})
    assert sent_false == left_out


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


@pytest.mark.parametrize(
    "value", [["alcohol", 5], ["alcohol", None], [["alcohol"]], ["Alcohol"], [True]]
)
def test_it_rejects_bad_items_in_the_substance_list(value):
    with pytest.raises(InvalidAnswers) as error:
        recommend(make_answers(substances=value))
    assert list(error.value.errors) == ["substances"]


# --- The table itself --------------------------------------------------------------------


def test_every_reason_and_note_cites_known_sources():
    for item in (*RULES, *NOTES, *policy.LEVELS.values(), *policy.FLAGS.values()):
        assert item.cites, item
        assert set(item.cites) <= set(SOURCES), item


def test_every_source_is_cited_somewhere():
    cited = {
        source
        for item in (*RULES, *NOTES, *policy.LEVELS.values(), *policy.FLAGS.values())
        for source in item.cites
    }
    assert cited | set(policy.SELF_HELP_CITES) == set(SOURCES)


def test_every_condition_has_plain_words():
    for rule in RULES:
        assert rule.fires_when and rule.reason, rule.id
    for note in NOTES:
        assert note.shown_when and note.text, note.id


def test_rule_and_note_ids_are_unique():
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert len({note.id for note in NOTES}) == len(NOTES)


@pytest.mark.parametrize("module", ["rules", "policy", "engine", "questions", "terms"])
def test_the_policy_modules_import_without_django(module):
    code = f"import sys; import assessments.{module}; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""})


def test_as_dict_is_the_json_shape():
    data = recommend(make_answers(**MODERATE, readiness="unsure")).as_dict()
    assert data["level"] == "iop"
    assert data["level_label"] == "Intensive outpatient program (IOP)"
    assert data["reasons"][0]["rule"] == "moderate_use"
    assert set(data["reasons"][0]["sources"][0]) == {"id", "title", "publisher"}
    assert data["notes"][0]["id"] == "readiness"
    assert set(data["notes"][0]) == {"id", "text", "sources"}
    assert set(data["profile"]) == {
        "severity",
        "criteria_count",
        "detox_need",
        "home_stability",
        "weekly_hours",
        "age_group",
        "using",
        "withdrawal_signs",
        "relapse_after_care",
        "priority_population",
    }
    assert data["ruleset_version"] == "2" == rules.RULESET_VERSION
    assert questions.SCHEMA_VERSION == 2


# --- Properties on random valid answers --------------------------------------------------


def _strategy(question):
    if question.kind == Kind.BOOL:
        return st.booleans()
    if question.kind == Kind.INT:
        return st.integers(question.minimum, question.maximum)
    if question.kind == Kind.CHOICE:
        return st.sampled_from(question.values)
    return st.lists(
        st.sampled_from(question.values), min_size=0 if question.none_text else 1, unique=True
    )


def _asked_only_where_due(answers: dict) -> dict:
    """Random answers made valid: a conditional question not asked is answered false."""
    for question in ANSWER_QUESTIONS:
        if not question.asked(answers):
            answers[question.name] = question.empty
    return answers


valid_answers = st.fixed_dictionaries(
    {question.name: _strategy(question) for question in ANSWER_QUESTIONS}
).map(_asked_only_where_due)

# The ordering of every answer from less to more risky: making any one riskier never lowers
# the level. Fields listed in ONLY_NOTES are availability, not risk.
ORDERED = {
    "age_group": [["18_to_64", "65_plus"], ["under_18", "65_plus"]],
    "withdrawal_now": [["none", "mild", "severe"]],
    "mental_health": [["none", "managed", "unmanaged"]],
    "housing": [["stable", "temporary"], ["stable", "none"]],
}
WORSE_WHEN_TRUE = [
    "pregnant",
    *CRITERIA,
    "withdrawal_complications",
    "overdose",
    "injects",
    "self_harm_thoughts",
    "harm_others_thoughts",
    "medical_condition",
    "others_use_at_home",
    "recent_higher_care",
    "used_since_care",
]
WORSE_WHEN_FALSE = ["prescribed_as_directed", "home_safe", "support_person"]
ONLY_NOTES = {
    "weekly_hours": questions.BY_NAME["weekly_hours"].values,
    "can_leave_home": (True, False),
    "transport": (True, False),
    "mandated": (True, False),
    "readiness": questions.BY_NAME["readiness"].values,
}


def test_every_answer_has_a_place_in_the_ordering():
    listed = {*ORDERED, *WORSE_WHEN_TRUE, *WORSE_WHEN_FALSE, *ONLY_NOTES}
    assert listed | {"use_days", "substances", "tried_before"} == set(rules.ANSWER_NAMES)


def _worse_variants(answers):
    for name in WORSE_WHEN_TRUE:
        if not answers[name]:
            yield name, {**answers, name: True}
    for name in WORSE_WHEN_FALSE:
        if answers[name]:
            yield name, {**answers, name: False}
    for name, orders in ORDERED.items():
        for order in orders:
            if answers[name] in order:
                for worse in order[order.index(answers[name]) + 1 :]:
                    yield name, {**answers, name: worse}
    if answers["use_days"] < 30:
        yield "use_days", {**answers, "use_days": answers["use_days"] + 1}
    for substance in questions.BY_NAME["substances"].values:
        if substance not in answers["substances"]:
            yield "substances", {**answers, "substances": [*answers["substances"], substance]}
    for tried in questions.BY_NAME["tried_before"].values:
        if tried not in answers["tried_before"]:
            yield "tried_before", {**answers, "tried_before": [*answers["tried_before"], tried]}


@settings(max_examples=300, deadline=None)
@given(valid_answers)
def test_a_riskier_answer_never_lowers_the_level(answers):
    level = recommend(answers).level
    for name, worse in _worse_variants(answers):
        worse = _asked_only_where_due(worse)
        assert recommend(worse).level.rank >= level.rank, name


@settings(max_examples=200, deadline=None)
@given(valid_answers, st.sampled_from(sorted(ONLY_NOTES)), st.data())
def test_availability_and_readiness_change_only_notes(answers, name, data):
    value = data.draw(st.sampled_from(ONLY_NOTES[name]))
    before, after = recommend(answers), recommend({**answers, name: value})
    assert (after.level, after.flags, after.reasons, after.trace) == (
        before.level,
        before.flags,
        before.reasons,
        before.trace,
    )


@settings(max_examples=300, deadline=None)
@given(valid_answers)
def test_policy_invariants(answers):
    before = copy.deepcopy(answers)
    rec = recommend(answers)
    assert answers == before, "the input is not mutated"
    assert recommend(answers) == rec, "same answers, same result"
    assert rec.level in {"inpatient", "iop", "outpatient"}
    assert rec.reasons and all(reason.sources for reason in rec.reasons)
    assert all(note.sources for note in rec.notes)
    assert all(reason.rule in {entry.rule for entry in rec.trace} for reason in rec.reasons)
    assert rec.ruleset_version == rules.RULESET_VERSION
    # The safety floors.
    if answers["self_harm_thoughts"] or answers["harm_others_thoughts"]:
        assert "crisis" in rec.flags and rec.urgent
    if answers["use_days"] >= 1 and (
        answers["withdrawal_now"] == "severe" or answers["withdrawal_complications"]
    ):
        assert rec.level == "inpatient" and "detox_first" in rec.flags
    if answers["use_days"] == 0:
        assert "detox_first" not in rec.flags and "detox_check" not in rec.flags
    if "discuss_inpatient" in rec.flags:
        assert rec.level == "iop"
    if "low_signs" in rec.flags:
        assert rec.level == "outpatient"
    assert ("priority" in rec.flags) == (answers["pregnant"] or answers["injects"])


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
