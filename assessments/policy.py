"""CareGuide's decision policy, ruleset 2, as a table a clinician can read.

This is screen.md sections 2 and 3 written as data: the profile (severity, detox need,
home stability ...), the rule table, the notes, and what each level and flag means to the
person. Each condition is a small named function with its plain words beside it (shown on
/how-it-works/); each reason and note cites the sources that say that thing
(sources.py). The engine that applies it is engine.py and never needs editing to change
the policy. Change anything here, bump RULESET_VERSION.

Pure Python, no Django import. Principles: safety first; the least intensive level that is
safe and enough; residential care is not housing and not crisis care; availability
(hours, leaving home, transport, a mandate, readiness) never sets the level; a screen is
not an assessment.
"""

from assessments.questions import (
    CRITERIA,
    AgeGroup,
    Housing,
    MentalHealth,
    Readiness,
    Substance,
    TriedBefore,
    WeeklyHours,
    WithdrawalNow,
)
from assessments.sources import _
from assessments.terms import (
    Answers,
    DetoxNeed,
    Flag,
    FlagInfo,
    HomeStability,
    Level,
    LevelInfo,
    NoteRule,
    Rule,
    Severity,
    described,
)

RULESET_VERSION = "2"

INPATIENT, IOP, OUTPATIENT = Level.INPATIENT, Level.IOP, Level.OUTPATIENT
NO_SIGNS, MILD, MODERATE, SEVERE = Severity.NONE, Severity.MILD, Severity.MODERATE, Severity.SEVERE
SERIOUS = (MODERATE, SEVERE)

# Thresholds, each named once.
MILD_MIN_CRITERIA = 2
MODERATE_MIN_CRITERIA = 4
SEVERE_MIN_CRITERIA = 6
USING_MIN_DAYS = 1
REGULAR_USE_DAYS = 10
NEAR_DAILY_DAYS = 20

SEDATIVES = frozenset({Substance.ALCOHOL, Substance.BENZODIAZEPINES, Substance.OTHER_SEDATIVES})
# Substances whose withdrawal can need medical care (stimulant and cannabis withdrawal is
# unpleasant but not dangerous in itself).
RISKY_WITHDRAWAL = SEDATIVES | {Substance.OPIOIDS, Substance.OTHER}
ON_PRESCRIPTION = frozenset({Substance.OPIOIDS, Substance.BENZODIAZEPINES})
SHORT_WEEKS = (WeeklyHours.UNDER_4, WeeklyHours.FROM_4_TO_8)
LONG_WEEKS = (WeeklyHours.FROM_9_TO_19, WeeklyHours.OVER_20)


# --- The profile ----------------------------------------------------------------------------


def uses(a: Answers, substance: Substance) -> bool:
    return substance in a["substances"]


def misuses(a: Answers, substance: Substance) -> bool:
    """Uses it, and not only as prescribed."""
    return uses(a, substance) and not a["prescribed_as_directed"]


@described(
    _(
        "Every opioid or benzodiazepine you take is prescribed for you and taken as directed, "
        "and you use nothing else."
    )
)
def prescribed_only(a: Answers) -> bool:
    return a["prescribed_as_directed"] and set(a["substances"]) <= ON_PRESCRIPTION


@described(
    _(
        "Each “yes” to the eleven questions about how use affects you counts. If your "
        "opioids or benzodiazepines are all prescribed and taken as directed, needing more "
        "and withdrawal do not count: with medicine taken under a doctor's care they are "
        "expected, not a sign of a disorder."
    )
)
def counted_criteria(a: Answers) -> int:
    not_counted = {"tolerance", "withdrawal"} if a["prescribed_as_directed"] else set()
    return sum(1 for name in CRITERIA if a[name] and name not in not_counted)


def severity(count: int) -> Severity:
    if count >= SEVERE_MIN_CRITERIA:
        return SEVERE
    if count >= MODERATE_MIN_CRITERIA:
        return MODERATE
    if count >= MILD_MIN_CRITERIA:
        return MILD
    return NO_SIGNS


@described(_("You used on at least one of the past 30 days."))
def using(a: Answers) -> bool:
    return a["use_days"] >= USING_MIN_DAYS


def near_daily(a: Answers) -> bool:
    return a["use_days"] >= NEAR_DAILY_DAYS


def uses_sedatives(a: Answers) -> bool:
    """Alcohol, benzodiazepines or other sedatives, prescribed or not."""
    return not SEDATIVES.isdisjoint(a["substances"])


def sedative_dependence(a: Answers) -> bool:
    """Needs more or feels withdrawal (not only as prescribed) and misuses benzodiazepines or
    uses other sedatives."""
    dependence_counted = (a["tolerance"] or a["withdrawal"]) and not a["prescribed_as_directed"]
    return dependence_counted and (
        misuses(a, Substance.BENZODIAZEPINES) or uses(a, Substance.OTHER_SEDATIVES)
    )


@described(
    _(
        "You use alcohol, opioids, benzodiazepines, other sedatives or something else, and "
        "either you had withdrawal in the past week, or you use on 10 or more days a month "
        "and said you feel withdrawal or use to avoid it. Someone who drinks every day so "
        "they never go without can be at risk even with nothing to report this week."
    )
)
def withdrawal_signs(a: Answers) -> bool:
    counted = a["withdrawal"] and not a["prescribed_as_directed"]
    regular_with_withdrawal = a["use_days"] >= REGULAR_USE_DAYS and counted
    return not RISKY_WITHDRAWAL.isdisjoint(a["substances"]) and (
        a["withdrawal_now"] != WithdrawalNow.NONE or regular_with_withdrawal
    )


@described(
    _(
        "No one supports your recovery, you have a serious medical condition, you are "
        "pregnant, your mental health symptoms are not under control, you have thoughts of "
        "hurting yourself, or you are 65 or older."
    )
)
def unsafe_at_home(a: Answers) -> bool:
    return (
        not a["support_person"]
        or a["medical_condition"]
        or a["pregnant"]
        or a["mental_health"] == MentalHealth.UNMANAGED
        or a["self_harm_thoughts"]
        or a["age_group"] == AgeGroup.OLDER
    )


@described(
    _(
        "Medical when you are using and: you have ever had a seizure, hallucinations or "
        "severe confusion when stopping; or withdrawal this past week was severe; or you "
        "have signs of withdrawal from alcohol or sedatives and withdrawal at home would not "
        "be safe; or you have signs of withdrawal and use opioids (not as prescribed) with "
        "alcohol or sedatives; or you drink and use benzodiazepines (not as prescribed) on "
        "20 or more days a month; or you use benzodiazepines (not as prescribed) or other "
        "sedatives on 20 or more days a month and need more or feel withdrawal."
    )
)
def needs_medical_detox(a: Answers) -> bool:
    return (
        a["withdrawal_complications"]
        or a["withdrawal_now"] == WithdrawalNow.SEVERE
        or (withdrawal_signs(a) and uses_sedatives(a) and unsafe_at_home(a))
        or (withdrawal_signs(a) and misuses(a, Substance.OPIOIDS) and uses_sedatives(a))
        or (near_daily(a) and uses(a, Substance.ALCOHOL) and misuses(a, Substance.BENZODIAZEPINES))
        or (near_daily(a) and sedative_dependence(a))
    )


@described(
    _(
        "To be checked when you are using and have signs of withdrawal, or you use on 20 or "
        "more days a month and that includes alcohol, other sedatives, or benzodiazepines or "
        "opioids not taken as prescribed."
    )
)
def needs_monitored_detox(a: Answers) -> bool:
    daily_risk = (
        uses(a, Substance.ALCOHOL)
        or uses(a, Substance.OTHER_SEDATIVES)
        or misuses(a, Substance.BENZODIAZEPINES)
        or misuses(a, Substance.OPIOIDS)
    )
    return withdrawal_signs(a) or (near_daily(a) and daily_risk)


def detox_need(a: Answers) -> DetoxNeed:
    """Never "detox" for someone who is not using: history alone never says don't stop."""
    if not using(a):
        return DetoxNeed.NONE
    if needs_medical_detox(a):
        return DetoxNeed.MEDICAL
    if needs_monitored_detox(a):
        return DetoxNeed.MONITORED
    return DetoxNeed.NONE


@described(
    _(
        "Unstable when you have no steady place to live, you don't feel safe at home, or "
        "someone at home drinks heavily or uses drugs and no one supports your recovery. "
        "Strained when someone at home drinks heavily or uses drugs, or no one supports your "
        "recovery. Stable otherwise."
    )
)
def home_stability(a: Answers) -> HomeStability:
    if (
        a["housing"] != Housing.STABLE
        or not a["home_safe"]
        or (a["others_use_at_home"] and not a["support_person"])
    ):
        return HomeStability.UNSTABLE
    if a["others_use_at_home"] or not a["support_person"]:
        return HomeStability.STRAINED
    return HomeStability.STABLE


@described(
    _(
        "You finished detox, inpatient or day treatment in the past 3 months and have used "
        "again since."
    )
)
def relapse_after_care(a: Answers) -> bool:
    return a["recent_higher_care"] and a["used_since_care"]


@described(
    _(
        "You are pregnant or have injected drugs in the past 12 months. US rules for "
        "publicly funded programs put you first in line."
    )
)
def priority_population(a: Answers) -> bool:
    return a["pregnant"] or a["injects"]


# --- The rules: each raises the level to at least `raises_to` ------------------------------
# Most decisive first: the reasons at the final level are shown in this order.


def _harm_thoughts(a: Answers) -> bool:
    return a["self_harm_thoughts"] or a["harm_others_thoughts"]


@described(
    _(
        "You have had thoughts of hurting yourself or someone else, and your answers show a "
        "moderate or severe substance use problem."
    )
)
def crisis_with_disorder(a, p):
    return _harm_thoughts(a) and p.severity in SERIOUS


@described(
    _(
        "You have had thoughts of hurting yourself or someone else, and your answers show "
        "few or mild signs of a substance use problem."
    )
)
def crisis_with_few_signs(a, p):
    return _harm_thoughts(a) and p.severity in (NO_SIGNS, MILD)


@described(_("Your detox need is medical."))
def medical_detox_needed(a, p):
    return p.detox_need is DetoxNeed.MEDICAL


@described(
    _(
        "Your home is unstable, and your answers show a moderate or severe problem or a "
        "need for detox."
    )
)
def unstable_home_and_serious(a, p):
    return p.home_stability is HomeStability.UNSTABLE and (
        p.severity in SERIOUS or p.detox_need is not DetoxNeed.NONE
    )


@described(_("Your home is unstable, your use is mild, and you don't need detox."))
def unstable_home_and_mild(a, p):
    return (
        p.home_stability is HomeStability.UNSTABLE
        and p.severity is MILD
        and p.detox_need is DetoxNeed.NONE
    )


@described(
    _("Your mental health symptoms are not under control and your use is moderate or severe.")
)
def unmanaged_mental_health_and_serious(a, p):
    return a["mental_health"] == MentalHealth.UNMANAGED and p.severity in SERIOUS


@described(_("You have a serious medical condition and some need for detox."))
def medical_condition_and_detox(a, p):
    return a["medical_condition"] and p.detox_need is not DetoxNeed.NONE


@described(
    _(
        "Your use is severe. Also, your home is strained, you used again after recent care, "
        "an intensive program was not enough before, or you have overdosed."
    )
)
def severe_with_more_risk(a, p):
    return p.severity is SEVERE and (
        p.home_stability is HomeStability.STRAINED
        or p.relapse_after_care
        or TriedBefore.IOP in a["tried_before"]
        or a["overdose"]
    )


@described(_("Your use is severe."))
def severe(a, p):
    return p.severity is SEVERE


@described(_("You are pregnant and show at least some signs of a substance use problem."))
def pregnant_with_signs(a, p):
    return a["pregnant"] and p.severity is not NO_SIGNS


@described(
    _("You have overdosed or needed emergency care in the past 12 months and are still using.")
)
def overdose_and_using(a, p):
    return a["overdose"] and p.using


@described(relapse_after_care.text)
def relapsed_after_care(a, p):
    return p.relapse_after_care


@described(
    _(
        "You finished detox, inpatient or day treatment in the past 3 months and have not "
        "used since."
    )
)
def stepping_down(a, p):
    return a["recent_higher_care"] and not a["used_since_care"]


@described(_("Your use is moderate."))
def moderate(a, p):
    return p.severity is MODERATE


@described(_("Your detox need is to be checked."))
def detox_to_be_checked(a, p):
    return p.detox_need is DetoxNeed.MONITORED


@described(_("Your mental health symptoms are not under control and you show signs of a problem."))
def unmanaged_mental_health(a, p):
    return a["mental_health"] == MentalHealth.UNMANAGED and p.severity is not NO_SIGNS


@described(_("An intensive outpatient program was not enough before, and you show signs."))
def iop_was_not_enough(a, p):
    return TriedBefore.IOP in a["tried_before"] and p.severity is not NO_SIGNS


@described(_("Outpatient treatment was not enough before, and you show signs."))
def outpatient_was_not_enough(a, p):
    return TriedBefore.OUTPATIENT in a["tried_before"] and p.severity is not NO_SIGNS


@described(_("Your use is mild."))
def mild(a, p):
    return p.severity is MILD


@described(_("Your answers show fewer than two signs of a substance use disorder."))
def few_signs(a, p):
    return p.severity is NO_SIGNS


RULES: tuple[Rule, ...] = (
    Rule(
        id="crisis",
        when=crisis_with_disorder,
        raises_to=INPATIENT,
        flag=Flag.CRISIS,
        reason=_(
            "You told us you have had thoughts of hurting yourself or someone else, and your "
            "answers show signs of a serious substance use problem. Your safety comes first. "
            "Care with staff there day and night is the safest place to start."
        ),
        cites=("zinnia", "westsound"),
    ),
    Rule(
        id="crisis_low_signs",
        when=crisis_with_few_signs,
        raises_to=OUTPATIENT,
        flag=Flag.CRISIS,
        reason=_(
            "You told us you have had thoughts of hurting yourself or someone else. Crisis "
            "support comes first: call or text 988 at any time, or 911 if you are in danger. "
            "Your answers show few signs of a substance use problem, so a stay for addiction "
            "care is not what helps most."
        ),
        cites=("lifeline988",),
    ),
    Rule(
        id="medical_detox",
        when=medical_detox_needed,
        raises_to=INPATIENT,
        flag=Flag.DETOX_FIRST,
        reason=_(
            "Your answers suggest that stopping could bring on dangerous withdrawal. "
            "Withdrawal like this should be handled by doctors and nurses, so detox with "
            "medical care comes first."
        ),
        cites=("tip45", "asam_alcohol_withdrawal", "baltimore", "denovo"),
    ),
    Rule(
        id="unstable_home",
        when=unstable_home_and_serious,
        raises_to=INPATIENT,
        reason=_(
            "Where you live right now could make it very hard to stay safe and recover at "
            "home. Living at the center for a while gives you a safe, steady place to start."
        ),
        cites=("denovo", "zinnia"),
    ),
    Rule(
        id="unstable_home_mild",
        when=unstable_home_and_mild,
        raises_to=IOP,
        reason=_(
            "Where you live right now makes recovery harder. An intensive outpatient program "
            "gives you support several days a week, more than weekly visits can."
        ),
        cites=("zinnia", "samhsa_iop"),
    ),
    Rule(
        id="psychiatric_risk",
        when=unmanaged_mental_health_and_serious,
        raises_to=INPATIENT,
        reason=_(
            "Your mental health symptoms are hard to manage right now, and your answers show "
            "signs of a serious substance use problem. Care with staff there day and night "
            "can treat both safely."
        ),
        cites=("zinnia", "westsound"),
    ),
    Rule(
        id="medical_risk",
        when=medical_condition_and_detox,
        raises_to=INPATIENT,
        reason=_(
            "You have a serious medical condition and may have withdrawal when you stop. "
            "Inpatient care lets doctors and nurses look after your health while you stop."
        ),
        cites=("westsound", "tip45"),
    ),
    Rule(
        id="severe_plus",
        when=severe_with_more_risk,
        raises_to=INPATIENT,
        reason=_(
            "Your answers show signs of a severe substance use problem, and more that raises "
            "the risk: a hard home situation, using again after recent care, an intensive "
            "program that was not enough, or an overdose. Living at the center for a while "
            "gives you care and support around the clock."
        ),
        cites=("overview", "zinnia"),
    ),
    Rule(
        id="severe_use",
        when=severe,
        raises_to=IOP,
        flag=Flag.DISCUSS_INPATIENT,
        reason=_(
            "Your answers show signs of a severe substance use problem. For most people an "
            "intensive outpatient program works as well as inpatient care, and it is worth "
            "talking with admissions about which fits you."
        ),
        cites=("overview", "westsound", "samhsa_iop"),
    ),
    Rule(
        id="pregnancy",
        when=pregnant_with_signs,
        raises_to=IOP,
        reason=_(
            "You are pregnant, and your answers show signs of a substance use problem. "
            "Getting care early helps both you and your baby, and publicly funded programs "
            "must see pregnant people first."
        ),
        cites=("acog_pregnancy", "block_grant"),
    ),
    Rule(
        id="overdose_risk",
        when=overdose_and_using,
        raises_to=IOP,
        flag=Flag.OVERDOSE_RISK,
        reason=_(
            "You have had an overdose or needed emergency care in the past year, and you are "
            "still using. An overdose can stop your breathing, so more support than a weekly "
            "visit is a good idea."
        ),
        cites=("hhs_overdose", "samhsa_iop"),
    ),
    Rule(
        id="relapse_after_care",
        when=relapsed_after_care,
        raises_to=IOP,
        reason=_(
            "You finished detox, inpatient or day treatment not long ago and have started "
            "using again. An intensive outpatient program can help you get back on track."
        ),
        cites=("samhsa_iop", "zinnia"),
    ),
    Rule(
        id="step_down",
        when=stepping_down,
        raises_to=IOP,
        reason=_(
            "You recently finished detox, an inpatient stay or day treatment. An intensive "
            "outpatient program is a common next step to keep your progress going."
        ),
        cites=("overview", "zinnia", "denovo", "samhsa_iop"),
    ),
    Rule(
        id="moderate_use",
        when=moderate,
        raises_to=IOP,
        reason=_(
            "Your answers show signs of a moderate substance use problem. Many people at this "
            "stage do well in an intensive outpatient program while living at home."
        ),
        cites=("overview",),
    ),
    Rule(
        id="withdrawal_watch",
        when=detox_to_be_checked,
        raises_to=IOP,
        flag=Flag.DETOX_CHECK,
        reason=_(
            "You may have withdrawal when you cut down. A program you visit several days a "
            "week lets the team check on you, and the assessment will decide whether you "
            "need medical care while you stop."
        ),
        cites=("baltimore", "asam_alcohol_withdrawal", "tip45"),
    ),
    Rule(
        id="co_occurring",
        when=unmanaged_mental_health,
        raises_to=IOP,
        reason=_(
            "Your mental health symptoms are hard to manage right now. An intensive "
            "outpatient program can treat your mental health and your substance use together."
        ),
        cites=("overview", "zinnia"),
    ),
    Rule(
        id="iop_not_enough",
        when=iop_was_not_enough,
        raises_to=IOP,
        flag=Flag.DISCUSS_INPATIENT,
        reason=_(
            "You have tried an intensive outpatient program before and it wasn't enough. "
            "Talk with admissions about whether a structured stay at a center would help "
            "more this time."
        ),
        cites=("westsound",),
    ),
    Rule(
        id="outpatient_not_enough",
        when=outpatient_was_not_enough,
        raises_to=IOP,
        reason=_(
            "You have tried outpatient treatment before and it wasn't enough. A program with "
            "more hours each week gives you more support."
        ),
        cites=("denovo", "samhsa_iop"),
    ),
    Rule(
        id="mild_use",
        when=mild,
        raises_to=OUTPATIENT,
        reason=_(
            "Your answers show signs of a mild substance use problem. Outpatient care, a few "
            "hours a week, lets you keep up with work and family while you get help."
        ),
        cites=("overview",),
    ),
    Rule(
        id="no_disorder_signs",
        when=few_signs,
        raises_to=OUTPATIENT,
        flag=Flag.LOW_SIGNS,
        reason=_(
            "Your answers show few signs of a substance use disorder. A doctor or a "
            "professional assessment can confirm this and tell you whether any support would "
            "help."
        ),
        cites=("dsm5", "baltimore"),
    ),
)

# Flags that only make sense at one level.
FLAG_ONLY_AT = {Flag.DISCUSS_INPATIENT: IOP, Flag.LOW_SIGNS: OUTPATIENT}


# --- Notes: things to talk about, each shown only where it fits the level ------------------


@described(_("Inpatient care, and you can't step away from home for several weeks."))
def inpatient_but_cannot_leave(a, p, level):
    return level is INPATIENT and not a["can_leave_home"]


@described(_("An intensive outpatient program, and you have fewer than 9 hours a week."))
def iop_with_short_weeks(a, p, level):
    return level is IOP and p.weekly_hours in SHORT_WEEKS


@described(_("Outpatient care, and you have fewer than 4 hours a week."))
def outpatient_with_few_hours(a, p, level):
    return level is OUTPATIENT and p.weekly_hours is WeeklyHours.UNDER_4


@described(_("Outpatient care, your use is mild, and you have 9 or more hours a week."))
def outpatient_mild_with_time(a, p, level):
    return level is OUTPATIENT and p.severity is MILD and p.weekly_hours in LONG_WEEKS


@described(_("Care at home (IOP or outpatient), and your home is strained."))
def at_home_and_strained(a, p, level):
    return level is not INPATIENT and p.home_stability is HomeStability.STRAINED


@described(
    _("An intensive outpatient program, your use is severe, and you have 20 or more hours.")
)
def iop_severe_with_time(a, p, level):
    return level is IOP and p.severity is SEVERE and p.weekly_hours is WeeklyHours.OVER_20


@described(_("Care at home (IOP or outpatient), and getting to sessions is hard."))
def at_home_without_transport(a, p, level):
    return level is not INPATIENT and not a["transport"]


@described(_("A court, probation, employer or child services requires treatment."))
def mandated(a, p, level):
    return a["mandated"]


@described(_("You are not ready or not sure about making a change."))
def not_yet_ready(a, p, level):
    return a["readiness"] in (Readiness.NOT_READY, Readiness.UNSURE)


@described(_("You use benzodiazepines or other sedatives."))
def takes_sedative_pills(a, p, level):
    return uses(a, Substance.BENZODIAZEPINES) or uses(a, Substance.OTHER_SEDATIVES)


@described(_("Your detox need is to be checked, and getting to sessions is hard."))
def monitored_without_transport(a, p, level):
    return p.detox_need is DetoxNeed.MONITORED and not a["transport"]


@described(_("You use opioids and are not pregnant."))
def opioids_not_pregnant(a, p, level):
    return uses(a, Substance.OPIOIDS) and not a["pregnant"]


@described(_("You use opioids and are pregnant."))
def opioids_and_pregnant(a, p, level):
    return uses(a, Substance.OPIOIDS) and a["pregnant"]


@described(_("You use opioids and have overdosed or injected in the past 12 months."))
def opioids_and_overdose_risk(a, p, level):
    return uses(a, Substance.OPIOIDS) and (a["overdose"] or a["injects"])


@described(_("You show few signs of a substance use problem and your home is unstable."))
def few_signs_unstable_home(a, p, level):
    return p.severity is NO_SIGNS and p.home_stability is HomeStability.UNSTABLE


@described(_("You are not using now and have had serious withdrawal before."))
def not_using_with_past_complications(a, p, level):
    return not p.using and a["withdrawal_complications"]


@described(_("You are under 18."))
def under_18(a, p, level):
    return p.age_group is AgeGroup.UNDER_18


@described(prescribed_only.text)
def only_prescribed(a, p, level):
    return prescribed_only(a)


NOTES: tuple[NoteRule, ...] = (
    NoteRule(
        id="inpatient_timing",
        when=inpatient_but_cannot_leave,
        text=_(
            "Inpatient care means living at the center for a while, often 30 to 90 days. "
            "Talk with admissions about timing, time off work and plans for your family."
        ),
        cites=("westsound",),
    ),
    NoteRule(
        id="iop_hours",
        when=iop_with_short_weeks,
        text=_(
            "An intensive outpatient program usually takes 9 to 19 hours a week, often 3 to 5 "
            "days for 2 to 4 hours at a time. Ask about evening programs."
        ),
        cites=("samhsa_iop", "denovo"),
    ),
    NoteRule(
        id="outpatient_hours",
        when=outpatient_with_few_hours,
        text=_(
            "Outpatient care usually takes a few hours a week. Ask admissions which times "
            "could fit around your week."
        ),
        cites=("overview",),
    ),
    NoteRule(
        id="iop_option",
        when=outpatient_mild_with_time,
        text=_("If you'd like more structure, an intensive outpatient program is also an option."),
        cites=("overview", "samhsa_iop"),
    ),
    NoteRule(
        id="support_network",
        when=at_home_and_strained,
        text=_("Group sessions can help you build a circle of people who support your recovery."),
        cites=("overview", "samhsa_iop"),
    ),
    NoteRule(
        id="partial_hospitalization",
        when=iop_severe_with_time,
        text=_(
            "Partial hospitalization (day treatment) sits between an intensive outpatient "
            "program and inpatient care. Ask whether it could suit you."
        ),
        cites=("zinnia",),
    ),
    NoteRule(
        id="telehealth",
        when=at_home_without_transport,
        text=_(
            "Ask about programs you can join by video (telehealth) and about help getting to "
            "sessions."
        ),
        cites=("samhsa_telehealth",),
    ),
    NoteRule(
        id="mandated",
        when=mandated,
        text=_(
            "Bring any papers from the court, probation or your employer. With your written "
            "consent, the center can tell them that you are in treatment."
        ),
        cites=("part2",),
    ),
    NoteRule(
        id="readiness",
        when=not_yet_ready,
        text=_(
            "Feeling unsure is common. You can talk with admissions first, with no "
            "commitment. Treatment teams are used to helping people weigh up a change."
        ),
        cites=("zinnia", "samhsa_iop"),
    ),
    NoteRule(
        id="sedative_taper",
        when=takes_sedative_pills,
        text=_(
            "Stopping benzodiazepines or other sedatives all at once can cause seizures. "
            "Please don't stop on your own: a doctor can plan a slow, safe taper."
        ),
        cites=("fda_benzodiazepines", "tip45"),
    ),
    NoteRule(
        id="withdrawal_visits",
        when=monitored_without_transport,
        text=_(
            "Getting through withdrawal outside a hospital means check-ins most days. Ask "
            "about visits by video or help with rides."
        ),
        cites=("asam_alcohol_withdrawal", "samhsa_telehealth"),
    ),
    NoteRule(
        id="opioid_medications",
        when=opioids_not_pregnant,
        text=_(
            "Medicines for opioid use disorder (buprenorphine, methadone or naltrexone) can be "
            "part of every level of care. Ask about them."
        ),
        cites=("tip63",),
    ),
    NoteRule(
        id="opioids_in_pregnancy",
        when=opioids_and_pregnant,
        text=_(
            "In pregnancy, buprenorphine or methadone is the usual care for opioid use. "
            "Please don't stop opioids suddenly, and tell the treatment team that you are "
            "pregnant."
        ),
        cites=("acog_pregnancy", "tip63"),
    ),
    NoteRule(
        id="naloxone",
        when=opioids_and_overdose_risk,
        text=_(
            "Carry naloxone (Narcan), a medicine that can reverse an opioid overdose, and show "
            "the people around you how to use it. Many pharmacies sell it without a "
            "prescription, and many health departments give it out for free."
        ),
        cites=("hhs_overdose",),
    ),
    NoteRule(
        id="housing_help",
        when=few_signs_unstable_home,
        text=_(
            "For help with a place to live, call or text 211. Housing help is separate from "
            "addiction treatment."
        ),
        cites=("two_one_one",),
    ),
    NoteRule(
        id="restart_caution",
        when=not_using_with_past_complications,
        text=_(
            "You are not using now. If you ever start again, stopping later could bring back "
            "serious withdrawal, so talk to a doctor before you stop."
        ),
        cites=("asam_alcohol_withdrawal", "tip45"),
    ),
    NoteRule(
        id="young_people",
        when=under_18,
        text=_(
            "Programs for young people are different from adult programs, and they involve a "
            "parent or guardian."
        ),
        cites=("nida_adolescents",),
    ),
    NoteRule(
        id="keep_medication",
        when=only_prescribed,
        text=_("Keep taking your medication as prescribed. Treatment programs can work with it."),
        cites=("tip63", "fda_benzodiazepines"),
    ),
)


# --- What each level and flag means to the person ------------------------------------------

LEVELS: dict[Level, LevelInfo] = {
    INPATIENT: LevelInfo(
        _("Inpatient care"),
        _("You live at the center for a while, with care and support 24 hours a day."),
        _("Care around the clock, 24 hours a day."),
        _("Every day, for as long as you stay."),
        _("From a couple of weeks to a few months; 30 to 90 days is common."),
        _("You live at the center during treatment."),
        ("overview", "westsound"),
    ),
    IOP: LevelInfo(
        _("Intensive outpatient program (IOP)"),
        _("You live at home and go to treatment several days a week."),
        _("At least 9 hours a week."),
        _("3 to 5 days a week, 2 to 4 hours at a time, often in the evening."),
        _("Usually 8 to 12 weeks, with fewer sessions as you progress."),
        _("You live at home and keep up with work, school or family."),
        ("samhsa_iop", "denovo", "baltimore"),
    ),
    OUTPATIENT: LevelInfo(
        _("Outpatient care"),
        _("You live at home and go to treatment a few hours a week."),
        _("A few hours a week."),
        _("One or more sessions a week, fitted around your life."),
        _("Usually 3 to 6 months."),
        _("You live at home and keep up with work and family."),
        ("overview",),
    ),
}

FLAGS: dict[Flag, FlagInfo] = {
    Flag.CRISIS: FlagInfo(
        _("Crisis"),
        _(
            "If you might act on thoughts of hurting yourself or someone else, call or text "
            "988 now (the 988 Suicide & Crisis Lifeline, any hour). If you are in danger, "
            "call 911."
        ),
        ("lifeline988",),
        urgent=True,
    ),
    Flag.DETOX_FIRST: FlagInfo(
        _("Detox first"),
        _(
            "Detox with medical care comes before any program. Please don't stop using on "
            "your own: talk to a doctor or to admissions first."
        ),
        ("tip45", "asam_alcohol_withdrawal"),
        urgent=True,
    ),
    Flag.OVERDOSE_RISK: FlagInfo(
        _("Overdose risk"),
        _(
            "Your risk of an overdose is higher than most people's. Keep naloxone (Narcan) "
            "with you and tell the people around you where it is."
        ),
        ("hhs_overdose",),
        urgent=True,
    ),
    Flag.DETOX_CHECK: FlagInfo(
        _("Detox check"),
        _("The assessment will check whether your withdrawal needs medical care."),
        ("baltimore", "tip45"),
    ),
    Flag.DISCUSS_INPATIENT: FlagInfo(
        _("Discuss inpatient"),
        _(
            "Some people with answers like yours do better with inpatient care. Talk it over "
            "with admissions."
        ),
        ("overview", "westsound"),
    ),
    Flag.LOW_SIGNS: FlagInfo(
        _("Few signs"),
        _("Your answers show few signs of a substance use disorder."),
        ("dsm5",),
    ),
    Flag.PRIORITY: FlagInfo(
        _("Priority population"),
        _(
            "Because you are pregnant or have injected drugs, publicly funded programs must "
            "see you sooner. Tell admissions when you talk."
        ),
        ("block_grant",),
    ),
}
URGENT_FLAGS = frozenset(flag for flag, info in FLAGS.items() if info.urgent)

# What the result page offers first to a person with few signs: ways to look after their
# use on their own and with a doctor (templates/assessments/result.html).
SELF_HELP_CITES = ("rethinking_drinking",)

NOT_AN_ASSESSMENT = _(
    "This screen is not a diagnosis or an assessment. A professional assessment with a "
    "counselor or doctor decides which care is right for you."
)
