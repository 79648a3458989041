"""Patient text reads at grade 6-8: the policy's words and the questions, measured.

Flesch-Kincaid grade = 0.39 x words per sentence + 11.8 x syllables per word - 15.59, with
syllables counted by Pyphen's US English hyphenation dictionary (a close, offline estimate).
A few names of care cannot be shortened ("intensive outpatient program", "partial
hospitalization"), so one sentence may reach grade 10; all of it together stays at 8 or below.
"""

import re

import pyphen
import pytest

from assessments import policy, questions

HYPHENATION = pyphen.Pyphen(lang="en_US")
GRADE_OVERALL, GRADE_ONE_TEXT = 8, 10


def grade(text: str) -> float:
    sentences = max(1, len(re.findall(r"[.!?:;]+(?:\s|$)", text)))
    words = re.findall(r"[A-Za-z']+", text)
    syllables = sum(len(HYPHENATION.positions(word)) + 1 for word in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


PATIENT_TEXTS = [
    *(rule.reason for rule in policy.RULES),
    *(rule.fires_when for rule in policy.RULES),
    *(note.text for note in policy.NOTES),
    *(info.text for info in policy.FLAGS.values()),
    *(text for info in policy.LEVELS.values() for text in (info.summary, info.length)),
    *(step.intro for step in questions.STEPS),
    *(q.text for q in questions.QUESTIONS),
    *(q.hint for q in questions.QUESTIONS if q.hint),
    *(q.error for q in questions.QUESTIONS),
    *(choice.text for q in questions.QUESTIONS for choice in q.choices),
    policy.NOT_AN_ASSESSMENT,
]


def test_the_measure_tells_plain_words_from_hard_ones():
    assert grade("You can stop. We can help. Call us now.") < 2
    hard = "Pharmacological intervention necessitates comprehensive multidisciplinary evaluation."
    assert grade(hard) > 16


def test_patient_text_reads_at_grade_8_or_below_overall():
    assert grade(" ".join(PATIENT_TEXTS)) <= GRADE_OVERALL


@pytest.mark.parametrize(
    "text",
    [text for text in PATIENT_TEXTS if len(text.split()) >= 8],  # sentences, not labels
    ids=lambda text: text[:40],
)
def test_no_patient_sentence_is_far_above_grade_8(text):
    assert grade(text) <= GRADE_ONE_TEXT, round(grade(text), 1)
