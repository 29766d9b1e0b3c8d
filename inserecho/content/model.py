"""Plain data passed from the loader to the renderer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from inserecho.content.sections import SectionSpec
from inserecho.problems import Problem


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class Item:
    path: Path
    anchor: str
    section: str
    title: str
    fields: Mapping[str, Any]
    """Checked values by field name: ``date`` objects, ``bool``, ``Link``, ``tuple`` of territories…"""
    body: str
    """The description, in Markdown."""
    order: int | None = None
    body_html: str = ""
    """The description rendered and sanitised (see :mod:`inserecho.content.body`)."""
    body_images: tuple[Path, ...] = ()
    """Images the description shows, relative to the issue folder."""

    @property
    def deadline(self) -> date | None:
        return self.fields.get("deadline")

    @property
    def territories(self) -> tuple[str, ...]:
        return self.fields.get("territory", ())


@dataclass(frozen=True)
class SectionItems:
    spec: SectionSpec
    items: tuple[Item, ...]

    @property
    def anchor(self) -> str:
        return f"rubrique-{self.spec.key}"


@dataclass(frozen=True)
class IssueMeta:
    number: int
    date: date
    subject: str
    preheader: str
    editorial: str
    """Markdown, possibly empty."""
    draft: bool = False
    greeting: bool = True
    """False when the editorial greets the reader itself: no "Bonjour Karim," above it."""
    editorial_html: str = ""
    editorial_images: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Issue:
    slug: str
    folder: Path
    meta: IssueMeta
    sections: tuple[SectionItems, ...]
    warnings: tuple[Problem, ...] = field(default=())
    unready: tuple[Problem, ...] = field(default=())
    """Why the issue may not go out yet (draft flag, example texts left); also in ``warnings``."""

    @property
    def ready(self) -> bool:
        return not self.unready

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def images(self) -> tuple[Path, ...]:
        """Image files the issue uses (fields, texts, editorial), relative to its folder, once each."""
        found = [*self.meta.editorial_images]
        for item in self.items:
            found += [value for value in item.fields.values() if isinstance(value, Path)]
            found += item.body_images
        return tuple(dict.fromkeys(found))
