from datetime import date, datetime, time, timedelta

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import rules
from assessments.models import REFERENCE_PATTERN, CallOutcome, OverrideReason, Status
from coordinator import labels

# The queue's views: open work by default, every status, or one status.
OPEN, ALL = "", "all"
VIEWS = [(OPEN, _("Open work")), (ALL, _("All statuses"))]
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
    status = forms.ChoiceField(label=_("Status"), choices=VIEWS + Status.choices, required=False)
    level = forms.ChoiceField(
        label=_("Recommended level"), choices=[("", _("Any"))] + LEVELS, required=False
    )
    language = forms.ChoiceField(
        label=_("Answered in"),
        choices=[("", _("Any language"))] + labels.LANGUAGE_CHOICES,
        required=False,
    )
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
    # The list the screen was opened from, to go back to it as it was (see views._back_url).
    back = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    def __init__(self, *args, screen, back="", **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.prefix_name}_%s")
        kwargs.setdefault("initial", {"version": screen.version, "back": back})
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


FOLLOW_UP_DEFAULT_TIME = time(9, 0)
FOLLOW_UP_MAX_DAYS = 365


class LogCallForm(ScreenActionForm):
    """One call: what happened, a note, and when to call again (in the centre's time zone)."""

    prefix_name, url_name, submit_label = "call", "log_call", _("Log the call")

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    follow_up_date = forms.DateField(
        label=_("Call again on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. Logging the next call clears it."),
    )
    follow_up_time = forms.TimeField(
        label=_("At"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Optional; 9:00 if left empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.screen.message_ok:
            self.fields["outcome"].choices = [
                choice for choice in CallOutcome.choices if choice[0] != CallOutcome.LEFT_MESSAGE
            ]
            self.fields["outcome"].help_text = _(
                "The person did not say a message is safe: do not leave a voicemail or text "
                "that names the center."
            )

    def clean(self):
        data = super().clean()
        day, at = data.get("follow_up_date"), data.get("follow_up_time")
        data["follow_up_at"] = None
        if at and not day:
            self.add_error(
                "follow_up_date", _("Choose the day of the follow-up, or clear the time.")
            )
        elif day:
            when = timezone.make_aware(datetime.combine(day, at or FOLLOW_UP_DEFAULT_TIME))
            now = timezone.now()
            if when <= now:
                self.add_error("follow_up_date", _("The follow-up must be in the future."))
            elif when > now + timedelta(days=FOLLOW_UP_MAX_DAYS):
                self.add_error("follow_up_date", _("Choose a follow-up within a year."))
            elif data.get("outcome") == CallOutcome.DECLINED:
                self.add_error(
                    "follow_up_date", _("A person who declined is not called back: clear the day.")
                )
            else:
                data["follow_up_at"] = when
        return data


def coordinators():
    """Active users who may work the queue: the people screens can be assigned to."""
    review = {"content_type__app_label": "assessments", "codename": "review_screen"}
    through_group = Q(**{f"groups__permissions__{key}": value for key, value in review.items()})
    directly = Q(**{f"user_permissions__{key}": value for key, value in review.items()})
    return (
        get_user_model()
        .objects.filter(through_group | directly | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ScreenVersionsField(forms.MultipleChoiceField):
    """Ticked screens as "reference:version" values; cleaned to {reference: version}."""

    default_error_messages = {
        "invalid_choice": _("%(value)s is not a screen of this list."),
        "required": _("Tick at least one screen in the list."),
    }

    def valid_value(self, value) -> bool:
        reference, _sep, version = str(value).partition(":")
        return (
            bool(REFERENCE_PATTERN.fullmatch(reference))
            and version.isascii()
            and version.isdigit()
            and 0 < len(version) < 10
        )

    def clean(self, value):
        values = super().clean(value)
        if len(values) > 200:
            raise forms.ValidationError(_("Choose at most 200 screens at a time."))
        return {v.partition(":")[0]: int(v.partition(":")[2]) for v in values}


class BulkAssignForm(forms.Form):
    """Assign or unassign the screens ticked in the queue, each at the version shown."""

    ASSIGN, UNASSIGN = "assign", "unassign"

    screens = ScreenVersionsField(label=_("Screens"))
    # A plain choice of the coordinators read once (a ModelChoiceField reads them through a
    # server-side cursor on PostgreSQL: a DECLARE ... WITH HOLD on every queue page).
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)
    action = forms.ChoiceField(choices=[(ASSIGN, _("Assign")), (UNASSIGN, _("Unassign"))])
    # The queue to go back to: a hidden input of the page (form="bulk-assign"), so the form's
    # own HTML is the same on every queue page and is cached.
    back = forms.CharField(required=False, max_length=1000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.coordinators = {str(person.pk): person for person in coordinators()}
        self.fields["assignee"].choices = [("", _("Me"))] + [
            (pk, person.get_full_name() or person.get_username())
            for pk, person in self.coordinators.items()
        ]
        self.helper = FormHelper()
        self.helper.form_id = "bulk-assign"
        self.helper.form_class = "bulk-assign"
        self.helper.form_action = reverse("coordinator:bulk_assign")
        # The ticked screens are the table's checkboxes (form="bulk-assign"), not fields here.
        self.helper.layout = Layout(
            "assignee",
            Div(
                StrictButton(
                    _("Assign the ticked screens"),
                    type="submit",
                    name="action",
                    value=self.ASSIGN,
                    css_class="btn-primary",
                ),
                StrictButton(
                    _("Unassign the ticked screens"),
                    type="submit",
                    name="action",
                    value=self.UNASSIGN,
                    css_class="btn-outline-secondary",
                ),
                css_class="bulk-buttons",
            ),
        )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.UNASSIGN:
            data["to"] = None
        else:
            data["to"] = self.coordinators.get(data.get("assignee") or "", self.user)
        return data
