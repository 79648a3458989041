"""A printed screen opens with the confidentiality notice the CSV export opens with."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coordinator.views import NOTICE

pytestmark = pytest.mark.django_db

PRINT_CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "print.css"
VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}


def _hidden_on_paper() -> list[str]:
    """The first part of each selector print.css hides: an element matching it, or inside one
    that does, might not print (stricter than CSS, which is what a test wants here)."""
    css = re.sub(r"/\*.*?\*/", "", PRINT_CSS.read_text(), flags=re.S)
    hidden = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if re.search(r"display:\s*none", body):
            hidden += [
                selector.split()[0] for selector in selectors.split(",") if selector.strip()
            ]
    return hidden


def _matches(compound: str, tag: str, classes: set[str]) -> bool:
    if compound.startswith("."):
        return compound[1:] in classes
    return compound == tag


class _Finder(HTMLParser):
    """Where `text` is: the chain of (tag, classes) from <html> down, and main's first child."""

    def __init__(self, text: str):
        super().__init__()
        self.text, self.stack, self.found, self.first_in_main = text, [], None, None

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if self.stack and self.stack[-1][0] == "main" and self.first_in_main is None:
            self.first_in_main = (tag, classes)
        if tag not in VOID:
            self.stack.append((tag, classes))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.found is None and self.text in " ".join(data.split()):
            self.found = list(self.stack)


def test_the_screen_page_opens_with_the_notice_that_prints(alice_client, make_screen):
    screen = make_screen()
    r = alice_client.get(f"/coordinator/screens/{screen.reference}/")
    finder = _Finder(str(NOTICE))
    finder.feed(r.text)
    assert finder.found, "the notice is not on the page"
    tag, classes = finder.found[-1]
    assert (tag, classes) == finder.first_in_main == ("p", {"confidential-notice"})
    for compound in _hidden_on_paper():
        for ancestor_tag, ancestor_classes in finder.found:
            assert not _matches(compound, ancestor_tag, ancestor_classes), compound


def test_the_print_stylesheet_shows_the_notice():
    assert ".confidential-notice" not in _hidden_on_paper()
    css = PRINT_CSS.read_text()
    assert re.search(r"\.confidential-notice\s*\{[^}]*display:\s*block", css)


def test_the_export_carries_the_same_notice(alice_client, make_screen):
    make_screen()
    r = alice_client.get("/coordinator/export/")
    body = b"".join(r.streaming_content).decode()
    # The last row (the first is the header a spreadsheet needs), and the file's name.
    assert body.splitlines()[-1].strip('"') == str(NOTICE)
    assert "confidential-42-CFR-part-2" in r["Content-Disposition"]
