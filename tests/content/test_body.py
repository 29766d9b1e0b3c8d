"""An article's text rendered once, sanitised, its images checked, each problem at its line."""

from __future__ import annotations

from pathlib import Path

from inserecho.content.body import MAX_NESTING, render_body
from inserecho.problems import Problem

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PATH = Path("stand.md")


def render(source: str, folder: Path = Path("."), first_line: int = 6):
    problems: list[Problem] = []
    body = render_body(source, PATH, first_line, folder, problems)
    return body, [p.format() for p in problems]


def test_problems_name_the_line_in_the_file_counting_from_the_front_matter():
    body, problems = render(
        "Venez nombreux.\n"                                           # line 6
        "\n"                                                          # line 7
        '<span style="color:red">Important</span>\n'                  # line 8
        "\n"                                                          # line 9
        '<img src="images/x.png" alt="x" onerror="alert(1)">\n'      # line 10
        "[Le programme](javascript:alert(2))\n"                       # line 11
    )

    assert problems[0] == (
        "stand.md:8: avertissement : HTML retiré : l'attribut « style » ; la lettre ne garde que "
        "la mise en forme simple (gras, italique, titres, listes, liens, tableaux, images)."
    )
    assert problems[1].startswith("stand.md:10: HTML refusé : l'attribut « onerror »")
    assert any(p.startswith("stand.md:11: HTML refusé : l'adresse « javascript:alert(2) »") for p in problems)
    assert "alert" not in body.html and "style" not in body.html


def test_the_same_dangerous_thing_twice_is_found_on_each_line():
    _, problems = render("<script>a()</script>\n\nTexte.\n\n<script>b()</script>\n", first_line=1)

    assert [p.split(": HTML")[0] for p in problems] == ["stand.md:1", "stand.md:5"]


def test_body_images_follow_the_rules_of_the_image_field(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "stand.jpg").write_bytes(PNG)

    body, problems = render(
        "![Le stand du réseau](images/stand.jpg)\n"   # 6
        "\n"
        "![](images/stand.jpg)\n"                      # 8
        "\n"
        "![Absente](images/absente.jpg)\n"             # 10
        "\n"
        "![Ailleurs](../secret.jpg)\n"                 # 12
        "\n"
        "![Distante](https://example.org/a.jpg)\n",    # 14
        tmp_path,
    )

    assert body.images == (Path("images/stand.jpg"),)
    assert '<img alt="Le stand du réseau" src="images/stand.jpg">' in body.html
    assert problems == [
        "stand.md:8: l'image « images/stand.jpg » n'a pas de texte alternatif : décrivez-la entre les crochets, "
        "par exemple ![Le stand du réseau](images/stand.jpg).",
        "stand.md:10: l'image « images/absente.jpg » est introuvable dans le dossier du numéro ; vérifiez le nom du "
        "fichier.",
        "stand.md:12: l'image « ../secret.jpg » doit se trouver dans le dossier du numéro (par exemple "
        "images/photo.jpg).",
        "stand.md:14: l'image « https://example.org/a.jpg » doit se trouver dans le dossier du numéro (par exemple "
        "images/photo.jpg).",
    ]


def test_an_image_address_is_the_resolved_path_url_encoded(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "mon stand.jpg").write_bytes(PNG)

    body, problems = render("![Le stand](images/./mon%20stand.jpg)\n", tmp_path)
    assert "introuvable" in problems[0]  # Markdown takes the address as written: a space is a space

    body, problems = render("![Le stand](<images/./mon stand.jpg>)\n", tmp_path)
    assert problems == []
    assert body.images == (Path("images/mon stand.jpg"),)
    assert 'src="images/mon%20stand.jpg"' in body.html


def test_a_list_nested_300_deep_is_an_error_at_the_line_where_it_gets_too_deep():
    # level n (0 at the top) stands on line 8 + n; the one past MAX_NESTING is refused
    source = "Texte.\n\n" + "\n".join("    " * level + "- niveau" for level in range(300)) + "\n"

    body, problems = render(source)

    assert problems == [
        f"stand.md:{6 + 2 + MAX_NESTING}: la mise en forme est imbriquée sur plus de {MAX_NESTING} niveaux "
        "(listes dans des listes, citations « > » ou balises les unes dans les autres) ; simplifiez-la.",
    ]
    assert body.html == ""


def test_quotes_and_markers_on_one_line_count_as_levels():
    _, problems = render("> " * 300 + "citation\n")
    _, on_one_line = render("- " * 300 + "x\n")

    assert problems[0].startswith("stand.md:6: la mise en forme est imbriquée")
    assert on_one_line[0].startswith("stand.md:6: la mise en forme est imbriquée")


def test_html_tags_nested_too_deep_for_mail_clients_are_an_error_at_their_line():
    _, problems = render("Texte.\n\nDébut " + "<b>" * 500 + "fin" + "</b>" * 500 + "\n")

    assert problems[0].startswith("stand.md:8: la mise en forme est imbriquée")


def test_code_in_a_fence_is_not_counted_as_nesting():
    _, problems = render("```\n" + "\n".join(" " * 4 * n + "x" for n in range(40)) + "\n```\n")

    assert problems == []


def test_control_characters_are_dropped_and_reported_at_their_line():
    body, problems = render("Première ligne.\nSeconde\x1b[31m ligne\x00.\n")

    assert problems == [
        "stand.md:7: avertissement : caractère invisible U+001B supprimé (souvent laissé par un "
        "copier-coller) ; retirez-le du fichier.",
    ]
    assert "\x1b" not in body.html and "\x00" not in body.html and "Seconde[31m ligne." in body.html


def test_headings_sit_below_the_items_title():
    body, problems = render("# Programme\n\n## Matin\n\n<h2>Après-midi</h2>\n")

    assert body.html == "<h4>Programme</h4>\n<h5>Matin</h5>\n<h5>Après-midi</h5>"
    assert problems == []


def test_past_fifty_removals_one_message_counts_the_rest():
    source = "\n\n".join(f'<span onclick="a{n}()">{n}</span>' for n in range(60))

    _, problems = render(source, first_line=1)

    assert problems[-1] == (
        "stand.md:1: et 10 autres éléments HTML retirés ou refusés dans ce texte ; corrigez d'abord ceux signalés."
    )
    assert problems[0].startswith("stand.md:1: HTML refusé") and problems[49].startswith("stand.md:99: HTML refusé")


def test_more_unclosed_tags_than_the_parser_takes_in_half_a_second_are_refused_at_the_first_too_many():
    source = "Intro\n\n" + "<a " * 2_500  # took the Markdown parser 1.5 s; 5,000 took 2.5 s
    body, problems = render(source)
    assert len(problems) == 1 and problems[0].startswith("stand.md:8: ") and "balises « < »" in problems[0]
