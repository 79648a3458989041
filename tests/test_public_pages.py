import pytest

from assessments.rules import NOTES, RULES
from assessments.sources import SOURCES

pytestmark = pytest.mark.django_db


def test_how_it_works_shows_every_rule_note_and_source(client):
    r = client.get("/how-it-works/")
    assert r.status_code == 200
    for rule in RULES:
        assert f'id="rule-{rule.id}"' in r.text
    for note in NOTES:
        assert f'id="note-{note.id}"' in r.text
    for source in SOURCES.values():
        assert source.publisher in r.text
    assert "not a diagnosis or an assessment" in r.text


def test_sources_page_lists_all_five(client):
    r = client.get("/sources/")
    assert r.status_code == 200
    assert r.text.count('id="source-') == 5


def test_home_page_shows_the_crisis_line(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "988" in r.text and "911" in r.text and "1-800-662-4357" in r.text
