"""CareGuide's decision policy: answers in, a recommended level of care out.

Pure Python with no Django import, deterministic and versioned (see
shared/design/screen.md). The rule table below is the only copy of the policy: it drives
`recommend()`, the public /how-it-works/ page and the tests. Change a rule, change
RULESET_VERSION.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter
from typing import Any

from assessments.sources import SOURCES, Source, _, point

SCHEMA_VERSION = 1
RULESET_VERSION = "1"


class Level(StrEnum):
    OUTPATIENT = "outpatient"
    IOP = "iop"
    INPATIENT = "inpatient"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def label(self) -> str:
        return LEVELS[self].label


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


class AgeGroup(StrEnum):
    UNDER_18 = "under_18"
    ADULT = "18_to_64"
    OLDER = "65_plus"


class Substance(StrEnum):
    ALCOHOL = "alcohol"
    OPIOIDS = "opioids"
    BENZODIAZEPINES = "benzodiazepines"
    STIMULANTS = "stimulants"
    CANNABIS = "cannabis"
    OTHER = "other"


class MentalHealth(StrEnum):
    NONE = "none"
    MANAGED = "managed"
    UNMANAGED = "unmanaged"


class Housing(StrEnum):
    STABLE = "stable"
    TEMPORARY = "temporary"
    NONE = "none"


class WeeklyHours(StrEnum):
    UNDER_4 = "under_4"
    FROM_4_TO_8 = "4_to_8"
    FROM_9_TO_19 = "9_to_19"
    OVER_20 = "20_plus"


class PreferredContact(StrEnum):
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"


# The eleven DSM-5 substance use disorder criteria, in the order the screen asks them.
CRITERIA = (
    "lost_control",
    "cant_cut_down",
    "time_spent",
    "craving",
    "neglected_duties",
    "relationship_problems",
    "gave_up_activities",
    "risky_use",
    "health_problems",
    "tolerance",
    "withdrawal",
)
MILD_MIN_CRITERIA = 2
MODERATE_MIN_CRITERIA = 4
SEVERE_MIN_CRITERIA = 6
USE_DAYS_MAX = 30
HEAVY_USE_DAYS = 20  # use on this many of the past 30 days counts as near-daily use
SEDATIVES = frozenset({Substance.ALCOHOL, Substance.BENZODIAZEPINES})
DEPENDENCE_RISK = frozenset({Substance.ALCOHOL, Substance.BENZODIAZEPINES, Substance.OPIOIDS})


# --- The answers -------------------------------------------------------------------------


class Section(StrEnum):
    ABOUT_YOU = "about_you"
    SUBSTANCE_USE = "substance_use"
    WITHDRAWAL = "withdrawal"
    HEALTH = "health"
    HOME = "home"
    SCHEDULE = "schedule"


SECTION_TITLES: dict[Section, str] = {
    Section.ABOUT_YOU: _("About you"),
    Section.SUBSTANCE_USE: _("Substance use"),
    Section.WITHDRAWAL: _("Withdrawal"),
    Section.HEALTH: _("Health and safety"),
    Section.HOME: _("Home and support"),
    Section.SCHEDULE: _("Schedule and history"),
}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # "bool", "int", "choice" or "choices"
    section: Section
    choices: type[StrEnum] | None = None
    minimum: int = 0
    maximum: int = 0


def _bool(name: str, section: Section) -> Field:
    return Field(name, "bool", section)


FIELDS: tuple[Field, ...] = (
    Field("age_group", "choice", Section.ABOUT_YOU, AgeGroup),
    Field("substances", "choices", Section.SUBSTANCE_USE, Substance),
    Field("use_days", "int", Section.SUBSTANCE_USE, minimum=0, maximum=USE_DAYS_MAX),
    *(_bool(name, Section.SUBSTANCE_USE) for name in CRITERIA),
    _bool("withdrawal_symptoms", Section.WITHDRAWAL),
    _bool("withdrawal_complications", Section.WITHDRAWAL),
    _bool("self_harm_thoughts", Section.HEALTH),
    Field("mental_health", "choice", Section.HEALTH, MentalHealth),
    _bool("medical_condition", Section.HEALTH),
    Field("housing", "choice", Section.HOME, Housing),
    _bool("home_safe", Section.HOME),
    _bool("others_use_at_home", Section.HOME),
    _bool("support_person", Section.HOME),
    Field("weekly_hours", "choice", Section.SCHEDULE, WeeklyHours),
    _bool("can_leave_home", Section.SCHEDULE),
    _bool("recent_higher_care", Section.SCHEDULE),
    _bool("outpatient_tried", Section.SCHEDULE),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}
CHOICES = {field.name: tuple(c.value for c in field.choices) for field in FIELDS if field.choices}
# Optional contact fields travel with the answers; Django's side validates and stores them.
CONTACT_FIELDS = (
    "contact_requested",
    "first_name",
    "phone",
    "email",
    "preferred_contact",
    "best_time",
    "consent_to_contact",
)

MSG_REQUIRED = _("This field is required.")
MSG_BOOL = _("Must be true or false.")
MSG_INT = _("Must be a whole number from {minimum} to {maximum}.")
MSG_CHOICE = _("Must be one of: {choices}.")
MSG_LIST = _("Must be a list of substances.")
MSG_EMPTY = _("Choose at least one substance.")
MSG_DUPLICATE = _("“{value}” is listed more than once.")
MSG_NOT_OBJECT = _("The answers must be an object of fields and values.")


class InvalidAnswers(ValueError):
    """The answers break the schema; `.errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(f"invalid answers: {', '.join(sorted(errors))}")
        self.errors = errors


def _field_errors(field: Field, value: Any) -> list[str]:
    if field.kind == "bool":
        return [] if type(value) is bool else [MSG_BOOL]
    if field.kind == "int":
        if type(value) is int and field.minimum <= value <= field.maximum:
            return []
        return [MSG_INT.format(minimum=field.minimum, maximum=field.maximum)]
    values = CHOICES[field.name]
    if field.kind == "choice":
        return [] if isinstance(value, str) and value in values else [_bad_choice(field)]
    if type(value) is not list:
        return [MSG_LIST]
    if not value:
        return [MSG_EMPTY]
    errors = []
    seen = set()
    for item in value:
        if not isinstance(item, str) or item not in values:
            errors.append(_bad_choice(field))
        elif item in seen:
            errors.append(MSG_DUPLICATE.format(value=item))
        else:
            seen.add(item)
    return errors


def _bad_choice(field: Field) -> str:
    return MSG_CHOICE.format(choices=", ".join(CHOICES[field.name]))


def validate(answers: Any) -> dict[str, Any]:
    """Returns the answer fields alone, or raises InvalidAnswers with every problem at once."""
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"__all__": [MSG_NOT_OBJECT]})
    # The fast path, for answers that are all there and all valid (recommend() is hot).
    try:
        cleaned = dict(zip(FIELD_NAMES, _ALL_FIELDS(answers), strict=True))
    except KeyError:
        return _validate_each(answers)
    if set(map(type, _BOOL_FIELDS(cleaned))) != _JUST_BOOL:
        return _validate_each(answers)
    for name, kind, allowed, minimum, maximum in _OTHER_CHECKS:
        value = cleaned[name]
        if kind == "choice":
            if value.__class__ is not str:
                if not (isinstance(value, str) and value in allowed):
                    return _validate_each(answers)
                cleaned[name] = str(value)  # an enum member becomes its string
            elif value not in allowed:
                return _validate_each(answers)
        elif kind == "choices":
            if (
                value.__class__ is not list
                or not value
                or set(map(type, value)) != _JUST_STR
                or not allowed.issuperset(value)
                or len(set(value)) != len(value)
            ):
                return _validate_each(answers)
            cleaned[name] = value.copy()  # a fresh list: the caller's is never shared
        elif not (value.__class__ is int and minimum <= value <= maximum):
            return _validate_each(answers)
    return cleaned


# The fast path's checks, flattened: the yes/no fields' names, and the rest as
# (name, kind, allowed values, min, max).
_BOOL_NAMES = tuple(f.name for f in FIELDS if f.kind == "bool")
_OTHER_CHECKS = tuple(
    (f.name, f.kind, frozenset(CHOICES.get(f.name, ())), f.minimum, f.maximum)
    for f in FIELDS
    if f.kind != "bool"
)
_JUST_BOOL, _JUST_STR = {bool}, {str}
_ALL_FIELDS = itemgetter(*FIELD_NAMES)
_BOOL_FIELDS = itemgetter(*_BOOL_NAMES)


def _validate_each(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every field on its own: finds all the problems at once, naming each field."""
    cleaned, errors = {}, {}
    for field in FIELDS:
        value = answers.get(field.name)
        if value is None:
            errors[field.name] = [MSG_REQUIRED]
        elif messages := _field_errors(field, value):
            errors[field.name] = messages
        elif field.kind == "choices":
            cleaned[field.name] = [str(item) for item in value]
        else:
            cleaned[field.name] = str(value) if field.kind == "choice" else value
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


# --- The derived profile -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    severity: Severity
    criteria_count: int
    detox_need: DetoxNeed
    home_stability: HomeStability
    weekly_hours: WeeklyHours
    age_group: AgeGroup

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": str(self.severity),
            "criteria_count": self.criteria_count,
            "detox_need": str(self.detox_need),
            "home_stability": str(self.home_stability),
            "weekly_hours": str(self.weekly_hours),
            "age_group": str(self.age_group),
        }


def severity_for(criteria_count: int) -> Severity:
    if criteria_count >= SEVERE_MIN_CRITERIA:
        return Severity.SEVERE
    if criteria_count >= MODERATE_MIN_CRITERIA:
        return Severity.MODERATE
    if criteria_count >= MILD_MIN_CRITERIA:
        return Severity.MILD
    return Severity.NONE


def detox_need_for(a: Mapping[str, Any]) -> DetoxNeed:
    """After the criteria for safe withdrawal outside a hospital (screen.md section 1)."""
    substances = set(a["substances"])
    heavy_use = a["use_days"] >= HEAVY_USE_DAYS
    unsafe_at_home = (
        not a["support_person"]
        or a["medical_condition"]
        or a["mental_health"] == MentalHealth.UNMANAGED
        or a["age_group"] == AgeGroup.OLDER
    )
    if (
        a["withdrawal_complications"]
        or (a["withdrawal_symptoms"] and substances & SEDATIVES and unsafe_at_home)
        or (heavy_use and substances >= SEDATIVES)
    ):
        return DetoxNeed.MEDICAL
    if a["withdrawal_symptoms"] or (heavy_use and substances & DEPENDENCE_RISK):
        return DetoxNeed.MONITORED
    return DetoxNeed.NONE


def home_stability_for(a: Mapping[str, Any]) -> HomeStability:
    if (
        a["housing"] != Housing.STABLE
        or not a["home_safe"]
        or (a["others_use_at_home"] and not a["support_person"])
    ):
        return HomeStability.UNSTABLE
    if a["others_use_at_home"] or not a["support_person"]:
        return HomeStability.STRAINED
    return HomeStability.STABLE


def profile_for(a: Mapping[str, Any]) -> Profile:
    count = sum(map(a.__getitem__, CRITERIA))  # True counts as 1
    return Profile(
        severity=severity_for(count),
        criteria_count=count,
        detox_need=detox_need_for(a),
        home_stability=home_stability_for(a),
        weekly_hours=WeeklyHours._value2member_map_[a["weekly_hours"]],  # WeeklyHours(), faster
        age_group=AgeGroup._value2member_map_[a["age_group"]],
    )


# --- The rule table ----------------------------------------------------------------------

Condition = Callable[[Mapping[str, Any], Profile], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    when: Condition
    raises_to: Level
    flag: Flag | None
    fires_when: str  # the condition in plain words, for /how-it-works/
    reason: str  # what the person reads when this rule sets their level
    source_ids: tuple[str, ...]

    @property
    def sources(self) -> list[Source]:
        return [SOURCES[source_id] for source_id in self.source_ids]

    @property
    def points(self) -> list[tuple[Source, str]]:
        return [(SOURCES[source_id], point(self.id, source_id)) for source_id in self.source_ids]


SEVERE, MODERATE, MILD, NO_SIGNS = Severity.SEVERE, Severity.MODERATE, Severity.MILD, Severity.NONE
INPATIENT, IOP, OUTPATIENT = Level.INPATIENT, Level.IOP, Level.OUTPATIENT


def _unmanaged(a: Mapping[str, Any]) -> bool:
    return a["mental_health"] == MentalHealth.UNMANAGED


# Most decisive first: reasons at the final level are shown in this order.
RULES: tuple[Rule, ...] = (
    Rule(
        "crisis",
        lambda a, p: a["self_harm_thoughts"],
        INPATIENT,
        Flag.CRISIS,
        _("You have had thoughts of ending your life or hurting yourself in the past month."),
        _(
            "You told us you have had thoughts of ending your life or hurting yourself. "
            "Your safety comes first, and care with staff there day and night is the "
            "safest place to start."
        ),
        ("zinnia", "denovo"),
    ),
    Rule(
        "medical_detox",
        lambda a, p: p.detox_need == DetoxNeed.MEDICAL,
        INPATIENT,
        Flag.DETOX_FIRST,
        _("Your detox need is medical."),
        _(
            "Your answers suggest that stopping could bring on dangerous withdrawal. "
            "Withdrawal like this should be handled by doctors, so detox with medical care "
            "comes first."
        ),
        ("baltimore", "denovo", "westsound"),
    ),
    Rule(
        "unstable_home",
        lambda a, p: p.home_stability == HomeStability.UNSTABLE,
        INPATIENT,
        None,
        _("Your home situation is unstable."),
        _(
            "Where you live right now could make it very hard to recover at home. Living at "
            "the centre for a while gives you a safe, steady place to start."
        ),
        ("denovo", "zinnia", "westsound"),
    ),
    Rule(
        "psychiatric_risk",
        lambda a, p: _unmanaged(a) and p.severity in (MODERATE, SEVERE),
        INPATIENT,
        None,
        _(
            "Your mental health symptoms are not under control and your substance use is "
            "moderate or severe."
        ),
        _(
            "You are dealing with mental health symptoms that are not under control, as "
            "well as a substance use problem. Care around the clock can treat both safely."
        ),
        ("zinnia", "westsound"),
    ),
    Rule(
        "medical_risk",
        lambda a, p: (
            a["medical_condition"] and (p.severity == SEVERE or p.detox_need != DetoxNeed.NONE)
        ),
        INPATIENT,
        None,
        _(
            "You have a serious medical condition or are pregnant, and your use is severe "
            "or you may have withdrawal."
        ),
        _(
            "You have a serious health condition or are pregnant. Inpatient care lets "
            "medical staff look after your health while you stop using."
        ),
        ("westsound",),
    ),
    Rule(
        "severe_use",
        lambda a, p: (
            p.severity == SEVERE
            and not a["recent_higher_care"]
            and (a["can_leave_home"] or p.home_stability != HomeStability.STABLE)
        ),
        INPATIENT,
        None,
        _(
            "Your substance use is severe, you have not had detox or inpatient care in the "
            "past 3 months, and you could step away from home or your home is not fully "
            "stable."
        ),
        _(
            "Your answers show signs of a severe substance use problem. Living at the centre "
            "for a while gives you care and support 24 hours a day."
        ),
        ("overview",),
    ),
    Rule(
        "severe_use_at_home",
        lambda a, p: (
            p.severity == SEVERE
            and not a["recent_higher_care"]
            and not a["can_leave_home"]
            and p.home_stability == HomeStability.STABLE
        ),
        IOP,
        Flag.DISCUSS_INPATIENT,
        _(
            "Your substance use is severe, you have not had detox or inpatient care in the "
            "past 3 months, you cannot step away from home, and your home is stable."
        ),
        _(
            "Your answers show signs of a severe substance use problem. Inpatient care is "
            "often the usual fit, but you can't step away from home right now and your home "
            "is stable, so an intensive outpatient program is a strong option. For most "
            "people it works as well as inpatient care."
        ),
        ("overview", "westsound"),
    ),
    Rule(
        "step_down",
        lambda a, p: a["recent_higher_care"],
        IOP,
        None,
        _("You finished detox, inpatient or partial hospitalisation care in the past 3 months."),
        _(
            "You recently finished detox, an inpatient stay or day treatment. An intensive "
            "outpatient program is a common next step to keep your progress going."
        ),
        ("overview", "zinnia", "denovo"),
    ),
    Rule(
        "moderate_use",
        lambda a, p: p.severity == MODERATE,
        IOP,
        None,
        _("Your substance use is moderate."),
        _(
            "Your answers show signs of a moderate substance use problem. Many people at "
            "this stage do well in an intensive outpatient program while living at home."
        ),
        ("overview",),
    ),
    Rule(
        "withdrawal_watch",
        lambda a, p: p.detox_need == DetoxNeed.MONITORED,
        IOP,
        Flag.DETOX_CHECK,
        _("Your detox need is to be monitored."),
        _(
            "You may have some withdrawal when you cut down. The assessment will check "
            "whether you need medical support while you stop."
        ),
        ("baltimore", "denovo"),
    ),
    Rule(
        "co_occurring",
        lambda a, p: _unmanaged(a) and p.severity != NO_SIGNS,
        IOP,
        None,
        _("Your mental health symptoms are not under control and you show signs of a disorder."),
        _(
            "Your mental health symptoms are hard to manage right now. An intensive "
            "outpatient program can treat your mental health and your substance use together."
        ),
        ("overview", "zinnia"),
    ),
    Rule(
        "outpatient_not_enough",
        lambda a, p: a["outpatient_tried"] and p.severity != NO_SIGNS,
        IOP,
        None,
        _("Outpatient treatment was not enough before, and you show signs of a disorder."),
        _(
            "You have tried outpatient treatment before and it wasn't enough. A program with "
            "more hours each week gives you more support."
        ),
        ("denovo",),
    ),
    Rule(
        "mild_use",
        lambda a, p: p.severity == MILD,
        OUTPATIENT,
        None,
        _("Your substance use is mild."),
        _(
            "Your answers show signs of a mild substance use problem. Outpatient care, a few "
            "hours a week, lets you keep up with work and family while you get help."
        ),
        ("overview",),
    ),
    Rule(
        "no_disorder_signs",
        lambda a, p: p.severity == NO_SIGNS,
        OUTPATIENT,
        Flag.LOW_SIGNS,
        _("Your answers show fewer than two signs of a substance use disorder."),
        _(
            "Your answers show few signs of a substance use disorder. A doctor or a "
            "professional assessment can confirm this and tell you whether any support "
            "would help."
        ),
        ("baltimore",),
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


# --- Notes: things to talk about; they never change the level ---------------------------

NoteCondition = Callable[[Mapping[str, Any], Profile, Level], bool]


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    when: NoteCondition
    shown_when: str  # the condition in plain words, for /how-it-works/
    text: str
    source_ids: tuple[str, ...] = ()


SHORT_WEEKS = (WeeklyHours.UNDER_4, WeeklyHours.FROM_4_TO_8)
LONG_WEEKS = (WeeklyHours.FROM_9_TO_19, WeeklyHours.OVER_20)

NOTES: tuple[Note, ...] = (
    Note(
        "inpatient_timing",
        lambda a, p, level: level == INPATIENT and not a["can_leave_home"],
        _("The level is inpatient and you can't step away from home for several weeks."),
        _(
            "Inpatient care means living at the centre for several weeks. Talk with "
            "admissions about timing, time off work and plans for your family."
        ),
        ("westsound",),
    ),
    Note(
        "iop_hours",
        lambda a, p, level: level == IOP and p.weekly_hours in SHORT_WEEKS,
        _("The level is IOP and you have fewer than 9 hours a week."),
        _(
            "An intensive outpatient program usually takes 9 to 12 or more hours a week, "
            "often 3 to 5 days for 2 to 4 hours at a time. Many programs run in the evenings."
        ),
        ("denovo", "overview"),
    ),
    Note(
        "outpatient_hours",
        lambda a, p, level: level == OUTPATIENT and p.weekly_hours == WeeklyHours.UNDER_4,
        _("The level is outpatient and you have fewer than 4 hours a week."),
        _("Outpatient care usually takes about 4 to 10 hours a week."),
        ("overview",),
    ),
    Note(
        "iop_option",
        lambda a, p, level: (
            level == OUTPATIENT and p.severity == MILD and p.weekly_hours in LONG_WEEKS
        ),
        _("The level is outpatient, your use is mild and you have 9 or more hours a week."),
        _("If you'd like more structure, an intensive outpatient program is also an option."),
        ("overview",),
    ),
    Note(
        "support_network",
        lambda a, p, level: p.home_stability == HomeStability.STRAINED,
        _("Your home situation is strained."),
        _(
            "Group sessions in outpatient and intensive outpatient care can help you build "
            "a circle of people who support your recovery."
        ),
        ("overview",),
    ),
    Note(
        "partial_hospitalisation",
        lambda a, p, level: (
            level == IOP and p.weekly_hours == WeeklyHours.OVER_20 and p.severity == SEVERE
        ),
        _("The level is IOP, your use is severe and you have 20 or more hours a week."),
        _(
            "Partial hospitalisation (day treatment) sits between an intensive outpatient "
            "program and inpatient care. Ask whether it could suit you."
        ),
        ("zinnia",),
    ),
    Note(
        "benzodiazepines",
        lambda a, p, level: Substance.BENZODIAZEPINES in a["substances"],
        _("You use benzodiazepines."),
        _(
            "Stopping benzodiazepines all at once can cause seizures. Please don't stop on "
            "your own: a doctor can plan a slow, safe taper."
        ),
    ),
    Note(
        "opioids",
        lambda a, p, level: Substance.OPIOIDS in a["substances"],
        _("You use opioids."),
        _(
            "Medicines for opioid use disorder (buprenorphine, methadone or naltrexone) can "
            "be part of any of these levels of care. Ask about them."
        ),
        ("zinnia",),
    ),
    Note(
        "under_18",
        lambda a, p, level: p.age_group == AgeGroup.UNDER_18,
        _("You are under 18."),
        _(
            "Programs for young people are different from adult programs, and they involve "
            "a parent or guardian."
        ),
    ),
)


# --- What each level and flag means to the person -----------------------------------------


@dataclass(frozen=True, slots=True)
class LevelInfo:
    label: str
    summary: str
    hours: str
    days: str
    length: str
    living: str
    source_ids: tuple[str, ...]


LEVELS: dict[Level, LevelInfo] = {
    INPATIENT: LevelInfo(
        _("Inpatient care"),
        _("You live at the centre for a while, with care and support 24 hours a day."),
        _("Care around the clock, 24 hours a day."),
        _("Every day, for as long as you stay."),
        _("From a couple of weeks to a few months; 30 to 90 days is common."),
        _("You live at the centre during treatment."),
        ("overview", "westsound"),
    ),
    IOP: LevelInfo(
        _("Intensive outpatient program (IOP)"),
        _("You live at home and go to treatment several days a week."),
        _("About 9 to 12 or more hours a week."),
        _("3 to 5 days a week, 2 to 4 hours at a time, often in the evening."),
        _("Usually 8 to 12 weeks, with fewer sessions as you progress."),
        _("You live at home and keep up with work, school or family."),
        ("denovo", "overview", "baltimore"),
    ),
    OUTPATIENT: LevelInfo(
        _("Outpatient care"),
        _("You live at home and go to treatment a few hours a week."),
        _("About 4 to 10 hours a week."),
        _("A few sessions a week, fitted around your life."),
        _("Usually 3 to 6 months."),
        _("You live at home and keep up with work and family."),
        ("overview",),
    ),
}

FLAG_TEXTS: dict[Flag, str] = {
    Flag.CRISIS: _(
        "If you might act on thoughts of hurting yourself, call or text 988 now (Suicide & "
        "Crisis Lifeline). If you are in danger, call 911."
    ),
    Flag.DETOX_FIRST: _(
        "Medically supervised detox comes before any program. Please don't stop using on "
        "your own: talk to a doctor or to admissions first."
    ),
    Flag.DETOX_CHECK: _(
        "The assessment will check whether your withdrawal needs medical supervision."
    ),
    Flag.DISCUSS_INPATIENT: _(
        "Inpatient care is the usual fit for answers like yours. Please talk it over with "
        "admissions."
    ),
    Flag.LOW_SIGNS: _("Your answers show few signs of a substance use disorder."),
}
URGENT_FLAGS = frozenset({Flag.CRISIS, Flag.DETOX_FIRST})
NOT_AN_ASSESSMENT = _(
    "This screen is not a diagnosis or an assessment. A professional assessment with a "
    "counselor or doctor decides which care is right for you."
)


# --- The recommendation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    text: str
    sources: list[Source]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
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
    notes: list[str]
    profile: Profile
    ruleset_version: str
    trace: list[TraceEntry]
    answers: dict[str, Any]  # the validated answer fields alone, as a fresh copy

    @property
    def level_label(self) -> str:
        return LEVELS[self.level].label

    @property
    def urgent(self) -> bool:
        return bool(self.flags & URGENT_FLAGS)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of screen.md section 3, less the stored screen's own fields."""
        return {
            "level": str(self.level),
            "level_label": self.level_label,
            "flags": sorted(str(flag) for flag in self.flags),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "notes": list(self.notes),
            "profile": self.profile.as_dict(),
            "ruleset_version": self.ruleset_version,
        }


def evaluate(a: Mapping[str, Any], profile: Profile) -> tuple[Level, list[Rule]]:
    """The level and the rules that fired, for answers already validated."""
    fired = [rule for when, rule in _CONDITIONS if when(a, profile)]
    level = max((rule.raises_to for rule in fired), key=_LEVEL_RANK.__getitem__)
    return level, fired


# Made once, for the hot path: each condition beside its rule or note, and what each rule
# puts in a recommendation (a trace entry is immutable, so one is shared by all).
_CONDITIONS = tuple((rule.when, rule) for rule in RULES)
_NOTE_CONDITIONS = tuple((note.when, note.text) for note in NOTES)
_TRACE_ENTRIES = {rule.id: TraceEntry(rule.id, rule.raises_to, rule.flag) for rule in RULES}
_REASON_SOURCES = {rule.id: tuple(rule.sources) for rule in RULES}


def recommend(answers: Mapping[str, Any]) -> Recommendation:
    """Validates the answers and applies ruleset RULESET_VERSION to them.

    Keys other than the answer fields (the contact fields, say) are ignored.
    """
    a = validate(answers)
    profile = profile_for(a)
    level, fired = evaluate(a, profile)
    flags = frozenset(rule.flag for rule in fired if rule.flag)
    if level != IOP and Flag.DISCUSS_INPATIENT in flags:
        flags -= {Flag.DISCUSS_INPATIENT}
    return Recommendation(
        level,
        flags,
        [
            Reason(rule.id, rule.reason, list(_REASON_SOURCES[rule.id]))
            for rule in fired
            if rule.raises_to == level
        ],
        [text for when, text in _NOTE_CONDITIONS if when(a, profile, level)],
        profile,
        RULESET_VERSION,
        [_TRACE_ENTRIES[rule.id] for rule in fired],
        a,
    )


def level_without(answers: Mapping[str, Any], rule_ids: set[str]) -> Level:
    """The level the answers would get if the given rules did not exist ("what drives it")."""
    a = validate(answers)
    profile = profile_for(a)
    levels = [
        rule.raises_to for rule in RULES if rule.id not in rule_ids and rule.when(a, profile)
    ]
    return max(levels, key=_LEVEL_RANK.__getitem__, default=OUTPATIENT)
