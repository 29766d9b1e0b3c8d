"""Filters the templates use to lay out headings and paragraphs of both parts."""

from __future__ import annotations

from inserecho.render.markup import SOFT_BREAK
from inserecho.render.templating import flow, keep_hyphens, underlined

LONG_TITLE = (
    "Appel à projets « Bouger pour travailler » : la mobilité des salarié·e·s en insertion en Seine-Saint-Denis"
)


def test_hyphenated_names_do_not_break_in_html_headings():
    html = keep_hyphens("Vœux en Seine-Saint-Denis & <ailleurs>")

    assert html == 'Vœux en <span style="white-space:nowrap">Seine-Saint-Denis</span> &amp; &lt;ailleurs&gt;'


def test_a_long_title_is_wrapped_and_underlined_only_as_far_as_its_longest_line():
    lines = underlined(LONG_TITLE, "-").split("\n")

    assert len(lines) == 3 and all(len(line) <= 72 for line in lines)
    assert lines[-1] == "-" * max(len(lines[0]), len(lines[1]))
    assert "Seine-Saint-Denis" in lines[1], "never cut at a hyphen"


def test_a_paragraph_flows_but_a_field_hangs_under_its_value():
    paragraph = flow(LONG_TITLE).split("\n")
    field = flow("Lieu\u00a0: " + LONG_TITLE, hanging=7).split("\n")

    assert paragraph[0].endswith(SOFT_BREAK) and not paragraph[-1].endswith(SOFT_BREAK)
    assert field[1].startswith(" " * 7) and not field[1].startswith(" " * 8)
    assert not any(line.endswith(SOFT_BREAK) for line in field)


def test_keep_hyphens_on_a_very_long_word_without_hyphens_leaves_it_as_it_is():
    word = "x" * 100_000
    assert (
        str(keep_hyphens(word + " Seine-Saint-Denis"))
        == word + ' <span style="white-space:nowrap">Seine-Saint-Denis</span>'
    )
