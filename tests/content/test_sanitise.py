"""The allowlist of HTML an article may carry: what is kept, what is removed, what is dangerous."""

from __future__ import annotations

import pytest

from inserecho.content.sanitise import inspect, sanitise


def clean(html: str) -> str:
    return sanitise(html)


def test_what_an_officer_pastes_is_kept():
    html = (
        "<p><strong>Gras</strong>, <em>italique</em>,<br>ligne suivante</p>"
        '<table><thead><tr><th scope="col">Lot</th></tr></thead><tbody><tr><td colspan="2">Espaces '
        'verts</td></tr></tbody></table>'
        '<ul><li><a href="https://example.org/a">web</a></li><li><a href="mailto:rh@example.org">courriel</a></li>'
        '<li><a href="tel:+33148000000">téléphone</a></li><li><a href="#rubrique-jobs">plus bas</a></li></ul>'
        '<img src="images/stand.jpg" alt="Le stand">'
    )

    cleaned = clean(html)

    # links get rel="noopener noreferrer"; everything else comes through as written
    assert cleaned.replace(' rel="noopener noreferrer"', "") == html
    assert inspect(html).removals == []


@pytest.mark.parametrize(
    ("html", "what"),
    [
        ("<script>alert(1)</script>", "la balise <script>"),
        ('<iframe src="https://example.org"></iframe>', "la balise <iframe>"),
        ('<object data="x.swf"></object>', "la balise <object>"),
        ('<embed src="x.swf">', "la balise <embed>"),
        (
            '<img src="images/x.png" alt="x" onerror="alert(1)">',
            "l'attribut « onerror » (du code lancé par le navigateur)",
        ),
        ('<font onmouseover="alert(1)">x</font>', "l'attribut « onmouseover » (du code lancé par le navigateur)"),
        (
            '<a href="javascript:alert(1)">x</a>',
            "l'adresse « javascript:alert(1) » (« javascript: » exécute ou cache du contenu)",
        ),
        ('<a href="java\tscript:alert(1)">x</a>', "« javascript: » exécute ou cache du contenu"),
        ('<img src="data:image/png;base64,AAAA" alt="x">', "« data: » exécute ou cache du contenu"),
    ],
)
def test_code_that_would_run_in_a_reader_is_dangerous_and_removed(html, what):
    [removal] = [r for r in inspect(html).removals if r.dangerous]

    assert what in removal.what
    cleaned = clean(html)
    assert "alert" not in cleaned.replace("alert(1)</", "")  # a <font>'s text stays, its handler goes
    for word in ("<script", "<iframe", "<object", "<embed", "onerror", "onmouseover", "javascript", "data:"):
        assert word not in cleaned


@pytest.mark.parametrize(
    ("html", "what"),
    [
        ('<p style="color:red">x</p>', "l'attribut « style »"),
        ('<font face="Arial">x</font>', "la balise <font>"),
        ('<a href="ftp://example.org/f">x</a>', "seuls http, https, mailto et tel sont acceptés"),
        ('<a href="page.html">x</a>', "le lien relatif « page.html »"),
        ("<h1>Titre</h1>", "la balise <h1>"),
    ],
)
def test_cosmetic_markup_is_removed_without_alarm(html, what):
    [removal] = inspect(html).removals

    assert what in removal.what and not removal.dangerous
    assert "x" in clean(html) or "Titre" in clean(html)


def test_each_image_is_listed_with_its_text_and_its_address_rewritten():
    found = inspect('<p><img src="photos/../stand.jpg" alt="Le stand"><img src="logo.png"></p>')

    assert [(i.src, i.alt) for i in found.images] == [("photos/../stand.jpg", "Le stand"), ("logo.png", None)]
    assert sanitise('<img src="photos/../stand.jpg" alt="Le stand">', {"photos/../stand.jpg": "stand.jpg"}) == (
        '<img src="stand.jpg" alt="Le stand">'
    )


def test_with_checked_image_sources_any_other_image_source_is_dropped():
    html = '<img src="images/a.png" alt="A"><img src="https://tracker.example/p.gif" alt="">'

    assert sanitise(html, {"images/a.png": "images/a.png"}) == '<img src="images/a.png" alt="A"><img alt="">'
