import csv
import io
from base64 import b32encode
from datetime import datetime, time, timedelta
from functools import wraps
from time import time as time_now
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import rules
from assessments.models import (
    REFERENCE_PATTERN,
    AuditEntry,
    OutboxMessage,
    OverrideReason,
    Screen,
    ScreenEvent,
    Status,
    all_status_counts,
    forget_status_counts,
    offered_here,
)
from careguide.ratelimit import over_limit, too_many
from coordinator import forms, labels, stats
from coordinator.models import EnrolmentCode

PAGE_SIZE = 50
MAX_PAGE = 10_000  # past the last page the queue is empty; a huge offset would overflow SQL
EXPORT_CHUNK_ROWS = 2000
REVIEW = "assessments.review_screen"
EXPORT_CONTACT = "assessments.export_contact"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What 42 CFR part 2 asks to open every disclosure with: the CSV export and a printed screen.
NOTICE = gettext_lazy(
    "CONFIDENTIAL: these records are protected by federal confidentiality rules (42 CFR part "
    "2). Do not share them further without the person's written consent or as those rules "
    "allow."
)


def coordinator_required(view):
    """The workspace's access rule: log in, hold review_screen, pass the second factor when
    COORDINATOR_2FA_REQUIRED, and nothing is cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(REVIEW):
            raise PermissionDenied
        if settings.COORDINATOR_2FA_REQUIRED and not request.user.is_verified():
            return _to_second_factor(request)
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapper))


def _uses_second_factor(user) -> bool:
    """Who logs in with two factors: coordinators (the workspace) and staff (the admin)."""
    return user.has_perm(REVIEW) or user.is_staff


def before_second_factor(view):
    """The pages where the second factor is set up or given: logged in, a coordinator or
    staff, not yet verified; nothing is cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _uses_second_factor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapper))


def _get_screen_for_coordinator(request: HttpRequest, code: str) -> Screen:
    """A screen by its reference (CG-7K3M-Q9XD) or its numeric id."""
    screens = Screen.objects.select_related("assigned_to")
    try:
        if code.isascii() and code.isdigit() and len(code) < 19:  # a bigint: up to 19 digits
            return screens.get(pk=int(code))
        if REFERENCE_PATTERN.fullmatch(code.upper()):
            return screens.get(reference=code.upper())
    except Screen.DoesNotExist:
        pass
    raise Http404(_("No screen has this reference."))


# --- Two-factor login (TOTP) ----------------------------------------------------------------

# In the session once an enrolment code was accepted: until when this session may set up an
# authenticator app (Unix time), and for whom.
ENROLMENT_SESSION_KEY = "_careguide_enrolment"
ENROLMENT_SETUP_SECONDS = 30 * 60
ENROLMENT_CODE_RATE = "5/15m"  # tries of an enrolment code per account


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _to_second_factor(request: HttpRequest) -> HttpResponse:
    """To the code page, or to set up an app first; back to this page after (a GET only)."""
    name = "two_factor_verify" if _confirmed_device(request.user) else "two_factor_setup"
    url = reverse(f"coordinator:{name}")
    if request.method == "GET":  # an action's URL takes only a POST: after it, the queue
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


def _next_url(request: HttpRequest) -> str:
    url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    if request.user.has_perm(REVIEW):
        return reverse("coordinator:queue")
    return reverse("admin:index")


def _with_next(request: HttpRequest) -> str:
    """The page to go on to, passed along from one two-factor page to the other."""
    return "?" + urlencode({"next": request.GET["next"]}) if "next" in request.GET else ""


def _second_factor_passed(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    request.session.cycle_key()  # more rights for this session: a new key, as at login
    django_otp.login(request, device)
    return redirect(_next_url(request))


def _qr_code(data: str) -> str:
    """The setup link as an inline SVG QR code: plain attributes, no style= (the CSP)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=4, border=4, light="#fff", title=_("QR code of the setup link")
    )
    # segno draws the data as path coordinates and escapes the title: no markup gets through.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def _may_enrol(request: HttpRequest) -> bool:
    """Whether this session gave a valid enrolment code for this user, not too long ago."""
    grant = request.session.get(ENROLMENT_SESSION_KEY) or {}
    return grant.get("user") == request.user.pk and grant.get("until", 0) > time_now()


def _enrolment_code(request: HttpRequest) -> HttpResponse:
    """Without a device, an administrator's enrolment code comes first: never a password
    alone, or whoever has the password could enrol their own app."""
    form = forms.EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        retry_after = over_limit(
            request,
            "enrolment-codes",
            ENROLMENT_CODE_RATE,
            key=lambda group, request: str(request.user.pk),
        )
        if retry_after:
            form.add_error(
                "code",
                _("Too many tries. Wait %(minutes)d minutes, then try again.")
                % {"minutes": max(1, round(retry_after / 60))},
            )
        elif form.is_valid() and EnrolmentCode.objects.claim(
            request.user, form.cleaned_data["code"]
        ):
            # A fresh secret: one made before the code was given is not trusted.
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            request.session[ENROLMENT_SESSION_KEY] = {
                "user": request.user.pk,
                "until": time_now() + ENROLMENT_SETUP_SECONDS,
            }
            return redirect(reverse("coordinator:two_factor_setup") + _with_next(request))
        elif form.is_valid():
            form.add_error(
                "code",
                _(
                    "That code is not right, was already used or has expired. Check it, or "
                    "ask your administrator for a new one."
                ),
            )
    return render(request, "coordinator/two_factor_setup.html", {"form": form, "enrolment": True})


@before_second_factor
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up a first authenticator app: an enrolment code, its secret, then a first code to
    confirm it."""
    if _confirmed_device(request.user):
        # A password alone never replaces a device: with one, this page is not for you.
        if request.user.is_verified():
            return redirect(_next_url(request))
        return redirect(reverse("coordinator:two_factor_verify") + _with_next(request))
    if not _may_enrol(request):
        return _enrolment_code(request)
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    data = request.POST if request.method == "POST" else None
    form = forms.TwoFactorForm(data, device=device, submit_label=_("Confirm"))
    if form.is_valid():
        form.device.confirmed = True
        form.device.save(update_fields=["confirmed"])
        del request.session[ENROLMENT_SESSION_KEY]
        messages.success(request, _("Two-factor login is set up."))
        return _second_factor_passed(request, form.device)
    return render(
        request,
        "coordinator/two_factor_setup.html",
        {
            "form": form,
            "secret": b32encode(device.bin_key).decode(),
            "config_url": device.config_url,
            "qr_code": _qr_code(device.config_url),
        },
    )


@before_second_factor
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the coordinator's app."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(reverse("coordinator:two_factor_setup") + _with_next(request))
    data = request.POST if request.method == "POST" else None
    form = forms.TwoFactorForm(data, device=device, submit_label=_("Verify"))
    if form.is_valid():
        return _second_factor_passed(request, form.device)
    return render(request, "coordinator/two_factor_verify.html", {"form": form})


# --- Password reset -----------------------------------------------------------------------


def _email_key(group, request) -> str:
    return request.POST.get("email", "").strip().lower()


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, with the email left in the outbox instead of sent in the request.

    Known and unknown addresses take the same path (one row written, no account looked up,
    nothing sent), so the answer's timing tells nothing; the outbox command sends the link.
    Throttled per client address and per address asked for.
    """

    template_name = "coordinator/password_reset_form.html"
    success_url = reverse_lazy("coordinator:password_reset_done")

    def post(self, request, *args, **kwargs):
        if retry_after := over_limit(
            request, "password-reset-client", settings.PASSWORD_RESET_RATE_PER_CLIENT
        ):
            return _too_many_resets(request, retry_after)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if retry_after := over_limit(
            self.request,
            "password-reset-email",
            settings.PASSWORD_RESET_RATE_PER_EMAIL,
            key=_email_key,
        ):
            return _too_many_resets(self.request, retry_after)
        OutboxMessage.objects.add(
            OutboxMessage.Kind.PASSWORD_RESET, payload={"email": form.cleaned_data["email"]}
        )
        return redirect(self.get_success_url())


def _too_many_resets(request: HttpRequest, retry_after: int) -> HttpResponse:
    return too_many(request, "coordinator/password_reset_throttled.html", retry_after)


# --- The queue ---------------------------------------------------------------------------


def _filters(request: HttpRequest, *, warn: bool) -> tuple[forms.QueueFilterForm, dict]:
    """The valid filters from the query string; invalid ones are dropped (with a message)."""
    form = forms.QueueFilterForm(request.GET)
    form.is_valid()
    filters = {
        name: value for name, value in form.cleaned_data.items() if value not in ("", None, False)
    }
    if form.errors and warn:
        names = ", ".join(str(form.fields[name].label) for name in form.errors)
        messages.warning(
            request, _("Some filters were not understood and were ignored: %s.") % names
        )
    return form, filters


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(screens, filters: dict, user, *, with_status: bool = True):
    if "q" in filters:
        screens = screens.search(filters["q"])
    if with_status and "status" in filters:
        screens = screens.filter(status=filters["status"])
    if "level" in filters:
        screens = screens.filter(level=filters["level"])
    if "urgent" in filters:
        screens = screens.filter(urgent=True)
    if "contact" in filters:
        screens = screens.filter(contact_requested=True)
    if "mine" in filters:
        screens = screens.filter(assigned_to=user)
    if "received_from" in filters:
        screens = screens.filter(created_at__gte=_start_of(filters["received_from"]))
    if "received_to" in filters:
        end = filters["received_to"] + timedelta(days=1)
        screens = screens.filter(created_at__lt=_start_of(end))
    return screens


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


def _query(request: HttpRequest, **changes) -> str:
    """The current query string with some parameters changed (None removes one)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode() if query else "?"


@coordinator_required
def queue(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request, warn=True)
    page = _page_number(request)
    screens = _filtered(Screen.objects.for_queue(), filters, request.user)
    # One row more than a page tells whether there is a next page, without a COUNT(*).
    rows = list(screens[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    if filters.keys() <= {"status"}:  # the counts ignore the status filter itself
        counts = all_status_counts()
    else:
        counts = _filtered(Screen.objects.all(), filters, request.user, with_status=False)
        counts = counts.status_counts()
    screen_url = reverse("coordinator:screen", kwargs={"code": "0"})
    status_labels = {value: str(label) for value, label in Status.choices}
    status_links = [
        {
            "label": label,
            "count": counts[value],
            "url": _query(request, status=value, page=None),
            "current": filters.get("status") == value,
        }
        for value, label in Status.choices
    ]
    return render(
        request,
        "coordinator/queue.html",
        {
            "form": form,
            "screens": [
                _queue_row(screen, screen_url, status_labels) for screen in rows[:PAGE_SIZE]
            ],
            "page": page,
            "previous_url": _query(request, page=page - 1) if page > 1 else None,
            "next_url": _query(request, page=page + 1) if len(rows) > PAGE_SIZE else None,
            "status_links": status_links,
            "all_statuses_url": _query(request, status=None, page=None),
            "status_filter": filters.get("status"),
            "total": sum(counts.values()),
            "export_url": _query(request, page=None),
            "filtered": bool(filters),
        },
    )


def _queue_row(screen: Screen, screen_url: str, status_labels: dict) -> dict:
    # Worked out here, not with {% url %}, get_status_display and |date in the template:
    # those cost more than the rest of the row together, 50 times a page.
    received = timezone.localtime(screen.created_at)
    return {
        "screen": screen,
        "url": screen_url.replace("/0/", f"/{screen.reference}/"),
        "status": status_labels[screen.status],
        "received_iso": received.isoformat(timespec="seconds"),
        "received_at": received.strftime("%Y-%m-%d %H:%M"),
        "level": labels.level_label(screen.effective_level),
        "overridden": bool(screen.override_level),
        "refer_out": not offered_here(screen.effective_level),
        "flags": [labels.flag_label(flag) for flag in screen.flags],
        "severity": labels.profile_label("severity", screen.severity),
    }


# --- One screen ---------------------------------------------------------------------------


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else _("CareGuide")


def _describe(event: ScreenEvent) -> str:
    """What an event changed, in words, after its kind ("Status changed: ...")."""
    data, kind = event.data or {}, event.kind
    if kind == ScreenEvent.Kind.ASSIGNED and data.get("to"):
        return _("to %(name)s") % {"name": data["to"]}
    if kind == ScreenEvent.Kind.UNASSIGNED and data.get("from"):
        return _("from %(name)s") % {"name": data["from"]}
    if kind == ScreenEvent.Kind.STATUS and "to" in data:
        return _("from “%(old)s” to “%(new)s”") % {
            "old": _status_label(data.get("from", "")),
            "new": _status_label(data["to"]),
        }
    if kind == ScreenEvent.Kind.NOTE:
        return data.get("text", "")
    if kind == ScreenEvent.Kind.OVERRIDE:
        reason = data.get("reason", "")
        return _("from “%(old)s” to “%(new)s”. Reason: %(reason)s. %(note)s") % {
            "old": labels.level_label(data.get("from", "")),
            "new": labels.level_label(data.get("to", "")),
            "reason": OverrideReason(reason).label if reason in OverrideReason.values else reason,
            "note": data.get("note", ""),
        }
    return ""


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status


def _what_drives_it(screen: Screen) -> dict | None:
    """The rules that set the level, and the level the answers would get without them."""
    deciding = [reason["rule"] for reason in screen.reasons]
    if not deciding or screen.ruleset_version != rules.RULESET_VERSION:
        return None  # another ruleset's result is never re-run through this one
    try:
        without_all = rules.level_without(screen.answers, set(deciding))
        each = [
            {
                "rule": rule_id,
                "fires_when": getattr(rules.RULES_BY_ID.get(rule_id), "fires_when", ""),
                "without": labels.level_label(rules.level_without(screen.answers, {rule_id})),
            }
            for rule_id in deciding
        ]
    except rules.InvalidAnswers:  # answers of a schema this version no longer reads
        return None
    return {
        "rules": each,
        "without_all": labels.level_label(without_all),
    }


def _action_forms(screen: Screen, user) -> dict:
    return {
        "assign_form": forms.AssignForm(screen=screen) if screen.assigned_to != user else None,
        "unassign_form": forms.UnassignForm(screen=screen) if screen.assigned_to else None,
        "status_form": forms.StatusForm(screen=screen) if screen.allowed_moves() else None,
        "note_form": forms.NoteForm(screen=screen),
        "override_form": forms.OverrideForm(screen=screen),
    }


@coordinator_required
def screen(request: HttpRequest, code: str) -> HttpResponse:
    return _screen_page(request, _get_screen_for_coordinator(request, code))


def _screen_page(request, screen: Screen, form=None, status: int = 200) -> HttpResponse:
    """The screen, recorded as seen; `form` (bound) replaces its blank action form."""
    AuditEntry.objects.create(
        actor=request.user, action=AuditEntry.Action.VIEWED, screen_reference=screen.reference
    )
    events = [
        {"event": event, "actor": _person(event.actor), "text": _describe(event)}
        for event in screen.events.select_related("actor")
    ]
    action_forms = _action_forms(screen, request.user)
    if form is not None:
        action_forms[f"{form.prefix_name}_form"] = form
    return render(
        request,
        "coordinator/screen.html",
        {
            "screen": screen,
            "answers": labels.answers_by_section(screen.answers, screen.schema_version),
            "profile": [
                (_("Severity"), labels.profile_label("severity", screen.severity)),
                (_("DSM-5 criteria met"), screen.profile.get("criteria_count", "")),
                (_("Detox need"), labels.profile_label("detox_need", screen.detox_need)),
                (
                    _("Home stability"),
                    labels.profile_label("home_stability", screen.home_stability),
                ),
            ],
            "level": labels.level_label(screen.level),
            "override_level": labels.level_label(screen.override_level),
            "refer_out": not offered_here(screen.effective_level),
            "flags": [labels.flag_label(flag) for flag in screen.flags],
            "trace": [
                {**entry, "level": labels.level_label(entry.get("level", ""))}
                for entry in screen.trace
            ],
            "drives": _what_drives_it(screen),
            "current_ruleset": screen.ruleset_version == rules.RULESET_VERSION,
            "events": events,
            "assignee": _person(screen.assigned_to) if screen.assigned_to else "",
            "notice": NOTICE,
            **action_forms,
        },
        status=status,
    )


# --- Actions: each a POST, each an event, each refused on a stale version -------------------

CHANGED = gettext_lazy(
    "This screen changed since you opened it. Nothing was saved: check the latest version "
    "below, then try again."
)


def _save(request, screen: Screen, version: int, kind: str, data: dict, fields: dict) -> bool:
    """Applies the change only if the screen is still at `version`, and records the event."""
    with transaction.atomic():
        updated = Screen.objects.filter(pk=screen.pk, version=version).update(
            version=F("version") + 1, **fields
        )
        if updated:
            ScreenEvent.objects.create(screen=screen, actor=request.user, kind=kind, data=data)
            if "status" in fields:
                forget_status_counts()
    return bool(updated)


def _act(request: HttpRequest, code: str, form_class, change) -> HttpResponse:
    """Applies one action, or shows the screen again with what was typed kept in the form."""
    screen = _get_screen_for_coordinator(request, code)
    form = form_class(request.POST, screen=screen)
    if request.POST.get("version") == str(screen.version):
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: please correct the form below."))
            return _screen_page(request, screen, form)
        kind, data, fields, done = change(request, screen, form.cleaned_data)
        if _save(request, screen, form.cleaned_data["version"], kind, data, fields):
            messages.success(request, done)
            return redirect("coordinator:screen", code=screen.reference)
        screen = _get_screen_for_coordinator(request, code)  # changed under our feet
    # Stale: show the latest screen, with the coordinator's input on the latest version.
    messages.error(request, CHANGED)
    data = request.POST.copy()
    data["version"] = str(screen.version)
    return _screen_page(request, screen, form_class(data, screen=screen), status=409)


def _assign(request, screen, data):
    event = {"to": request.user.get_username()}
    return ScreenEvent.Kind.ASSIGNED, event, {"assigned_to": request.user}, _("Assigned to you.")


def _unassign(request, screen, data):
    event = {"from": screen.assigned_to.get_username() if screen.assigned_to else ""}
    return ScreenEvent.Kind.UNASSIGNED, event, {"assigned_to": None}, _("Unassigned.")


def _status(request, screen, data):
    fields = {"status": data["status"]}
    if data["status"] == Status.CONTACTED and screen.first_contacted_at is None:
        fields["first_contacted_at"] = timezone.now()
    event = {"from": screen.status, "to": data["status"]}
    done = _("Status changed to “%s”.") % _status_label(data["status"])
    return ScreenEvent.Kind.STATUS, event, fields, done


def _note(request, screen, data):
    return ScreenEvent.Kind.NOTE, {"text": data["text"]}, {}, _("Note added.")


def _override(request, screen, data):
    fields = {
        "override_level": data["level"],
        "override_reason": data["reason"],
        "override_note": data["note"],
    }
    event = {
        "from": screen.effective_level,
        "to": data["level"],
        "reason": data["reason"],
        "note": data["note"],
    }
    return ScreenEvent.Kind.OVERRIDE, event, fields, _("Level overridden.")


def _action(form_class, change):
    """A view for one action on a screen: POST only, behind the access rule."""

    @coordinator_required
    @require_POST
    def view(request: HttpRequest, code: str) -> HttpResponse:
        return _act(request, code, form_class, change)

    return view


assign = _action(forms.AssignForm, _assign)
unassign = _action(forms.UnassignForm, _unassign)
change_status = _action(forms.StatusForm, _status)
add_note = _action(forms.NoteForm, _note)
override_level = _action(forms.OverrideForm, _override)


# --- Export -------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("reference", gettext_lazy("Reference")),
    ("created_at", gettext_lazy("Received")),
    ("level", gettext_lazy("Recommended level")),
    ("override_level", gettext_lazy("Override level")),
    ("override_reason", gettext_lazy("Override reason")),
    ("urgent", gettext_lazy("Urgent")),
    ("flags", gettext_lazy("Flags")),
    ("severity", gettext_lazy("Severity")),
    ("detox_need", gettext_lazy("Detox need")),
    ("home_stability", gettext_lazy("Home stability")),
    ("status", gettext_lazy("Status")),
    ("assigned_to__username", gettext_lazy("Assigned to")),
    ("contact_requested", gettext_lazy("Contact requested")),
    ("first_contacted_at", gettext_lazy("First contacted")),
)
CONTACT_COLUMNS = (
    ("first_name", gettext_lazy("First name")),
    ("phone", gettext_lazy("Phone")),
    ("email", gettext_lazy("Email")),
    ("preferred_contact", gettext_lazy("Preferred contact")),
    ("best_time", gettext_lazy("Best time")),
    ("consent_at", gettext_lazy("Consent given")),
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _yes_no(value) -> str:
    return "yes" if value else "no"


def _flags(text) -> str:
    # The flags list as the database's JSON text, e.g. ["crisis", "low_signs"]: our own codes,
    # so no quotes or commas inside; read as text, it skips a json.loads a row.
    return ";".join(part.strip(' "') for part in text[1:-1].split(",")) if len(text) > 2 else ""


def _text(value) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


# Columns whose values are our own codes (choices, references) go out as they are; free text
# is guarded against formulas. Anything not listed goes through _cell, which is always safe.
# Converting by column, not by looking at each value, is what keeps 100,000 rows quick.
_AS_IS = frozenset(
    {"reference", "level", "override_level", "override_reason", "severity", "detox_need"}
    | {"home_stability", "status", "preferred_contact"}
)
_BY_COLUMN = {"urgent": _yes_no, "contact_requested": _yes_no, "flags": _flags}
_TEXT = frozenset({"first_name", "phone", "email", "best_time", "assigned_to__username"})
_TIMES = frozenset({"created_at", "first_contacted_at", "consent_at"})


def _converters(names) -> list:
    tz = timezone.get_current_timezone()

    def when(value) -> str:
        return "" if value is None else value.astimezone(tz).isoformat(timespec="seconds")

    def converter(name):
        if name in _TIMES:
            return when
        return _text if name in _TEXT else _BY_COLUMN.get(name, _cell)

    return [(index, converter(name)) for index, name in enumerate(names) if name not in _AS_IS]


def _csv_chunks(header: list[str], converters: list, rows):
    """The CSV, EXPORT_CHUNK_ROWS rows at a time, so memory stays flat whatever the size."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(NOTICE)])
    writer.writerow(header)
    batch = []
    for row in rows:
        row = list(row)
        for index, convert in converters:  # only the columns that need it
            row[index] = convert(row[index])
        batch.append(row)
        if len(batch) == EXPORT_CHUNK_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


@coordinator_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    form, filters = _filters(request, warn=False)
    screens = _filtered(Screen.objects.queue(), filters, request.user)
    with_contact = request.user.has_perm(EXPORT_CONTACT)
    columns = EXPORT_COLUMNS + (CONTACT_COLUMNS if with_contact else ())
    AuditEntry.objects.create(
        actor=request.user,
        action=AuditEntry.Action.EXPORTED,
        details={
            "filters": {name: str(value) for name, value in filters.items()},
            "rows": screens.count(),
            "contact_details": with_contact,
        },
    )
    # The flags as the database's JSON text: see _flags.
    screens = screens.annotate(flags_text=Cast("flags", TextField()))
    rows = screens.values_list(
        *("flags_text" if name == "flags" else name for name, _label in columns)
    )
    response = StreamingHttpResponse(
        _csv_chunks(
            [str(label) for _name, label in columns],
            _converters(name for name, _label in columns),
            rows.iterator(chunk_size=EXPORT_CHUNK_ROWS),
        ),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"careguide-screens-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Numbers ------------------------------------------------------------------------------


@coordinator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "coordinator/dashboard.html", stats.dashboard())
