"""What the styles do in a real browser: whole stylesheets, the computed styles that matter,
and a screenshot of every page at phone and desktop width (var/screenshots/page-*.png).

An unclosed brace once switched off every style after it while every other test passed;
these look at the page the way a person does.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.forms import STEPS
from assessments.models import Screen
from assessments.rules import recommend
from tests.answers import criteria, make_answers
from tests.e2e.conftest import assert_accessible, assert_fits_a_phone, shoot
from tests.e2e.test_self_screen_in_browser import answer_by_pointer
from tests.e2e.test_workspace_in_browser import log_in, screens  # noqa: F401 (a fixture)
from tests.screen_flow import step_data
from tests.test_css import STATIC, top_level_rule_count

pytestmark = pytest.mark.django_db(transaction=True)

OUR_SHEETS = """() => [...document.styleSheets]
    .filter(sheet => sheet.href && sheet.href.includes('/static/css/'))
    .map(sheet => {
        const nested = [...sheet.cssRules].filter(
            rule => rule instanceof CSSStyleRule && rule.cssRules && rule.cssRules.length);
        return {href: sheet.href, rules: sheet.cssRules.length,
                nested: nested.map(rule => rule.selectorText)};
    })"""


def _style(locator, prop: str) -> str:
    return locator.evaluate(f"el => getComputedStyle(el).{prop}")


def test_the_browser_reads_each_stylesheet_whole(open_page):
    page = open_page("/")
    sheets = page.evaluate(OUR_SHEETS)
    assert {re.sub(r"^.*/static/", "", sheet["href"]) for sheet in sheets} == {
        "css/careguide.css",
        "css/print.css",
    }
    for sheet in sheets:
        path = STATIC / re.sub(r"^.*/static/", "", sheet["href"])
        # As many top-level rules as the file has, none swallowed into another.
        assert sheet["nested"] == [], sheet["href"]
        assert sheet["rules"] == top_level_rule_count(path.read_text()), sheet["href"]


@pytest.mark.usefixtures("screens")
def test_urgent_rows_are_tinted_and_references_stay_on_one_line(open_page):
    page = open_page(None, width=375)
    log_in(page)
    urgent = page.locator("tr.urgent-row").first
    plain = page.locator("tbody tr:not(.urgent-row)").first
    assert _style(urgent.locator("td").first, "backgroundColor") == "rgb(255, 245, 245)"
    assert _style(plain.locator("td").first, "backgroundColor") != "rgb(255, 245, 245)"
    link = urgent.locator("th a").first
    assert _style(link, "whiteSpace") == "nowrap"
    assert link.bounding_box()["height"] < 30  # one line, not a reference broken in two


@pytest.mark.usefixtures("screens")
def test_the_dashboards_bars_have_a_colour_per_level_and_small_legend_swatches(open_page):
    page = open_page(None)
    log_in(page)
    page.goto(page.base_url + "/coordinator/dashboard/")
    fills = {
        level: _style(page.locator(f".chart .chart-level-{level}").first, "fill")
        for level in ("inpatient", "iop", "outpatient")
    }
    assert len(set(fills.values())) == 3, fills
    assert "rgb(0, 0, 0)" not in fills.values()
    assert _style(page.locator(".chart-bar").first, "fill") != "rgb(0, 0, 0)"
    swatch = page.locator(".legend-swatch").first.bounding_box()
    assert swatch["width"] < 24 and swatch["height"] < 24


def test_the_login_form_is_narrow_on_a_wide_screen(open_page):
    page = open_page("/coordinator/login/", width=1280)
    form = page.locator(".narrow-form")
    assert _style(form, "maxWidth") == "448px"  # 28rem
    assert form.bounding_box()["width"] <= 448
    assert page.locator("#id_username").bounding_box()["width"] <= 448


@pytest.mark.usefixtures("screens")
def test_the_42_cfr_notice_is_a_box(open_page):
    page = open_page(None)
    log_in(page)
    page.goto(page.base_url + f"/coordinator/screens/{Screen.objects.first().reference}/")
    notice = page.locator(".confidential-notice")
    assert _style(notice, "borderTopStyle") == "solid"
    assert _style(notice, "borderTopWidth") == "2px"
    assert _style(notice, "backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert _style(notice, "fontWeight") == "600"


def test_the_exit_button_stays_at_the_top_of_the_screen(open_page):
    page = open_page("/how-it-works/", width=375)
    button = page.get_by_role("link", name="Exit this page")
    assert _style(page.locator(".quick-exit"), "position") == "sticky"
    page.mouse.wheel(0, 4000)
    page.wait_for_function("() => window.scrollY > 2000")
    expect(button).to_be_in_viewport()
    assert button.bounding_box()["y"] < 10
    assert button.bounding_box()["width"] > 300  # across a phone's width


# --- Every page, at 375 and 1280 px -------------------------------------------------------


def _stored(answers, **fields) -> Screen:
    screen, _ = Screen.objects.submit(recommend(answers), fields, idempotency_key=None)
    return screen


PATIENT_PAGES = [
    ("home", "/"),
    ("how-it-works", "/how-it-works/"),
    ("sources", "/sources/"),
    ("not-found", "/no-such-page/"),
    ("deleted", "/deleted/"),
]


@pytest.mark.parametrize("name, path", PATIENT_PAGES)
def test_each_public_page_is_shot_accessible_and_fits_a_phone(open_page, name, path):
    page = open_page(path, width=375)
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, f"page-{name}")
    if name == "not-found":  # the browser reports the 404 itself; that is the point here
        assert page.watch.console_errors == [
            "Failed to load resource: the server responded with a status of 404 (Not Found)"
        ]
        page.watch.console_errors.clear()


def test_each_self_screen_page_is_shot_accessible_and_fits_a_phone(open_page):
    page = open_page("/screen/", width=375)
    page.get_by_role("button", name="Continue").click()  # nothing chosen: the error
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    shoot(page, "page-step-error")
    answers = make_answers(**criteria(3))
    for step in STEPS:
        expect(page).to_have_url(re.compile(f"/screen/{step.slug}/$"))
        assert_accessible(page)
        assert_fits_a_phone(page)
        shoot(page, f"page-step-{step.slug}")
        answer_by_pointer(page, step_data(step, {**answers, "contact_requested": False}))
    expect(page).to_have_url(re.compile("/screen/check/$"))
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "page-check")
    page.goto(page.base_url + "/screen/substance-use/")
    page.get_by_role("link", name="Start over and clear my answers").click()
    expect(page.locator("h1")).to_have_text("Do you want to start over?")
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "page-start-over")
    page.goto(page.base_url + "/")
    shoot(page, "page-home-with-answers")


RESULTS = [
    ("result-few-signs", make_answers(substances=["cannabis"], use_days=2), {}),
    ("result-crisis", make_answers(self_harm_thoughts=True, **criteria(4)), {}),
    (
        "result-daily-drinker",
        make_answers(use_days=30, withdrawal_now="mild", support_person=False, **criteria(7)),
        {
            "contact_requested": True,
            "consent_to_contact": True,
            "phone": "555 123 4567",
            "message_ok": True,
        },
    ),
    ("result-iop", make_answers(**criteria(4)), {}),
]


@pytest.mark.parametrize("name, answers, contact", RESULTS)
def test_each_kind_of_result_is_shot_accessible_and_fits_a_phone(
    open_page, name, answers, contact
):
    screen = _stored(answers, **contact)
    page = open_page(f"/r/{screen.result_token}/", width=375)
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, f"page-{name}")


def test_result_side_pages_are_shot_accessible_and_fit_a_phone(open_page, settings):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    screen = _stored(make_answers(housing="none", **criteria(4)))  # inpatient: refer out
    page = open_page(f"/r/{screen.result_token}/", width=375)
    expect(page.locator(".refer-out")).to_be_visible()
    assert_accessible(page)
    shoot(page, "page-result-refer-out")
    page.get_by_role("button", name="Ask us to contact me").click()  # empty: errors
    expect(page).to_have_title(re.compile("^Error: Your result"))
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "page-result-call-errors")
    page.goto(page.base_url + f"/r/{screen.result_token}/delete/")
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "page-result-delete")
    Screen.objects.filter(pk=screen.pk).update(created_at=timezone.now() - timedelta(days=400))
    page.goto(page.base_url + f"/r/{screen.result_token}/")
    expect(page.locator("h1")).to_have_text("This link has expired")
    assert_accessible(page)
    shoot(page, "page-result-expired")
    assert page.watch.console_errors == [  # the browser reports the 410 itself
        "Failed to load resource: the server responded with a status of 410 (Gone)"
    ]
    page.watch.console_errors.clear()


@pytest.mark.usefixtures("screens")
def test_each_staff_page_is_shot(open_page):
    page = open_page("/coordinator/login/", width=375)
    shoot(page, "page-coordinator-login")
    page.goto(page.base_url + "/coordinator/password-reset/")
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "page-coordinator-password-reset")
    log_in(page)
    for name, path in [
        ("queue", "/coordinator/"),
        ("dashboard", "/coordinator/dashboard/"),
        ("screen", f"/coordinator/screens/{Screen.objects.urgent().first().reference}/"),
    ]:
        page.goto(page.base_url + path)
        expect(page.locator(".crisis-line")).to_have_count(0)
        expect(page.locator(".quick-exit")).to_have_count(0)
        shoot(page, f"page-coordinator-{name}")


def test_the_favicon_loads(open_page):
    page = open_page("/")
    response = page.request.get(page.base_url + "/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(page.base_url + icon).status == 200
