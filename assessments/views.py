import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import rules
from assessments.decorators import api_error, json_api, submission_rate_exceeded
from assessments.forms import (
    CONTACT_DETAILS,
    STEPS,
    STEPS_BY_SLUG,
    ContactForm,
    RequestCallForm,
    Step,
    error_summary,
)
from assessments.models import (
    AuditEntry,
    IdempotencyConflict,
    Screen,
    ScreenEvent,
    forget_status_counts,
    idempotency_digest,
)
from assessments.sources import SOURCES
from careguide.middleware import client_ip
from careguide.ratelimit import over_limit, too_many
from careguide.views import RETRY_AFTER_SECONDS

DRAFT = "screen_draft"  # the answers so far, in the person's session
LAST_RESULT = "screen_result"  # the token of the screen this browser submitted last
REFUSED = "refused"  # in the draft: the steps whose last answers did not all pass
CONTACT_STEP = STEPS[-1]


# --- Public pages -----------------------------------------------------------------------


def how_it_works(request):
    return render(
        request,
        "assessments/how_it_works.html",
        {
            "rules": rules,
            "rule_table": rules.RULES,
            "notes": rules.NOTES,
            "levels": rules.LEVELS.items(),
            "flag_texts": rules.FLAG_TEXTS.items(),
            "section_titles": rules.SECTION_TITLES.items(),
            "sources": SOURCES.values(),
        },
    )


def sources(request):
    return render(request, "assessments/sources.html", {"sources": SOURCES.values()})


def home(request):
    draft = _get_draft(request)
    last_result = request.session.get(LAST_RESULT)
    response = render(
        request,
        "assessments/home.html",
        {
            "draft": draft,
            "resume_url": draft and _resume_url(draft),
            "last_result": last_result,
            "retention_days": settings.RETENTION_DAYS,
        },
    )
    if draft or last_result:  # it links to this person's answers or result
        add_never_cache_headers(response)
    return response


# --- The draft: answers kept in the session until the screen is submitted ---------------


def _get_draft(request, create: bool = False) -> dict | None:
    draft = request.session.get(DRAFT)
    if draft:
        updated = datetime.fromisoformat(draft["updated"])
        if timezone.now() - updated > timedelta(hours=settings.DRAFT_HOURS):
            del request.session[DRAFT]
            draft = None
    if draft is None and create:
        # The key makes the final submission idempotent: a double click stores one screen.
        draft = {"key": secrets.token_urlsafe(16), "steps": {}}
        _save_draft(request, draft)
    return draft


def _save_draft(request, draft: dict) -> None:
    draft["updated"] = timezone.now().isoformat()
    request.session[DRAFT] = draft
    request.session.modified = True


def _form(form_class, data: dict | None = None, **kwargs):
    """A step's form; `data` maps each field to the list of values typed."""
    if issubclass(form_class, ContactForm):
        kwargs.update(centre_name=settings.CENTRE["name"], consent_days=settings.RETENTION_DAYS)
    if data is not None:
        query = QueryDict(mutable=True)
        for name, values in data.items():
            query.setlist(name, values)
        return form_class(query, **kwargs)
    return form_class(**kwargs)


def _stored_forms(draft: dict) -> dict[str, object]:
    """Each step's form bound to what was kept of it; None for a step never answered, or
    whose last answers were refused (the invalid ones are not kept: see _answers_to_keep)."""
    refused = set(draft.get(REFUSED, ()))
    return {
        step.slug: None
        if step.slug in refused or (data := draft["steps"].get(step.slug)) is None
        else _form(step.form_class, data)
        for step in STEPS
    }


def _first_unfinished(forms: dict) -> Step | None:
    for step in STEPS:
        form = forms[step.slug]
        if form is None or not form.is_valid():
            return step
    return None


def _resume_url(draft: dict) -> str:
    step = _first_unfinished(_stored_forms(draft))
    if step is None:
        return reverse("assessments:check")
    return reverse("assessments:step", args=[step.slug])


def _crisis_answered(draft: dict | None) -> bool:
    return bool(draft) and draft["steps"].get("health", {}).get("self_harm_thoughts") == ["yes"]


def _initial(step: Step, data: dict) -> dict:
    """What was typed, as a fresh form's initial values (no errors shown before a submit)."""
    multiple = {name for name, field in step.form_class.base_fields.items() if _is_multiple(field)}
    return {
        name: values if name in multiple else (values[0] if values else "")
        for name, values in data.items()
    }


def _is_multiple(field) -> bool:
    return getattr(field.widget, "allow_multiple_selected", False)


# What one value kept in the session may hold, whatever the field: the longest answer a step
# takes is an email address (320 characters). Anything longer is not an answer.
ANSWER_MAX_CHARS = 320


def _answers_to_keep(form) -> dict[str, list[str]]:
    """What a step's POST may leave in the session, for any form: per field, the values sent
    when the field's own validation takes them and none is over ANSWER_MAX_CHARS; an empty list
    for a field that is missing or invalid. At most one value a field, or one per choice.

    The page shown after the POST still shows everything typed, with its errors; only what
    is kept for 24 hours in the session is limited (it once took 2.4 million characters). A
    step whose answers were refused stays unfinished (REFUSED), whatever is kept of it.
    """
    kept = {}
    for name, field in form.fields.items():
        values = form.data.getlist(name)
        if not _is_multiple(field):
            values = values[-1:]  # the one a single-value widget reads
        most = len(field.choices) if _is_multiple(field) else 1
        try:
            if len(values) > most or any(len(value) > ANSWER_MAX_CHARS for value in values):
                raise ValidationError("too long")
            field.clean(field.widget.value_from_datadict(form.data, form.files, name))
        except ValidationError:
            values = []
        kept[name] = values
    return kept


# --- The steps ---------------------------------------------------------------------------


@require_GET
def start(request):
    """Starts a new screen, or resumes the one this browser left off within the last day."""
    draft = _get_draft(request)
    return redirect(_resume_url(draft) if draft else _step_url(STEPS[0]))


def _step_url(step: Step) -> str:
    return reverse("assessments:step", args=[step.slug])


@require_POST
def start_over(request):
    request.session.pop(DRAFT, None)
    messages.info(request, _("Your answers have been cleared. You can start again."))
    return redirect("assessments:home")


@never_cache  # it shows the person's answers
@require_http_methods(["GET", "POST"])
def step(request, slug: str):
    current = STEPS_BY_SLUG.get(slug)
    if current is None:
        raise Http404("No such step")
    if request.method == "POST" and (
        retry_after := over_limit(request, "steps", settings.STEP_RATE)
    ):
        return _too_many(request, retry_after)
    try:
        return _step(request, current)
    except (OperationalError, InterfaceError):
        if request.method != "POST":
            raise  # handler500 answers 503 with the crisis line
        # The answers so far live in the database's sessions: keep what was just typed here.
        data = {name: request.POST.getlist(name) for name in current.form_class.base_fields}
        response = render(
            request,
            "assessments/step.html",
            {
                "step": current,
                "form": _form(current.form_class, initial=_initial(current, data)),
                "number": STEPS.index(current) + 1,
                "total": len(STEPS),
                "unsaved": True,
            },
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _step(request, current: Step):
    index = STEPS.index(current)
    from_check = request.GET.get("from") == "check"
    if request.method == "POST":
        # A session (and its draft) starts with the first answer sent, not with a page seen.
        draft = _get_draft(request, create=True)
        data = {name: request.POST.getlist(name) for name in current.form_class.base_fields}
        form = _form(current.form_class, data)
        draft["steps"][current.slug] = _answers_to_keep(form)
        refused = set(draft.get(REFUSED, ())) - {current.slug}
        draft[REFUSED] = sorted(refused if form.is_valid() else refused | {current.slug})
        _save_draft(request, draft)
        if request.POST.get("action") == "back":
            if from_check:
                return redirect("assessments:check")
            if index == 0:
                return redirect("assessments:home")
            return redirect("assessments:step", STEPS[index - 1].slug)
        if form.is_valid():
            if from_check or index == len(STEPS) - 1:
                return redirect(_resume_url(draft))
            return redirect("assessments:step", STEPS[index + 1].slug)
    else:
        draft = _get_draft(request)
        stored = draft and draft["steps"].get(current.slug)
        form = _form(current.form_class, initial=_initial(current, stored) if stored else None)
    return render(
        request,
        "assessments/step.html",
        {
            "step": current,
            "form": form,
            "number": index + 1,
            "total": len(STEPS),
            "crisis": _crisis_answered(draft),
            "from_check": from_check,
            "errors": error_summary(form),
        },
    )


def _answer_rows(form) -> list[tuple[str, str, str]]:
    """(field name, question, answer in words) for a valid form, in the order asked."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        raw = form.data.getlist(name) if _is_multiple(field) else form.data.get(name)
        if hasattr(field, "choices"):
            labels = dict(field.choices)
            picked = raw if _is_multiple(field) else [raw]
            words = ", ".join(str(labels[v]) for v in picked if v in labels)
        elif isinstance(value, bool):
            words = _("Yes") if value else _("No")
        else:
            words = "" if value is None else str(value)
        rows.append((name, field.label, words or _("Not given")))
    return rows


@never_cache  # it shows the person's answers
@require_http_methods(["GET", "POST"])
def check(request):
    """Check your answers, then submit: the one place a screen is stored."""
    draft = _get_draft(request)
    if draft is None:
        # Already submitted (a refresh, a second click, back and resubmit): show that result.
        if token := request.session.get(LAST_RESULT):
            return redirect("assessments:result", token)
        return redirect("assessments:start")
    forms = _stored_forms(draft)
    if unfinished := _first_unfinished(forms):
        return redirect("assessments:step", unfinished.slug)
    if request.method == "POST":
        if retry_after := submission_rate_exceeded(request):
            return _too_many(request, retry_after)
        answers = {}
        for step in STEPS[:-1]:
            answers.update(forms[step.slug].cleaned_data)
        rec = rules.recommend(answers)
        try:
            screen, _created = Screen.objects.submit(
                rec,
                forms[CONTACT_STEP.slug].contact_fields(),
                idempotency_key=idempotency_digest("form", draft["key"]),
            )
        except IdempotencyConflict:
            # Sent from another tab at the same moment, with other answers: these are new.
            draft["key"] = secrets.token_urlsafe(16)
            _save_draft(request, draft)
            return redirect("assessments:check")
        request.session.pop(DRAFT, None)
        request.session[LAST_RESULT] = screen.result_token
        return redirect("assessments:result", screen.result_token)
    sections = [(step, _answer_rows(forms[step.slug])) for step in STEPS]
    if not forms[CONTACT_STEP.slug].cleaned_data["contact_requested"]:
        sections[-1] = (CONTACT_STEP, sections[-1][1][:1])  # "No", and nothing else kept
    return render(
        request,
        "assessments/check.html",
        {"sections": sections, "crisis": _crisis_answered(draft)},
    )


# --- Rate limit --------------------------------------------------------------------------


def _too_many(request, retry_after: int):
    return too_many(request, "assessments/rate_limited.html", retry_after)


# --- The result --------------------------------------------------------------------------


def _screen_for_token(token: str) -> Screen:
    return get_object_or_404(Screen, result_token=token)


def _private(response):
    """A page with personal data: never indexed (never cached: never_cache on its views; the
    token never sent to another site: SECURE_REFERRER_POLICY, for every page)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _expired(request, screen: Screen):
    return _private(render(request, "assessments/result_expired.html", status=410))


def _result_page(request, screen: Screen, call_form=None, status=200):
    level = rules.Level(screen.level)
    call_form = call_form or (None if screen.contact_requested else _form(RequestCallForm))
    return _private(
        render(
            request,
            "assessments/result.html",
            {
                "screen": screen,
                "level": level,
                "info": rules.LEVELS[level],
                "level_sources": [SOURCES[s] for s in rules.LEVELS[level].source_ids],
                "crisis": rules.Flag.CRISIS in screen.flags,
                "detox_first": rules.Flag.DETOX_FIRST in screen.flags,
                "detox_first_text": rules.FLAG_TEXTS[rules.Flag.DETOX_FIRST],
                "flag_texts": [
                    rules.FLAG_TEXTS[rules.Flag(flag)]
                    for flag in screen.flags
                    if flag not in rules.URGENT_FLAGS
                ],
                "not_an_assessment": rules.NOT_AN_ASSESSMENT,
                "call_form": call_form,
                "errors": error_summary(call_form) if call_form else [],
                "expires_at": screen.result_expires_at(),
            },
            status=status,
        )
    )


@never_cache
@require_GET
def result(request, token: str):
    screen = _screen_for_token(token)
    if screen.result_link_expired():
        return _expired(request, screen)
    return _result_page(request, screen)


@never_cache
@require_POST
def request_call(request, token: str):
    screen = _screen_for_token(token)
    if screen.result_link_expired():
        return _expired(request, screen)
    if screen.contact_requested:
        return redirect("assessments:result", token)
    form = _form(RequestCallForm, {name: request.POST.getlist(name) for name in request.POST})
    if not form.is_valid():
        return _result_page(request, screen, call_form=form)
    if retry_after := submission_rate_exceeded(request):
        return _too_many(request, retry_after)
    fields = form.contact_fields()
    with transaction.atomic():
        Screen.objects.filter(pk=screen.pk).update(
            **fields, consent_at=timezone.now(), version=F("version") + 1
        )
        ScreenEvent.objects.create(screen=screen, kind=ScreenEvent.Kind.CONTACT_REQUESTED)
    messages.success(
        request, _("Thank you. Someone from our admissions team will contact you soon.")
    )
    return redirect("assessments:result", token)


@never_cache
@require_http_methods(["GET", "POST"])
def delete_result(request, token: str):
    screen = _screen_for_token(token)
    if screen.result_link_expired():
        return _expired(request, screen)  # an old link, found or leaked, deletes nothing
    if request.method == "POST":
        with transaction.atomic():
            AuditEntry.objects.create(
                action=AuditEntry.Action.DELETED_BY_PERSON, screen_reference=screen.reference
            )
            screen.delete()
            forget_status_counts()
        if request.session.get(LAST_RESULT) == token:
            del request.session[LAST_RESULT]
        return redirect("assessments:deleted")
    return _private(render(request, "assessments/result_delete.html", {"screen": screen}))


def deleted(request):
    return render(request, "assessments/deleted.html")


# --- The JSON API ------------------------------------------------------------------------

CONTACT_BOOL_FIELDS = ("contact_requested", "consent_to_contact")


def _contact_form_data(payload: dict) -> tuple[dict, dict[str, list[str]]]:
    """The API's contact fields as the contact form's data; type errors found on the way."""
    data, errors = {}, {}
    for name in CONTACT_BOOL_FIELDS:
        value = payload.get(name, False)
        if type(value) is not bool:
            errors[name] = [str(rules.MSG_BOOL)]
        elif value:
            data[name] = ["yes" if name == "contact_requested" else "on"]
    data.setdefault("contact_requested", ["no"])
    for name in CONTACT_DETAILS:
        value = payload.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Must be text.")]
        else:
            data[name] = [value]
    return data, errors


@json_api
def api_screens(request, payload: dict, idempotency_key: str):
    known = set(rules.FIELD_NAMES) | set(rules.CONTACT_FIELDS)
    errors = {name: [_("Unknown field.")] for name in payload if name not in known}
    try:
        rec = rules.recommend(payload)
    except rules.InvalidAnswers as invalid:
        rec = None
        errors.update({name: [str(m) for m in msgs] for name, msgs in invalid.errors.items()})
    data, type_errors = _contact_form_data(payload)
    errors.update(type_errors)
    contact = _form(ContactForm, data)
    if not type_errors and not contact.is_valid():
        errors.update({name: [str(m) for m in msgs] for name, msgs in contact.errors.items()})
    if errors:
        return api_error(400, errors)

    # Scoped to the client: another client's key, the same by chance or guessed, is not this.
    digest = (
        idempotency_digest("api", idempotency_key, client=client_ip(request))
        if idempotency_key
        else None
    )
    try:
        screen, created = Screen.objects.submit(
            rec, contact.contact_fields(), idempotency_key=digest
        )
    except IdempotencyConflict:
        message = _(
            "This Idempotency-Key was already used for different answers or contact details."
        )
        return api_error(409, {"__all__": [message]})
    url = request.build_absolute_uri(reverse("assessments:result", args=[screen.result_token]))
    response = JsonResponse(screen.as_api_dict(url), status=201)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response
