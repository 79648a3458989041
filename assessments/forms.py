"""The self-screen's steps: one form per step, made from the question catalogue.

questions.py says what each question is; this module turns each into a Django form field
and adds what only a form needs (yes/no radios, the exclusive "none of these" box, the
contact step's cross-field checks).
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy

from assessments import questions
from assessments.questions import CHOSEN_KINDS, Kind, Question

YES, NO = "yes", "no"
NONE_OF_THESE = "none"  # the exclusive box of a list that may be empty
NO_ANSWER = (None, "", [])  # a field's cleaned value when nothing was chosen


def _t(text: str):
    """The catalogue's English, translated where it is shown."""
    return gettext_lazy(text)


def _yes(value: str) -> bool:
    return value == YES


class YesNoField(forms.TypedChoiceField):
    """A yes/no question: a checkbox cannot tell "no" from "not answered"."""

    def __init__(self, *, label, error, help_text="", required=True):
        super().__init__(
            label=label,
            help_text=help_text,
            choices=[(YES, gettext_lazy("Yes")), (NO, gettext_lazy("No"))],
            coerce=_yes,
            empty_value=None,
            required=required,
            widget=forms.RadioSelect,
            error_messages={"required": error, "invalid_choice": error},
        )


def form_value(value) -> str:
    """An answer as the form posts it: True is "yes"."""
    if isinstance(value, bool):
        return YES if value else NO
    return str(value)


def _field(question: Question) -> forms.Field:
    """The form field that asks one question."""
    error = _t(question.error)
    messages = {"required": error, "invalid_choice": error, "invalid": error}
    common = {
        "label": _t(question.text),
        "help_text": _t(question.hint) if question.hint else "",
        # A conditional question is required only when asked (StepForm.clean decides); the
        # contact details are checked together by ContactForm.clean.
        "required": question.reveal is None and question.kind in CHOSEN_KINDS,
    }
    choices = [(choice.value, _t(choice.text)) for choice in question.choices]
    if question.kind == Kind.BOOL:
        return YesNoField(error=error, **common)
    if question.kind == Kind.INT:
        return forms.IntegerField(
            min_value=question.minimum,
            max_value=question.maximum,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-days"}),
            error_messages={**messages, "min_value": error, "max_value": error},
            **common,
        )
    if question.kind == Kind.CHOICE:
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, error_messages=messages, **common
        )
    if question.kind == Kind.CHOICES:
        if question.none_text:
            choices.append((NONE_OF_THESE, _t(question.none_text)))
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages=messages,
            **common,
        )
    if question.kind == Kind.CONSENT:
        return forms.BooleanField(**common)
    attrs = {"autocomplete": question.autocomplete} if question.autocomplete else {}
    if question.kind == Kind.EMAIL:
        return forms.EmailField(
            max_length=question.max_length,
            widget=forms.EmailInput(attrs=attrs),
            error_messages={**messages, "max_length": error},
            **common,
        )
    if question.kind == Kind.PHONE:
        attrs["type"] = "tel"
    return forms.CharField(
        max_length=question.max_length,
        widget=forms.TextInput(attrs=attrs),
        error_messages={"max_length": error},
        **common,
    )


class StepForm(forms.Form):
    """One step's questions; conditional ones count only when their condition holds."""

    step: questions.Step

    def clean(self):
        data = super().clean()
        for question in self.step.questions:
            if question.kind == Kind.CHOICES and question.name in data:
                data[question.name] = self._without_none(question, data[question.name])
        for question in self.step.questions:
            condition = question.asked_when
            if condition is None or condition.field in self.errors:
                continue
            if not condition(data):
                data[question.name] = question.empty  # not asked: whatever was sent is dropped
            elif question.kind in CHOSEN_KINDS and data.get(question.name) in NO_ANSWER:
                self.add_error(question.name, _t(question.error))
        return data

    def _without_none(self, question: Question, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):  # no browser sends that: refuse it, keep nothing
            self.add_error(question.name, _t(question.error))
            return []
        if NONE_OF_THESE not in values:
            return [v for v in question.values if v in values]  # in the catalogue's order
        if len(values) > 1:
            message = gettext_lazy("Select “%(none)s” or the ones that apply, not both")
            self.add_error(question.name, message % {"none": _t(question.none_text)})
        return []

    def answers(self) -> dict:
        """The step's answers as the policy reads them."""
        return {
            question.name: self.cleaned_data[question.name] for question in self.step.questions
        }


def _step_form(step: questions.Step) -> type[StepForm]:
    fields = {question.name: _field(question) for question in step.questions}
    name = "".join(part.title() for part in step.slug.split("-")) + "Form"
    return type(name, (StepForm,), {"step": step, **fields})


# --- The contact step ----------------------------------------------------------------------

# Digits with the usual separators; 10 to 15 digits in all (an area code is needed).
PHONE_CHARS = re.compile(r"^\+?[0-9 ().-]+$")
PHONE_MIN_DIGITS, PHONE_MAX_DIGITS = 10, 15
CONSENT_TEXT = gettext_lazy(
    "I agree that the admissions team at {centre} may contact me about treatment using the "
    "details above. Only the admissions team sees them. I can take back this agreement at "
    "any time by telling the team or by deleting my answers, and it ends when my answers "
    "are deleted, after {days} days at the latest."
)
# The contact questions answered in words (the rest are yes/no or the consent box).
CONTACT_DETAILS = tuple(
    q.name for q in questions.CONTACT_QUESTIONS if q.kind not in (Kind.BOOL, Kind.CONSENT)
)


class ContactForm(_step_form(questions.CONTACT_STEP)):
    consent_error = _t(questions.BY_NAME["consent_to_contact"].error)

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
            raise forms.ValidationError(_t(questions.BY_NAME["phone"].error))
        return phone

    def clean(self):
        data = super().clean()
        if not data.get("contact_requested"):
            return data
        phone, email = data.get("phone"), data.get("email")
        if "phone" in self.errors or "email" in self.errors:
            return data
        if not phone and not email:
            self.add_error(
                None,
                gettext_lazy("Enter a phone number or an email address so we can reach you"),
            )
        preferred = data.get("preferred_contact") or ("phone" if phone else "email")
        if preferred in ("phone", "text") and email and not phone:
            self.add_error(
                "preferred_contact", gettext_lazy("Enter a phone number, or choose email")
            )
        if preferred == "email" and phone and not email:
            self.add_error(
                "preferred_contact", gettext_lazy("Enter an email address, or choose phone")
            )
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
            "message_ok": data["message_ok"],
            **{name: data[name] for name in CONTACT_DETAILS},
        }


class RequestCallForm(ContactForm):
    """The result page's "Request a call": the contact step with the answer already yes."""

    consent_error = gettext_lazy("Tick the box to agree to be contacted")

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
    """A step of the self-screen as the views use it: the catalogue's step and its form."""

    slug: str
    title: str
    intro: str
    form_class: type[StepForm]


STEPS: tuple[Step, ...] = tuple(
    Step(
        step.slug,
        _t(step.title),
        _t(step.intro),
        ContactForm if step is questions.CONTACT_STEP else _step_form(step),
    )
    for step in questions.STEPS
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
