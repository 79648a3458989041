"""The patient's journey at 2 a.m. on a phone (issue 14), in a real Chromium at 375 px.

Quick exit, Change and back to the row, Start over that asks first, the crisis links, keeping
the result (print, copy the link), and three people's whole journeys with axe and no sideways
scroll. Every wait is a Playwright expect or a wait for a condition, never a sleep.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.forms import STEPS
from assessments.models import Screen
from assessments.rules import recommend
from tests.answers import criteria, make_answers
from tests.e2e.conftest import PHONE, assert_accessible, assert_fits_a_phone, shoot
from tests.e2e.test_self_screen_in_browser import answer_by_pointer
from tests.screen_flow import CONTACT, step_data

pytestmark = pytest.mark.django_db(transaction=True)

NEUTRAL = "https://www.weather.gov/"
CONTACT_NO = {"contact_requested": False}


def _neutral_site(page) -> list[dict]:
    """Stands in for the neutral site (no request leaves the machine); returns its requests."""
    seen = []

    def fulfil(route):
        seen.append(dict(route.request.headers))
        route.fulfill(
            status=200,
            content_type="text/html",
            body="<!doctype html><title>Weather</title><h1>Weather forecast</h1>",
        )

    page.route(lambda url: url.startswith(NEUTRAL), fulfil)
    return seen


def _answer_steps(page, answers: dict, contact: dict | None = None) -> None:
    for step in STEPS:
        expect(page).to_have_url(re.compile(f"/screen/{step.slug}/"))
        answer_by_pointer(page, step_data(step, {**answers, **(contact or CONTACT_NO)}))
    expect(page).to_have_url(re.compile("/screen/check/"))


def _stored(answers, **fields) -> Screen:
    screen, _ = Screen.objects.submit(recommend(answers), fields, idempotency_key=None)
    return screen


# --- Quick exit ---------------------------------------------------------------------------


def test_exit_this_page_leaves_for_a_neutral_site_and_out_of_the_history(open_page):
    page = open_page("/", width=PHONE)
    requests = _neutral_site(page)
    page.get_by_role("link", name="Start the screen").click()
    expect(page).to_have_url(re.compile("/screen/about-you/$"))
    page.get_by_role("link", name="Exit this page").click()
    expect(page).to_have_url(NEUTRAL)
    expect(page.locator("h1")).to_have_text("Weather forecast")
    assert "referer" not in requests[0]  # the neutral site learns nothing about us
    page.go_back()
    # The step was replaced in the history: Back goes to the page before it, not the screen.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("Which kind of treatment could fit you?")


def test_escape_three_times_exits_and_twice_only_warns(open_page):
    page = open_page("/screen/", width=PHONE)
    requests = _neutral_site(page)
    expect(page).to_have_url(re.compile("/screen/about-you/$"))
    status = page.locator("[data-quick-exit-status]")
    page.keyboard.press("Escape")
    expect(status).to_have_text("Press Escape 2 more times to exit this page.")
    page.keyboard.press("Escape")
    expect(status).to_have_text("Press Escape once more to exit this page.")
    assert "/screen/about-you/" in page.url
    page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL)
    assert len(requests) >= 1 and "referer" not in requests[0]


def test_exit_this_page_is_a_plain_link_without_javascript(open_page):
    page = open_page("/screen/", js=False, width=PHONE)
    _neutral_site(page)
    link = page.get_by_role("link", name="Exit this page")
    assert link.get_attribute("href") == NEUTRAL
    assert link.get_attribute("rel") == "noreferrer"
    link.click()
    expect(page).to_have_url(NEUTRAL)


# --- Change, and back to the row ----------------------------------------------------------


def test_change_goes_to_the_question_then_back_to_its_row_and_no_fragment_follows(open_page):
    page = open_page("/screen/", width=PHONE)
    _answer_steps(page, make_answers(**criteria(2)))
    # The last question of its step, far down Check your answers.
    page.get_by_role(
        "link", name="Change Did you feel withdrawal when you stopped, or use to avoid it?"
    ).click()
    expect(page).to_have_url(re.compile(r"/screen/signs-more/\?from=check.*#question-withdrawal$"))
    question = page.locator("#question-withdrawal")
    expect(question).to_be_in_viewport()
    expect(page.locator("#id_withdrawal_0")).to_be_focused()  # keyboard users land there too
    exit_button = page.get_by_role("link", name="Exit this page").bounding_box()
    box = question.bounding_box()
    assert box["y"] >= exit_button["y"] + exit_button["height"]  # not under the sticky button
    page.locator("[name=withdrawal][value=yes]").check()
    page.get_by_role("button", name="Save and go back to your answers").click()
    expect(page).to_have_url(re.compile(r"/screen/check/#answer-withdrawal$"))
    row = page.locator("#answer-withdrawal")
    expect(row).to_be_in_viewport()
    expect(row.locator("dd").first).to_have_text("Yes")
    assert page.evaluate("window.scrollY") > 500
    page.get_by_role("button", name="Send and see my result").click()
    expect(page).to_have_url(re.compile(r"/r/[^/#]+/$"))  # the private address, unchanged
    assert "#" not in page.url


# --- Start over ---------------------------------------------------------------------------


def test_start_over_asks_on_its_own_page_without_javascript(open_page):
    page = open_page("/screen/", js=False, width=PHONE)
    answer_by_pointer(page, step_data(STEPS[0], make_answers()))
    expect(page).to_have_url(re.compile("/screen/substance-use/$"))
    page.get_by_role("link", name="Start over and clear my answers").click()
    expect(page.locator("h1")).to_have_text("Do you want to start over?")
    assert_fits_a_phone(page)
    page.get_by_role("link", name="No, go back to my answers").click()
    expect(page).to_have_url(re.compile("/screen/substance-use/$"))
    page.get_by_role("button", name="Back").click()
    expect(page.locator("[name=age_group][value='18_to_64']")).to_be_checked()  # kept
    page.get_by_role("link", name="Start over and clear my answers").click()
    page.get_by_role("button", name="Yes, clear my answers").click()
    expect(page.get_by_text("Your answers have been cleared.")).to_be_visible()
    page.get_by_role("link", name="Start the screen").click()
    expect(page.locator("[name=age_group]:checked")).to_have_count(0)


# --- The result ---------------------------------------------------------------------------


def test_the_crisis_box_has_big_call_and_text_links(open_page):
    screen = _stored(make_answers(self_harm_thoughts=True, **criteria(3)))
    page = open_page(f"/r/{screen.result_token}/", width=PHONE)
    box = page.locator(".crisis-box")
    for name, href in (("Call 988", "tel:988"), ("Text 988", "sms:988"), ("Call 911", "tel:911")):
        link = box.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert link.get_attribute("href") == href
        size = link.bounding_box()
        assert size["height"] >= 48 and size["width"] >= 120, (name, size)
    expect(box).not_to_contain_text("carry on with the screen")
    assert_accessible(page)


def test_print_uses_the_browsers_print_with_javascript(open_page):
    screen = _stored(make_answers(**criteria(4)))
    page = open_page(None, width=PHONE)
    page.add_init_script("window.print = () => { document.body.dataset.printed = 'yes'; };")
    page.goto(page.base_url + f"/r/{screen.result_token}/")
    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    assert "#" not in page.url


def test_on_paper_the_result_keeps_its_words_and_link_and_drops_the_controls(open_page):
    screen = _stored(make_answers(self_harm_thoughts=True, **criteria(3)))
    page = open_page(f"/r/{screen.result_token}/", width=PHONE)
    page.emulate_media(media="print")
    for hidden in ("Exit this page", "Print or save as PDF", "Delete my answers"):
        expect(page.get_by_role("link", name=hidden)).to_be_hidden()
    expect(page.locator(".request-call")).to_be_hidden()
    expect(page.locator(".crisis-line")).to_be_hidden()
    for shown in (".crisis-box", "h1", ".reasons", ".what-next", "#result-link"):
        expect(page.locator(shown)).to_be_visible()


def test_print_without_javascript_shows_how(open_page):
    screen = _stored(make_answers(**criteria(4)))
    page = open_page(f"/r/{screen.result_token}/", js=False, width=PHONE)
    expect(page.get_by_role("button", name="Copy my private link")).to_be_hidden()
    expect(page.locator("#result-link")).to_have_text(re.compile(f"/r/{screen.result_token}/$"))
    page.get_by_role("link", name="Print or save as PDF").click()
    expect(page).to_have_url(re.compile("#how-to-print$"))
    expect(page.locator("#how-to-print")).to_be_in_viewport()


def test_copy_my_private_link_puts_the_link_on_the_clipboard(open_page):
    screen = _stored(make_answers(**criteria(4)))
    page = open_page(None, width=PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(page.base_url + f"/r/{screen.result_token}/")
    page.get_by_role("button", name="Copy my private link").click()
    expect(page.locator("#copy-status")).to_have_text(re.compile("^Link copied"))
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{page.base_url}/r/{screen.result_token}/"


def test_a_level_not_offered_points_to_findtreatment_gov(open_page, settings):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    screen = _stored(make_answers(housing="none", **criteria(4)))
    page = open_page(f"/r/{screen.result_token}/", width=PHONE)
    link = page.locator(".refer-out").get_by_role("link", name="FindTreatment.gov")
    assert link.get_attribute("href") == "https://findtreatment.gov/"
    assert link.get_attribute("rel") == "noreferrer"
    assert_accessible(page)


# --- Three people, start to finish, on a phone ----------------------------------------------

PERSONAS = [
    (
        "daily-drinker",
        # Drinks every day, shaky when going without, and no one at home to help.
        make_answers(use_days=30, withdrawal_now="mild", support_person=False, **criteria(7)),
        CONTACT,
        "Inpatient care",
    ),
    (
        "curious-cannabis-user",
        make_answers(substances=["cannabis"], use_days=2),
        CONTACT_NO,
        "Your answers show few signs that you need treatment",
    ),
    (
        "person-in-crisis",
        make_answers(self_harm_thoughts=True, **criteria(4)),
        CONTACT_NO,
        "Inpatient care",
    ),
]


@pytest.mark.parametrize("name, answers, contact, headline", PERSONAS)
def test_a_persons_whole_journey_on_a_phone(open_page, name, answers, contact, headline):
    page = open_page("/", width=PHONE)
    assert_accessible(page)
    page.get_by_role("link", name="Start the screen").click()
    for step in STEPS:
        expect(page).to_have_url(re.compile(f"/screen/{step.slug}/$"))
        assert_accessible(page)
        assert_fits_a_phone(page)
        data = step_data(step, {**answers, **contact})
        if data.pop("consent_to_contact", None):
            # The contact details show once "Yes" is chosen.
            page.locator("[name=contact_requested][value=yes]").check()
            page.get_by_label("I agree to be contacted").check()
        answer_by_pointer(page, data)
    expect(page).to_have_url(re.compile("/screen/check/$"))
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_role("button", name="Send and see my result").click()
    expect(page.locator("h1")).to_have_text(headline)
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.get_by_role("link", name="Exit this page")).to_be_visible()
    if name == "person-in-crisis":
        crisis = page.locator(".crisis-box")
        expect(crisis).to_be_visible()
        assert crisis.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, f"journey-{name}")


# --- Short steps ------------------------------------------------------------------------------

PHONE_SCREEN_HEIGHT = 812  # a 375-px-wide phone (iPhone X to 13 mini)
ABOUT_TWO_SCREENS = 2.05 * PHONE_SCREEN_HEIGHT  # "at most about two phone screens" (issue 14)


def test_no_step_is_longer_than_about_two_phone_screens(open_page):
    page = open_page(None, width=PHONE)
    page.set_viewport_size({"width": PHONE, "height": PHONE_SCREEN_HEIGHT})
    heights = {}
    for step in STEPS:
        page.goto(page.base_url + f"/screen/{step.slug}/")
        expect(page.locator("h1")).to_have_text(str(step.title))
        heights[step.slug] = page.evaluate("document.body.scrollHeight")
    longest = max(heights, key=heights.get)
    assert heights[longest] <= ABOUT_TWO_SCREENS, heights
    # Yes and No sit side by side: one line, not two, for each yes/no question.
    page.goto(page.base_url + "/screen/signs/")
    yes, no = page.locator("#id_craving_0"), page.locator("#id_craving_1")
    assert yes.bounding_box()["y"] == no.bounding_box()["y"]
