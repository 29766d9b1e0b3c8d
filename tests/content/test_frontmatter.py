"""Splitting an item file into its front matter and its Markdown body."""

from __future__ import annotations

from pathlib import Path

import pytest

from inserecho.content.frontmatter import split_front_matter
from inserecho.problems import ContentError, Problem

PATH = Path("voeux.md")


def refused(text: str) -> Problem:
    with pytest.raises(ContentError) as error:
        split_front_matter(text, PATH)
    (problem,) = error.value.problems
    return problem


def test_front_matter_between_fences_and_the_body_after():
    text = "---\nsection: news\ntitle: Vœux\n---\n\nRendez-vous à Montreuil.\n\nInscription gratuite.\n"

    split = split_front_matter(text, PATH)

    assert split.front_matter == "section: news\ntitle: Vœux"
    assert split.front_matter_line == 2
    assert split.body == "Rendez-vous à Montreuil.\n\nInscription gratuite."
    assert split.body_line == 6  # where "Rendez-vous" stands: the blank line 5 is left out


def test_blank_lines_before_the_opening_fence_shift_the_line_numbers():
    split = split_front_matter("\n\n---\nsection: news\n---\nTexte\n", PATH)

    assert split.front_matter_line == 4
    assert split.body == "Texte"


def test_fences_may_carry_trailing_spaces_and_yaml_end_marker_closes_too():
    split = split_front_matter("---  \nsection: news\n...\nTexte\n", PATH)

    assert split.front_matter == "section: news" and split.body == "Texte"


def test_a_horizontal_rule_in_the_body_stays_in_the_body():
    split = split_front_matter("---\nsection: news\n---\nAvant\n\n---\n\nAprès\n", PATH)

    assert split.body == "Avant\n\n---\n\nAprès"


def test_front_matter_never_closed():
    problem = refused("---\nsection: news\ntitle: Vœux\n\nRendez-vous à Montreuil.\n")

    assert (problem.path, problem.line) == (PATH, 1)
    assert "n'est jamais refermé" in problem.message


def test_a_file_without_front_matter_says_how_it_should_start():
    problem = refused("\nVœux du réseau\n\nRendez-vous.\n")

    assert problem.line == 2
    assert "doit commencer par un en-tête entre deux lignes « --- »" in problem.message


def test_an_empty_file():
    problem = refused("\n  \n")

    assert problem.line == 1
    assert problem.message.startswith("le fichier est vide")
