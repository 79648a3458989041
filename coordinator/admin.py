from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from coordinator.models import ENROLMENT_HOURS, ENROLMENT_MAX_HOURS, EnrolmentCode


class EnrolmentCodeForm(forms.ModelForm):
    hours = forms.IntegerField(
        label="Valid for (hours)",
        initial=ENROLMENT_HOURS,
        min_value=1,
        max_value=ENROLMENT_MAX_HOURS,
    )

    class Meta:
        model = EnrolmentCode
        fields = ["user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True)


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(admin.ModelAdmin):
    """Issues enrolment codes: the only way to set up a first authenticator app.

    The code is shown once, here; only its sha256 is stored. Issued codes cannot be edited.
    """

    form = EnrolmentCodeForm
    list_display = ("user", "issued_by", "created_at", "expires_at", "used_at")
    list_select_related = ("user", "issued_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.issued_by = request.user
        code = obj.issue(hours=form.cleaned_data["hours"])
        messages.warning(
            request,
            f"Enrolment code for {obj.user}: {code} (until {obj.expires_at:%Y-%m-%d %H:%M} "
            "UTC). It is shown only now. Give it to them in person or by phone, not by email.",
        )
