"""Every stylesheet of ours parses as CSS, with no rule swallowed by another's lost brace.

A missing `}` is not a parse error: CSS closes the block at the end of the file, so every later
rule becomes a block nested inside the unclosed one, and the browser applies none of them. So
the check fails on parse errors and on any `{}` block inside a style rule's declarations (we
write no CSS nesting on purpose, so such a block is always a lost brace).
"""

from pathlib import Path

import pytest
import tinycss2

STATIC = Path(__file__).resolve().parents[1] / "static"
CSS_FILES = sorted(STATIC.rglob("*.css"))
# At-rules whose block holds style rules, checked like the top level.
GROUPING_AT_RULES = {"media", "supports", "layer", "container", "document"}


def css_problems(css: str) -> list[str]:
    """Each parse error or nested block in a stylesheet, with its line."""
    problems = []

    def check_rules(rules):
        for rule in rules:
            if rule.type == "error":
                problems.append(f"line {rule.source_line}: {rule.message}")
            elif rule.type == "qualified-rule":
                selector = tinycss2.serialize(rule.prelude).strip()
                for token in rule.prelude:
                    if token.type == "error":  # a stray `}` or `)`: the rule is dropped
                        problems.append(f"line {token.source_line}: {token.message}")
                for token in rule.content:
                    if token.type == "{} block":
                        problems.append(
                            f"line {token.source_line}: a block inside `{selector}`, "
                            "which is not closed before it"
                        )
                for item in tinycss2.parse_declaration_list(
                    rule.content, skip_comments=True, skip_whitespace=True
                ):
                    if item.type == "error":
                        problems.append(f"line {item.source_line}: {item.message}")
            elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPING_AT_RULES:
                check_rules(
                    tinycss2.parse_rule_list(
                        rule.content or [], skip_comments=True, skip_whitespace=True
                    )
                )

    check_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return problems


def top_level_rule_count(css: str) -> int:
    """How many rules the stylesheet has at its top level (a browser's cssRules.length)."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return sum(rule.type in ("qualified-rule", "at-rule") for rule in rules)


def test_there_are_stylesheets_to_check():
    names = {path.name for path in CSS_FILES}
    assert {"careguide.css", "print.css"} <= names


@pytest.mark.parametrize("path", CSS_FILES, ids=lambda path: path.name)
def test_each_stylesheet_parses_without_errors_or_nested_blocks(path):
    assert css_problems(path.read_text()) == []


@pytest.mark.parametrize(
    "css, expected",
    [
        # The bug this test exists for: .btn-link lost its brace and swallowed the rest.
        (
            ".btn-link {\n  min-height: 44px;\n\n.urgent-row td {\n  background: #fff5f5;\n}\n",
            "line 4: a block inside `.btn-link`",
        ),
        (
            "@media print {\n  .a {\n    color: red;\n\n  .b { color: blue; }\n}\n}\n",
            "line 5: a block inside `.a`",
        ),
        (".a { color red; }", "line 1: Expected ':'"),
        (".a { color: red; }\n}\n.b { color: blue; }", "line 2: "),
    ],
)
def test_the_check_finds_broken_css(css, expected):
    problems = css_problems(css)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_the_check_passes_good_css():
    css = ".a { color: red; }\n@media (min-width: 40rem) { .a { color: blue; } }\n"
    assert css_problems(css) == []
    assert top_level_rule_count(css) == 2
