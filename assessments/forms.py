"""The self-screen's steps: one plain form per section of screen.md, in the order asked."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from assessments import rules

YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]


def _yes(value: str) -> bool:
    return value == YES


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question: a checkbox cannot tell "no" from "not answered"."""

    def __init__(self, label, error, help_text=""):
        super().__init__(
            label=label,
            help_text=help_text,
            choices=YES_NO,
            coerce=_yes,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": error, "invalid_choice": error},
        )


def _choice(label, choices, error, help_text=""):
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": error, "invalid_choice": error},
    )


AGE_GROUPS = [
    (rules.AgeGroup.UNDER_18.value, _("Under 18")),
    (rules.AgeGroup.ADULT.value, _("18 to 64")),
    (rules.AgeGroup.OLDER.value, _("65 or older")),
]
SUBSTANCES = [
    (rules.Substance.ALCOHOL.value, _("Alcohol")),
    (rules.Substance.OPIOIDS.value, _("Opioids (heroin, fentanyl, pain pills)")),
    (rules.Substance.BENZODIAZEPINES.value, _("Benzodiazepines (for example Xanax or Valium)")),
    (rules.Substance.STIMULANTS.value, _("Stimulants (meth, cocaine, prescription stimulants)")),
    (rules.Substance.CANNABIS.value, _("Cannabis")),
    (rules.Substance.OTHER.value, _("Something else")),
]
MENTAL_HEALTH = [
    (rules.MentalHealth.NONE.value, _("No, I don't have a mental health condition")),
    (rules.MentalHealth.MANAGED.value, _("Yes, and it is stable or being treated")),
    (rules.MentalHealth.UNMANAGED.value, _("Yes, and my symptoms are not under control")),
]
HOUSING = [
    (rules.Housing.STABLE.value, _("I have my own or a steady place")),
    (
        rules.Housing.TEMPORARY.value,
        _("It is temporary: staying with others, in a shelter, or about to lose my place"),
    ),
    (rules.Housing.NONE.value, _("I have no place to live")),
]
WEEKLY_HOURS = [
    (rules.WeeklyHours.UNDER_4.value, _("Less than 4 hours")),
    (rules.WeeklyHours.FROM_4_TO_8.value, _("4 to 8 hours")),
    (rules.WeeklyHours.FROM_9_TO_19.value, _("9 to 19 hours")),
    (rules.WeeklyHours.OVER_20.value, _("20 hours or more")),
]
PREFERRED_CONTACT = [
    (rules.PreferredContact.PHONE.value, _("Phone call")),
    (rules.PreferredContact.TEXT.value, _("Text message")),
    (rules.PreferredContact.EMAIL.value, _("Email")),
]

# The eleven DSM-5 criteria, asked in plain words (the order of rules.CRITERIA).
CRITERIA_QUESTIONS = {
    "lost_control": (
        _("Did you often use more, or for longer, than you meant to?"),
        _("Select yes if you often used more, or for longer, than you meant to"),
    ),
    "cant_cut_down": (
        _("Did you want to cut down or stop, but couldn't?"),
        _("Select yes if you wanted to cut down or stop but couldn't"),
    ),
    "time_spent": (
        _("Did you spend a lot of time getting it, using it or getting over it?"),
        _("Select yes if you spent a lot of time getting, using or recovering"),
    ),
    "craving": (
        _("Did you have strong cravings or urges to use?"),
        _("Select yes if you had strong cravings or urges"),
    ),
    "neglected_duties": (
        _("Did your use get in the way of work, school or home?"),
        _("Select yes if your use got in the way of work, school or home"),
    ),
    "relationship_problems": (
        _("Did you keep using even though it caused trouble with family or friends?"),
        _("Select yes if you kept using despite trouble with family or friends"),
    ),
    "gave_up_activities": (
        _("Did you give up or cut back on things that mattered to you, to use?"),
        _("Select yes if you gave up or cut back important activities"),
    ),
    "risky_use": (
        _("Did you use where it was physically risky, for example before driving?"),
        _("Select yes if you used where it was physically risky"),
    ),
    "health_problems": (
        _(
            "Did you keep using even though it caused or worsened a physical or mental "
            "health problem?"
        ),
        _("Select yes if you kept using despite health problems it caused or worsened"),
    ),
    "tolerance": (
        _("Did you need more to get the same effect?"),
        _("Select yes if you needed more to get the same effect"),
    ),
    "withdrawal": (
        _("Did you feel withdrawal when you stopped, or use to avoid it?"),
        _("Select yes if you felt withdrawal or used to avoid it"),
    ),
}


def _criterion(name: str) -> YesNoField:
    question, error = CRITERIA_QUESTIONS[name]
    return YesNoField(question, error)


class AboutYouForm(forms.Form):
    age_group = _choice(_("How old are you?"), AGE_GROUPS, _("Select your age group"))


class SubstanceUseForm(forms.Form):
    substances = forms.MultipleChoiceField(
        label=_("In the past 12 months, which have you used?"),
        help_text=_("Select all that apply."),
        choices=SUBSTANCES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one substance"),
            "invalid_choice": _("Select substances from the list"),
        },
    )
    use_days = forms.IntegerField(
        label=_("In the past 30 days, on how many days did you use?"),
        help_text=_("Enter a number from 0 to 30."),
        min_value=0,
        max_value=rules.USE_DAYS_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-days"}),
        error_messages={
            key: _("Enter a number of days from 0 to 30")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    lost_control = _criterion("lost_control")
    cant_cut_down = _criterion("cant_cut_down")
    time_spent = _criterion("time_spent")
    craving = _criterion("craving")
    neglected_duties = _criterion("neglected_duties")
    relationship_problems = _criterion("relationship_problems")
    gave_up_activities = _criterion("gave_up_activities")
    risky_use = _criterion("risky_use")
    health_problems = _criterion("health_problems")
    tolerance = _criterion("tolerance")
    withdrawal = _criterion("withdrawal")

    def clean_substances(self):
        # The form's choices already reject unknown values; keep a stable order.
        order = [value for value, _label in SUBSTANCES]
        return sorted(self.cleaned_data["substances"], key=order.index)


class WithdrawalForm(forms.Form):
    withdrawal_symptoms = YesNoField(
        _("In the past week, did you have withdrawal symptoms when you went without?"),
        _("Select yes if you had withdrawal symptoms in the past week"),
        _("For example shakes, sweats, feeling sick, a racing heart or severe anxiety."),
    )
    withdrawal_complications = YesNoField(
        _(
            "Have you ever had a seizure, seen or heard things that weren't there, or been "
            "badly confused when you stopped?"
        ),
        _("Select yes if you have ever had a seizure, hallucinations or severe confusion"),
    )


class HealthForm(forms.Form):
    self_harm_thoughts = YesNoField(
        _("In the past month, have you had thoughts of ending your life or hurting yourself?"),
        _("Select yes if you have had thoughts of ending your life or hurting yourself"),
    )
    mental_health = _choice(
        _("Do you have a mental health condition, such as depression or anxiety?"),
        MENTAL_HEALTH,
        _("Select the answer that fits your mental health best"),
    )
    medical_condition = YesNoField(
        _("Do you have a serious medical condition that needs regular care, or are you pregnant?"),
        _("Select yes if you have a serious medical condition or are pregnant"),
    )


class HomeForm(forms.Form):
    housing = _choice(
        _("Which best describes where you live?"), HOUSING, _("Select where you live")
    )
    home_safe = YesNoField(
        _("Do you feel safe where you live?"), _("Select yes if you feel safe where you live")
    )
    others_use_at_home = YesNoField(
        _("Does someone you live with drink heavily or use drugs?"),
        _("Select yes if someone you live with drinks heavily or uses drugs"),
    )
    support_person = YesNoField(
        _("Is there someone in your life who supports your recovery?"),
        _("Select yes if someone in your life supports your recovery"),
    )


class ScheduleForm(forms.Form):
    weekly_hours = _choice(
        _("How many hours a week could you set aside for treatment?"),
        WEEKLY_HOURS,
        _("Select how many hours a week you could set aside"),
    )
    can_leave_home = YesNoField(
        _("Could you step away from home, work or family to stay at a centre for a few weeks?"),
        _("Select yes if you could step away for a stay of a few weeks"),
    )
    recent_higher_care = YesNoField(
        _(
            "In the past 3 months, did you finish detox, an inpatient stay or day treatment "
            "(partial hospitalisation)?"
        ),
        _("Select yes if you finished detox, inpatient or day treatment in the past 3 months"),
    )
    outpatient_tried = YesNoField(
        _("Have you tried outpatient treatment before, and it wasn't enough?"),
        _("Select yes if you tried outpatient treatment and it wasn't enough"),
    )


# Digits with the usual separators; 10 to 15 digits in all (an area code is needed).
PHONE_CHARS = re.compile(r"^\+?[0-9 ().-]+$")
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 10, 15
CONSENT_TEXT = _(
    "I agree that the admissions team at {centre} may contact me about treatment using the "
    "details above. Only the admissions team sees them. I can take back this agreement at "
    "any time by telling the team or by deleting my answers, and it ends when my answers "
    "are deleted, after {days} days at the latest."
)


class ContactForm(forms.Form):
    consent_error = _("Tick the box to agree to be contacted, or select no")

    contact_requested = YesNoField(
        _("Would you like someone from our admissions team to contact you?"),
        _("Select yes if you would like us to contact you"),
        _("It is free and there is no obligation. If you say no, you still get your result."),
    )
    first_name = forms.CharField(
        label=_("First name (optional)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"max_length": _("Enter a first name of 60 characters or fewer")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        help_text=_("With the area code, for example 555 123 4567."),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": _("Enter a phone number like 555 123 4567")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an email address like name@example.com")},
    )
    preferred_contact = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=PREFERRED_CONTACT,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select phone call, text message or email")},
    )
    best_time = forms.CharField(
        label=_("When is a good time? (optional)"),
        help_text=_("For example: weekday mornings, after 5pm."),
        max_length=100,
        required=False,
        error_messages={"max_length": _("Enter a time of 100 characters or fewer")},
    )
    consent_to_contact = forms.BooleanField(label=_("I agree to be contacted"), required=False)

    def __init__(self, *args, centre_name="", consent_days=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_to_contact"].help_text = CONSENT_TEXT.format(
            centre=centre_name, days=consent_days
        )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        digits = sum(char.isdigit() for char in phone)
        if not PHONE_CHARS.match(phone) or not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
            raise forms.ValidationError(_("Enter a phone number like 555 123 4567"))
        return phone

    def clean(self):
        data = super().clean()
        if not data.get("contact_requested"):
            return data
        phone, email = data.get("phone"), data.get("email")
        if "phone" in self.errors or "email" in self.errors:
            return data
        if not phone and not email:
            self.add_error(None, _("Enter a phone number or an email address so we can reach you"))
        preferred = data.get("preferred_contact") or ("phone" if phone else "email")
        if preferred in ("phone", "text") and email and not phone:
            self.add_error("preferred_contact", _("Enter a phone number, or choose email"))
        if preferred == "email" and phone and not email:
            self.add_error("preferred_contact", _("Enter an email address, or choose phone"))
        data["preferred_contact"] = preferred
        if not data.get("consent_to_contact"):
            self.add_error("consent_to_contact", self.consent_error)
        return data

    def contact_fields(self) -> dict:
        """What may be stored: nothing at all unless contact was asked for with consent."""
        data = self.cleaned_data
        if not data.get("contact_requested"):
            return {}
        return {
            "contact_requested": True,
            "consent_to_contact": True,
            **{name: data[name] for name in CONTACT_DETAILS},
        }


CONTACT_DETAILS = ("first_name", "phone", "email", "preferred_contact", "best_time")


class RequestCallForm(ContactForm):
    """The result page's "Request a call": the contact step with the answer already yes."""

    consent_error = _("Tick the box to agree to be contacted")  # there is no "no" to select

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contact_requested"]

    def clean(self):
        self.cleaned_data["contact_requested"] = True
        return super().clean()


def error_summary(form) -> list[tuple[str, str]]:
    """(anchor, message) for each error, in the order of the fields: the GOV.UK pattern."""
    links = []
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS:
            anchor = "id_phone"  # the contact form's only cross-field error: no way to reach you
        elif isinstance(
            form.fields[name].widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            anchor = f"id_{name}_0"
        else:
            anchor = f"id_{name}"
        links.extend((anchor, message) for message in messages)
    return links


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[forms.Form]
    intro: str = ""


STEPS: tuple[Step, ...] = (
    Step(
        "about-you",
        rules.SECTION_TITLES[rules.Section.ABOUT_YOU],
        AboutYouForm,
        _("Programs differ a little by age, so we ask this first."),
    ),
    Step(
        "substance-use",
        rules.SECTION_TITLES[rules.Section.SUBSTANCE_USE],
        SubstanceUseForm,
        _(
            "These questions are about the past 12 months. There are no right or wrong "
            "answers: the more honest you are, the more useful your result will be."
        ),
    ),
    Step(
        "withdrawal",
        rules.SECTION_TITLES[rules.Section.WITHDRAWAL],
        WithdrawalForm,
        _("Withdrawal is what your body goes through when you cut down or stop."),
    ),
    Step(
        "health",
        rules.SECTION_TITLES[rules.Section.HEALTH],
        HealthForm,
        _("Your health and safety help decide how much care and support is right for you."),
    ),
    Step(
        "home",
        rules.SECTION_TITLES[rules.Section.HOME],
        HomeForm,
        _("Where you live and who is around you make a big difference to recovery."),
    ),
    Step(
        "schedule",
        rules.SECTION_TITLES[rules.Section.SCHEDULE],
        ScheduleForm,
        _("Treatment has to fit your life. These answers never lower the care you need."),
    ),
    Step(
        "contact",
        _("Contact (optional)"),
        ContactForm,
        _("You can ask our admissions team to contact you. You don't have to."),
    ),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
