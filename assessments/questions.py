"""The self-screen's questions (schema 2): one definition of each, and everything made from it.

Pure Python with no Django import. Each question says its field name, kind, step, the
patient's wording (question, hint, error), the coordinator's short label, its choices in
both voices, and when it is asked. The form steps, Check your answers, the coordinators'
answer list, the CSV columns, the API's validation, its JSON Schema and /how-it-works/ are
all loops over this file: adding a yes/no question is one `Question(...)` here (plus the
rules that use it in policy.py).

Strings are marked with `_` for translation and translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from assessments.sources import _

SCHEMA_VERSION = 2
USE_DAYS_MAX = 30


# --- The values answers take ---------------------------------------------------------------


class AgeGroup(StrEnum):
    UNDER_18 = "under_18"
    ADULT = "18_to_64"
    OLDER = "65_plus"


class Substance(StrEnum):
    ALCOHOL = "alcohol"
    OPIOIDS = "opioids"
    BENZODIAZEPINES = "benzodiazepines"
    OTHER_SEDATIVES = "other_sedatives"
    STIMULANTS = "stimulants"
    CANNABIS = "cannabis"
    OTHER = "other"


class WithdrawalNow(StrEnum):
    NONE = "none"
    MILD = "mild"
    SEVERE = "severe"


class MentalHealth(StrEnum):
    NONE = "none"
    MANAGED = "managed"
    UNMANAGED = "unmanaged"


class Housing(StrEnum):
    STABLE = "stable"
    TEMPORARY = "temporary"
    NONE = "none"


class Readiness(StrEnum):
    NOT_READY = "not_ready"
    UNSURE = "unsure"
    READY = "ready"


class TriedBefore(StrEnum):
    OUTPATIENT = "outpatient"
    IOP = "iop"


class WeeklyHours(StrEnum):
    UNDER_4 = "under_4"
    FROM_4_TO_8 = "4_to_8"
    FROM_9_TO_19 = "9_to_19"
    OVER_20 = "20_plus"


class PreferredContact(StrEnum):
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"


# --- What a question is --------------------------------------------------------------------


class Kind(StrEnum):
    BOOL = "bool"  # yes or no
    INT = "int"  # a whole number from `minimum` to `maximum`
    CHOICE = "choice"  # one of `choices`
    CHOICES = "choices"  # a list of `choices`, no duplicates
    TEXT = "text"  # contact details: free text of at most `max_length` characters
    PHONE = "phone"
    EMAIL = "email"
    CONSENT = "consent"  # a box to tick


# Answered by choosing (or with a number of days): each must be answered when asked, and the
# same answer looks the same for everyone. The other kinds are typed details and consent.
CHOSEN_KINDS = (Kind.BOOL, Kind.INT, Kind.CHOICE, Kind.CHOICES)


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    text: str  # the patient's words
    staff: str = ""  # the coordinator's words, where they differ

    @property
    def staff_text(self) -> str:
        return self.staff or self.text


@dataclass(frozen=True, slots=True)
class AskedWhen:
    """A conditional question is asked only when `field`'s answer is one of `values` (for a
    list answer: holds one of them). Declarative, so the browser can reveal it in place."""

    field: str
    values: tuple[Any, ...]
    text: str  # the condition in plain words
    do_not_call_in_templates: ClassVar[bool] = True  # a template reads its text

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.field)
        if isinstance(value, list):
            return any(item in self.values for item in value)
        return value in self.values


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    kind: Kind
    step: str  # the slug of the step that asks it
    text: str  # the question, to the patient
    staff: str  # a short label, for coordinators and the CSV
    error: str = ""  # what the patient reads when it is not answered
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    minimum: int = 0
    maximum: int = 0
    max_length: int = 0
    asked_when: AskedWhen | None = None
    # Shown in the form only when this holds, though not required then (contact details).
    revealed_when: AskedWhen | None = None
    # A list that may be empty: the form offers `none_text` as its own, exclusive answer.
    none_text: str = ""
    autocomplete: str = ""
    values: tuple[str, ...] = field(init=False, repr=False)  # the choices' values

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(choice.value for choice in self.choices))

    @property
    def conditional(self) -> bool:
        return self.asked_when is not None

    @property
    def empty(self) -> Any:
        """The answer of a conditional question that was not asked."""
        if self.kind == Kind.CHOICES:
            return []
        return False if self.kind in (Kind.BOOL, Kind.CONSENT) else ""

    @property
    def reveal(self) -> AskedWhen | None:
        """The condition under which the form shows it (JavaScript reveals it in place)."""
        return self.asked_when or self.revealed_when

    def asked(self, answers: Mapping[str, Any]) -> bool:
        return self.asked_when is None or self.asked_when(answers)

    def choice_text(self, value: Any, *, staff: bool = False) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.staff_text if staff else choice.text
        return str(value)  # a value this version does not know is shown as it is


@dataclass(frozen=True, slots=True)
class Step:
    slug: str
    title: str
    intro: str = ""

    @property
    def questions(self) -> tuple[Question, ...]:
        return STEP_QUESTIONS[self.slug]


def _yes_no(name, step, text, staff, error, hint="", asked_when=None) -> Question:
    return Question(name, Kind.BOOL, step, text, staff, error, hint, asked_when=asked_when)


# --- The steps, in the order asked ---------------------------------------------------------

STEPS: tuple[Step, ...] = (
    Step("about-you", _("About you"), _("Programs differ a little by age, so we ask this first.")),
    Step(
        "substance-use",
        _("Substance use"),
        _(
            "These questions are about the past 12 months. There are no right or wrong "
            "answers: the more honest you are, the more useful your result will be."
        ),
    ),
    Step(
        "signs",
        _("How use affects you (1 of 2)"),
        _("Think about the past 12 months. Answer for all the substances you use together."),
    ),
    Step(
        "signs-more",
        _("How use affects you (2 of 2)"),
        _("Still about the past 12 months."),
    ),
    Step(
        "withdrawal",
        _("Withdrawal and overdose"),
        _("Withdrawal is what your body goes through when you cut down or stop."),
    ),
    Step(
        "health",
        _("Health and safety"),
        _("Your health and safety help decide how much care and support is right for you."),
    ),
    Step(
        "home",
        _("Home and support"),
        _("Where you live and who is around you make a big difference to recovery."),
    ),
    Step(
        "history",
        _("Readiness and past treatment"),
        _("There is no wrong answer. Many people try more than once before treatment works."),
    ),
    Step(
        "schedule",
        _("Your week"),
        _("Treatment has to fit your life. These answers never lower the care you need."),
    ),
    Step(
        "contact",
        _("Contact (optional)"),
        _("You can ask our admissions team to contact you. You don't have to."),
    ),
)
CONTACT_STEP = STEPS[-1]

_SUBSTANCES_ON_PRESCRIPTION = AskedWhen(
    "substances",
    (Substance.OPIOIDS, Substance.BENZODIAZEPINES),
    _("Only if you chose opioids or benzodiazepines."),
)


# --- The questions -------------------------------------------------------------------------

# The eleven DSM-5 substance use disorder criteria, in the order the screen asks them:
# (name, question, coordinator's label, step).
_CRITERIA = (
    (
        "lost_control",
        _("Did you often use more, or for longer, than you meant to?"),
        _("Used more, or for longer, than meant to"),
        "signs",
    ),
    (
        "cant_cut_down",
        _("Did you want to cut down or stop, but couldn't?"),
        _("Wanted to cut down or stop, and couldn't"),
        "signs",
    ),
    (
        "time_spent",
        _("Did you spend a lot of time getting it, using it or getting over it?"),
        _("A lot of time spent getting, using or recovering"),
        "signs",
    ),
    (
        "craving",
        _("Did you have strong cravings or urges to use?"),
        _("Strong cravings or urges"),
        "signs",
    ),
    (
        "neglected_duties",
        _("Did your use get in the way of work, school or home?"),
        _("Use got in the way of work, school or home"),
        "signs",
    ),
    (
        "relationship_problems",
        _("Did you keep using even though it caused trouble with family or friends?"),
        _("Kept using despite trouble with family or friends"),
        "signs",
    ),
    (
        "gave_up_activities",
        _("Did you give up or cut back on things that mattered to you, to use?"),
        _("Gave up or cut back important activities"),
        "signs-more",
    ),
    (
        "risky_use",
        _("Did you use where it was physically risky, for example before driving?"),
        _("Used where it was physically risky (e.g. driving)"),
        "signs-more",
    ),
    (
        "health_problems",
        _(
            "Did you keep using even though it caused or worsened a physical or mental "
            "health problem?"
        ),
        _("Kept using despite health problems it caused or worsened"),
        "signs-more",
    ),
    (
        "tolerance",
        _("Did you need more to get the same effect?"),
        _("Needed more to get the same effect"),
        "signs-more",
    ),
    (
        "withdrawal",
        _("Did you feel withdrawal when you stopped, or use to avoid it?"),
        _("Felt withdrawal, or used to avoid it"),
        "signs-more",
    ),
)
CRITERIA = tuple(name for name, *_rest in _CRITERIA)
MSG_YES_NO = _("Select yes or no")

ANSWER_QUESTIONS: tuple[Question, ...] = (
    # About you
    Question(
        "age_group",
        Kind.CHOICE,
        "about-you",
        _("How old are you?"),
        _("Age group"),
        _("Select your age group"),
        choices=(
            Choice(AgeGroup.UNDER_18, _("Under 18")),
            Choice(AgeGroup.ADULT, _("18 to 64")),
            Choice(AgeGroup.OLDER, _("65 or older")),
        ),
    ),
    _yes_no(
        "pregnant",
        "about-you",
        _("Are you pregnant?"),
        _("Pregnant now"),
        _("Select yes if you are pregnant"),
        _("If you can't be pregnant, select no."),
    ),
    # Substance use
    Question(
        "substances",
        Kind.CHOICES,
        "substance-use",
        _("In the past 12 months, which have you used?"),
        _("Substances used in the past 12 months"),
        _("Select at least one substance"),
        _("Select all that apply."),
        choices=(
            Choice(Substance.ALCOHOL, _("Alcohol")),
            Choice(Substance.OPIOIDS, _("Opioids (heroin, fentanyl, pain pills)")),
            Choice(
                Substance.BENZODIAZEPINES,
                _("Benzodiazepines (for example Xanax or Valium)"),
                _("Benzodiazepines (e.g. Xanax, Valium)"),
            ),
            Choice(
                Substance.OTHER_SEDATIVES,
                _(
                    "Other sedatives not taken as prescribed (sleeping pills, barbiturates, "
                    "GHB, gabapentin or phenibut)"
                ),
                _("Other sedatives (sleeping pills, barbiturates, GHB, gabapentin, phenibut)"),
            ),
            Choice(Substance.STIMULANTS, _("Stimulants (meth, cocaine, prescription stimulants)")),
            Choice(Substance.CANNABIS, _("Cannabis")),
            Choice(Substance.OTHER, _("Something else"), _("Other")),
        ),
    ),
    _yes_no(
        "prescribed_as_directed",
        "substance-use",
        _(
            "Are all the opioids or benzodiazepines you take prescribed for you, and do you "
            "take them the way your doctor said?"
        ),
        _("Every opioid or benzodiazepine is prescribed and taken as directed"),
        _("Select yes if they are all prescribed for you and taken as directed"),
        _("For example methadone or buprenorphine from a treatment program."),
        asked_when=_SUBSTANCES_ON_PRESCRIPTION,
    ),
    Question(
        "use_days",
        Kind.INT,
        "substance-use",
        _("In the past 30 days, on how many days did you use?"),
        _("Days of use in the past 30 days"),
        _("Enter a number of days from 0 to 30"),
        _("Enter a number from 0 to 30."),
        minimum=0,
        maximum=USE_DAYS_MAX,
    ),
    # The eleven criteria, on two pages
    *(_yes_no(name, step, text, staff, MSG_YES_NO) for name, text, staff, step in _CRITERIA),
    # Withdrawal and overdose
    Question(
        "withdrawal_now",
        Kind.CHOICE,
        "withdrawal",
        _("In the past week, what happened when you went without?"),
        _("Withdrawal in the past week when going without"),
        _("Select what happened when you went without"),
        _("Pick the worst thing that happened."),
        choices=(
            Choice(
                WithdrawalNow.NONE,
                _("Nothing, or I did not go without"),
                _("None (or did not go without)"),
            ),
            Choice(
                WithdrawalNow.MILD,
                _("Shakes, sweats, feeling sick, anxiety, a racing heart or poor sleep"),
                _("Mild: shakes, sweats, nausea, anxiety, racing heart, poor sleep"),
            ),
            Choice(
                WithdrawalNow.SEVERE,
                _(
                    "Seeing, hearing or feeling things that are not there, confusion, "
                    "vomiting that will not stop, or a seizure"
                ),
                _("Severe: hallucinations, confusion, vomiting that will not stop, a seizure"),
            ),
        ),
    ),
    _yes_no(
        "withdrawal_complications",
        "withdrawal",
        _(
            "Have you ever had a seizure, seen or heard things that weren't there, or been "
            "badly confused when you stopped?"
        ),
        _("Ever had a seizure, hallucinations or severe confusion (DTs) when stopping"),
        _("Select yes if you have ever had a seizure, hallucinations or severe confusion"),
    ),
    _yes_no(
        "overdose",
        "withdrawal",
        _(
            "In the past 12 months, have you overdosed, needed naloxone (Narcan), or needed "
            "emergency care because of your use?"
        ),
        _("Overdose, naloxone or emergency care in the past 12 months"),
        _("Select yes if you overdosed or needed emergency care"),
    ),
    _yes_no(
        "injects",
        "withdrawal",
        _("In the past 12 months, have you injected drugs?"),
        _("Injected drugs in the past 12 months"),
        _("Select yes if you have injected drugs"),
    ),
    # Health and safety
    _yes_no(
        "self_harm_thoughts",
        "health",
        _("In the past month, have you had thoughts of ending your life or hurting yourself?"),
        _("Thoughts of ending their life or self-harm in the past month"),
        _("Select yes if you have had thoughts of ending your life or hurting yourself"),
    ),
    _yes_no(
        "harm_others_thoughts",
        "health",
        _("In the past month, have you had thoughts of seriously hurting someone else?"),
        _("Thoughts of seriously hurting someone else in the past month"),
        _("Select yes if you have had thoughts of seriously hurting someone"),
    ),
    Question(
        "mental_health",
        Kind.CHOICE,
        "health",
        _("Do you have a mental health condition, such as depression or anxiety?"),
        _("Mental health"),
        _("Select the answer that fits your mental health best"),
        choices=(
            Choice(
                MentalHealth.NONE,
                _("No, I don't have a mental health condition"),
                _("No mental health condition"),
            ),
            Choice(
                MentalHealth.MANAGED,
                _("Yes, and it is stable or being treated"),
                _("A condition that is stable or treated"),
            ),
            Choice(
                MentalHealth.UNMANAGED,
                _("Yes, and my symptoms are not under control"),
                _("Symptoms not under control"),
            ),
        ),
    ),
    _yes_no(
        "medical_condition",
        "health",
        _("Do you have a serious medical condition that needs regular care?"),
        _("Serious medical condition needing regular care"),
        _("Select yes if you have a serious medical condition"),
        _("For example heart, liver or lung disease, diabetes or epilepsy."),
    ),
    # Home and support
    Question(
        "housing",
        Kind.CHOICE,
        "home",
        _("Which best describes where you live?"),
        _("Housing"),
        _("Select where you live"),
        choices=(
            Choice(Housing.STABLE, _("I have my own or a steady place"), _("Own or steady place")),
            Choice(
                Housing.TEMPORARY,
                _("It is temporary: staying with others, in a shelter, or about to lose my place"),
                _("Temporary (couch-surfing, shelter, about to lose it)"),
            ),
            Choice(Housing.NONE, _("I have no place to live"), _("No place to live")),
        ),
    ),
    _yes_no(
        "home_safe",
        "home",
        _("Do you feel safe where you live?"),
        _("Feels safe where they live"),
        _("Select yes if you feel safe where you live"),
    ),
    _yes_no(
        "others_use_at_home",
        "home",
        _("Does someone you live with drink heavily or use drugs?"),
        _("Someone they live with drinks heavily or uses drugs"),
        _("Select yes if someone you live with drinks heavily or uses drugs"),
    ),
    _yes_no(
        "support_person",
        "home",
        _("Is there someone in your life who supports your recovery?"),
        _("Someone in their life supports their recovery"),
        _("Select yes if someone in your life supports your recovery"),
    ),
    # Readiness and past treatment
    Question(
        "readiness",
        Kind.CHOICE,
        "history",
        _("How do you feel about making a change now?"),
        _("Readiness to change"),
        _("Select how you feel about making a change"),
        choices=(
            Choice(Readiness.NOT_READY, _("I'm not ready yet"), _("Not ready")),
            Choice(Readiness.UNSURE, _("I'm not sure"), _("Unsure")),
            Choice(Readiness.READY, _("I'm ready to make a change"), _("Ready")),
        ),
    ),
    _yes_no(
        "recent_higher_care",
        "history",
        _(
            "In the past 3 months, did you finish detox, an inpatient stay or day treatment "
            "(partial hospitalization)?"
        ),
        _("Completed detox, inpatient or partial hospitalization in the past 3 months"),
        _("Select yes if you finished detox, inpatient or day treatment in the past 3 months"),
    ),
    _yes_no(
        "used_since_care",
        "history",
        _("Have you used again since then?"),
        _("Has used again since that care"),
        _("Select yes if you have used again since then"),
        asked_when=AskedWhen(
            "recent_higher_care",
            (True,),
            _("Only if you finished detox, inpatient or day treatment in the past 3 months."),
        ),
    ),
    Question(
        "tried_before",
        Kind.CHOICES,
        "history",
        _("Have you tried any of these before, and it was not enough?"),
        _("Tried before and it was not enough"),
        _("Select the treatments you tried, or select no"),
        _("Select all that apply."),
        choices=(
            Choice(
                TriedBefore.OUTPATIENT,
                _("Outpatient treatment (a few hours a week)"),
                _("Outpatient"),
            ),
            Choice(TriedBefore.IOP, _("An intensive outpatient program (IOP)"), _("IOP")),
        ),
        none_text=_("No, neither of these"),
    ),
    # Your week
    Question(
        "weekly_hours",
        Kind.CHOICE,
        "schedule",
        _("How many hours a week could you set aside for treatment?"),
        _("Hours a week they could set aside for treatment"),
        _("Select how many hours a week you could set aside"),
        choices=(
            Choice(WeeklyHours.UNDER_4, _("Less than 4 hours"), _("Under 4 hours")),
            Choice(WeeklyHours.FROM_4_TO_8, _("4 to 8 hours")),
            Choice(WeeklyHours.FROM_9_TO_19, _("9 to 19 hours")),
            Choice(WeeklyHours.OVER_20, _("20 hours or more")),
        ),
    ),
    _yes_no(
        "can_leave_home",
        "schedule",
        _("Could you step away from home, work or family to stay at a center for a few weeks?"),
        _("Could leave home, work or family for a residential stay"),
        _("Select yes if you could step away for a stay of a few weeks"),
    ),
    _yes_no(
        "transport",
        "schedule",
        _("Could you get to appointments 3 or more times a week, in person or by video?"),
        _("Can get to appointments 3+ times a week (in person or video)"),
        _("Select yes if you could get to appointments 3 or more times a week"),
    ),
    _yes_no(
        "mandated",
        "schedule",
        _(
            "Does a court, probation, your employer or child services require you to get "
            "treatment?"
        ),
        _("Treatment required by a court, probation, employer or child services"),
        _("Select yes if someone requires you to get treatment"),
    ),
)

# The optional contact details: the form and the API check them (see forms.ContactForm).
_CONTACT_WANTED = AskedWhen(
    "contact_requested", (True,), _("Only if you asked us to contact you.")
)
CONTACT_QUESTIONS: tuple[Question, ...] = (
    _yes_no(
        "contact_requested",
        "contact",
        _("Would you like someone from our admissions team to contact you?"),
        _("Contact requested"),
        _("Select yes if you would like us to contact you"),
        _("It is free and there is no obligation. If you say no, you still get your result."),
    ),
    _yes_no(
        "message_ok",
        "contact",
        _("Is it safe for us to leave a voicemail or text that names our center?"),
        _("Safe to leave a message naming the center"),
        _("Select yes if it is safe to leave a message"),
        _("Say no if someone else might see or hear it and you would not want them to."),
        asked_when=AskedWhen("contact_requested", (True,), _("You asked us to contact you.")),
    ),
    Question(
        "first_name",
        Kind.TEXT,
        "contact",
        _("First name (optional)"),
        _("First name"),
        _("Enter a first name of 60 characters or fewer"),
        max_length=60,
        autocomplete="given-name",
        revealed_when=_CONTACT_WANTED,
    ),
    Question(
        "phone",
        Kind.PHONE,
        "contact",
        _("Phone number"),
        _("Phone"),
        _("Enter a phone number like 555 123 4567"),
        _("With the area code, for example 555 123 4567."),
        max_length=32,
        autocomplete="tel",
        revealed_when=_CONTACT_WANTED,
    ),
    Question(
        "email",
        Kind.EMAIL,
        "contact",
        _("Email address"),
        _("Email"),
        _("Enter an email address like name@example.com"),
        max_length=254,
        autocomplete="email",
        revealed_when=_CONTACT_WANTED,
    ),
    Question(
        "preferred_contact",
        Kind.CHOICE,
        "contact",
        _("How would you like us to contact you?"),
        _("Preferred contact"),
        _("Select phone call, text message or email"),
        choices=(
            Choice(PreferredContact.PHONE, _("Phone call")),
            Choice(PreferredContact.TEXT, _("Text message")),
            Choice(PreferredContact.EMAIL, _("Email")),
        ),
        revealed_when=_CONTACT_WANTED,
    ),
    Question(
        "best_time",
        Kind.TEXT,
        "contact",
        _("When is a good time? (optional)"),
        _("Best time"),
        _("Enter a time of 100 characters or fewer"),
        _("For example: weekday mornings, after 5pm."),
        max_length=100,
        revealed_when=_CONTACT_WANTED,
    ),
    Question(
        "consent_to_contact",
        Kind.CONSENT,
        "contact",
        _("I agree to be contacted"),
        _("Consent given"),
        _("Tick the box to agree to be contacted, or select no"),
        revealed_when=_CONTACT_WANTED,
    ),
)

QUESTIONS: tuple[Question, ...] = ANSWER_QUESTIONS + CONTACT_QUESTIONS
BY_NAME: dict[str, Question] = {question.name: question for question in QUESTIONS}
ANSWER_NAMES = tuple(question.name for question in ANSWER_QUESTIONS)
CONTACT_NAMES = tuple(question.name for question in CONTACT_QUESTIONS)
STEP_QUESTIONS: dict[str, tuple[Question, ...]] = {
    step.slug: tuple(q for q in QUESTIONS if q.step == step.slug) for step in STEPS
}
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
assert set(STEP_QUESTIONS) == {q.step for q in QUESTIONS}, "a question names an unknown step"
assert all(
    QUESTIONS.index(BY_NAME[q.asked_when.field]) < QUESTIONS.index(q)
    for q in QUESTIONS
    if q.asked_when
), "a conditional question comes after the question it depends on"


def asked(answers: Mapping[str, Any], questions=ANSWER_QUESTIONS) -> Iterator[Question]:
    """The questions these answers were asked, in order (conditional ones only where due)."""
    return (question for question in questions if question.asked(answers))


# --- Schema 1: the questions of the first release, for the screens stored under it --------

# Only what schema 1 asked differently; every other field meant the same and reads from
# the catalogue above. RETIRED: the yes/no questions schema 2 no longer asks.
RETIRED = {
    "withdrawal_symptoms": _("Withdrawal symptoms in the past week when going without"),
    "outpatient_tried": _("Tried outpatient treatment before and it wasn't enough"),
}
_SCHEMA_1_ONLY = {
    **RETIRED,
    "medical_condition": _("Serious medical condition needing regular care, or pregnancy"),
}
SCHEMA_1_FIELDS = (
    "age_group",
    "substances",
    "use_days",
    *CRITERIA,
    "withdrawal_symptoms",
    "withdrawal_complications",
    "self_harm_thoughts",
    "mental_health",
    "medical_condition",
    "housing",
    "home_safe",
    "others_use_at_home",
    "support_person",
    "weekly_hours",
    "can_leave_home",
    "recent_higher_care",
    "outpatient_tried",
)
_SCHEMA_1_STEPS = {
    "withdrawal_symptoms": "withdrawal",
    "outpatient_tried": "history",
}


def staff_rows(answers: Mapping[str, Any], schema_version: int) -> list[tuple[Step, list]]:
    """[(step, [(label, answer in words), ...]), ...]: stored answers in a coordinator's words.

    Schema-1 screens are shown with their own questions; a value or field this version does
    not know is shown as it is, never dropped.
    """
    rows: dict[str, list[tuple[str, str]]] = {}
    if schema_version == 1:
        for name in SCHEMA_1_FIELDS:
            if name not in answers:
                continue
            label = _SCHEMA_1_ONLY.get(name) or BY_NAME[name].staff
            step = _SCHEMA_1_STEPS.get(name) or BY_NAME[name].step
            question = BY_NAME.get(name)
            rows.setdefault(step, []).append((label, staff_answer(question, answers[name])))
    else:
        for question in asked(answers):
            if question.name in answers:
                words = staff_answer(question, answers[question.name])
                rows.setdefault(question.step, []).append((question.staff, words))
    known = set(SCHEMA_1_FIELDS if schema_version == 1 else ANSWER_NAMES)
    extra = [(name, str(value)) for name, value in answers.items() if name not in known]
    sections = [(step, rows[step.slug]) for step in STEPS if step.slug in rows]
    if extra:
        sections.append((Step("other", _("Other answers")), extra))
    return sections


YES, NO = _("Yes"), _("No")


def staff_answer(question: Question | None, value: Any) -> str:
    """One stored answer in a coordinator's words."""
    if isinstance(value, bool):
        return YES if value else NO
    if question is None:
        return str(value)
    if question.kind == Kind.INT and isinstance(value, int):
        return f"{value} of {question.maximum} days"
    if isinstance(value, list):
        if not value and question.none_text:
            return _("None")
        return ", ".join(question.choice_text(item, staff=True) for item in value)
    return question.choice_text(value, staff=True)


# --- The API's JSON Schema -----------------------------------------------------------------


def _json_type(question: Question) -> dict[str, Any]:
    if question.kind in (Kind.BOOL, Kind.CONSENT):
        return {"type": "boolean"}
    if question.kind == Kind.INT:
        return {"type": "integer", "minimum": question.minimum, "maximum": question.maximum}
    if question.kind == Kind.CHOICE:
        return {"type": "string", "enum": list(question.values)}
    if question.kind == Kind.CHOICES:
        return {
            "type": "array",
            "items": {"type": "string", "enum": list(question.values)},
            "uniqueItems": True,
            "minItems": 0 if question.none_text else 1,
        }
    schema: dict[str, Any] = {"type": ["string", "null"], "maxLength": question.max_length}
    if question.kind == Kind.EMAIL:
        schema["format"] = "email"
    return schema


def _condition_schema(condition: AskedWhen) -> dict[str, Any]:
    trigger = BY_NAME[condition.field]
    if trigger.kind == Kind.CHOICES:
        match = {"contains": {"enum": list(condition.values)}}
    else:
        match = {"enum": list(condition.values)}
    return {"properties": {condition.field: match}, "required": [condition.field]}


def json_schema(url: str = "") -> dict[str, Any]:
    """The answers of schema 2 as a JSON Schema (draft 2020-12), made from the questions."""
    properties, conditions = {}, []
    for question in QUESTIONS:
        properties[question.name] = {
            "title": question.staff,
            "description": question.text,
            **_json_type(question),
        }
        if question.asked_when:
            conditions.append(
                {
                    "if": _condition_schema(question.asked_when),
                    "then": {"required": [question.name]},
                    "else": {"properties": {question.name: {"const": question.empty}}},
                }
            )
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "CareGuide self-screen answers, schema 2",
        "type": "object",
        "properties": properties,
        "required": [q.name for q in ANSWER_QUESTIONS if not q.conditional],
        "additionalProperties": False,
        "allOf": conditions,
    }
    if url:
        schema["$id"] = url
    return schema
