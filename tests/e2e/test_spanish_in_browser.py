"""En español (issue 16) in a real Chromium at 375 px: a Spanish speaker's whole journey from
the home page to the result and a call request, and a crisis journey showing 988; axe-clean
with lang="es" on every page. Every wait is a Playwright expect, never a sleep."""

import re

import pytest
from playwright.sync_api import expect

from assessments.forms import STEPS
from assessments.models import Screen
from tests.answers import criteria, make_answers
from tests.e2e.conftest import PHONE, assert_accessible, assert_fits_a_phone, shoot
from tests.screen_flow import step_data

pytestmark = pytest.mark.django_db(transaction=True)

NO_CONTACT = {"contact_requested": False}


def _in_spanish(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page)
    assert_fits_a_phone(page)


def _answer(page, data: dict) -> None:
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        field = page.locator(f"[name={name}]").first
        if field.get_attribute("type") in ("radio", "checkbox"):
            for item in values:
                page.locator(f"[name={name}][value='{item}']").check()
        else:
            field.fill(str(value))
    with page.expect_navigation():
        page.get_by_role("button", name="Continuar").click()


def _choose_spanish(page) -> None:
    """The language choice, as a person finds it: the "Español" button in the header."""
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")


def _through_the_steps(page, answers: dict) -> None:
    for step in STEPS:
        expect(page).to_have_url(re.compile(f"/screen/{step.slug}/$"))
        _in_spanish(page)
        _answer(page, step_data(step, {**answers, **NO_CONTACT}))
    expect(page).to_have_url(re.compile("/screen/check/$"))


def test_a_spanish_speaker_goes_from_the_home_page_to_the_result_and_asks_for_a_call(
    open_page,
):
    page = open_page("/", width=PHONE)
    _choose_spanish(page)
    _in_spanish(page)
    shoot(page, "es-home")
    expect(page.locator("h1")).to_have_text(
        "¿Qué tipo de tratamiento podría ser bueno para usted?"
    )
    with page.expect_navigation():
        page.get_by_role("link", name="Empezar el cuestionario").click()
    expect(page.locator("h1")).to_have_text("Sobre usted")
    shoot(page, "es-step-about-you")

    # A step sent empty: the errors in Spanish, before the answers.
    with page.expect_navigation():
        page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", name="Hay un problema")).to_be_visible()
    expect(page.get_by_role("link", name="Elija su grupo de edad")).to_be_visible()
    _in_spanish(page)
    shoot(page, "es-step-error")

    _through_the_steps(page, make_answers(**criteria(5)))
    expect(page.locator("h1")).to_have_text("Revise sus respuestas")
    expect(page.get_by_text("Consumió más", exact=False).first).to_be_visible()
    _in_spanish(page)
    shoot(page, "es-check-your-answers")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar y ver mi resultado").click()

    expect(page).to_have_url(re.compile("/r/"))
    expect(page.locator("h1")).to_have_text("Programa ambulatorio intensivo (IOP)")
    expect(page.get_by_role("heading", name="Por qué")).to_be_visible()
    _in_spanish(page)
    shoot(page, "es-result")
    screen = Screen.objects.get()
    assert screen.language == "es"

    page.locator("[name=phone]").fill("555 987 6543")
    page.locator("[name=preferred_contact][value=phone]").check()
    page.locator("[name=message_ok][value=yes]").check()
    page.locator("[name=consent_to_contact]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Pedir que se comuniquen conmigo").click()
    expect(page.get_by_role("status").filter(has_text="Gracias.")).to_be_visible()
    _in_spanish(page)
    screen.refresh_from_db()
    assert screen.contact_requested and screen.phone == "555 987 6543"
    assert screen.language == "es"


def test_a_crisis_answer_in_spanish_shows_988_first(open_page):
    page = open_page("/", width=PHONE)
    _choose_spanish(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Empezar el cuestionario").click()
    _through_the_steps(page, make_answers(**criteria(7), self_harm_thoughts=True))
    crisis = page.locator(".crisis-box")
    expect(crisis.get_by_role("heading")).to_have_text("Su seguridad es lo más importante")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar y ver mi resultado").click()
    expect(page).to_have_url(re.compile("/r/"))
    # The crisis box leads the result, with 988 to call or text, in Spanish.
    first = page.locator("main section").first
    expect(first).to_have_class(re.compile("crisis-box"))
    expect(first.get_by_role("link", name="Llamar al 988")).to_have_attribute("href", "tel:988")
    expect(first.get_by_role("link", name="Mensaje al 988")).to_have_attribute("href", "sms:988")
    expect(first).to_contain_text("Línea 988 de Prevención del Suicidio y Crisis")
    expect(first).to_contain_text("atiende en español")
    _in_spanish(page)
    shoot(page, "es-result-crisis")


def test_the_result_link_opens_in_the_language_it_was_answered_in(open_page, browser):
    page = open_page("/", width=PHONE)
    _choose_spanish(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Empezar el cuestionario").click()
    _through_the_steps(page, make_answers())
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar y ver mi resultado").click()
    link = page.url
    # Another browser, in English, that never chose a language: the result is in Spanish.
    other = open_page(None, width=PHONE)
    other.goto(link)
    expect(other.locator("html")).to_have_attribute("lang", "es")
    expect(other.locator("h1")).to_have_text(
        "Sus respuestas muestran pocas señales de que necesite tratamiento"
    )
    # It can still switch to English, and then the result stays English.
    with other.expect_navigation():
        other.get_by_role("button", name="English").click()
    expect(other.locator("html")).to_have_attribute("lang", "en")
    expect(other.locator("h1")).to_have_text("Your answers show few signs that you need treatment")


def test_the_language_choice_works_without_javascript(open_page):
    page = open_page("/how-it-works/", js=False, width=PHONE)
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    expect(page).to_have_url(re.compile("/how-it-works/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Cómo funciona el cuestionario")
