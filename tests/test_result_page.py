import re

import pytest
import time_machine
from django.utils.html import escape

from assessments import rules
from assessments.models import AuditEntry, Screen, ScreenEvent
from tests.answers import BASELINE, criteria, make_answers
from tests.screen_flow import CONTACT, form_data

pytestmark = pytest.mark.django_db

# Answers that land on each level, each with its own telling reasons.
BY_LEVEL = {
    "inpatient": make_answers(housing="none"),
    "iop": make_answers(**criteria(4)),
    "outpatient": make_answers(**criteria(2)),
}


def stored(answers=BASELINE, **fields) -> Screen:
    screen, _ = Screen.objects.submit(rules.recommend(answers), fields, idempotency_key=None)
    return screen


def url(screen, suffix=""):
    return f"/r/{screen.result_token}/{suffix}"


@pytest.mark.parametrize("level", BY_LEVEL)
def test_it_shows_the_level_reasons_sources_and_what_it_involves(client, level):
    answers = BY_LEVEL[level]
    rec = rules.recommend(answers)
    screen = stored(answers)
    r = client.get(url(screen))
    assert r.status_code == 200
    info = rules.LEVELS[rules.Level(level)]
    assert f'<h1 class="result-level">{info.label}</h1>' in r.text
    for text in (info.summary, info.hours, info.days, info.length, info.living):
        assert text in r.text
    for reason in rec.reasons:
        assert escape(reason.text) in r.text
        for source in reason.sources:
            assert f'href="/sources/#source-{source.id}"' in r.text
            assert source.publisher in r.text
    for note in rec.notes:
        assert escape(note) in r.text
    assert escape(rules.NOT_AN_ASSESSMENT) in r.text
    assert screen.reference in r.text


def test_reasons_are_only_the_rules_at_the_final_level(client):
    screen = stored(make_answers(**criteria(4), housing="none"))
    r = client.get(url(screen))
    assert escape(rules.RULES_BY_ID["unstable_home"].reason) in r.text
    assert escape(rules.RULES_BY_ID["moderate_use"].reason) not in r.text


def test_a_crisis_result_opens_with_the_crisis_resources(client):
    r = client.get(url(stored(make_answers(self_harm_thoughts=True))))
    main = r.text[r.text.index('<main id="main"') :]
    assert main.index('class="crisis-box"') < main.index("<h1")
    assert 'href="tel:988"' in main


def test_a_detox_first_result_says_detox_comes_first(client):
    r = client.get(url(stored(make_answers(withdrawal_complications=True))))
    assert "Detox with medical care comes first" in r.text
    assert escape(rules.FLAG_TEXTS[rules.Flag.DETOX_FIRST]) in r.text
    assert 'class="crisis-box"' not in r.text


@pytest.mark.parametrize(
    "answers, flag",
    [
        (make_answers(withdrawal_symptoms=True), rules.Flag.DETOX_CHECK),
        (make_answers(**criteria(6), can_leave_home=False), rules.Flag.DISCUSS_INPATIENT),
        (BASELINE, rules.Flag.LOW_SIGNS),
    ],
)
def test_other_flags_are_explained(client, answers, flag):
    assert escape(rules.FLAG_TEXTS[flag]) in client.get(url(stored(answers))).text


def test_it_is_private_never_cached_indexed_or_referred(client):
    r = client.get(url(stored()))
    assert "no-store" in r["Cache-Control"]
    assert r["X-Robots-Tag"] == "noindex, nofollow"
    assert r["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in r.text


def test_it_shows_the_centre_from_settings(client, settings):
    settings.CENTRE = {**settings.CENTRE, "name": "Harbour House", "phone": "555-0199"}
    r = client.get(url(stored()))
    assert "Harbour House" in r.text and 'href="tel:555-0199"' in r.text


def test_an_unknown_token_is_not_found(client):
    assert client.get("/r/not-a-real-token/").status_code == 404


@pytest.mark.parametrize("token", ["%00", "a%00b", "%F0%9F%92%A9", "x" * 65, "%2E%2E", "a b"])
@pytest.mark.parametrize("suffix", ["", "contact/", "delete/"])
def test_a_token_that_cannot_be_one_is_not_found(client, token, suffix):
    """Finding 6: GET /r/%00/ was a 500 on PostgreSQL (a NUL in a query)."""
    method = client.post if suffix == "contact/" else client.get
    assert method(f"/r/{token}/{suffix}").status_code == 404


def test_an_expired_link_says_so(client, settings):
    with time_machine.travel("2026-11-01 12:00Z", tick=False):
        screen = stored()
    with time_machine.travel("2026-12-01 11:59Z", tick=False):
        assert client.get(url(screen)).status_code == 200
    with time_machine.travel("2026-12-01 12:00Z", tick=False):
        r = client.get(url(screen))
    assert r.status_code == 410
    assert "This link has expired" in r.text
    assert screen.reference not in r.text
    assert "no-store" in r["Cache-Control"]


def test_an_expired_link_deletes_nothing(client):
    """Finding 10: until the nightly purge cleared it, an expired link could still delete."""
    with time_machine.travel("2026-11-01 12:00Z", tick=False):
        screen = stored()
    with time_machine.travel("2026-12-01 12:00Z", tick=False):
        confirm = client.get(url(screen, "delete/"))
        r = client.post(url(screen, "delete/"))
    for response in (confirm, r):
        assert response.status_code == 410 and "This link has expired" in response.text
    assert Screen.objects.filter(pk=screen.pk).exists()
    assert not AuditEntry.objects.exists()


def test_the_result_offers_a_call_when_none_was_asked_for(client):
    assert "Request a call" in client.get(url(stored())).text
    with_contact = stored(**form_contact())
    page = client.get(url(with_contact)).text
    assert "Request a call" not in page and "You asked us to contact you" in page


def form_contact():
    return {"contact_requested": True, "consent_to_contact": True, "phone": "555 123 4567"}


def test_requesting_a_call_stores_the_details_with_consent(client):
    screen = stored()
    data = form_data({k: v for k, v in CONTACT.items() if k != "contact_requested"})
    r = client.post(url(screen, "contact/"), data)
    assert r.status_code == 302 and r.url == url(screen)
    screen.refresh_from_db()
    assert screen.contact_requested and screen.consent_to_contact and screen.consent_at
    assert screen.phone == "555 123 4567" and screen.version == 2
    assert ScreenEvent.objects.get(screen=screen).kind == "contact_requested"
    assert "will contact you soon" in client.get(url(screen)).text


def test_requesting_a_call_without_consent_stores_nothing(client):
    screen = stored()
    r = client.post(url(screen, "contact/"), {"phone": "555 123 4567"})
    assert r.status_code == 200
    assert "Tick the box to agree to be contacted" in r.text and "There is a problem" in r.text
    screen.refresh_from_db()
    assert not screen.contact_requested and screen.phone == ""
    assert not ScreenEvent.objects.exists()


def test_requesting_a_call_rejects_get(client):
    assert client.get(url(stored(), "contact/")).status_code == 405


def test_delete_asks_first_then_removes_the_screen_for_good(client):
    screen = stored(**form_contact())
    confirm = client.get(url(screen, "delete/"))
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert Screen.objects.filter(pk=screen.pk).exists()
    r = client.post(url(screen, "delete/"))
    assert r.status_code == 302 and r.url == "/deleted/"
    assert not Screen.objects.filter(pk=screen.pk).exists()
    assert client.get(url(screen)).status_code == 404
    entry = AuditEntry.objects.get()
    assert entry.action == "deleted_by_person" and entry.screen_reference == screen.reference
    assert "have been deleted" in client.get("/deleted/").text


def test_the_page_has_a_print_stylesheet(client):
    r = client.get(url(stored()))
    assert re.search(r'<link rel="stylesheet" href="[^"]*print[^"]*\.css" media="print">', r.text)
