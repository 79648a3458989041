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
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import policy, questions, rules
from assessments.decorators import api_error, json_api, submission_rate_exceeded
from assessments.forms import (
    CONTACT_DETAILS,
    STEPS,
    STEPS_BY_SLUG,
    ContactForm,
    RequestCallForm,
    Step,
    error_summary,
    form_value,
)
from assessments.models import (
    AuditEntry,
    IdempotencyConflict,
    Screen,
    ScreenEvent,
    forget_status_counts,
    idempotency_digest,
    offered_here,
)
from assessments.sources import PROVIDER_ARTICLE_IDS, SOURCES
from careguide import hours
from careguide.middleware import client_ip
from careguide.ratelimit import over_limit, too_many
from careguide.views import RETRY_AFTER_SECONDS

DRAFT = "screen_draft"  # the answers so far, in the person's session
LAST_RESULT = "screen_result"  # the token of the screen this browser submitted last
REFUSED = "refused"  # in the draft: the steps whose last answers did not all pass
CONTACT_STEP = STEPS[-1]
# The public treatment locator (SAMHSA), for a level this centre does not offer: a plain
# link, with nothing of the person's in it.
FIND_TREATMENT_URL = "https://findtreatment.gov/"
LANGUAGES = dict(settings.LANGUAGES)


# --- Public pages -----------------------------------------------------------------------


def how_it_works(request):
    """The policy in plain words, made from the policy and the questions themselves."""
    return render(
        request,
        "assessments/how_it_works.html",
        {
            "policy": policy,
            "rules": [(rule, policy.LEVELS[rule.raises_to].label) for rule in policy.RULES],
            "steps": STEPS,
            "conditional": [q for q in questions.QUESTIONS if q.asked_when],
            "profile": [
                (gettext_lazy("Which answers count"), policy.counted_criteria.text),
                (gettext_lazy("Using now"), policy.using.text),
                (gettext_lazy("Signs of withdrawal"), policy.withdrawal_signs.text),
                (gettext_lazy("Withdrawal at home is not safe when"), policy.unsafe_at_home.text),
                (gettext_lazy("Detox need"), policy.needs_medical_detox.text),
                ("", policy.needs_monitored_detox.text),
                (gettext_lazy("Home stability"), policy.home_stability.text),
                (gettext_lazy("Using again after care"), policy.relapse_after_care.text),
                (gettext_lazy("Seen first"), policy.priority_population.text),
            ],
            "levels": policy.LEVELS.items(),
            "flags": [info for info in policy.FLAGS.values() if info.text],
        },
    )


def sources(request):
    articles = [SOURCES[source_id] for source_id in PROVIDER_ARTICLE_IDS]
    references = [s for s in SOURCES.values() if s.id not in PROVIDER_ARTICLE_IDS]
    return render(
        request,
        "assessments/sources.html",
        {"articles": articles, "references": references},
    )


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


CRISIS_QUESTIONS = ("self_harm_thoughts", "harm_others_thoughts")


def _crisis_answered(draft: dict | None) -> bool:
    health = draft["steps"].get("health", {}) if draft else {}
    return any(health.get(name) == [form_value(True)] for name in CRISIS_QUESTIONS)


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
    for a field that is missing or invalid. At most one value a field, or each choice once.

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
            too_many = len(values) > most or len(set(values)) != len(values)
            if too_many or any(len(value) > ANSWER_MAX_CHARS for value in values):
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


@require_http_methods(["GET", "POST"])
def start_over(request):
    """Asks first, on a page of its own; only the POST clears the answers."""
    if request.method == "POST":
        request.session.pop(DRAFT, None)
        messages.info(request, _("Your answers have been cleared. You can start again."))
        return redirect("assessments:home")
    draft = _get_draft(request)
    if draft is None:
        return redirect("assessments:home")
    back = request.GET.get("back", "")
    if back in STEPS_BY_SLUG:
        back_url = reverse("assessments:step", args=[back])
    elif back == "check":
        back_url = reverse("assessments:check")
    else:
        back_url = _resume_url(draft)
    return render(request, "assessments/start_over.html", {"back_url": back_url})


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
        form = _form(current.form_class, initial=_initial(current, data))
        response = render(
            request,
            "assessments/step.html",
            {
                "step": current,
                "form": form,
                "questions": _questions(form),
                "number": STEPS.index(current) + 1,
                "total": len(STEPS),
                "unsaved": True,
            },
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _back_to_check(current: Step, changed: str) -> str:
    """Check your answers, at the row of the answer that was changed (when there is one)."""
    url = reverse("assessments:check")
    return f"{url}#answer-{changed}" if changed in current.form_class.base_fields else url


def _step(request, current: Step):
    index = STEPS.index(current)
    from_check = request.GET.get("from") == "check"
    changed = request.GET.get("change", "")  # the question a Change link came for
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
                return redirect(_back_to_check(current, changed))
            if index == 0:
                return redirect("assessments:home")
            return redirect("assessments:step", STEPS[index - 1].slug)
        if form.is_valid():
            if from_check or index == len(STEPS) - 1:
                resume = _resume_url(draft)
                if from_check and resume == reverse("assessments:check"):
                    return redirect(_back_to_check(current, changed))
                return redirect(resume)
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
            "questions": _questions(form),
            "number": index + 1,
            "total": len(STEPS),
            "crisis": _crisis_answered(draft),
            "from_check": from_check,
            "errors": error_summary(form),
        },
    )


def _questions(form) -> list[dict]:
    """Each of a step's fields with what reveals it: the browser shows a conditional question
    in place only when its condition holds (without JavaScript, every question shows)."""
    rows = []
    for question in form.step.questions:
        if question.name not in form.fields:
            continue
        reveal, field = question.reveal, form[question.name]
        rows.append(
            {
                "field": field,
                "yes_no": question.kind == questions.Kind.BOOL,
                "reveal_field": reveal.field if reveal else "",
                "reveal_values": " ".join(form_value(v) for v in reveal.values) if reveal else "",
                "condition": reveal.text if question.asked_when else "",
                # Its controls are the same for everyone with the same answer, so they are
                # rendered once (step.html caches them): crispy's field templates were over a
                # third of a step page's time. Never contact details, nor a field with errors.
                "cacheable": question.kind in questions.CHOSEN_KINDS and not field.errors,
            }
        )
    return rows


def _answer_rows(form) -> list[tuple[str, str, str]]:
    """(field name, question, answer in words) for a valid step, as the person was asked it."""
    data = form.cleaned_data
    return [
        (question.name, form.fields[question.name].label, _answer_words(question, data))
        for question in form.step.questions
        if question.reveal is None or question.reveal(data)
    ]


def _answer_words(question: questions.Question, data: dict) -> str:
    value = data.get(question.name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        picked = [_(question.choice_text(item)) for item in value]
        return ", ".join(picked) or _(question.none_text)
    if question.choices and value:
        return _(question.choice_text(value))
    return _("Not given") if value in (None, "") else str(value)


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
            answers.update(forms[step.slug].answers())
        rec = rules.recommend(answers)
        try:
            screen, _created = Screen.objects.submit(
                rec,
                forms[CONTACT_STEP.slug].contact_fields(),
                idempotency_key=idempotency_digest("form", draft["key"]),
                language=_active_language(),
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
    return render(
        request,
        "assessments/check.html",
        {"sections": sections, "crisis": _crisis_answered(draft)},
    )


# --- Rate limit --------------------------------------------------------------------------


def _too_many(request, retry_after: int):
    return too_many(request, "assessments/rate_limited.html", retry_after)


# --- The result --------------------------------------------------------------------------


def _screen_for_token(request, token: str) -> Screen:
    """The screen, its pages in the language it was answered in, unless the person chose a
    language on this device (the language choice's cookie)."""
    screen = get_object_or_404(Screen, result_token=token)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and screen.language in LANGUAGES:
        translation.activate(screen.language)
        request.LANGUAGE_CODE = screen.language
    return screen


def _active_language() -> str:
    """The language a screen is answered in: the request's (LocaleMiddleware's) choice."""
    language = translation.get_language()
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def _private(response):
    """A page with personal data: never indexed (never cached: never_cache on its views; the
    token never sent to another site: SECURE_REFERRER_POLICY, for every page)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _expired(request, screen: Screen):
    return _private(render(request, "assessments/result_expired.html", status=410))


def _when_we_call() -> dict:
    """When the team can be expected to call a person who asks now, in words for the page."""
    now = timezone.localtime()  # the centre's time zone (TIME_ZONE)
    within = settings.CENTRE_CALLBACK_HOURS
    call = hours.when_we_call(settings.CENTRE_HOURS, now, timedelta(hours=within))
    words = {"open_now": call["open_now"], "within": within}
    if "by" in call:
        words["by"] = hours.time_words(call["by"])
    if "closes" in call:
        words["closes"] = hours.time_words(call["closes"])
    if "next" in call:
        words["next_day"] = hours.day_words(call["next"], now)
        words["next_time"] = hours.time_words(call["next"])
    return words


def _result_page(request, screen: Screen, call_form=None, status=200):
    level = rules.Level(screen.level)
    call_form = call_form or (None if screen.contact_requested else _form(RequestCallForm))
    # Few signs of a disorder leads the page, where the level is outpatient (ruleset 1 could
    # also raise such answers higher, for housing say: then the level leads as usual).
    low_signs = rules.Flag.LOW_SIGNS in screen.flags and level is rules.Level.OUTPATIENT
    # The crisis box and the few-signs headline say their flags' words themselves.
    shown_apart = {rules.Flag.CRISIS} | ({rules.Flag.LOW_SIGNS} if low_signs else set())
    return _private(
        render(
            request,
            "assessments/result.html",
            {
                "screen": screen,
                "level": level,
                "info": rules.LEVELS[level],
                "crisis": rules.Flag.CRISIS in screen.flags,
                "low_signs": low_signs,
                "self_help_sources": [SOURCES[s] for s in policy.SELF_HELP_CITES],
                "flag_boxes": [
                    (flag, info)
                    for flag, info in rules.FLAGS.items()
                    if flag in screen.flags and flag not in shown_apart
                ],
                "offered": offered_here(screen.level),
                "find_treatment_url": FIND_TREATMENT_URL,
                "call": _when_we_call(),
                "result_url": request.build_absolute_uri(
                    reverse("assessments:result", args=[screen.result_token])
                ),
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
    screen = _screen_for_token(request, token)
    if screen.result_link_expired():
        return _expired(request, screen)
    return _result_page(request, screen)


@never_cache
@require_POST
def request_call(request, token: str):
    screen = _screen_for_token(request, token)
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
    screen = _screen_for_token(request, token)
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

CONTACT_BOOL_FIELDS = tuple(
    name for name in questions.CONTACT_NAMES if name not in CONTACT_DETAILS
)  # contact_requested, message_ok, consent_to_contact


def _contact_form_data(payload: dict) -> tuple[dict, dict[str, list[str]]]:
    """The API's contact fields as the contact form's data; type errors found on the way."""
    data, errors = {}, {}
    for name in CONTACT_BOOL_FIELDS:
        value = payload.get(name, False)
        if type(value) is not bool:
            errors[name] = [_(rules.MSG_BOOL)]
        elif name == "consent_to_contact":
            if value:
                data[name] = ["on"]
        else:
            data[name] = [form_value(value)]
    message_ok = questions.BY_NAME["message_ok"]
    if payload.get("message_ok") is True and not message_ok.asked_when(payload):
        condition = _(message_ok.asked_when.text)
        errors["message_ok"] = [_(rules.MSG_NOT_ASKED).format(condition=condition)]
    for name in CONTACT_DETAILS:
        value = payload.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = [_("Must be text.")]
        else:
            data[name] = [value]
    return data, errors


def _api_contact(payload: dict) -> tuple[dict, dict[str, list[str]]]:
    """The contact details to store, checked as the contact step checks them, or the errors."""
    if not any(name in payload for name in rules.CONTACT_NAMES):
        # None sent: nothing to check (building the form to say so was a fifth of a submission).
        return {}, {}
    data, errors = _contact_form_data(payload)
    if errors:
        return {}, errors
    form = _form(ContactForm, data)
    if not form.is_valid():
        return {}, {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    return form.contact_fields(), {}


@csrf_exempt  # an API for other systems: no cookies, no session, so no CSRF to forge
def api_v1_screens(request):
    """Schema 1 is retired: say where schema 2 is, whatever was sent."""
    url = reverse("assessments:api_screens")
    message = _("Version 1 of this API has ended. Send schema-2 answers to %(url)s.") % {
        "url": url
    }
    response = JsonResponse({"errors": {"__all__": [message]}, "successor": url}, status=410)
    response["Link"] = f'<{url}>; rel="successor-version"'
    return response


@require_GET
def api_schema(request):
    """The answers of schema 2 as a JSON Schema (draft 2020-12), from the questions."""
    schema = questions.json_schema(request.build_absolute_uri())
    return JsonResponse(schema, json_dumps_params={"ensure_ascii": False})


def _in_request_language(result: dict) -> dict:
    """The API's result with its words in the request's language (Accept-Language): a screen
    stores them in English, which are the msgids."""
    return result | {
        "level_label": _(result["level_label"]),
        "reasons": [reason | {"text": _(reason["text"])} for reason in result["reasons"]],
        "notes": [note | {"text": _(note["text"])} for note in result["notes"]],
    }


@json_api
def api_screens(request, payload: dict, idempotency_key: str):
    known = set(rules.ANSWER_NAMES) | set(rules.CONTACT_NAMES)
    errors = {name: [_("Unknown field.")] for name in payload if name not in known}
    try:
        rec = rules.recommend(payload)
    except rules.InvalidAnswers as invalid:
        rec = None
        errors.update(
            {name: [m.translate(_) for m in msgs] for name, msgs in invalid.errors.items()}
        )
    contact, contact_errors = _api_contact(payload)
    errors.update(contact_errors)
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
            rec, contact, idempotency_key=digest, language=_active_language()
        )
    except IdempotencyConflict:
        message = _(
            "This Idempotency-Key was already used for different answers or contact details."
        )
        return api_error(409, {"__all__": [message]})
    url = request.build_absolute_uri(reverse("assessments:result", args=[screen.result_token]))
    response = JsonResponse(_in_request_language(screen.as_api_dict(url)), status=201)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response
