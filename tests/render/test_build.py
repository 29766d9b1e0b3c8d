"""``inserecho build ISSUE``: the email and its plain-text part in build/SLUG/, for the officer to look at."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from inserecho.cli.scaffold import init_folder
from inserecho.french.typography import NBSP, NNBSP
from inserecho.render.renderer import GMAIL_CLIP_BYTES
from issuefolder import ITEMS, SLUG, make_folder, run_cli, run_process

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
NEWS_WITH_IMAGE = """\
    ---
    section: news
    title: Vœux du réseau
    date: 2027-01-14
    territory: Est Ensemble
    image: images/voeux.png
    image_alt: "Carte de vœux d'Inser'Eco93"
    link: https://inser-eco93.example.org/agenda/voeux
    ---
    Rendez-vous à Montreuil : **inscription gratuite** mais obligatoire.
    """


@pytest.fixture
def built(tmp_path) -> Path:
    """A folder whose issue has been built; returns ``build/SLUG``."""
    root = make_folder(tmp_path, {**ITEMS, "voeux.md": NEWS_WITH_IMAGE, "images/voeux.png": PNG})
    run = run_cli(root, "build", SLUG)
    assert run.code == 0, run.output
    return root / "build" / SLUG


def parse(directory: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((directory / "email.html").read_bytes())


def text_of(element) -> str:
    """The element's text with its ASCII whitespace folded (no-break spaces are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()


def texts(elements) -> list[str]:
    return [text_of(e) for e in elements]


def test_build_writes_the_email_its_text_part_and_its_images(built):
    assert sorted(p.relative_to(built).as_posix() for p in built.rglob("*")) == [
        "email.html", "email.txt", "images", "images/voeux.png",
    ]
    assert (built / "images" / "voeux.png").read_bytes() == PNG
    assert "__INSERECHO_" not in (built / "email.html").read_text(encoding="utf-8")
    assert "__INSERECHO_" not in (built / "email.txt").read_text(encoding="utf-8")


def test_the_summary_counts_items_per_section_and_weighs_the_html(tmp_path):
    root = make_folder(tmp_path)

    run = run_cli(root, "build", SLUG)

    size = (root / "build" / SLUG / "email.html").stat().st_size
    assert run.code == 0 and run.err == ""
    assert run.out.splitlines() == [
        "Inser'Echo n° 43 du 7 janvier 2027 : 4 articles",
        "  Actualités du réseau........................   1",
        "  Achats responsables & marchés...............   1",
        "  Financements & appels à projets.............   1",
        "  Offres d'emploi & formations................   1",
        f"HTML : {size / 1024:.1f} Ko sur 102,0 Ko (seuil de coupure de Gmail)".replace(".", ","),
        "Courriel : build/2027-01/email.html",
        "Version texte : build/2027-01/email.txt",
    ]


def test_the_html_is_made_for_mail_clients(built):
    html = parse(built)

    assert html.get("lang") == "fr"
    [container] = html.find_class("container")
    assert container.get("width") == "100%"
    assert "max-width:600px" in container.get("style")
    # every rule that can be inlined is: only :root and the media query stay in a <style> block
    [style] = html.xpath("//style")
    assert "@media only screen and (max-width: 599px)" in style.text
    assert ":root {color-scheme:light" in style.text
    assert ".card-body {" in style.text and ".card {" not in style.text
    for name in ("card", "badge", "button-link", "deadline", "footer", "section-title"):
        for element in html.find_class(name):
            assert element.get("style"), name


def test_the_preheader_is_hidden_at_the_top(built):
    [preheader] = parse(built).find_class("preheader")

    assert "display:none" in preheader.get("style")
    assert preheader.text_content().startswith("Un marché réservé, un appel à projets et une offre d’emploi.")
    article = preheader.getparent()
    assert article.get("role") == "article" and preheader.getprevious() is None
    assert article.getparent().tag == "body" and article.getprevious() is None


def test_the_header_shows_the_number_and_date(built):
    [line] = parse(built).find_class("issue-line")

    assert line.text_content() == f"N°{NBSP}43 · 7 janvier 2027"


def test_the_table_of_contents_links_to_each_section(built):
    html = parse(built)
    [toc] = html.find_class("toc-list")

    links = toc.xpath(".//a")
    assert texts(links) == [
        "Actualités du réseau",
        "Achats responsables & marchés",
        "Financements & appels à projets",
        "Offres d’emploi & formations",
    ]
    for link in links:
        target = link.get("href")
        assert target.startswith("#")
        assert html.get_element_by_id(target[1:]).text_content() == link.text_content()


def test_one_card_per_item_with_badges_facts_and_a_call_to_action(built):
    html = parse(built)

    cards = {card.get("id"): card for card in html.find_class("card")}
    assert list(cards) == ["article-voeux", "article-marche", "article-fonds", "article-offre"]
    offer = cards["article-offre"]
    assert texts(offer.find_class("card-title")) == ["Agent·e de tri en recyclerie"]
    assert texts(offer.find_class("badge")) == ["CDDI", "Personnes en parcours d’insertion"]
    assert texts(offer.find_class("fact-label")) == [
        f"Employeur{NBSP}:",
        f"Lieu{NBSP}:",
        f"Temps de travail{NBSP}:",
        f"Date limite{NBSP}:",
    ]
    [deadline] = offer.find_class("deadline")
    assert deadline.text_content() == "15 janvier 2027"
    assert "font-weight:bold" in deadline.get("style")
    [button] = offer.find_class("button-link")
    assert (button.text_content(), button.get("href")) == ("Candidater", "mailto:contact@recyclerie.example.org")
    assert texts(cards["article-marche"].find_class("badge")) == ["Grand Paris Grand Est", "Marché réservé"]
    assert texts(cards["article-fonds"].find_class("fact-value"))[1] == f"30{NNBSP}000{NNBSP}€"
    [image] = cards["article-voeux"].xpath(".//img")
    assert (image.get("src"), image.get("alt")) == ("./images/voeux.png", "Carte de vœux d’Inser’Eco93")
    assert (built / image.get("src")).is_file()


def test_the_footer_has_the_address_the_web_version_and_the_unsubscribe_link(built):
    [footer] = parse(built).find_class("footer")

    text = text_of(footer)
    assert "Inser’Eco93, 12 rue de l’Exemple, 93000 Bobigny" in text
    links = {a.text_content(): a.get("href") for a in footer.xpath(".//a")}
    assert links["Voir dans le navigateur"] == "https://inser-eco93.example.org/inserecho/2027-01/"
    assert links["Se désinscrire"] == "https://inser-eco93.example.org/desinscription"


def test_the_text_part_reads_on_its_own(built):
    text = (built / "email.txt").read_text(encoding="utf-8")

    lines = text.replace(" \n", " ").splitlines()  # as a format=flowed reader joins soft breaks
    assert lines[0] == "Bonjour,"
    assert f"INSER’ECHO N°{NBSP}43 — 7 janvier 2027" in lines
    assert f"Voir dans le navigateur{NBSP}: https://inser-eco93.example.org/inserecho/2027-01/" in lines
    for heading in ("ACTUALITÉS DU RÉSEAU", "ACHATS RESPONSABLES & MARCHÉS", "OFFRES D’EMPLOI & FORMATIONS"):
        assert lines[lines.index(heading) + 1] == "=" * len(heading)
    assert ["Agent·e de tri en recyclerie", "-" * 28, "[CDDI] [Personnes en parcours d’insertion]"] == lines[
        lines.index("Agent·e de tri en recyclerie"):][:3]
    assert f"Date limite{NBSP}: 15 janvier 2027" in lines
    assert f"Montant{NBSP}: 30{NNBSP}000{NNBSP}€" in lines
    assert f"Rendez-vous à Montreuil{NBSP}: inscription gratuite mais obligatoire." in lines
    assert f"En savoir plus{NBSP}: https://inser-eco93.example.org/agenda/voeux" in lines
    assert f"Candidater{NBSP}: contact@recyclerie.example.org" in lines
    assert lines[lines.index(f"Se désinscrire{NBSP}:") + 1] == "https://inser-eco93.example.org/desinscription"
    for noise in ("**", "<p>", "</", "&amp;", "&nbsp;", "&#"):
        assert noise not in text


def test_text_lines_fit_in_72_characters_except_addresses(tmp_path):
    funding = ITEMS["fonds.md"].replace(
        "amount: 30000",
        "eligibility: SIAE et structures de l'ESS de Seine-Saint-Denis qui traversent une difficulté économique",
    )
    root = make_folder(tmp_path, {"fonds.md": funding})

    assert run_cli(root, "build", SLUG).code == 0

    lines = (root / "build" / SLUG / "email.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if len(line) > 72 and "https://" not in line] == []
    assert f"Public éligible{NBSP}: SIAE et structures de l’ESS de Seine-Saint-Denis qui" in lines


def test_nothing_is_written_when_there_are_errors(tmp_path):
    root = make_folder(tmp_path, {"voeux.md": "---\nsection: news\n---\nTexte.\n"})

    run = run_cli(root, "build", SLUG)

    assert run.code == 1
    assert "issues/2027-01/voeux.md:2: champ obligatoire « title » (Titre) manquant" in run.err
    assert not (root / "build").exists()


def test_a_previous_build_is_left_untouched_when_there_are_errors(built):
    before = {path: path.read_bytes() for path in built.rglob("*") if path.is_file()}
    root = built.parent.parent
    (root / "issues" / SLUG / "voeux.md").write_text(
        "---\nsection: news\ntitle: Vœux\ndate: 2027-02-30\n---\n", encoding="utf-8"
    )

    run = run_cli(root, "build", SLUG)

    assert run.code == 1
    assert {path: path.read_bytes() for path in built.rglob("*") if path.is_file()} == before


def test_warnings_are_shown_but_do_not_stop_the_build(tmp_path):
    root = make_folder(tmp_path, issue="number: 43\ndate: 2027-01-07\nsubject: Vœux\n")

    run = run_cli(root, "build", SLUG)

    assert run.code == 0
    assert "  issues/2027-01/issue.yaml:1: avertissement : pas de phrase d'aperçu (« preheader »)" in run.out
    assert (root / "build" / SLUG / "email.html").is_file()


def test_the_sample_issue_builds_under_gmails_clipping_threshold(tmp_path):
    init_folder(tmp_path)

    run = run_cli(tmp_path, "build", "2026-12")

    assert run.code == 0, run.output
    html = (tmp_path / "build" / "2026-12" / "email.html").read_bytes()
    assert len(html) < GMAIL_CLIP_BYTES
    assert b"__INSERECHO_" not in html
    assert (tmp_path / "build" / "2026-12" / "images" / "assemblee-generale.png").is_file()


def test_a_25_item_issue_stays_under_gmails_clipping_threshold(tmp_path):
    """The sample's 15 items and 10 of them again: a full issue, in bytes as the officer writes them."""
    init_folder(tmp_path)
    issue = tmp_path / "issues" / "2026-12"
    items = sorted(p for p in issue.glob("*.md") if not p.name.startswith("_"))
    for item in items[:25 - len(items)]:
        (issue / f"bis-{item.name}").write_bytes(item.read_bytes())

    run = run_cli(tmp_path, "build", "2026-12")

    assert run.code == 0, run.output
    assert len(list(issue.glob("*.md"))) - 1 == 25
    html = (tmp_path / "build" / "2026-12" / "email.html").read_bytes()
    assert len(html) < GMAIL_CLIP_BYTES
    assert "Gmail le coupe" not in run.output


def test_open_shows_the_result_without_crashing_when_no_browser_is_there(tmp_path):
    root = make_folder(tmp_path)

    run = run_process(root, "build", SLUG, "--open", env={"BROWSER": "true"})

    assert run.code == 0, run.output
    assert "Traceback" not in run.output
    assert (root / "build" / SLUG / "email.html").is_file()


def test_a_broken_template_override_is_reported_with_its_file_and_line(tmp_path):
    root = make_folder(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "item.html").write_text("<h3>{{ item.title }</h3>\n", encoding="utf-8")
    run = run_cli(root, "build", SLUG)
    assert run.code == 1
    assert "templates/item.html:1: erreur dans le gabarit" in run.err
    assert "Traceback" not in run.output
    assert not (root / "build").exists()


def test_a_folder_may_override_a_single_template(tmp_path):
    root = make_folder(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "email.css").write_text(".title { color: #123456; }\n", encoding="utf-8")
    assert run_cli(root, "build", SLUG).code == 0
    html = (root / "build" / SLUG / "email.html").read_text(encoding="utf-8")
    assert "color:#123456" in html.replace(" ", "")
    assert "card" in html  # the other templates still come from the package
