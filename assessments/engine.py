"""Applies the policy to answers: validate, profile, evaluate, recommend, level_without.

Pure Python with no Django import, deterministic. What the policy says lives in policy.py
and the questions in questions.py; nothing here needs editing to change either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments import policy
from assessments.questions import ANSWER_QUESTIONS, AgeGroup, Kind, Question, WeeklyHours
from assessments.sources import Source, _
from assessments.terms import Answers, Flag, Level, Profile, Rule

MSG_REQUIRED = _("This field is required.")
MSG_BOOL = _("Must be true or false.")
MSG_INT = _("Must be a whole number from {minimum} to {maximum}.")
MSG_CHOICE = _("Must be one of: {choices}.")
MSG_LIST = _("Must be a list.")
MSG_EMPTY = _("Choose at least one.")
MSG_DUPLICATE = _("“{value}” is listed more than once.")
MSG_NOT_OBJECT = _("The answers must be an object of fields and values.")
MSG_NOT_ASKED = _("Not asked with these answers, so leave it out. {condition}")


class Message(str):
    """An error message: `str` of it is the English; `translate(gettext)` says it in another
    language, from its template and values (values named in `texts` are marked strings, such
    as a condition's words, and are translated too; the others are codes and numbers)."""

    template: str
    values: dict[str, str]
    texts: tuple[str, ...]

    def __new__(cls, template: str, texts: tuple[str, ...] = (), **values: Any) -> Message:
        message = super().__new__(cls, template.format(**values))
        message.template, message.texts = template, texts
        message.values = {name: str(value) for name, value in values.items()}
        return message

    def translate(self, gettext) -> str:
        values = {k: gettext(v) if k in self.texts else v for k, v in self.values.items()}
        return gettext(self.template).format(**values)


class InvalidAnswers(ValueError):
    """The answers break the schema; `.errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(f"invalid answers: {', '.join(sorted(errors))}")
        self.errors = errors


# --- Validation, from the question catalogue -----------------------------------------------


def _bad_choice(question: Question) -> str:
    return Message(MSG_CHOICE, choices=", ".join(question.values))


def _bool_errors(question: Question, value: Any) -> list[str]:
    return [] if type(value) is bool else [Message(MSG_BOOL)]


def _int_errors(question: Question, value: Any) -> list[str]:
    if type(value) is int and question.minimum <= value <= question.maximum:
        return []
    return [Message(MSG_INT, minimum=question.minimum, maximum=question.maximum)]


def _choice_errors(question: Question, value: Any) -> list[str]:
    return [] if isinstance(value, str) and value in question.values else [_bad_choice(question)]


def _choices_errors(question: Question, value: Any) -> list[str]:
    if type(value) is not list:
        return [Message(MSG_LIST)]
    if not value and not question.none_text:
        return [Message(MSG_EMPTY)]
    errors, seen = [], set()
    for item in value:
        if not isinstance(item, str) or item not in question.values:
            errors.append(_bad_choice(question))
        elif item in seen:
            errors.append(Message(MSG_DUPLICATE, value=item))
        else:
            seen.add(item)
    return errors


# What is wrong with a value, by the kind of question (none: it is a valid answer).
ERRORS = {
    Kind.BOOL: _bool_errors,
    Kind.INT: _int_errors,
    Kind.CHOICE: _choice_errors,
    Kind.CHOICES: _choices_errors,
}


# A valid value as stored, where it is not the value itself: an enum member becomes its
# string; a list is copied, so the caller's is never shared.
CLEAN = {
    Kind.CHOICE: str,
    Kind.CHOICES: lambda items: [str(item) for item in items],
}


# Each answer question with what validate() needs of it, looked up once here rather than once
# per question per call (recommend(): 364,000 to 343,000 instructions a call, callgrind).
_CHECKS = tuple(
    (question, question.name, question.asked_when, ERRORS[question.kind], CLEAN.get(question.kind))
    for question in ANSWER_QUESTIONS
)


def validate(answers: Any) -> dict[str, Any]:
    """The answer fields alone, cleaned, or InvalidAnswers with every problem at once.

    A conditional question that was not asked must be absent (or false / empty) and comes
    back as false / empty, so the policy can read every field.
    """
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"__all__": [Message(MSG_NOT_OBJECT)]})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for question, name, condition, errors_in, clean in _CHECKS:
        value = answers.get(name)
        if condition is not None:
            if condition.field not in cleaned:
                continue  # what it depends on is itself wrong: that error is enough
            if not condition(cleaned):
                if value is None or value == question.empty:
                    cleaned[name] = question.empty
                else:
                    errors[name] = [
                        Message(MSG_NOT_ASKED, ("condition",), condition=condition.text)
                    ]
                continue
        if value is None:
            errors[name] = [Message(MSG_REQUIRED)]
        elif messages := errors_in(question, value):
            errors[name] = messages
        else:
            cleaned[name] = clean(value) if clean else value
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


# --- The profile and the rules -------------------------------------------------------------


def profile_for(a: Answers) -> Profile:
    count = policy.counted_criteria(a)
    return Profile(
        severity=policy.severity(count),
        criteria_count=count,
        detox_need=policy.detox_need(a),
        home_stability=policy.home_stability(a),
        weekly_hours=WeeklyHours(a["weekly_hours"]),
        age_group=AgeGroup(a["age_group"]),
        using=policy.using(a),
        withdrawal_signs=policy.withdrawal_signs(a),
        relapse_after_care=policy.relapse_after_care(a),
        priority_population=policy.priority_population(a),
    )


def _highest(levels) -> Level:
    return max(levels, key=lambda level: level.rank, default=Level.OUTPATIENT)


def evaluate(a: Answers, profile: Profile) -> tuple[Level, list[Rule]]:
    """The level and the rules that fired, for answers already validated."""
    fired = [rule for rule in policy.RULES if rule.when(a, profile)]
    return _highest(rule.raises_to for rule in fired), fired


def flags_for(level: Level, fired: list[Rule], profile: Profile) -> frozenset[Flag]:
    flags = {rule.flag for rule in fired if rule.flag}
    flags = {flag for flag in flags if policy.FLAG_ONLY_AT.get(flag, level) is level}
    if profile.priority_population:
        flags.add(Flag.PRIORITY)
    return frozenset(flags)


# --- The recommendation --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    text: str
    sources: tuple[Source, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "text": self.text,
            "sources": [source.as_dict() for source in self.sources],
        }


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    text: str
    sources: tuple[Source, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "sources": [source.as_dict() for source in self.sources],
        }


@dataclass(frozen=True, slots=True)
class TraceEntry:
    rule: str
    level: Level
    flag: Flag | None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "level": str(self.level), "flag": self.flag and str(self.flag)}


@dataclass(frozen=True, slots=True)
class Recommendation:
    level: Level
    flags: frozenset[Flag]
    reasons: list[Reason]
    notes: list[Note]
    profile: Profile
    ruleset_version: str
    trace: list[TraceEntry]
    answers: dict[str, Any]  # the validated answer fields alone, as a fresh copy

    @property
    def level_label(self) -> str:
        return policy.LEVELS[self.level].label

    @property
    def urgent(self) -> bool:
        return bool(self.flags & policy.URGENT_FLAGS)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of screen.md section 4, less the stored screen's own fields."""
        return {
            "level": str(self.level),
            "level_label": self.level_label,
            "flags": sorted(str(flag) for flag in self.flags),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "notes": [note.as_dict() for note in self.notes],
            "profile": self.profile.as_dict(),
            "ruleset_version": self.ruleset_version,
        }


# What each rule and note puts in a result, made once here as they are immutable (made on
# every call, they took recommend() from 284,000 to 340,000 instructions a call: callgrind).
_REASON = {rule.id: Reason(rule.id, rule.reason, rule.sources) for rule in policy.RULES}
_TRACE = {rule.id: TraceEntry(rule.id, rule.raises_to, rule.flag) for rule in policy.RULES}
_NOTES = tuple((note.when, Note(note.id, note.text, note.sources)) for note in policy.NOTES)


def recommend(answers: Mapping[str, Any]) -> Recommendation:
    """Validates the answers and applies ruleset RULESET_VERSION to them.

    Keys other than the answer fields (the contact fields, say) are ignored.
    """
    a = validate(answers)
    profile = profile_for(a)
    level, fired = evaluate(a, profile)
    return Recommendation(
        level=level,
        flags=flags_for(level, fired, profile),
        reasons=[_REASON[rule.id] for rule in fired if rule.raises_to is level],
        notes=[note for shown, note in _NOTES if shown(a, profile, level)],
        profile=profile,
        ruleset_version=policy.RULESET_VERSION,
        trace=[_TRACE[rule.id] for rule in fired],
        answers=a,
    )


def level_without(answers: Mapping[str, Any], rule_ids: set[str]) -> Level:
    """The level the answers would get if the given rules did not exist ("what drives it")."""
    a = validate(answers)
    profile = profile_for(a)
    return _highest(
        rule.raises_to
        for rule in policy.RULES
        if rule.id not in rule_ids and rule.when(a, profile)
    )
