"""The question catalogue: one definition per question, and what is made from it."""

import json
from pathlib import Path

import jsonschema
import pytest

from assessments import questions, rules
from assessments.forms import STEPS, ContactForm
from assessments.questions import ANSWER_QUESTIONS, BY_NAME, QUESTIONS, Kind
from coordinator import labels
from tests.answers import make_answers

RULESET_1 = Path(questions.__file__).parent / "data" / "ruleset1_screens.json"
SCHEMA_1_ANSWERS = json.loads(RULESET_1.read_text())[0]["answers"]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_every_question_has_both_voices_and_an_error(question):
    assert question.text and question.staff and question.error
    assert question.step in questions.STEPS_BY_SLUG
    for choice in question.choices:
        assert choice.text and choice.staff_text


def test_the_answer_questions_are_the_schema_2_fields_of_screen_md():
    assert (
        "age_group",
        "pregnant",
        "substances",
        "prescribed_as_directed",
        "use_days",
        *rules.CRITERIA,
        "withdrawal_now",
        "withdrawal_complications",
        "overdose",
        "injects",
        "self_harm_thoughts",
        "harm_others_thoughts",
        "mental_health",
        "medical_condition",
        "housing",
        "home_safe",
        "others_use_at_home",
        "support_person",
        "readiness",
        "recent_higher_care",
        "used_since_care",
        "tried_before",
        "weekly_hours",
        "can_leave_home",
        "transport",
        "mandated",
    ) == rules.ANSWER_NAMES
    assert BY_NAME["substances"].values == (
        "alcohol",
        "opioids",
        "benzodiazepines",
        "other_sedatives",
        "stimulants",
        "cannabis",
        "other",
    )
    assert BY_NAME["withdrawal_now"].values == ("none", "mild", "severe")
    assert BY_NAME["readiness"].values == ("not_ready", "unsure", "ready")
    assert BY_NAME["tried_before"].values == ("outpatient", "iop")


def test_each_step_form_asks_exactly_its_questions_in_order():
    for step in STEPS:
        names = [q.name for q in questions.STEP_QUESTIONS[step.slug]]
        assert list(step.form_class.base_fields) == names
    assert [q.name for q in QUESTIONS] == [
        name for step in STEPS for name in step.form_class.base_fields
    ]


def test_no_step_asks_more_than_about_seven_questions_before_contact():
    for step in STEPS[:-1]:
        assert len(step.form_class.base_fields) <= 7, step.slug


def test_form_labels_come_from_the_catalogue():
    form = ContactForm()
    assert form.fields["message_ok"].label == BY_NAME["message_ok"].text
    for step in STEPS:
        for name, field in step.form_class.base_fields.items():
            assert field.label == BY_NAME[name].text


@pytest.mark.parametrize(
    "question", [q for q in ANSWER_QUESTIONS if q.conditional], ids=lambda q: q.name
)
def test_a_conditional_question_is_asked_on_the_step_of_what_it_depends_on(question):
    assert BY_NAME[question.asked_when.field].step == question.step


def test_asked_when_reads_lists_and_booleans():
    prescribed = BY_NAME["prescribed_as_directed"]
    assert prescribed.asked({"substances": ["alcohol", "opioids"]})
    assert prescribed.asked({"substances": ["benzodiazepines"]})
    assert not prescribed.asked({"substances": ["alcohol", "other_sedatives"]})
    used_since = BY_NAME["used_since_care"]
    assert used_since.asked({"recent_higher_care": True})
    assert not used_since.asked({"recent_higher_care": False})


# --- The coordinators' words ------------------------------------------------------------------


def test_schema_2_answers_read_in_the_coordinators_words():
    answers = rules.validate(make_answers(substances=["opioids", "other_sedatives"], use_days=4))
    sections = dict(labels.answers_by_section(answers, 2))
    use = dict(sections["Substance use"])
    assert use["Substances used in the past 12 months"] == (
        "Opioids (heroin, fentanyl, pain pills), Other sedatives (sleeping pills, barbiturates, "
        "GHB, gabapentin, phenibut)"
    )
    assert use["Every opioid or benzodiazepine is prescribed and taken as directed"] == "No"
    assert use["Days of use in the past 30 days"] == "4 of 30 days"
    history = dict(sections["Readiness and past treatment"])
    assert history["Tried before and it was not enough"] == "None"
    assert "Has used again since that care" not in history  # not asked: not shown


def test_schema_1_answers_read_with_their_own_questions():
    sections = dict(labels.answers_by_section(SCHEMA_1_ANSWERS, 1))
    withdrawal = dict(sections["Withdrawal and overdose"])
    assert withdrawal["Withdrawal symptoms in the past week when going without"] == "Yes"
    health = dict(sections["Health and safety"])
    assert health["Serious medical condition needing regular care, or pregnancy"] == "No"
    assert "Pregnant now" not in dict(sections["About you"])


def test_an_unknown_value_or_field_is_shown_as_it_is():
    answers = {**rules.validate(make_answers()), "housing": "boat", "retired_field": 3}
    sections = dict(labels.answers_by_section(answers, 2))
    assert dict(sections["Home and support"])["Housing"] == "boat"
    assert dict(sections["Other answers"]) == {"retired_field": "3"}
    assert labels.level_label("residential") == "residential"
    assert labels.flag_label("retired_flag") == "retired_flag"


def test_every_flag_and_profile_value_has_a_label():
    assert {labels.flag_label(flag) for flag in rules.Flag} == {
        info.staff for info in rules.FLAGS.values()
    }
    assert set(labels.PROFILE_LABELS["severity"]) == set(rules.Severity)
    assert set(labels.PROFILE_LABELS["detox_need"]) == set(rules.DetoxNeed)
    assert set(labels.PROFILE_LABELS["home_stability"]) == set(rules.HomeStability)


# --- The JSON Schema ---------------------------------------------------------------------


@pytest.fixture
def validator():
    schema = questions.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_schema_accepts_valid_answers(validator):
    for answers in (
        make_answers(),
        make_answers(substances=["opioids"], prescribed_as_directed=True),
        make_answers(recent_higher_care=True, used_since_care=True, tried_before=["iop"]),
        {**make_answers(), "contact_requested": True, "message_ok": True, "phone": "555"},
    ):
        assert list(validator.iter_errors(answers)) == []


@pytest.mark.parametrize(
    "answers, field",
    [
        ({**make_answers(), "prescribed_as_directed": True}, "prescribed_as_directed"),
        ({**make_answers(), "used_since_care": True}, "used_since_care"),
        ({**make_answers(), "message_ok": True}, "message_ok"),
        ({**make_answers(), "surprise": 1}, "surprise"),
        ({**make_answers(), "use_days": 31}, "use_days"),
        ({**make_answers(), "substances": []}, "substances"),
        ({**make_answers(), "tried_before": ["iop", "iop"]}, "tried_before"),
    ],
)
def test_the_schema_refuses_what_the_engine_refuses(validator, answers, field):
    assert list(validator.iter_errors(answers))
    if field in rules.ANSWER_NAMES:  # the engine ignores unknown and contact fields
        with pytest.raises(rules.InvalidAnswers) as refused:
            rules.validate(answers)
        assert list(refused.value.errors) == [field]


def test_the_schema_requires_a_conditional_answer_when_it_is_asked(validator):
    answers = make_answers(substances=["benzodiazepines"])
    del answers["prescribed_as_directed"]
    assert list(validator.iter_errors(answers))


def test_the_schema_lists_every_question_once():
    schema = questions.json_schema()
    assert list(schema["properties"]) == [q.name for q in QUESTIONS]
    assert set(schema["required"]) == {q.name for q in ANSWER_QUESTIONS if not q.conditional}
    assert all(BY_NAME[name].kind != Kind.TEXT for name in schema["required"])
