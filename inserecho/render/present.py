"""Turn a loaded :class:`Issue` into what templates show: typeset strings, badges, facts.

Both the HTML and the plain-text templates read these views, so a field is worded the
same way in both parts of the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inserecho.content.model import Issue, Item, Link
from inserecho.content.sections import AUDIENCES, BADGE_KINDS, COMMON, LINK_KINDS, FieldSpec, SectionSpec
from inserecho.french.formats import format_amount, format_date, format_time
from inserecho.french.typography import typeset_text
from inserecho.render.markup import html_to_text, image_source, typeset_body
from inserecho.settings import Settings


@dataclass(frozen=True)
class Badge:
    text: str
    kind: str
    """``territory``, ``contract``, ``audience`` or ``flag`` (a yes/no field that is yes): the CSS class suffix."""


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


def present_issue(issue: Issue, settings: Settings, asset_prefix: str) -> IssueView:
    """``asset_prefix`` is prepended to image paths (a slot marker, or ``""`` for relative)."""
    sections = tuple(
        SectionView(
            section.spec.key,
            typeset_text(section.spec.label),
            section.anchor,
            tuple(present_item(item, section.spec, asset_prefix) for item in section.items),
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


def present_item(item: Item, spec: SectionSpec, asset_prefix: str = "") -> ItemView:
    """Badges, facts and the button as ``spec`` declares them, in its field order."""
    f = item.fields
    body_html = typeset_body(item.body_html, asset_prefix)
    shown = [field for field in spec.fields if field.name in f and field.name not in _COMMON]
    cta_field = next((field for field in shown if field.kind in LINK_KINDS), None)
    image_field = next((field for field in shown if field.kind == "image"), None)
    image: Path | None = f[image_field.name] if image_field else None
    alt_texts = {f"{field.name}_alt" for field in spec.fields if field.kind == "image"}
    hidden = {field.name for field in (cta_field, image_field) if field} | alt_texts
    return ItemView(
        anchor=item.anchor,
        title=typeset_text(item.title),
        badges=tuple(  # where first, then what
            badge for field in sorted(shown, key=lambda field: field.kind != "territory")
            if field.kind in BADGE_KINDS for badge in _badges(field, f[field.name])
        ),
        facts=tuple(
            Fact(typeset_text(field.label), typeset_text(_fact_text(field, f[field.name])), field.highlight)
            for field in shown if field.kind not in BADGE_KINDS and field.name not in hidden
        ),
        body_html=body_html,
        body_text=html_to_text(body_html),
        cta=f[cta_field.name] if cta_field else None,
        cta_label=typeset_text(spec.cta or cta_field.label) if cta_field else "",
        image=image_source(image, asset_prefix) if image else None,
        image_alt=typeset_text(f.get(f"{image_field.name}_alt", "")) if image_field else "",
        territories=item.territories,
        deadline_iso=item.deadline.isoformat() if item.deadline else None,
    )


_COMMON = {field.name for field in COMMON}


def _badges(field: FieldSpec, value: Any) -> tuple[Badge, ...]:
    if field.kind == "territory":
        return tuple(Badge(typeset_text(t), "territory") for t in value)
    if field.kind == "audience":
        return (Badge(typeset_text(AUDIENCES[value]), "audience"),)
    if field.kind == "bool":
        return (Badge(typeset_text(field.label), "flag"),) if value else ()
    return (Badge(typeset_text(str(value)), field.kind),)


def _fact_text(field: FieldSpec, value: Any) -> str:
    if field.kind == "date":
        return format_date(value)
    if field.kind == "time":
        return format_time(value)
    if field.kind == "amount":
        return format_amount(value)
    if isinstance(value, Link):
        return value.text
    return str(value)
