import re
from datetime import time

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
    "inpatient": make_answers(housing="none", can_leave_home=False, **criteria(4)),
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
    assert rec.notes or level == "iop"
    for note in rec.notes:
        assert escape(note.text) in r.text
        for source in note.sources:
            assert f'href="/sources/#source-{source.id}"' in r.text
    assert escape(rules.NOT_AN_ASSESSMENT) in r.text
    assert screen.reference in r.text


def test_reasons_are_only_the_rules_at_the_final_level(client):
    screen = stored(make_answers(**criteria(4), housing="none"))
    r = client.get(url(screen))
    assert escape(rules.RULES_BY_ID["unstable_home"].reason) in r.text
    assert escape(rules.RULES_BY_ID["moderate_use"].reason) not in r.text


def test_a_crisis_result_opens_with_the_crisis_resources(client):
    r = client.get(url(stored(make_answers(self_harm_thoughts=True, **criteria(4)))))
    main = r.text[r.text.index('<main id="main"') :]
    assert main.index('class="crisis-box"') < main.index("<h1")
    assert 'href="tel:988"' in main


def test_a_detox_first_result_says_detox_comes_first(client):
    r = client.get(url(stored(make_answers(withdrawal_complications=True))))
    assert "Detox with medical care comes first" in r.text
    assert escape(rules.FLAGS[rules.Flag.DETOX_FIRST].text) in r.text
    assert 'class="crisis-box"' not in r.text


@pytest.mark.parametrize(
    "answers, flag",
    [
        (make_answers(withdrawal_now="mild"), rules.Flag.DETOX_CHECK),
        (make_answers(**criteria(6)), rules.Flag.DISCUSS_INPATIENT),
        (BASELINE, rules.Flag.LOW_SIGNS),
        (make_answers(overdose=True), rules.Flag.OVERDOSE_RISK),
        (make_answers(pregnant=True), rules.Flag.PRIORITY),
    ],
)
def test_other_flags_are_explained(client, answers, flag):
    screen = stored(answers)
    assert flag in screen.flags
    assert escape(rules.FLAGS[flag].text) in client.get(url(screen)).text


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


def main_of(html: str) -> str:
    return html[html.index('<main id="main"') :]


def test_few_signs_lead_with_what_helps_and_the_level_comes_second(client):
    html = main_of(client.get(url(stored(BASELINE))).text)
    assert "<h1" in html and html.count("<h1") == 1
    assert (
        '<h1 class="result-headline">Your answers show few signs that you need treatment</h1>'
        in html
    )
    assert '<h1 class="result-level">' not in html
    order = [
        html.index("few signs that you need treatment"),
        html.index("What can help"),
        html.index("Talk to a doctor."),
        html.index("Take this screen again if things change."),
        html.index("If you want support now: Outpatient care"),
    ]
    assert order == sorted(order)
    # Said once, by the reason under "Why", not again as a flag's note.
    assert 'href="/sources/#source-rethinking_drinking"' in html  # what can help, cited
    assert "That is good news." in html
    low_signs = escape(rules.FLAGS[rules.Flag.LOW_SIGNS].text)
    assert html.count(low_signs) == 1
    assert html.index("If you want support now") < html.index(low_signs)


@pytest.mark.parametrize(
    "answers", [make_answers(**criteria(2)), make_answers(housing="none", **criteria(4))]
)
def test_other_results_lead_with_the_level(client, answers):
    rec = rules.recommend(answers)
    html = main_of(client.get(url(stored(answers))).text)
    assert f'<h1 class="result-level">{rec.level_label}</h1>' in html
    assert "What can help" not in html


def test_a_crisis_result_speaks_of_a_finished_screen_with_big_crisis_links(client):
    html = main_of(client.get(url(stored(make_answers(self_harm_thoughts=True)))).text)
    assert "carry on with the screen" not in html
    assert "your result is below" in html
    assert "That is good news" not in html  # few signs, but not good news in a crisis
    for href, words in (("tel:988", "Call 988"), ("sms:988", "Text 988"), ("tel:911", "Call 911")):
        assert re.search(
            rf'<a class="btn btn-lg crisis-action[^"]*" href="{href}">{words}</a>', html
        )


# The centre is open Monday to Friday, 8 a.m. to 8 p.m. (New York); 2026-12-01 is a Tuesday
# and New York is UTC-5 in December.
@pytest.mark.parametrize(
    "utc, expected",
    [
        (
            "2026-12-01 15:05Z",  # Tuesday 10:05 a.m.
            "We are open now. Someone from our admissions team will usually contact you "
            "within 2 hours, by about 12:15 p.m. today.",
        ),
        (
            "2026-12-01 07:00Z",  # Tuesday 2 a.m.
            "We are closed right now. We open again at 8 a.m. today, and will contact you then.",
        ),
        (
            "2026-12-06 20:00Z",  # Sunday 3 p.m.
            "We are closed right now. We open again at 8 a.m. tomorrow, and will contact you "
            "then.",
        ),
        (
            "2026-12-05 01:30Z",  # Friday 8:30 p.m.
            "We are closed right now. We open again at 8 a.m. on Monday, and will contact you "
            "then.",
        ),
        (
            "2026-12-05 00:30Z",  # Friday 7:30 p.m.
            "We are open until 8 p.m. today. If we cannot reach you before then, we will "
            "contact you at 8 a.m. on Monday, when we open again.",
        ),
    ],
)
def test_what_happens_next_says_when_to_expect_contact(client, settings, utc, expected):
    settings.TIME_ZONE = "America/New_York"
    settings.CENTRE_HOURS = {day: (time(8), time(20)) for day in range(5)}
    settings.CENTRE_CALLBACK_HOURS = 2
    with time_machine.travel("2026-11-30 12:00Z", tick=False):
        screen = stored(**form_contact())
    with time_machine.travel(utc, tick=False):
        html = client.get(url(screen)).text
    section = html[
        html.index('class="what-next"') : html.index("</section>", html.index('class="what-next"'))
    ]
    assert expected in " ".join(section.split())
    assert "Monday to Friday, 8 a.m. to 8 p.m." in section
    assert "m.." not in section and "m.," not in section  # no "8 a.m.." at a sentence's end


@pytest.mark.parametrize(
    "utc, expected",
    [
        ("2026-12-01 15:05Z", "We are open now, until 8 p.m. today."),
        ("2026-12-01 07:00Z", "We are closed right now. We open again at 8 a.m. today."),
    ],
)
def test_what_happens_next_without_a_request_says_when_we_are_open(
    client, settings, utc, expected
):
    settings.TIME_ZONE = "America/New_York"
    settings.CENTRE_HOURS = {day: (time(8), time(20)) for day in range(5)}
    with time_machine.travel("2026-11-30 12:00Z", tick=False):
        screen = stored()
    with time_machine.travel(utc, tick=False):
        html = " ".join(client.get(url(screen)).text.split())
    assert expected in html
    assert "You can also ask us to contact you, below." in html


def test_a_level_the_centre_does_not_offer_is_said_plainly_with_the_public_locator(
    client, settings
):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    screen = stored(BY_LEVEL["inpatient"])
    html = main_of(client.get(url(screen)).text)
    assert "does not offer this level of care" in html
    assert "will help you find a place that does" in html
    link = re.search(r'<a href="([^"]*)" rel="noreferrer">FindTreatment.gov</a>', html)
    assert link and link[1] == "https://findtreatment.gov/"
    assert html.index("does not offer") < html.index("<h2>Why</h2>")


@pytest.mark.parametrize("level", ["iop", "outpatient"])
def test_an_offered_level_sends_nobody_elsewhere(client, settings, level):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    html = client.get(url(stored(BY_LEVEL[level]))).text
    assert "does not offer" not in html and "findtreatment.gov" not in html


def test_request_a_call_errors_mention_no_answer_that_is_not_there(client):
    screen = stored()
    r = client.post(url(screen, "contact/"), {"phone": "555 123 4567"})
    assert "Tick the box to agree to be contacted" in r.text
    assert "select no" not in r.text
    assert "<title>Error: Your result · " in r.text
    assert "<title>Your result · " in client.get(url(screen)).text


def test_the_result_can_be_kept_by_link_print_or_pdf(client):
    screen = stored()
    html = client.get(url(screen)).text
    # The link as text to select (without JavaScript), and a copy button that script shows.
    assert f'<span id="result-link">http://testserver/r/{screen.result_token}/</span>' in html
    assert re.search(r'<button type="button" [^>]*data-copy-link="result-link"[^>]* hidden>', html)
    assert '<a class="btn btn-outline-primary" href="#how-to-print" data-print>' in html
    assert 'id="how-to-print"' in html


def test_the_result_page_offers_the_quick_exit(client, settings):
    html = client.get(url(stored())).text
    assert f'href="{settings.QUICK_EXIT_URL}" rel="noreferrer">Exit this page</a>' in html
