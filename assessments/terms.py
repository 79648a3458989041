"""The words CareGuide's policy is written in: levels, flags, the derived profile, and the
shape of a rule and of a note. Pure Python, no Django import.

`policy.py` uses these to state the policy; `engine.py` applies it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assessments.questions import AgeGroup, WeeklyHours
from assessments.sources import SOURCES, Source


class Level(StrEnum):
    OUTPATIENT = "outpatient"
    IOP = "iop"
    INPATIENT = "inpatient"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.OUTPATIENT: 0, Level.IOP: 1, Level.INPATIENT: 2}


class Severity(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class DetoxNeed(StrEnum):
    NONE = "none"
    MONITORED = "monitored"
    MEDICAL = "medical"


class HomeStability(StrEnum):
    STABLE = "stable"
    STRAINED = "strained"
    UNSTABLE = "unstable"


class Flag(StrEnum):
    CRISIS = "crisis"
    DETOX_FIRST = "detox_first"
    DETOX_CHECK = "detox_check"
    DISCUSS_INPATIENT = "discuss_inpatient"
    LOW_SIGNS = "low_signs"
    OVERDOSE_RISK = "overdose_risk"
    PRIORITY = "priority"


@dataclass(frozen=True, slots=True)
class Profile:
    """What the policy derives from the answers before any rule is applied."""

    severity: Severity
    criteria_count: int
    detox_need: DetoxNeed
    home_stability: HomeStability
    weekly_hours: WeeklyHours
    age_group: AgeGroup
    using: bool
    withdrawal_signs: bool
    relapse_after_care: bool
    priority_population: bool

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        values = ((name, getattr(self, name)) for name in self.__dataclass_fields__)
        return {name: value if isinstance(value, int) else str(value) for name, value in values}


Answers = Mapping[str, Any]
Condition = Callable[[Answers, Profile], bool]
NoteCondition = Callable[[Answers, Profile, Level], bool]


def described(text: str):
    """Puts a condition's plain words beside it: /how-it-works/ shows them."""

    def describe(condition):
        condition.text = text
        return condition

    return describe


class Cited:
    """Anything that cites sources by id: its `sources` are the Source objects."""

    __slots__ = ()
    cites: tuple[str, ...]

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(SOURCES[source_id] for source_id in self.cites)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(Cited):
    id: str
    when: Condition
    raises_to: Level
    flag: Flag | None = None
    reason: str  # what the person reads when this rule sets their level
    cites: tuple[str, ...]  # the ids of the sources that say so

    @property
    def fires_when(self) -> str:
        return self.when.text


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteRule(Cited):
    id: str
    when: NoteCondition
    text: str
    cites: tuple[str, ...]

    @property
    def shown_when(self) -> str:
        return self.when.text


@dataclass(frozen=True, slots=True)
class LevelInfo(Cited):
    label: str
    summary: str
    hours: str
    days: str
    length: str
    living: str
    cites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FlagInfo(Cited):
    staff: str  # the coordinators' short label
    text: str  # what the person reads; empty where the flag says nothing to them
    cites: tuple[str, ...] = ()
    urgent: bool = False  # coordinators call the same day
