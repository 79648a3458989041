import re
from html import escape

import pytest

from assessments import policy, questions
from assessments.rules import NOTES, RULES, Flag
from assessments.sources import PROVIDER_ARTICLE_IDS, SOURCES

pytestmark = pytest.mark.django_db


def test_how_it_works_shows_every_rule_note_and_source(client):
    r = client.get("/how-it-works/")
    assert r.status_code == 200
    for rule in RULES:
        assert f'id="rule-{rule.id}"' in r.text
    for note in NOTES:
        assert f'id="note-{note.id}"' in r.text
    cited = {source.id for item in RULES + NOTES for source in item.sources}
    for source_id in cited:
        assert escape(SOURCES[source_id].publisher) in r.text
    assert "not a diagnosis or an assessment" in r.text


def test_how_it_works_shows_no_internal_rule_or_flag_names(client):
    page = client.get("/how-it-works/").text
    text = re.sub(r"<[^>]+>", " ", page)  # what a person reads, not the markup's ids
    for name in [rule.id for rule in RULES] + [str(flag) for flag in Flag]:
        if "_" in name:  # a code, not a word a sentence may use ("crisis", "pregnancy")
            assert name not in text, name
    for rule in RULES:  # each rule in plain words, with the level it raises to
        assert escape(rule.fires_when) in page
    assert escape(policy.needs_medical_detox.text) in page
    for question in questions.QUESTIONS:  # each conditional question says when it is asked
        if question.asked_when:
            assert f"{escape(question.text)} <span" in page
            assert f"({escape(question.asked_when.text)})" in page


def test_sources_page_lists_every_source_with_its_link_and_date(client):
    r = client.get("/sources/")
    assert r.status_code == 200
    assert r.text.count('id="source-') == len(SOURCES)
    for source in SOURCES.values():
        assert f'id="source-{source.id}"' in r.text
        if source.id in PROVIDER_ARTICLE_IDS:
            continue  # kept here as text: no address of theirs
        assert source.url.startswith("https://") and source.date and source.says
        assert f'<a href="{escape(source.url)}" rel="noreferrer">' in r.text


def test_home_page_shows_the_crisis_line(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "988" in r.text and "911" in r.text and "1-800-662-4357" in r.text


def _pages(client):
    """Every public page a person can reach, with a screen in progress and one sent."""
    from assessments import rules
    from assessments.forms import STEPS
    from tests.answers import BASELINE
    from tests.screen_flow import answer_all_steps

    yield "/", client.get("/")
    for step in STEPS:
        yield step.slug, client.get(f"/screen/{step.slug}/")
        yield step.slug + " with errors", client.post(f"/screen/{step.slug}/", {})
    answer_all_steps(client, BASELINE)
    yield "check", client.get("/screen/check/")
    result = client.post("/screen/check/", follow=True)
    yield "result", result
    token = client.session["screen_result"]
    yield "delete", client.get(f"/r/{token}/delete/")
    yield "deleted", client.get("/deleted/")
    yield "how it works", client.get("/how-it-works/")
    yield "sources", client.get("/sources/")
    assert rules.RULES  # the pages above rest on the rule table


ASSET = re.compile(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", re.I)
URL_ATTR = re.compile(r'\b(?:src|href|srcset|action)="([^"]*)"', re.I)


def test_no_page_loads_anything_from_another_host(client):
    for name, response in _pages(client):
        assert response.status_code == 200, name
        html = response.content.decode()
        for tag in ASSET.findall(html):
            for value in URL_ATTR.findall(tag):
                assert value.startswith("/") and not value.startswith("//"), (name, tag)
        for value in re.findall(r'\baction="([^"]*)"', html):
            assert not re.match(r"(https?:)?//", value), (name, value)
        assert "@import" not in html and "url(http" not in html, name


def test_the_favicon_is_served_at_the_root(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_pages_name_the_svg_favicon(client):
    assert (
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/").text
    )


EXIT = 'class="btn btn-danger quick-exit-button" href="https://www.weather.gov/" rel="noreferrer"'


@pytest.mark.parametrize(
    "path",
    ["/", "/how-it-works/", "/sources/", "/screen/about-you/", "/deleted/", "/no-such-page/"],
)
def test_patient_pages_have_the_crisis_line_and_a_quick_exit(client, path):
    html = client.get(path).text
    assert 'class="crisis-line"' in html
    assert EXIT in html
    main = html[html.index('<main id="main"') :]
    assert main.index("quick-exit-button") < main.index("<h1")  # first in the content


def test_the_quick_exit_goes_where_the_setting_says(client, settings):
    settings.QUICK_EXIT_URL = "https://www.example.org/weather"
    assert 'href="https://www.example.org/weather" rel="noreferrer"' in client.get("/").text


@pytest.mark.parametrize("path", ["/coordinator/", "/coordinator/dashboard/"])
def test_staff_pages_have_neither_the_crisis_strip_nor_the_quick_exit(alice_client, path):
    html = alice_client.get(path).text
    assert 'class="crisis-line"' not in html and "quick-exit" not in html


def test_the_login_page_has_neither_the_crisis_strip_nor_the_quick_exit(client):
    html = client.get("/coordinator/login/").text
    assert 'class="crisis-line"' not in html and "quick-exit" not in html
