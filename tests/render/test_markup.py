"""The officer's Markdown as email HTML, and that HTML as a plain text that reads on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inserecho.content.body import render_body
from inserecho.french.typography import NBSP, NNBSP
from inserecho.render.markup import SOFT_BREAK, html_to_text, image_source, to_flowed, typeset_body


def markdown_to_html(source: str, asset_prefix: str = "", folder: Path = Path(".")) -> str:
    """The officer's Markdown as the loader renders it, then as the email shows it."""
    return typeset_body(render_body(source, folder / "article.md", 1, folder, []).html, asset_prefix)


def test_markdown_gets_french_typography_but_not_its_code_or_urls():
    html = markdown_to_html(
        "L'IAE en chiffres : voir [la synthèse](https://example.org/l'iae?annee=2025&format=pdf) !\n\n"
        "Écrivez `nom: valeur` dans l'en-tête."
    )

    assert html == (
        f"<p>L’IAE en chiffres{NBSP}: voir "
        f'<a href="https://example.org/l\'iae?annee=2025&amp;format=pdf" rel="noopener noreferrer">la '
        f'synthèse</a>{NNBSP}!</p>\n'
        "<p>Écrivez <code>nom: valeur</code> dans l’en-tête.</p>"
    )


def test_inclusive_forms_pass_through():
    assert markdown_to_html("Les salarié·e·s et les encadrant·e·s.") == "<p>Les salarié·e·s et les encadrant·e·s.</p>"


def test_fenced_code_blocks_are_kept_as_code():
    html = markdown_to_html("```\nsection: news\ntitle: Vœux\n```")

    assert html == "<pre><code>section: news\ntitle: Vœux\n</code></pre>"


def text_of(markdown: str, width: int = 72) -> str:
    """The text with its soft line breaks shown as the trailing space they become when sent."""
    return html_to_text(markdown_to_html(markdown), width).replace(SOFT_BREAK, " ")


def test_paragraphs_are_separated_by_a_blank_line_and_wrapped():
    text = text_of("Premier paragraphe.\n\n" + "mot " * 30, width=40)

    assert text.split("\n") == [
        "Premier paragraphe.",
        "",
        "mot mot mot mot mot mot mot mot mot mot ",
        "mot mot mot mot mot mot mot mot mot mot ",
        "mot mot mot mot mot mot mot mot mot mot",
    ]


def test_lists_bullets_numbers_and_nesting():
    text = text_of(
        "Profil recherché :\n\n"
        "- expérience en espaces verts ;\n"
        "- permis B :\n"
        "    - indispensable\n"
        "    - pour conduire le camion\n\n"
        "1. envoyez votre CV\n"
        "2. passez l'entretien\n"
    )

    assert text == (
        f"Profil recherché{NBSP}:\n\n"
        f"- expérience en espaces verts{NNBSP};\n"
        f"- permis B{NBSP}:\n"
        "  - indispensable\n"
        "  - pour conduire le camion\n\n"
        "1. envoyez votre CV\n"
        "2. passez l’entretien"
    )


def test_loose_lists_keep_their_bullets_and_later_paragraphs_line_up():
    text = text_of("1. Envoyez votre CV.\n\n    Une lettre n'est pas nécessaire.\n\n2. Passez l'entretien.\n")

    assert text == "1. Envoyez votre CV.\n\n   Une lettre n’est pas nécessaire.\n\n2. Passez l’entretien."


def test_a_long_list_item_wraps_under_its_text():
    text = text_of("- " + "mot " * 12, width=24)

    assert text.split("\n") == ["- mot mot mot mot mot", "  mot mot mot mot mot", "  mot mot"]


def test_links_show_their_full_address_once():
    text = text_of(
        "Lisez [la synthèse](https://example.org/synthese.pdf), "
        "le site <https://inser-eco93.example.org/> "
        "ou écrivez à [l'équipe](mailto:contact@example.org)."
    )

    assert text == (
        "Lisez la synthèse (https://example.org/synthese.pdf), le site \n"
        "https://inser-eco93.example.org/ ou écrivez à l’équipe \n"
        "(contact@example.org)."
    )


def test_code_blocks_keep_their_lines_and_indentation():
    text = text_of("Exemple :\n\n```\nterritory:\n  - Est Ensemble\n```\n\nFin.")

    assert text == f"Exemple{NBSP}:\n\nterritory:\n  - Est Ensemble\n\nFin."


def test_quotes_hard_line_breaks_entities_and_images():
    text = text_of(
        "> La motivation suffit.\n\n"
        "Inser'Eco93  \n12 rue de l'Exemple\n\n"
        "R&D <b>gras</b>\n\n"
        "![Cinq silhouettes](images/ag.png)"
    )

    assert text == ("> La motivation suffit.\n\nInser’Eco93\n12 rue de l’Exemple\n\nR&D gras\n\n[Cinq silhouettes]")


def test_no_break_spaces_survive_and_never_break_a_line():
    text = text_of("Date limite : 15 janvier 2027, « Relance-Transition » ! " * 4, width=30)

    assert f"limite{NBSP}:" in text and f"«{NBSP}Relance-Transition{NBSP}»{NNBSP}!" in text
    for line in text.split("\n"):
        assert not line.startswith((":", "»", "!")), line
        assert not line.endswith("«"), line


def test_no_markup_noise_is_left():
    text = text_of("**Gras**, *italique*, `code` & <https://example.org/?a=1&b=2>")

    assert text == "Gras, italique, code & https://example.org/?a=1&b=2"


def test_image_addresses_get_the_asset_prefix_like_the_image_field(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "stand.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 64)
    html = markdown_to_html(
        '![Le « stand » > 2](images/stand.jpg) et <a href="https://example.org">un lien</a>', "__ASSETS__/", tmp_path
    )

    assert 'src="__ASSETS__/images/stand.jpg"' in html
    assert 'href="https://example.org"' in html
    assert image_source(Path("images/mon stand.jpg"), "__ASSETS__/") == "__ASSETS__/images/mon%20stand.jpg"


def test_bullet_lines_pasted_from_word_become_a_list():
    html = markdown_to_html("Au programme :\n• visite du chantier\n\t– déjeuner\n• échanges")

    assert html.count("<li>") == 3 and "<ul>" in html and "•" not in html and "–" not in html


@pytest.mark.parametrize(
    ("markdown", "links"),
    [
        ("Écrivez à contact@recyclerie.example.org.", ["mailto:contact@recyclerie.example.org"]),
        ("[l'équipe](mailto:equipe@example.org) ou equipe@example.org", ["mailto:equipe@example.org"] * 2),
        ("`nom@example.org` et https://exemple.fr/a@b.fr", []),
    ],
)
def test_addresses_in_text_become_mailto_links_but_not_in_code_or_urls(markdown: str, links: list[str]):
    html = markdown_to_html(markdown)

    assert re.findall(r'href="([^"]+)"', html) == links


def test_flowed_text_marks_soft_breaks_and_stuffs_leading_spaces():
    text = to_flowed(html_to_text(markdown_to_html("mot " * 12 + "\n\n- " + "item " * 8), width=24))

    assert text.split("\n") == [
        "mot mot mot mot mot mot ",
        "mot mot mot mot mot mot",
        "",
        "- item item item item",
        "   item item item item",
    ]
