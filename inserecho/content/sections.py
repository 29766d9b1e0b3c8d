"""The built-in sections of an issue and the fields each item may carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["text", "date", "url", "bool", "amount", "image", "territory", "contract", "audience", "apply", "int"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    label: str
    required: bool = False


@dataclass(frozen=True)
class SectionSpec:
    key: str
    label: str
    fields: tuple[FieldSpec, ...]
    sort_field: str | None
    """The section's natural order after ``order``: deadline for calls and offers, date for news."""

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


CONTRACTS: tuple[str, ...] = (
    "CDDI", "CDI", "CDD", "CTTI", "CDD Tremplin", "alternance", "apprentissage", "formation", "stage", "intérim",
)
AUDIENCES: dict[str, str] = {
    "insertion": "Personnes en parcours d'insertion",
    "permanents": "Salarié·e·s permanent·e·s",
}

# Fields every item may carry, whatever its section.
COMMON = (
    FieldSpec("section", "text", "Rubrique", required=True),
    FieldSpec("title", "text", "Titre", required=True),
    FieldSpec("order", "int", "Ordre"),
)
_territory = FieldSpec("territory", "territory", "Territoire")
_link = FieldSpec("link", "url", "En savoir plus")


def _deadline(required: bool) -> FieldSpec:
    return FieldSpec("deadline", "date", "Date limite", required=required)


BUILTIN_SECTIONS: dict[str, SectionSpec] = {
    s.key: s
    for s in (
        SectionSpec(
            "news",
            "Actualités du réseau",
            COMMON + (
                FieldSpec("date", "date", "Date"),
                _territory,
                FieldSpec("image", "image", "Image"),
                FieldSpec("image_alt", "text", "Texte alternatif de l'image"),
                _link,
            ),
            sort_field="date",
        ),
        SectionSpec(
            "procurement",
            "Achats responsables & marchés",
            COMMON + (
                FieldSpec("buyer", "text", "Acheteur", required=True),
                _deadline(True),
                FieldSpec("social_clause", "bool", "Clause sociale"),
                FieldSpec("reserved", "bool", "Marché réservé"),
                _territory,
                _link,
                FieldSpec("reference", "text", "Référence"),
            ),
            sort_field="deadline",
        ),
        SectionSpec(
            "funding",
            "Financements & appels à projets",
            COMMON + (
                FieldSpec("funder", "text", "Financeur", required=True),
                _deadline(True),
                FieldSpec("amount", "amount", "Montant"),
                FieldSpec("eligibility", "text", "Public éligible"),
                _link,
            ),
            sort_field="deadline",
        ),
        SectionSpec(
            "jobs",
            "Offres d'emploi & formations",
            COMMON + (
                FieldSpec("employer", "text", "Employeur", required=True),
                FieldSpec("location", "text", "Lieu", required=True),
                FieldSpec("contract", "contract", "Contrat", required=True),
                FieldSpec("hours", "text", "Temps de travail"),
                _deadline(False),
                FieldSpec("audience", "audience", "Public"),
                FieldSpec("apply", "apply", "Candidater"),
                _territory,
            ),
            sort_field="deadline",
        ),
    )
}
