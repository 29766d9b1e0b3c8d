"""YAML with the line of every key and list entry, and messages the officer can act on."""

from __future__ import annotations

import tracemalloc
from datetime import date
from pathlib import Path

import pytest
import yaml

from inserecho.content import yamlfile
from inserecho.content.yamlfile import LineDict, LineList, parse_yaml

PATH = Path("issue.yaml")


def test_mappings_and_lists_remember_their_lines():
    text = (
        "number: 43\n"            # 1
        "date: 2027-01-07\n"      # 2
        "\n"                      # 3
        "territory:\n"            # 4
        "  - Est Ensemble\n"      # 5
        "  - Plaine Commune\n"    # 6
        "smtp:\n"                 # 7
        "  url: smtp://x\n"       # 8
    )
    data, problems = parse_yaml(text, PATH)

    assert problems == []
    assert isinstance(data, LineDict)
    assert data == {
        "number": 43,
        "date": date(2027, 1, 7),
        "territory": ["Est Ensemble", "Plaine Commune"],
        "smtp": {"url": "smtp://x"},
    }
    assert data.line == 1
    assert data.lines == {"number": 1, "date": 2, "territory": 4, "smtp": 7}
    assert isinstance(data["territory"], LineList)
    assert data["territory"].lines == [5, 6]
    assert data["smtp"].line == 8 and data["smtp"].lines == {"url": 8}


def test_lines_count_from_where_the_text_starts_in_its_file():
    # front matter starts on line 2 of an item, after the opening "---"
    data, _ = parse_yaml("section: news\ntitle: Vœux\n", Path("voeux.md"), first_line=2)

    assert data.lines == {"section": 2, "title": 3}


def test_an_empty_document_is_none():
    assert parse_yaml("# rien que des commentaires\n", PATH) == (None, [])


def test_the_fast_c_parser_is_used_when_pyyaml_has_it():
    if hasattr(yaml, "CSafeLoader"):
        assert yamlfile._Loader is yaml.CSafeLoader


def test_a_date_that_does_not_exist_stays_text_for_the_field_check_to_report():
    data, problems = parse_yaml("date: 2027-02-30\n", PATH)

    assert problems == [] and data["date"] == "2027-02-30"


def test_keys_are_text_even_when_they_look_like_numbers():
    data, _ = parse_yaml("2027: oui\n", PATH)

    assert data == {"2027": "oui"}


def test_a_key_written_twice_is_reported_on_its_second_line():
    _, problems = parse_yaml("title: A\nlink: https://example.org\ntitle: B\n", PATH)

    assert [p.format() for p in problems] == [
        "issue.yaml:3: le champ « title » apparaît deux fois ; gardez-en un seul."
    ]


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    """The messages must not depend on which of PyYAML's parsers is installed."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML built without libyaml")
        monkeypatch.setattr(yamlfile, "_Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yamlfile, "_Loader", yaml.SafeLoader)


MISTAKES = [
    # (what the officer wrote, line reported, what the message says)
    ("title: Assemblée : bilan\n", 1, "un « : » est mal placé ; mettez la valeur entre guillemets"),
    ("section: news\n\ttitle: Vœux\n", 2, "une tabulation est utilisée ; indentez avec des espaces"),
    ("\tsection: news\n", 1, "une tabulation est utilisée"),
    ('section: news\ntitle: "Vœux du réseau\nlink: https://example.org\n', 2, "un guillemet ouvert n'est pas refermé"),
    ("title: 'l'IAE en chiffres'\n", 1, 'entourez-la de guillemets doubles (par exemple "l\'IAE")'),
    ('title: "Inser\'Echo" de janvier\n', 1, "du texte suit un guillemet fermant"),
    ("section: news\ntitle\nlink: https://example.org\n", 2, "il manque « : » après le nom du champ"),
    ("title: *important*\n", 1, "un « * » en début de valeur ; mettez la valeur entre guillemets"),
    ("title: & partenaires\n", 1, "un « & » en début de valeur ; mettez la valeur entre guillemets"),
    ("title: @reseau\n", 1, "une valeur ne peut pas commencer par « @ » ; mettez-la entre guillemets"),
    (
        "territory: [Est Ensemble, Plaine Commune\nlink: https://example.org\n",
        1,
        "un crochet « [ » ou une accolade « { » n'est pas refermé",
    ),
    ("territory:\n  - Est Ensemble\n  Plaine Commune: oui\n", 3, "une liste (lignes « - ») est mal alignée"),
    ("number: 43\n---\ndate: 2027-01-07\n", 2, "une ligne « --- » en trop"),
    ('title: "C:\\dossier"\n', 1, "doublez-la ou utilisez des guillemets simples"),
]


@pytest.mark.parametrize(("text", "line", "hint"), MISTAKES)
def test_common_mistakes_get_a_french_hint_at_the_right_line(loader, text, line, hint):
    data, problems = parse_yaml(text, PATH)

    assert data is None
    [problem] = problems
    assert problem.line == line
    assert problem.message.startswith("YAML illisible")
    assert hint in problem.message


def test_line_numbers_of_errors_are_shifted_like_the_others():
    _, [problem] = parse_yaml("section: news\ntitle: Assemblée : bilan\n", Path("ag.md"), first_line=2)

    assert problem.format().startswith("ag.md:3: YAML illisible")


def billion_laughs(levels: int) -> str:
    """Each level repeats the previous one ten times: ``10 ** levels`` strings once expanded."""
    lines = ['l0: &l0 "ha"']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_anchors_and_aliases_are_refused_where_the_first_one_stands():
    text = "section: news\ntitle: &titre Vœux\nsubject: *titre\n"

    data, [problem] = parse_yaml(text, Path("voeux.md"), first_line=2)

    assert data is None
    assert problem.format() == (
        "voeux.md:3: YAML refusé : les ancres (« &nom ») et les renvois (« *nom ») ne sont pas "
        "acceptés ; écrivez chaque valeur en entier, entre guillemets si elle commence par « & » ou « * »."
    )


def test_a_billion_laughs_is_refused_before_anything_is_expanded(loader):
    tracemalloc.start()
    try:
        data, [problem] = parse_yaml(billion_laughs(9), PATH)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (data, problem.line) == (None, 1)
    assert "YAML refusé" in problem.message
    assert peak < 1_000_000  # bytes: the document itself is 400 bytes, its expansion 10**9 strings
