from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import rules
from assessments.models import OverrideReason, Status
from coordinator import labels

ANY = [("", _("Any"))]
LEVELS = [(level.value, labels.level_label(level)) for level in rules.Level]
NOTE_MAX_LENGTH = 4000
# Screens exist only between these; a date outside is a typo (and would overflow).
EARLIEST, LATEST = date(2020, 1, 1), date(2100, 1, 1)


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("login", _("Log in")))


class TwoFactorForm(forms.Form):
    """A code from the coordinator's authenticator app, checked against their TOTP device.

    The device counts wrong codes and refuses further tries for 1, 2, 4 ... seconds after
    each (django-otp's throttling), so codes cannot be guessed at speed.
    """

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_("Six digits. A new code appears every 30 seconds."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device: TOTPDevice, submit_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.helper = FormHelper()
        self.helper.add_input(Submit("verify", submit_label))

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == self.device.digits):
            raise forms.ValidationError(_("Enter the six digits your app shows."))
        # Locked, so two tries at once cannot both use one code; the failure count it records
        # must be committed, so the error is raised after the transaction.
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            allowed, _why = device.verify_is_allowed()
            verified = allowed and device.verify_token(code)
        if not allowed:
            raise forms.ValidationError(
                _("Too many wrong codes in a row. Wait a few seconds, then try the new code.")
            )
        if not verified:
            raise forms.ValidationError(
                _("That code is not right, or it has expired. Try the code your app shows now.")
            )
        self.device = device
        return code


class EnrolmentCodeForm(forms.Form):
    """The code an administrator gave, before an authenticator app can be set up."""

    code = forms.CharField(
        label=_("Enrolment code"),
        max_length=40,
        help_text=_("The code your administrator gave you, for example 7K3M-Q9XD-H4TP-2WNA."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("enrol", _("Continue")))


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string: a bad value is ignored, with a message."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Reference, first name, phone or email"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ANY + Status.choices, required=False)
    level = forms.ChoiceField(label=_("Recommended level"), choices=ANY + LEVELS, required=False)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
    contact = forms.BooleanField(label=_("Contact requested"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = forms.DateField(
        label=_("Received up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "filters"
        self.helper.add_input(Submit("", _("Filter")))

    def _clean_date(self, name):
        day = self.cleaned_data[name]
        if day and not EARLIEST <= day < LATEST:
            raise forms.ValidationError(
                _("Choose a date from %(earliest)s to %(latest)s."),
                params={"earliest": EARLIEST.year, "latest": LATEST.year - 1},
            )
        return day

    def clean_received_from(self):
        return self._clean_date("received_from")

    def clean_received_to(self):
        return self._clean_date("received_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return data


class ScreenActionForm(forms.Form):
    """One action on one screen: posts the version the coordinator was looking at."""

    prefix_name = ""  # keeps element ids unique on a page with several forms
    url_name = ""
    submit_label = ""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, screen, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_name}_%s")
        kwargs.setdefault("initial", {"version": screen.version})
        super().__init__(*args, **kwargs)
        self.screen = screen
        self.helper = FormHelper()
        self.helper.form_action = reverse(
            f"coordinator:{self.url_name}", kwargs={"code": screen.reference}
        )
        self.helper.add_input(Submit(f"do_{self.prefix_name}", self.submit_label))


class AssignForm(ScreenActionForm):
    prefix_name, url_name, submit_label = "assign", "assign", _("Assign to me")


class UnassignForm(ScreenActionForm):
    prefix_name, url_name, submit_label = "unassign", "unassign", _("Unassign")


class StatusForm(ScreenActionForm):
    prefix_name, url_name, submit_label = "status", "change_status", _("Change status")

    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = self.screen.allowed_moves()
        self.fields["status"].widget.choices = [
            choice for choice in Status.choices if choice[0] in allowed
        ]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if not self.screen.can_move_to(status):
            raise forms.ValidationError(
                _("A screen that is “%(current)s” cannot move to “%(new)s”."),
                params={"current": self.screen.get_status_display(), "new": Status(status).label},
            )
        return status


class NoteForm(ScreenActionForm):
    prefix_name, url_name, submit_label = "note", "add_note", _("Add note")

    text = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OverrideForm(ScreenActionForm):
    prefix_name, url_name, submit_label = "override", "override_level", _("Override level")

    level = forms.ChoiceField(label=_("Level of care"), choices=LEVELS)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason"))] + OverrideReason.choices
    )
    note = forms.CharField(
        label=_("Explain the override"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The original recommendation stays on the screen beside the override."),
    )

    def clean_level(self):
        level = self.cleaned_data["level"]
        if level == self.screen.effective_level:
            raise forms.ValidationError(_("That is already this screen's level."))
        return level
