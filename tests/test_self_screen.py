import re

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client

from assessments import rules
from assessments.forms import STEPS, STEPS_BY_SLUG
from assessments.models import Screen
from tests.answers import BASELINE, criteria, make_answers
from tests.screen_flow import CONTACT, answer_all_steps, step_data, step_url, submit

pytestmark = pytest.mark.django_db


def test_home_page_explains_the_screen_and_starts_it(client):
    r = client.get("/")
    assert r.status_code == 200
    for words in ("free and confidential", "about five minutes", "not a diagnosis"):
        assert words in r.text
    assert 'href="/screen/"' in r.text


def test_start_goes_to_the_first_step(client):
    r = client.get("/screen/")
    assert r.status_code == 302
    assert r.url == "/screen/about-you/"


def test_it_walks_every_step_in_order_with_progress(client):
    client.get("/screen/")
    for number, step in enumerate(STEPS, start=1):
        page = client.get(step_url(step))
        assert page.status_code == 200
        assert f"Step {number} of {len(STEPS)}" in page.text
        assert f'value="{number}" max="{len(STEPS)}"' in page.text
        r = client.post(step_url(step), step_data(step, {**BASELINE, **CONTACT}))
        expected = step_url(STEPS[number]) if number < len(STEPS) else "/screen/check/"
        assert r.status_code == 302 and r.url == expected


def test_an_unknown_step_is_not_found(client):
    assert client.get("/screen/nonsense/").status_code == 404


@pytest.mark.parametrize("step", STEPS[:-1], ids=lambda step: step.slug)
def test_each_step_submitted_empty_shows_an_error_for_every_question(client, step):
    r = client.post(step_url(step), {})
    assert r.status_code == 200
    assert 'role="alert"' in r.text and "There is a problem" in r.text
    assert r.text.startswith("<!doctype html>") and "<title>Error: " in r.text
    for question in step.form_class.step.questions:
        name = question.name
        if question.reveal:  # asked only once what it depends on is answered
            assert f'href="#id_{name}' not in r.text
            continue
        assert f'href="#id_{name}' in r.text  # the summary links to the field
        assert f'id="id_{name}_error"' in r.text  # and the message sits next to it
    assert Screen.objects.count() == 0


SUBSTANCE_USE, SIGNS, HOME = (STEPS_BY_SLUG[slug] for slug in ("substance-use", "signs", "home"))


def test_a_conditional_question_is_required_only_when_it_is_asked(client):
    data = step_data(SUBSTANCE_USE, make_answers(substances=["benzodiazepines"]))
    del data["prescribed_as_directed"]
    r = client.post("/screen/substance-use/", data)
    assert r.status_code == 200
    assert 'href="#id_prescribed_as_directed_0"' in r.text
    assert "Select yes if they are all prescribed for you and taken as directed" in r.text
    r = client.post("/screen/substance-use/", step_data(SUBSTANCE_USE, BASELINE))
    assert r.status_code == 302


def test_an_answer_to_a_question_not_asked_is_dropped(client):
    data = step_data(SUBSTANCE_USE, BASELINE) | {"prescribed_as_directed": "yes"}
    client.get("/screen/")
    assert client.post("/screen/substance-use/", data).status_code == 302
    answer_all_steps(client, BASELINE)
    client.post("/screen/substance-use/", data)
    client.post("/screen/check/")
    assert Screen.objects.get().answers["prescribed_as_directed"] is False


def test_a_conditional_question_says_when_it_applies_and_what_reveals_it(client):
    page = client.get("/screen/history/").text
    assert 'data-reveal-field="recent_higher_care" data-reveal-values="yes"' in page
    assert "Only if you finished detox, inpatient or day treatment" in page
    contact = client.get("/screen/contact/").text
    assert 'id="question-phone" data-reveal-field="contact_requested"' in contact


def test_none_of_these_cannot_be_ticked_with_a_treatment(client):
    data = step_data(STEPS_BY_SLUG["history"], BASELINE) | {"tried_before": ["none", "iop"]}
    r = client.post("/screen/history/", data)
    assert r.status_code == 200
    assert "Select “No, neither of these” or the ones that apply, not both" in r.text


@pytest.mark.parametrize(
    "slug, name, hint, error",
    [
        ("substance-use", "substances", "Select all that apply.", "Select at least one substance"),
        (
            "substance-use",
            "use_days",
            "Enter a number from 0 to 30.",
            "Enter a number of days from 0 to 30",
        ),
        ("signs", "lost_control", None, "Select yes or no"),
    ],
)
def test_a_questions_hint_and_error_come_before_its_answers(client, slug, name, hint, error):
    client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))
    page = client.post(f"/screen/{slug}/", {}).text
    start = page.index(f'<div id="div_id_{name}"')
    end = page.find('<div id="div_id_', start + 1)
    question = page[start : end if end > 0 else page.index("</form>", start)]
    order = [
        question.index('class="form-label'),
        question.index(hint) if hint else None,
        question.index(f'<span class="visually-hidden">Error:</span> {error}'),
        question.index(f'name="{name}"'),
    ]
    order = [at for at in order if at is not None]
    assert order == sorted(order)
    assert f'id="id_{name}_error" class="field-error-message"' in question


@pytest.mark.parametrize("days", ["31", "-1", "abc", "2.5", ""])
def test_it_rejects_use_days_outside_0_to_30(client, days):
    data = step_data(STEPS[1], BASELINE) | {"use_days": days}
    r = client.post("/screen/substance-use/", data)
    assert r.status_code == 200
    assert "Enter a number of days from 0 to 30" in r.text


def test_it_rejects_an_unknown_choice(client):
    r = client.post("/screen/about-you/", {"age_group": "toddler"})
    assert r.status_code == 200
    assert "Select your age group" in r.text


def test_a_step_with_errors_keeps_what_was_typed(client):
    data = step_data(SUBSTANCE_USE, make_answers(substances=["opioids", "cannabis"])) | {
        "use_days": "45"
    }
    r = client.post("/screen/substance-use/", data)
    assert r.status_code == 200
    assert re.search(r'value="opioids"[^>]*checked', r.text)
    assert re.search(r'value="cannabis"[^>]*checked', r.text)
    assert 'value="45"' in r.text
    data = step_data(SIGNS, BASELINE)
    del data["craving"]
    r = client.post("/screen/signs/", data)
    assert r.status_code == 200 and "Select yes or no" in r.text
    assert re.search(r'value="no"[^>]*id="id_lost_control_1"[^>]*checked', r.text)


def test_back_keeps_what_was_typed_even_when_incomplete(client):
    client.get("/screen/")
    r = client.post("/screen/withdrawal/", {"withdrawal_now": "mild", "action": "back"})
    assert r.status_code == 302 and r.url == "/screen/signs-more/"
    page = client.get("/screen/withdrawal/")
    assert re.search(r'value="mild"[^>]*id="id_withdrawal_now_1"[^>]*checked', page.text)
    assert "There is a problem" not in page.text  # no errors before it is sent


def test_back_from_the_first_step_goes_to_the_start_page(client):
    r = client.post("/screen/about-you/", {"action": "back"})
    assert r.status_code == 302 and r.url == "/"


def test_leaving_and_coming_back_within_a_day_resumes(client):
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))
        client.post("/screen/substance-use/", step_data(STEPS[1], BASELINE))
    with time_machine.travel("2026-12-02 08:00Z", tick=False):
        home = client.get("/")
        assert "Continue where you left off" in home.text
        assert 'href="/screen/signs/"' in home.text
        assert client.get("/screen/").url == "/screen/signs/"


def test_answers_are_gone_after_a_day(client):
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))
    with time_machine.travel("2026-12-02 09:01Z", tick=False):
        assert "Continue where you left off" not in client.get("/").text
        assert client.get("/screen/").url == "/screen/about-you/"
        assert "checked" not in client.get("/screen/about-you/").text


def test_start_over_clears_every_answer(client):
    answer_all_steps(client, BASELINE)
    r = client.post("/screen/start-over/")
    assert r.status_code == 302 and r.url == "/"
    assert "have been cleared" in client.get("/").text
    assert client.get("/screen/check/").url == "/screen/"
    assert client.get("/screen/").url == "/screen/about-you/"


@pytest.mark.parametrize(
    "back, expected",
    [("home", "/screen/home/"), ("check", "/screen/check/"), ("", "/screen/check/")],
)
def test_start_over_asks_first_and_clears_nothing_on_its_own(client, back, expected):
    answer_all_steps(client, BASELINE)
    r = client.get(f"/screen/start-over/?back={back}")
    assert r.status_code == 200
    assert "Do you want to start over?" in r.text
    assert 'action="/screen/start-over/" ' not in r.text  # the form posts, with its token
    assert re.search(r'<form method="post" action="/screen/start-over/">', r.text)
    assert f'href="{expected}">No, go back to my answers' in r.text
    assert client.get("/screen/check/").status_code == 200  # every answer still there


def test_start_over_ignores_a_foreign_back_address(client):
    answer_all_steps(client, BASELINE)
    r = client.get("/screen/start-over/?back=https://evil.example/")
    assert 'href="/screen/check/">No, go back' in r.text
    assert "evil.example" not in r.text


def test_start_over_without_answers_goes_home(client):
    assert client.get("/screen/start-over/").url == "/"


@pytest.mark.parametrize("page", ["/screen/home/", "/screen/check/"])
def test_steps_link_to_the_start_over_page_instead_of_clearing_at_once(client, page):
    answer_all_steps(client, BASELINE)
    html = client.get(page).text
    assert 'href="/screen/start-over/?back=' in html
    assert 'action="/screen/start-over/"' not in html


def test_the_start_page_asks_before_clearing_too(client):
    client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))
    html = client.get("/").text
    assert 'href="/screen/start-over/">Start over</a>' in html
    assert 'action="/screen/start-over/"' not in html


def test_check_your_answers_lists_every_answer_with_a_change_link(client):
    answer_all_steps(client, make_answers(substances=["alcohol", "opioids"], use_days=12))
    r = client.get("/screen/check/")
    assert r.status_code == 200
    assert "Alcohol, Opioids (heroin, fentanyl, pain pills)" in r.text
    assert "<dd>12</dd>" in r.text
    assert "<dd>No, neither of these</dd>" in r.text
    for name in rules.ANSWER_NAMES:
        if name == "used_since_care":  # not asked: not listed
            assert "used_since_care" not in r.text
            continue
        assert f'id="answer-{name}"' in r.text
        assert f"?from=check&amp;change={name}#question-{name}" in r.text
    assert "?from=check&amp;change=contact_requested#question-contact_requested" in r.text
    assert "first_name" not in r.text  # no contact asked for: no contact details kept
    # The send form's address has no fragment, so none follows the person to their result.
    assert '<form method="post" action="/screen/check/"' in r.text


def test_a_change_from_check_your_answers_returns_there(client):
    answer_all_steps(client, BASELINE)
    r = client.post(
        "/screen/home/?from=check&change=housing",
        step_data(HOME, make_answers(housing="temporary")),
    )
    assert r.status_code == 302 and r.url == "/screen/check/#answer-housing"
    assert "It is temporary" in client.get("/screen/check/").text
    r = client.post("/screen/home/?from=check&change=evil", step_data(HOME, BASELINE))
    assert r.url == "/screen/check/"  # only a question of that step makes a fragment


def test_a_change_returns_to_the_changed_answers_row(client):
    answer_all_steps(client, BASELINE)
    url = "/screen/home/?from=check&change=housing"
    page = client.get(url).text
    assert '<div class="question" id="question-housing">' in page  # what #question-housing finds
    assert f'<form method="post" action="{url.replace("&", "&amp;")}"' in page
    r = client.post(url, step_data(HOME, make_answers(housing="temporary")))
    assert r.status_code == 302 and r.url == "/screen/check/#answer-housing"
    back = client.post(url, {**step_data(HOME, BASELINE), "action": "back"})
    assert back.url == "/screen/check/#answer-housing"


@pytest.mark.parametrize("change", ["use_days", "../x", ""])
def test_a_change_for_another_steps_question_returns_to_the_top(client, change):
    answer_all_steps(client, BASELINE)
    r = client.post(f"/screen/home/?from=check&change={change}", step_data(HOME, BASELINE))
    assert r.url == "/screen/check/"


def test_sending_from_check_your_answers_posts_to_an_address_without_a_fragment(client):
    answer_all_steps(client, BASELINE)
    page = client.get("/screen/check/").text
    assert '<form method="post" action="/screen/check/" novalidate>' in page


def test_check_your_answers_sends_you_to_the_first_unanswered_step(client):
    client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))
    client.post("/screen/withdrawal/", step_data(STEPS_BY_SLUG["withdrawal"], BASELINE))
    assert client.get("/screen/check/").url == "/screen/substance-use/"
    assert client.post("/screen/check/").url == "/screen/substance-use/"
    assert Screen.objects.count() == 0


def test_a_yes_to_self_harm_opens_the_next_page_with_crisis_resources(client):
    client.get("/screen/")
    health = STEPS_BY_SLUG["health"]
    r = client.post("/screen/health/", step_data(health, make_answers(self_harm_thoughts=True)))
    assert r.url == "/screen/home/"
    page = client.get(r.url).text
    main = page[page.index('<main id="main"') :]
    assert main.index('class="crisis-box"') < main.index("<h1>")
    assert 'href="tel:988"' in main and 'href="tel:911"' in main and "1-800-662-4357" in main
    assert "carry on with the screen" in main
    for href in ("tel:988", "sms:988", "tel:911"):
        assert re.search(rf'<a class="btn btn-lg crisis-action[^"]*" href="{href}">', main)
    assert "<form" in main  # the person can still go on


def test_no_crisis_box_without_a_yes(client):
    client.get("/screen/")
    client.post("/screen/health/", step_data(STEPS_BY_SLUG["health"], BASELINE))
    assert 'class="crisis-box"' not in client.get("/screen/home/").text


def test_submission_stores_the_screen_with_its_result_and_trace(client):
    answers = make_answers(**criteria(4), substances=["alcohol", "opioids"], use_days=10)
    r = submit(client, answers)
    screen = Screen.objects.get()
    assert r.status_code == 302 and r.url == f"/r/{screen.result_token}/"
    rec = rules.recommend(answers)
    assert screen.answers == rec.answers
    assert screen.level == rec.level == "iop"
    assert screen.ruleset_version == rules.RULESET_VERSION
    assert screen.schema_version == rules.SCHEMA_VERSION
    assert screen.trace == [entry.as_dict() for entry in rec.trace]
    assert screen.reasons == [reason.as_dict() for reason in rec.reasons]
    assert screen.severity == "moderate" and screen.detox_need == "none"
    assert screen.status == "new" and not screen.urgent
    assert re.fullmatch(r"CG-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}", screen.reference)
    assert len(screen.result_token) >= 32  # 192 bits in URL-safe base64
    assert not screen.contact_requested and screen.phone == "" and screen.consent_at is None


@pytest.mark.parametrize(
    "answers, level",
    [
        (make_answers(self_harm_thoughts=True, **criteria(4)), "inpatient"),
        # With few signs of a disorder, crisis care, not a residential addiction stay.
        (make_answers(harm_others_thoughts=True), "outpatient"),
    ],
)
def test_a_crisis_screen_is_urgent(client, answers, level):
    submit(client, answers)
    screen = Screen.objects.get()
    assert screen.urgent and "crisis" in screen.flags and screen.level == level


def test_submitting_twice_creates_one_screen(client):
    answer_all_steps(client, BASELINE)
    first = client.post("/screen/check/")
    second = client.post("/screen/check/")  # a double click, a refresh, back and resubmit
    assert Screen.objects.count() == 1
    assert first.url == second.url == f"/r/{Screen.objects.get().result_token}/"


def test_the_same_draft_key_never_stores_two_screens(client):
    # Two requests racing with the same draft: the second finds the first one's screen.
    from assessments.models import idempotency_digest

    rec = rules.recommend(BASELINE)
    key = idempotency_digest("form", "same-draft")
    first, created = Screen.objects.submit(rec, {}, idempotency_key=key)
    again, created_again = Screen.objects.submit(rec, {}, idempotency_key=key)
    assert created and not created_again and first.pk == again.pk


def test_contact_details_are_stored_with_consent_and_its_time(client):
    with time_machine.travel("2026-12-01 22:30Z", tick=False):
        submit(client, BASELINE, CONTACT)
    screen = Screen.objects.get()
    assert screen.contact_requested and screen.consent_to_contact
    assert (screen.first_name, screen.phone, screen.preferred_contact) == (
        "Robin",
        "555 123 4567",
        "text",
    )
    assert screen.consent_at.isoformat() == "2026-12-01T22:30:00+00:00"
    assert screen.message_ok


def test_whether_a_message_is_safe_is_asked_once_contact_is_wanted(client):
    answer_all_steps(client, BASELINE)
    data = step_data(STEPS[-1], CONTACT)
    del data["message_ok"]
    r = client.post("/screen/contact/", data)
    assert "Select yes if it is safe to leave a message" in r.text
    assert Screen.objects.count() == 0
    assert client.post("/screen/contact/", data | {"message_ok": "no"}).status_code == 302
    client.post("/screen/check/")
    assert Screen.objects.get().message_ok is False


def test_contact_details_without_a_request_are_not_stored(client):
    submit(client, BASELINE, {**CONTACT, "contact_requested": False})
    screen = Screen.objects.get()
    assert not screen.contact_requested
    assert (screen.first_name, screen.phone, screen.email, screen.best_time) == ("", "", "", "")


def test_the_contact_step_explains_the_consent(client, settings):
    page = client.get("/screen/contact/").text
    assert "Only the admissions team sees them" in page
    assert "take back this agreement at any time" in page
    assert f"after {settings.RETENTION_DAYS} days at the latest" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"consent_to_contact": False}, "Tick the box to agree to be contacted"),
        ({"phone": "", "email": ""}, "Enter a phone number or an email address"),
        ({"phone": "12345"}, "Enter a phone number like 555 123 4567"),
        ({"phone": "call me maybe"}, "Enter a phone number like 555 123 4567"),
        ({"email": "robin@"}, "Enter an email address like name@example.com"),
        ({"phone": "", "email": "r@example.com", "preferred_contact": "text"}, "or choose email"),
        ({"first_name": "x" * 61}, "60 characters or fewer"),
        ({"preferred_contact": "pigeon"}, "Select phone call, text message or email"),
    ],
)
def test_the_contact_step_rejects_bad_contact_details(client, changes, message):
    answer_all_steps(client, BASELINE)
    r = client.post("/screen/contact/", step_data(STEPS[-1], {**CONTACT, **changes}))
    assert r.status_code == 200
    assert message in r.text
    assert "There is a problem" in r.text
    assert client.get("/screen/check/").url == "/screen/contact/"
    assert Screen.objects.count() == 0


def test_form_submissions_are_rate_limited_per_address(client, settings):
    settings.SUBMISSION_RATE = "2/10m"
    for _ in range(2):
        assert submit(client, BASELINE).status_code == 302
    answer_all_steps(client, BASELINE)
    r = client.post("/screen/check/")
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 600
    assert "Please wait a few minutes" in r.text and "Your answers are still here" in r.text
    assert Screen.objects.count() == 2
    assert client.get("/screen/check/").status_code == 200  # the answers are kept


def test_another_address_is_not_limited(client, settings):
    settings.SUBMISSION_RATE = "1/10m"
    assert submit(client, BASELINE).status_code == 302
    answer_all_steps(client, BASELINE)
    assert client.post("/screen/check/", REMOTE_ADDR="10.1.2.3").status_code == 302
    assert Screen.objects.count() == 2


def test_an_urgent_screen_from_the_form_emails_the_coordinators_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    answer_all_steps(client, make_answers(self_harm_thoughts=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/screen/check/")
        r = client.post("/screen/check/")
    client.get(r.url)  # the next request sends what the outbox holds
    assert [m.subject for m in mailoutbox] == [f"Urgent screen {Screen.objects.get().reference}"]


def test_a_step_sent_while_the_database_is_down_keeps_what_was_typed(client):
    from unittest import mock

    from django.db import OperationalError

    client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))  # a session exists
    data = step_data(HOME, make_answers(housing="temporary", home_safe=False))
    broken = mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("could not connect to server"),
    )
    with broken:
        r = client.post("/screen/home/", data)
    assert r.status_code == 503 and r["Retry-After"] == "60"
    assert "We could not save this step just now" in r.text
    assert re.search(r'value="temporary"[^>]*checked', r.text)
    assert re.search(r'value="no"[^>]*id="id_home_safe_1"[^>]*checked', r.text)
    assert "could not connect" not in r.text
    # Back up: the same post goes through.
    assert client.post("/screen/home/", data).status_code == 302


# --- What a step may leave in the session (finding 2) ---------------------------------------


def _stored_session_bytes() -> int:
    from django.contrib.sessions.models import Session

    return sum(len(data) for data in Session.objects.values_list("session_data", flat=True))


def test_a_huge_answer_never_enters_the_session(client):
    """Five POSTs of a 2.4-million-character first name grew django_session to 12 MB."""
    answer_all_steps(client, BASELINE)
    before = _stored_session_bytes()
    data = step_data(
        STEPS[-1], {**CONTACT, "first_name": "x" * 2_400_000, "best_time": "y" * 100_000}
    )
    for _ in range(5):
        r = client.post("/screen/contact/", data)
        assert r.status_code == 200  # refused, with what was typed and the errors shown
        assert "Enter a first name of 60 characters or fewer" in r.text
    assert _stored_session_bytes() < before + 2_000
    draft = client.session["screen_draft"]["steps"]["contact"]
    assert draft["first_name"] == [] and draft["best_time"] == []
    assert draft["phone"] == ["555 123 4567"]  # the valid answers are kept


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        (STEPS[0], {"age_group": "toddler"}, "age_group"),
        (STEPS[0], {"age_group": ["18_to_64", "x" * 1_000]}, "age_group"),
        (STEPS[1], {"substances": ["alcohol", "nonsense"]}, "substances"),
        (STEPS[1], {"substances": ["alcohol"] * 7}, "substances"),
        (STEPS[1], {"use_days": "0" * 5_000 + "5"}, "use_days"),
        (STEPS[1], {"use_days": "45"}, "use_days"),
        (STEPS[-1], {"consent_to_contact": "on" * 1_000}, "consent_to_contact"),
        (STEPS[-1], {"email": "not an email"}, "email"),
    ],
    ids=lambda value: getattr(value, "slug", None),
)
def test_an_invalid_or_oversized_answer_is_not_kept(client, step, data, field):
    client.post(step_url(step), {**data, "action": "back"})
    assert client.session["screen_draft"]["steps"][step.slug][field] == []


def test_only_the_forms_fields_are_kept(client):
    client.post("/screen/about-you/", {"age_group": "18_to_64", "other": "x" * 1000})
    kept = client.session["screen_draft"]["steps"]["about-you"]
    assert kept == {"age_group": ["18_to_64"], "pregnant": []}


def test_step_posts_are_rate_limited_per_address(client, settings):
    settings.STEP_RATE = "3/10m"
    data = step_data(STEPS[0], BASELINE)
    assert [client.post("/screen/about-you/", data).status_code for _ in range(3)] == [302] * 3
    r = client.post("/screen/about-you/", data)
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 600
    assert "Please wait a few minutes" in r.text
    other = client.post("/screen/about-you/", data, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_a_refused_step_post_starts_no_session(client, settings):
    from django.contrib.sessions.models import Session

    settings.STEP_RATE = "1/10m"
    client.post("/screen/about-you/", step_data(STEPS[0], BASELINE))
    client.cookies.clear()
    assert client.post("/screen/about-you/", {"age_group": "x" * 100_000}).status_code == 429
    assert Session.objects.count() == 1


def test_looking_at_the_steps_starts_no_session(client):
    from django.contrib.sessions.models import Session

    assert client.get("/screen/").url == "/screen/about-you/"
    for step in STEPS:
        assert client.get(step_url(step)).status_code == 200
    assert client.get("/screen/check/").url == "/screen/"
    assert not Session.objects.exists()


# --- Pages with answers are never stored by a browser or a proxy (finding 8) ----------------


def test_pages_with_answers_are_not_stored(client):
    answer_all_steps(client, BASELINE, CONTACT)
    for step in STEPS:
        assert "no-store" in client.get(step_url(step))["Cache-Control"], step.slug
    assert "no-store" in client.get("/screen/check/")["Cache-Control"]
    assert "no-store" in client.get("/")["Cache-Control"]  # it links to the answers
    r = client.post("/screen/contact/", {"contact_requested": "yes"})  # errors, what was typed
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]


def test_a_draft_sent_twice_with_other_answers_is_sent_as_new(client):
    # Another tab sent this draft a moment ago with other answers: these are stored too.
    from assessments.models import idempotency_digest
    from assessments.rules import recommend

    answer_all_steps(client, BASELINE)
    key = idempotency_digest("form", client.session["screen_draft"]["key"])
    Screen.objects.submit(recommend(make_answers(use_days=9)), {}, idempotency_key=key)
    r = client.post("/screen/check/")
    assert r.status_code == 302 and r.url == "/screen/check/"
    r = client.post("/screen/check/")
    assert r.status_code == 302 and r.url.startswith("/r/")
    assert Screen.objects.count() == 2
    assert Screen.objects.get(result_token=r.url.split("/")[2]).answers["use_days"] == 2


# --- A step's answer controls are rendered once for everyone with the same answer ---------


def _checked(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"[^>]*checked', page)


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_each_person_sees_their_own_answer_from_the_rendered_controls(client):
    other = Client()
    client.post("/screen/about-you/", {"age_group": "18_to_64", "pregnant": "yes"})
    other.post("/screen/about-you/", {"age_group": "under_18", "pregnant": "no"})
    for person, age, pregnant in ((client, "18_to_64", "yes"), (other, "under_18", "no")) * 2:
        page = person.get("/screen/about-you/").text
        assert _checked(page, "age_group") == [age]
        assert _checked(page, "pregnant") == [pregnant]
    assert caches["fragments"]._cache  # the second round came from the fragments


def test_the_rendered_controls_are_what_rendering_gives(client):
    client.post("/screen/substance-use/", step_data(SUBSTANCE_USE, make_answers()))
    rendered = client.get("/screen/substance-use/").text
    assert caches["fragments"]._cache
    assert _without_csrf(client.get("/screen/substance-use/").text) == _without_csrf(rendered)


def test_the_rendered_controls_are_kept_per_language(client):
    assert "Are you pregnant?" in client.get("/screen/about-you/").text
    page = client.get("/screen/about-you/", HTTP_ACCEPT_LANGUAGE="es").text
    assert "Are you pregnant?" not in page and "¿Está embarazada?" in page
    assert "Are you pregnant?" in client.get("/screen/about-you/").text


def test_a_field_with_an_error_is_rendered_afresh(client):
    data = step_data(SIGNS, BASELINE)
    del data["craving"]
    page = client.post("/screen/signs/", data).text
    assert 'id="id_craving_error"' in page
    assert 'id="id_craving_error"' not in Client().get("/screen/signs/").text  # unanswered


def test_contact_details_are_never_kept_with_the_rendered_controls(client):
    client.post(step_url(STEPS[-1]), step_data(STEPS[-1], {**BASELINE, **CONTACT}))
    page = client.get(step_url(STEPS[-1])).text
    assert CONTACT["first_name"] in page and CONTACT["phone"] in page
    kept = " ".join(str(value) for value in caches["fragments"]._cache.values())
    assert kept  # the contact step's choices (contact wanted, how) are kept ...
    for detail in ("first_name", "phone", "best_time"):  # ... what was typed never
        assert CONTACT[detail] not in kept
