"""What the templates show of an item: badges, facts, call to action, worded once for HTML and text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from inserecho.content.body import render_body
from inserecho.content.model import Item, Link
from inserecho.content.sections import BUILTIN_SECTIONS
from inserecho.french.typography import NNBSP
from inserecho.render.present import Badge, Fact, ItemView, present_item


def present(section: str, body: str = "Texte.", asset_prefix: str = "", **fields) -> ItemView:
    path = Path(f"{section}.md")
    html = render_body(body, path, 1, Path("."), []).html
    item = Item(path, f"article-{section}", section, fields.pop("title", "Titre"), fields, body, body_html=html)
    return present_item(item, BUILTIN_SECTIONS[section], asset_prefix)


def test_a_job_offer():
    view = present(
        "jobs",
        title="Encadrant·e technique d'insertion",
        employer="Les Jardins du Canal",
        location="Bobigny",
        contract="CDI",
        hours="35 h/semaine",
        deadline=date(2027, 1, 15),
        audience="permanents",
        apply=Link("mailto:rh@jardins.example.org", "rh@jardins.example.org"),
        territory=("Est Ensemble",),
    )

    assert view.title == "Encadrant·e technique d’insertion"
    assert view.badges == (
        Badge("Est Ensemble", "territory"), Badge("CDI", "contract"), Badge("Salarié·e·s permanent·e·s", "audience"),
    )
    assert view.facts == (
        Fact("Employeur", "Les Jardins du Canal"),
        Fact("Lieu", "Bobigny"),
        Fact("Temps de travail", "35 h/semaine"),
        Fact("Date limite", "15 janvier 2027", highlight=True),
    )
    assert (view.cta, view.cta_label) == (Link("mailto:rh@jardins.example.org", "rh@jardins.example.org"), "Candidater")
    assert view.deadline_iso == "2027-01-15"


def test_a_call_for_projects():
    view = present(
        "funding",
        funder="Fondation Horizon Emploi",
        deadline=date(2027, 3, 1),
        amount=50000,
        eligibility="SIAE d'Île-de-France",
        link=Link("https://fondation.example.org/aap", "https://fondation.example.org/aap"),
    )

    assert view.facts == (
        Fact("Financeur", "Fondation Horizon Emploi"),
        Fact("Montant", f"50{NNBSP}000{NNBSP}€"),
        Fact("Public éligible", "SIAE d’Île-de-France"),
        Fact("Date limite", "1er mars 2027", highlight=True),
    )
    assert view.cta_label == "Voir l’appel à projets"
    assert view.badges == ()


def test_a_public_market_with_its_clauses():
    view = present(
        "procurement",
        buyer="Ville de Bois-Fleuri",
        deadline=date(2027, 2, 8),
        social_clause=True,
        reserved=True,
        territory=("Plaine Commune", "Paris Terres d'Envol"),
        reference="2027-EV-003",
    )

    assert [b.text for b in view.badges] == [
        "Plaine Commune",
        "Paris Terres d’Envol",
        "Clause sociale",
        "Marché réservé",
    ]
    assert [f.label for f in view.facts] == ["Acheteur", "Référence", "Date limite"]
    assert view.cta is None


def test_a_news_item_with_an_image():
    view = present(
        "news",
        body="Plus de **60** participant·e·s.",
        date=date(2026, 11, 20),
        image=Path("images/ag.png"),
        image_alt="L'assemblée",
        asset_prefix="__INSERECHO_ASSETS__/",
    )

    assert view.image == "__INSERECHO_ASSETS__/images/ag.png"
    assert view.image_alt == "L’assemblée"
    assert view.facts == (Fact("Date", "20 novembre 2026"),)
    assert view.body_html == "<p>Plus de <strong>60</strong> participant·e·s.</p>"
    assert view.body_text == "Plus de 60 participant·e·s."
    assert view.cta is None
