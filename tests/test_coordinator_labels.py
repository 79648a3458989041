import pytest

from assessments import rules
from coordinator import labels


@pytest.mark.parametrize("field", rules.FIELDS, ids=lambda field: field.name)
def test_every_question_and_choice_has_a_label(field):
    assert field.name in labels.QUESTIONS
    for choice in field.choices or ():
        assert choice in labels.CHOICE_LABELS[field.name]


def test_every_flag_and_profile_value_has_a_label():
    assert set(labels.FLAG_LABELS) == set(rules.Flag)
    assert set(labels.PROFILE_LABELS["severity"]) == set(rules.Severity)
    assert set(labels.PROFILE_LABELS["detox_need"]) == set(rules.DetoxNeed)
    assert set(labels.PROFILE_LABELS["home_stability"]) == set(rules.HomeStability)


def test_an_unknown_stored_value_shows_as_it_is():
    assert labels.answer_label("housing", "boat") == "boat"
    assert labels.level_label("residential") == "residential"
