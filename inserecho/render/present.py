"""Turn a loaded :class:`Issue` into what templates show: typeset strings, badges, facts.

Both the HTML and the plain-text templates read these views, so a field is worded the
same way in both parts of the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inserecho.french.formats import format_amount, format_date
from inserecho.render.markup import html_to_text, image_source, typeset_body
from inserecho.content.model import Issue, Item, Link
from inserecho.content.sections import AUDIENCES
from inserecho.settings import Settings
from inserecho.french.typography import typeset_text


@dataclass(frozen=True)
class Badge:
    text: str
    kind: str
    """``territory``, ``contract``, ``audience``, ``clause`` or ``reserved``: the CSS class suffix."""


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    highlight: bool = False


@dataclass(frozen=True)
class ItemView:
    anchor: str
    title: str
    badges: tuple[Badge, ...]
    facts: tuple[Fact, ...]
    body_html: str
    body_text: str
    cta: Link | None
    cta_label: str
    image: str | None
    image_alt: str
    territories: tuple[str, ...]
    deadline_iso: str | None


@dataclass(frozen=True)
class SectionView:
    key: str
    label: str
    anchor: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class IssueView:
    slug: str
    number: int
    date: str
    subject: str
    preheader: str
    editorial_html: str
    editorial_text: str
    sections: tuple[SectionView, ...]
    item_count: int


_CTA_LABELS = {
    "news": "En savoir plus",
    "procurement": "Consulter le marché",
    "funding": "Voir l’appel à projets",
    "jobs": "Candidater",
}


def present_issue(issue: Issue, settings: Settings, asset_prefix: str) -> IssueView:
    """``asset_prefix`` is prepended to image paths (a slot marker, or ``""`` for relative)."""
    sections = tuple(
        SectionView(
            section.spec.key,
            typeset_text(section.spec.label),
            section.anchor,
            tuple(present_item(item, asset_prefix) for item in section.items),
        )
        for section in issue.sections
    )
    editorial_html = typeset_body(issue.meta.editorial_html, asset_prefix)
    return IssueView(
        slug=issue.slug,
        number=issue.meta.number,
        date=format_date(issue.meta.date),
        subject=typeset_text(issue.meta.subject),
        preheader=typeset_text(issue.meta.preheader),
        editorial_html=editorial_html,
        editorial_text=html_to_text(editorial_html),
        sections=sections,
        item_count=len(issue.items),
    )


def present_item(item: Item, asset_prefix: str = "") -> ItemView:
    f = item.fields
    body_html = typeset_body(item.body_html, asset_prefix)
    cta: Link | None = f.get("apply") or f.get("link")
    image: Path | None = f.get("image")
    return ItemView(
        anchor=item.anchor,
        title=typeset_text(item.title),
        badges=_badges(item),
        facts=_facts(item),
        body_html=body_html,
        body_text=html_to_text(body_html),
        cta=cta,
        cta_label=typeset_text(_CTA_LABELS[item.section]),
        image=image_source(image, asset_prefix) if image else None,
        image_alt=typeset_text(f.get("image_alt", "")),
        territories=item.territories,
        deadline_iso=item.deadline.isoformat() if item.deadline else None,
    )


def _badges(item: Item) -> tuple[Badge, ...]:
    f = item.fields
    badges = [Badge(typeset_text(t), "territory") for t in item.territories]
    if "contract" in f:
        badges.append(Badge(f["contract"], "contract"))
    if "audience" in f:
        badges.append(Badge(typeset_text(AUDIENCES[f["audience"]]), "audience"))
    if f.get("social_clause"):
        badges.append(Badge("Clause sociale", "clause"))
    if f.get("reserved"):
        badges.append(Badge("Marché réservé", "reserved"))
    return tuple(badges)


def _facts(item: Item) -> tuple[Fact, ...]:
    f = item.fields
    facts: list[Fact] = []

    def add(name: str, label: str, value: str | None, highlight: bool = False) -> None:
        if name in f and value:
            facts.append(Fact(label, typeset_text(value), highlight))

    add("date", "Date", format_date(f["date"]) if "date" in f else None)
    add("buyer", "Acheteur", f.get("buyer"))
    add("funder", "Financeur", f.get("funder"))
    add("employer", "Employeur", f.get("employer"))
    add("location", "Lieu", f.get("location"))
    add("hours", "Temps de travail", f.get("hours"))
    add("amount", "Montant", format_amount(f["amount"]) if "amount" in f else None)
    add("eligibility", "Public éligible", f.get("eligibility"))
    add("reference", "Référence", f.get("reference"))
    add("deadline", "Date limite", format_date(f["deadline"]) if "deadline" in f else None, highlight=True)
    return tuple(facts)
