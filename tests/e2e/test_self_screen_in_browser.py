"""A person takes the screen in a real Chromium: by keyboard, without JavaScript, on a phone."""

import re

import pytest
from playwright.sync_api import expect

from assessments.forms import STEPS, STEPS_BY_SLUG
from assessments.models import Screen
from assessments.rules import recommend
from tests.answers import BASELINE, criteria, make_answers
from tests.e2e.conftest import PHONE, assert_accessible, assert_fits_a_phone, shoot
from tests.screen_flow import CONTACT, step_data

pytestmark = pytest.mark.django_db(transaction=True)

MODERATE = make_answers(**criteria(4), substances=["alcohol", "cannabis"], use_days=8)
MAX_TABS = 150


def _active(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement; return {
            tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
            value: el.value || "", checked: !!el.checked, text: el.textContent.trim() }; }"""
    )


def tab_to(page, text: str) -> None:
    """Presses Tab until the link or button with this text has focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _active(page)["text"] == text:
            return
    raise AssertionError(f"Tab never reached {text!r} on {page.url}")


def answer_by_keyboard(page, data: dict) -> None:
    """Fills the page's form with Tab, Space, arrow keys and typing, then presses Enter."""
    done = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        el = _active(page)
        name, wanted = el["name"], data.get(el["name"])
        if el["type"] == "radio" and name not in done:
            if wanted is not None:
                for _ in range(6):
                    if _active(page)["value"] == wanted:
                        break
                    page.keyboard.press("ArrowDown")
                page.keyboard.press("Space")
                assert _active(page)["value"] == wanted and _active(page)["checked"]
            done.add(name)
        elif el["type"] == "checkbox":
            values = wanted if isinstance(wanted, list) else ([el["value"]] if wanted else [])
            if (el["value"] in values) != el["checked"]:
                page.keyboard.press("Space")
        elif el["tag"] == "input" and el["type"] in ("text", "number", "tel", "email"):
            page.keyboard.press("Control+A")
            page.keyboard.type(str(wanted or ""))
        elif el["tag"] == "button" and el["value"] == "continue":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"never reached Continue on {page.url}")


def answer_by_pointer(page, data: dict) -> None:
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        field = page.locator(f"[name={name}]").first
        kind = field.get_attribute("type")
        if kind in ("radio", "checkbox"):
            for item in values:
                page.locator(f"[name={name}][value='{item}']").check()
        else:
            field.fill(str(value))
    with page.expect_navigation():  # a form post: the next page, or this one with errors
        page.get_by_role("button", name=re.compile("^(Continue|Save and go back)")).click()


def test_a_person_completes_the_screen_with_the_keyboard_alone(open_page):
    page = open_page("/")
    assert_accessible(page)
    tab_to(page, "Start the screen")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    values = {**MODERATE, **CONTACT}
    for step in STEPS:
        assert page.url.endswith(f"/screen/{step.slug}/")
        assert_accessible(page)
        shoot(page, f"step-{step.slug}")
        data = step_data(step, values)
        if step.slug == "contact":
            data["consent_to_contact"] = ["on"]
        answer_by_keyboard(page, data)
    assert page.url.endswith("/screen/check/")
    assert_accessible(page)
    shoot(page, "check-your-answers")
    tab_to(page, "Send and see my result")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/r/" in page.url
    expect(page.locator("h1")).to_have_text("Intensive outpatient program (IOP)")
    expect(page.get_by_role("heading", name="Why")).to_be_visible()
    assert page.locator(".reasons a[href^='/sources/#source-']").count() >= 1
    expect(page.get_by_text("You asked us to contact you")).to_be_visible()
    assert_accessible(page)
    shoot(page, "result-iop")
    screen = Screen.objects.get()
    assert (screen.level, screen.phone, screen.preferred_contact) == (
        "iop",
        "555 123 4567",
        "text",
    )


def test_a_person_requests_a_call_from_the_result_with_the_keyboard(open_page):
    screen, _ = Screen.objects.submit(recommend(MODERATE), {}, idempotency_key=None)
    page = open_page(f"/r/{screen.result_token}/")
    assert_accessible(page)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _active(page)["name"] == "phone":
            break
    page.keyboard.type("555 987 6543")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _active(page)["name"] == "message_ok":
            break
    page.keyboard.press("Space")  # yes, a message is safe
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _active(page)["name"] == "consent_to_contact":
            break
    page.keyboard.press("Space")
    tab_to(page, "Ask us to contact me")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("will contact you soon")).to_be_visible()
    screen.refresh_from_db()
    assert screen.contact_requested and screen.phone == "555 987 6543" and screen.message_ok


def test_a_person_completes_the_screen_without_javascript_on_a_phone(open_page):
    page = open_page("/", js=False, width=PHONE)
    assert_fits_a_phone(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Start the screen").click()
    answers = make_answers(housing="none", substances=["opioids"], **criteria(4))
    for step in STEPS:
        assert_fits_a_phone(page)
        answer_by_pointer(page, step_data(step, {**answers, "contact_requested": False}))
    assert_fits_a_phone(page)
    page.get_by_role("button", name="Send and see my result").click()
    expect(page.locator("h1")).to_have_text("Inpatient care")
    expect(page.get_by_text("Medicines for opioid use disorder")).to_be_visible()
    assert_fits_a_phone(page)
    shoot(page, "result-inpatient-nojs")
    page.get_by_role("link", name="Delete my answers").click()
    expect(page.get_by_role("button", name="Yes, delete my answers")).to_be_visible()
    assert_fits_a_phone(page)
    page.get_by_role("button", name="Yes, delete my answers").click()
    expect(page.locator("h1")).to_have_text("Your answers have been deleted")
    assert not Screen.objects.exists()


def test_errors_are_summarised_focused_and_linked_and_nothing_is_lost(open_page):
    # Each step waits for what it checks (expect): on a busy machine the page's script that
    # moves the focus may run a moment after the page has loaded.
    page = open_page("/screen/")
    answer_by_pointer(page, step_data(STEPS[0], BASELINE))
    expect(page).to_have_url(re.compile(r"/screen/substance-use/$"))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()  # Substance use, sent empty
    summary = page.locator("[data-error-summary]")
    # Wait for it: the click may return before the next page's script has run.
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    shoot(page, "step-errors")
    summary.get_by_role("link", name="Enter a number of days from 0 to 30").click()
    expect(page.locator("#id_use_days")).to_be_focused()
    summary.get_by_role("link", name="Select at least one substance").click()
    expect(page.locator("#id_substances_0")).to_be_focused()
    page.get_by_role("button", name="Back").click()
    expect(page).to_have_url(re.compile(r"/screen/about-you/$"))
    expect(page.locator("[name=age_group][value='18_to_64']")).to_be_checked()


def test_a_yes_to_self_harm_shows_crisis_resources_on_the_next_page(open_page):
    page = open_page("/screen/health/")
    health = STEPS_BY_SLUG["health"]
    answer_by_pointer(page, step_data(health, make_answers(self_harm_thoughts=True)))
    expect(page).to_have_url(re.compile(r"/screen/home/$"))
    crisis = page.locator(".crisis-box")
    expect(crisis).to_be_visible()
    box = crisis.bounding_box()
    heading = page.locator("h1").bounding_box()
    assert box["y"] < heading["y"]  # before anything else in the page's content
    expect(crisis.get_by_role("link", name="Call 988")).to_be_visible()
    expect(crisis.get_by_role("link", name="Text 988")).to_be_visible()
    assert_accessible(page)
    shoot(page, "crisis-next-page")


def test_a_conditional_question_appears_in_place_only_when_it_applies(open_page):
    page = open_page("/screen/substance-use/", width=PHONE)
    prescribed = page.locator("#question-prescribed_as_directed")
    expect(prescribed).to_be_hidden()
    page.locator("[name=substances][value='alcohol']").check()
    expect(prescribed).to_be_hidden()
    page.locator("[name=substances][value='opioids']").check()
    expect(prescribed).to_be_visible()
    assert page.locator("[name=substances][value='opioids']").get_attribute("aria-controls") == (
        "question-prescribed_as_directed"
    )
    page.locator("[name=substances][value='opioids']").uncheck()
    expect(prescribed).to_be_hidden()
    page.locator("[name=substances][value='benzodiazepines']").check()
    expect(prescribed).to_be_visible()
    assert_accessible(page)
    contact = open_page("/screen/contact/", width=PHONE)
    phone = contact.locator("#question-phone")
    expect(phone).to_be_hidden()
    expect(contact.locator("#question-message_ok")).to_be_hidden()
    contact.locator("[name=contact_requested][value='yes']").check()
    expect(phone).to_be_visible()
    expect(contact.locator("#question-message_ok")).to_be_visible()
    contact.locator("[name=contact_requested][value='no']").check()
    expect(phone).to_be_hidden()
    assert_fits_a_phone(contact)


def test_without_javascript_a_conditional_question_shows_with_when_it_applies(open_page):
    page = open_page("/screen/substance-use/", js=False, width=PHONE)
    prescribed = page.locator("#question-prescribed_as_directed")
    expect(prescribed).to_be_visible()
    expect(prescribed).to_contain_text("Only if you chose opioids or benzodiazepines.")
    # Answered for alcohol alone, it is not asked, so the answer is dropped, not an error.
    answer_by_pointer(
        page,
        step_data(STEPS_BY_SLUG["substance-use"], BASELINE) | {"prescribed_as_directed": "yes"},
    )
    assert page.url.endswith("/screen/signs/")
