import pytest

from tests.e2e.conftest import assert_accessible, assert_fits_a_phone, shoot

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = [("/", "home"), ("/how-it-works/", "how-it-works"), ("/sources/", "sources")]


@pytest.mark.parametrize("path, name", PUBLIC_PAGES)
def test_public_page_is_accessible_and_fits_a_phone(open_page, path, name):
    page = open_page(path)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, name)


@pytest.mark.parametrize("path, name", PUBLIC_PAGES)
def test_public_page_works_without_javascript(open_page, path, name):
    page = open_page(path, js=False, width=375)
    assert page.get_by_text("988").first.is_visible()


def test_skip_link_moves_focus_to_the_main_content(open_page):
    page = open_page("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
