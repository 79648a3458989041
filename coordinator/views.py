from base64 import b32encode
from datetime import datetime, time, timedelta
from functools import partial, wraps
from time import time as time_now
from urllib.parse import parse_qsl, urlencode, urlsplit

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import rules
from assessments.models import (
    OPEN_STATUSES,
    OUTCOME_STATUS,
    REFERENCE_PATTERN,
    AuditEntry,
    OutboxMessage,
    OverrideReason,
    Screen,
    ScreenEvent,
    StaleScreen,
    Status,
    offered_here,
    workspace_counts,
)
from careguide.middleware import passive
from careguide.ratelimit import over_limit, too_many
from coordinator import forms, labels, stats
from coordinator.models import EnrolmentCode

PAGE_SIZE = 50
MAX_PAGE = 10_000  # past the last page the queue is empty; a huge offset would overflow SQL
REVIEW = "assessments.review_screen"
EXPORT_CONTACT = "assessments.export_contact"
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


# --- What every workspace page shares: the header's counts, the way back to a list ----------


def _workspace(request: HttpRequest, template: str, context: dict, status: int = 200):
    """A workspace page, with the header's counts (cached: see workspace_counts)."""
    context = {**context, "counts": workspace_counts(), "poll_seconds": settings.POLL_SECONDS}
    return render(request, template, context, status=status)


# The lists a screen can be opened from, and the words of the link back to each.
BACK_VIEWS = {
    "queue": gettext_lazy("Back to the queue"),
    "due": gettext_lazy("Back to follow-ups due"),
}


def _back(value: str | None) -> tuple[str, str]:
    """(address, link text) of the list a screen was opened from, with its filters and page:
    one of our own lists only, whatever was sent; the queue when there is none."""
    parts = urlsplit(value or "")
    if not parts.scheme and not parts.netloc and parts.path.startswith("/"):
        try:
            match = resolve(parts.path)
        except (Resolver404, ValueError):
            match = None
        if match and match.namespace == "coordinator" and match.url_name in BACK_VIEWS:
            query = urlencode(parse_qsl(parts.query))
            return parts.path + ("?" + query if query else ""), str(BACK_VIEWS[match.url_name])
    return reverse("coordinator:queue"), str(BACK_VIEWS["queue"])


def _screen_url(screen: Screen, back: str = "") -> str:
    url = reverse("coordinator:screen", kwargs={"code": screen.reference})
    return url + "?" + urlencode({"back": back}) if back else url


# --- The queue ---------------------------------------------------------------------------


def _filters(
    request: HttpRequest, *, warn: bool, query=None
) -> tuple[forms.QueueFilterForm, dict]:
    """The valid filters from the query string; invalid ones are dropped (with a message)."""
    form = forms.QueueFilterForm(request.GET if query is None else query)
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
    if with_status:
        status = filters.get("status", forms.OPEN)
        if status == forms.OPEN:
            screens = screens.open()
        elif status != forms.ALL:
            screens = screens.filter(status=status)
    if "level" in filters:
        screens = screens.filter(level=filters["level"])
    if "language" in filters:
        screens = screens.filter(language=filters["language"])
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


def _page_number(query) -> int:
    try:
        return min(max(1, int(query.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


def _query(query, **changes) -> str:
    """The query string with some parameters changed (None removes one)."""
    query = query.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode() if query else "?"


def _page(screens, page: int) -> tuple[list, bool]:
    """A page of rows, and whether there is a next one (one row more, not a COUNT(*))."""
    rows = list(screens[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _pages(query, page: int, more: bool) -> dict:
    return {
        "page": page,
        "previous_url": _query(query, page=page - 1) if page > 1 else None,
        "next_url": _query(query, page=page + 1) if more else None,
    }


@coordinator_required
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, request.GET)


def _queue_page(request, query, *, ticked=(), status: int = 200) -> HttpResponse:
    """The queue for `query` (the page's own, or the one a bulk action came from)."""
    form, filters = _filters(request, warn=status == 200, query=query)
    page = _page_number(query)
    rows, more = _page(_filtered(Screen.objects.for_queue(), filters, request.user), page)
    if filters.keys() <= {"status"}:  # the counts ignore the status filter itself
        counts = workspace_counts()["statuses"]
    else:
        counts = _filtered(Screen.objects.all(), filters, request.user, with_status=False)
        counts = counts.status_counts()
    view = filters.get("status", forms.OPEN)
    tabs = [(forms.OPEN, _("Open work"), sum(counts[s] for s in OPEN_STATUSES))]
    tabs += [(value, label, counts[value]) for value, label in Status.choices]
    tabs += [(forms.ALL, _("All"), sum(counts.values()))]
    here = reverse("coordinator:queue") + _query(query)
    return _workspace(
        request,
        "coordinator/queue.html",
        {
            "form": form,
            "screens": (screens := _rows(rows, here, ticked)),
            "rows_html": _rows_html(screens),
            **_pages(query, page, more),
            "status_links": [
                {
                    "label": label,
                    "count": n,
                    "url": _query(query, status=value or None, page=None),
                    "current": view == value,
                }
                for value, label, n in tabs
            ],
            "export_url": _query(query, page=None),
            "filtered": bool(filters.keys() - {"status"}),
            # Made (and its coordinators read) only when the cached form is not there.
            "bulk_form": partial(forms.BulkAssignForm, user=request.user),
            "here": here,
        },
        status=status,
    )


def _rows_html(rows: list[dict]) -> str:
    """The queue's rows, rendered by Jinja2: in Django's template language the 50 rows took
    about 25 of a page's 38 ms (cProfile, issue 15); see settings.TEMPLATES."""
    words = {
        "urgent": _("Urgent"),
        "priority": _("Priority"),
        "overdue": _("Overdue"),
        "overridden": _("overridden"),
        "nobody": _("Nobody"),
        "requested": _("Requested"),
        "no": _("No"),
        "due": _("Due"),
        "refer_out": _("Refer out"),
    }
    template = engines["jinja2"].get_template("coordinator/queue_rows.jinja")
    # The Jinja2 engine escapes every value (settings.TEMPLATES: autoescape).
    return mark_safe(template.render({"rows": rows, "words": words}))  # noqa: S308  # nosec B308 B703


class _Words(dict):
    """code -> words, each worked out (and translated) once a page, not once a row."""

    def __init__(self, words):
        super().__init__()
        self.words = words

    def __missing__(self, code):
        self[code] = str(self.words(code))
        return self[code]


def _rows(screens: list[Screen], back: str, ticked=()) -> list[dict]:
    # Worked out here, not with {% url %}, get_status_display and |date in the template:
    # those cost more than the rest of the row together, 50 times a page. Words are looked up
    # once a page (_Words): a gettext a row and a column was a tenth of the page.
    now = timezone.now()
    screen_url = reverse("coordinator:screen", kwargs={"code": "0"})
    back = "?" + urlencode({"back": back})
    statuses = _Words(_status_label)
    levels = _Words(labels.level_label)
    flags = _Words(labels.flag_label)
    severities = _Words(partial(labels.profile_label, "severity"))
    languages = _Words(labels.language_label)
    tick, received_title = _("Tick %s"), _("Received %s")
    return [
        {
            "screen": screen,
            "reference": screen.reference,
            "urgent": screen.urgent,
            "priority": screen.priority,
            "contact_requested": screen.contact_requested,
            "tick_label": tick % screen.reference,
            "url": screen_url.replace("/0/", f"/{screen.reference}/") + back,
            "pick": f"{screen.reference}:{screen.version}",
            "ticked": screen.reference in ticked,
            "status": statuses[screen.status],
            "received_iso": (received := timezone.localtime(screen.created_at)).isoformat(
                timespec="seconds"
            ),
            "received_at": (received_at := received.strftime("%Y-%m-%d %H:%M")),
            "received_title": received_title % received_at,
            "waiting": stats.short_duration(now - screen.created_at),
            "overdue": screen.is_overdue(now),
            "deadline": _deadline(screen, now),
            "follow_up": _local(screen.next_follow_up_at),
            "follow_up_overdue": bool(screen.next_follow_up_at and screen.next_follow_up_at < now),
            "level": levels[screen.effective_level],
            "overridden": bool(screen.override_level),
            "refer_out": not offered_here(screen.effective_level),
            "flags": ", ".join(flags[flag] for flag in screen.flags),
            "severity": severities[screen.severity],
            # Only a language other than the default is named: it is the one that matters.
            "language": ""
            if screen.language == settings.LANGUAGE_CODE
            else languages[screen.language],
            # Escaped as the rest of the workspace escapes (Jinja2 writes quotes otherwise).
            "assignee": escape(_person(screen.assigned_to)) if screen.assigned_to_id else "",
        }
        for screen in screens
    ]


DEADLINE_NAMES = {
    "interim": gettext_lazy("48-hour deadline"),
    "admission": gettext_lazy("14-day deadline"),
}


def _deadline(screen: Screen, now: datetime) -> dict | None:
    """A priority screen's next deadline, counting down (or how long ago it passed)."""
    deadline = screen.next_deadline()
    if deadline is None:
        return None
    left = deadline["due"] - now
    name = DEADLINE_NAMES[deadline["name"]]
    if left > timedelta(0):
        text = _("%(name)s: %(left)s left") % {"name": name, "left": stats.short_duration(left)}
    else:
        text = _("%(name)s passed %(ago)s ago") % {
            "name": name,
            "ago": stats.short_duration(-left),
        }
    return {"text": text, "passed": left <= timedelta(0), "at": _local(deadline["due"])}


def _local(when: datetime | None) -> dict | None:
    if when is None:
        return None
    local = timezone.localtime(when)
    return {"iso": local.isoformat(timespec="seconds"), "text": local.strftime("%Y-%m-%d %H:%M")}


@coordinator_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assigns or unassigns the ticked screens: all of them, or none if one changed."""
    back, _text = _back(request.POST.get("back"))
    query = QueryDict(urlsplit(back).query)
    form = forms.BulkAssignForm(request.POST, user=request.user)
    ticked = set(request.POST.getlist("screens"))
    ticked = {value.partition(":")[0] for value in ticked}
    if not form.is_valid():
        problems = "; ".join(
            str(error)
            for name in ("screens", "assignee", "action")
            for error in form.errors.get(name, [])
        )
        messages.error(request, _("Nothing was changed: %s") % problems)
        return _queue_page(request, query, ticked=ticked, status=400)
    data = form.cleaned_data
    try:
        changed = Screen.objects.bulk_assign(request.user, data["screens"], data["to"])
    except StaleScreen as stale:
        messages.error(
            request,
            _(
                "Nothing was changed: %(references)s changed since you loaded the list (or "
                "no longer exist). Check the list as it is now, then try again."
            )
            % {"references": ", ".join(stale.references)},
        )
        return _queue_page(request, query, ticked=ticked, status=409)
    if data["to"] is None:
        done = ngettext("%(n)d screen unassigned.", "%(n)d screens unassigned.", changed)
    else:
        done = ngettext(
            "%(n)d screen assigned to %(name)s.", "%(n)d screens assigned to %(name)s.", changed
        )
    messages.success(request, done % {"n": changed, "name": _person(data["to"])})
    return redirect(back)


# --- Follow-ups due ------------------------------------------------------------------------


@coordinator_required
def due(request: HttpRequest) -> HttpResponse:
    """Follow-ups due today or overdue, the oldest first."""
    page = _page_number(request.GET)
    now = timezone.now()
    screens = Screen.objects.due(now).for_list()
    rows, more = _page(screens, page)
    here = reverse("coordinator:due") + _query(request.GET)
    return _workspace(
        request,
        "coordinator/due.html",
        {"screens": _rows(rows, here), **_pages(request.GET, page, more)},
    )


# --- The counts a workspace page polls for ---------------------------------------------------


@passive
@coordinator_required
def counts(request: HttpRequest) -> JsonResponse:
    """The header's counts and the newest urgent screen nobody has picked up, for the
    workspace's poll (static/js/workspace.js). Not activity: the idle logout still comes."""
    numbers = workspace_counts()
    latest = numbers["latest_urgent"]
    return JsonResponse(
        {
            "open": numbers["open"],
            "due": numbers["due"],
            "urgent_new": numbers["urgent_new"],
            "latest_urgent": latest
            and {
                "reference": latest,
                "url": reverse("coordinator:screen", kwargs={"code": latest}),
            },
        }
    )


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
    if kind == ScreenEvent.Kind.CALL:
        return labels.call_text(data)
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


def _action_forms(screen: Screen, user, back: str) -> dict:
    def form(form_class):
        return form_class(screen=screen, back=back)

    return {
        "call_form": form(forms.LogCallForm),
        "assign_form": form(forms.AssignForm) if screen.assigned_to != user else None,
        "unassign_form": form(forms.UnassignForm) if screen.assigned_to else None,
        "status_form": form(forms.StatusForm) if screen.allowed_moves() else None,
        "note_form": form(forms.NoteForm),
        "override_form": form(forms.OverrideForm),
    }


@coordinator_required
def screen(request: HttpRequest, code: str) -> HttpResponse:
    return _screen_page(request, _get_screen_for_coordinator(request, code))


def _screen_page(request, screen: Screen, form=None, status: int = 200) -> HttpResponse:
    """The screen, recorded as seen; `form` (bound) replaces its blank action form."""
    AuditEntry.objects.create(
        actor=request.user, action=AuditEntry.Action.VIEWED, screen_reference=screen.reference
    )
    back = (request.POST if request.method == "POST" else request.GET).get("back", "")
    back_url, back_text = _back(back)
    events = [
        {"event": event, "actor": _person(event.actor), "text": _describe(event)}
        for event in screen.events.select_related("actor")
    ]
    action_forms = _action_forms(screen, request.user, back if back else "")
    if form is not None:
        action_forms[f"{form.prefix_name}_form"] = form
    now = timezone.now()
    return _workspace(
        request,
        "coordinator/screen.html",
        {
            "screen": screen,
            "back_url": back_url,
            "back_text": back_text,
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
            "language": labels.language_label(screen.language),
            "current_ruleset": screen.ruleset_version == rules.RULESET_VERSION,
            "events": events,
            "assignee": _person(screen.assigned_to) if screen.assigned_to else "",
            "waiting": stats.short_duration(now - screen.created_at),
            "overdue": screen.is_overdue(now),
            "deadlines": [
                {
                    "name": DEADLINE_NAMES[d["name"]],
                    "due": _local(d["due"]),
                    "met": _local(d["met"]),
                    "missed": (d["met"] or now) > d["due"],
                }
                for d in screen.priority_deadlines()
            ],
            "next_deadline": _deadline(screen, now),
            "follow_up": _local(screen.next_follow_up_at),
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


def _act(request: HttpRequest, code: str, form_class, change) -> HttpResponse:
    """Applies one action, or shows the screen again with what was typed kept in the form."""
    screen = _get_screen_for_coordinator(request, code)
    form = form_class(request.POST, screen=screen)
    if request.POST.get("version") == str(screen.version):
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: please correct the form below."))
            return _screen_page(request, screen, form)
        try:
            done = change(request, screen, form.cleaned_data)
        except StaleScreen:
            screen = _get_screen_for_coordinator(request, code)  # changed under our feet
        else:
            messages.success(request, done)
            back = form.cleaned_data.get("back", "")
            return redirect(_screen_url(screen, back and _back(back)[0]))
    # Stale: show the latest screen, with the coordinator's input on the latest version.
    messages.error(request, CHANGED)
    data = request.POST.copy()
    data["version"] = str(screen.version)
    return _screen_page(request, screen, form_class(data, screen=screen), status=409)


def _assign(request, screen, data):
    screen.assign(request.user, data["version"], request.user)
    return _("Assigned to you.")


def _unassign(request, screen, data):
    screen.assign(request.user, data["version"], None)
    return _("Unassigned.")


def _status(request, screen, data):
    screen.change_status(request.user, data["version"], data["status"])
    return _("Status changed to “%s”.") % _status_label(data["status"])


def _note(request, screen, data):
    screen.add_note(request.user, data["version"], data["text"])
    return _("Note added.")


def _override(request, screen, data):
    screen.override(request.user, data["version"], data["level"], data["reason"], data["note"])
    return _("Level overridden.")


def _log_call(request, screen, data):
    before = screen.status
    path = screen.log_call(
        request.user, data["version"], data["outcome"], data["note"], data["follow_up_at"]
    )
    done = [_("Call logged.")]
    if path:
        done.append(
            _("Status changed from “%(old)s” to “%(new)s”.")
            % {"old": _status_label(before), "new": _status_label(path[-1])}
        )
    elif data["outcome"] in OUTCOME_STATUS and screen.status != OUTCOME_STATUS[data["outcome"]]:
        done.append(_("The status stays “%s”.") % _status_label(screen.status))
    if data["follow_up_at"]:
        done.append(_("Next follow-up: %s.") % _local(data["follow_up_at"])["text"])
    return " ".join(str(part) for part in done)


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
log_call = _action(forms.LogCallForm, _log_call)


# --- Numbers ------------------------------------------------------------------------------


@coordinator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return _workspace(request, "coordinator/dashboard.html", stats.dashboard())
