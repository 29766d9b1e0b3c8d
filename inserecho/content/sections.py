"""Sections as data: what an item of each section carries, and how it is shown and listed.

One :class:`SectionSpec` per section is the single source of truth for its fields (types,
labels, which are required), badges, call-to-action text, sort order and archive page. The
built-in ones are read from ``resources/sections.yaml`` with :func:`read_sections`, the same
reader that reads the ``sections:`` list of ``inserecho.yaml``, where the officer may declare
new sections or override a built-in one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args

from inserecho.content.yamlfile import LineDict, LineList, parse_yaml
from inserecho.french.suggest import did_you_mean, fold, setting_hint
from inserecho.problems import Problem

FieldKind = Literal[
    "text", "date", "time", "url", "bool", "amount", "image", "territory", "contract", "audience", "apply", "int"
]
FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)
ArchivePage = Literal["calls", "offers", "agenda"]
ARCHIVE_PAGES: tuple[str, ...] = get_args(ArchivePage)
BADGE_KINDS: tuple[str, ...] = ("territory", "contract", "audience", "bool")
"""Fields of these kinds show as badges above the title (a ``bool`` one only when true)."""
LINK_KINDS: tuple[str, ...] = ("url", "apply")
"""The first of these fields an item fills is its call-to-action button."""
SORTABLE_KINDS: tuple[str, ...] = ("text", "date", "time", "int", "contract")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    label: str
    required: bool = False
    highlight: bool = False
    """Shown emphasised, as a deadline is."""
    multiline: bool = False
    """Text that may span lines (the editorial); other text fields hold one line."""


@dataclass(frozen=True)
class SortOrder:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class SectionSpec:
    key: str
    label: str
    fields: tuple[FieldSpec, ...]
    """The fields every item has (:data:`COMMON`) first, then the section's own."""
    sort: SortOrder | None = None
    """The section's natural order after ``order``; then items go by title."""
    cta: str | None = None
    """The button's text; without it, the label of the link field the item fills."""
    archive: ArchivePage | None = None
    """Which page of the web archive lists the section's items while they are current."""

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

COMMON = (
    FieldSpec("section", "text", "Rubrique", required=True),
    FieldSpec("title", "text", "Titre", required=True),
    FieldSpec("order", "int", "Ordre"),
)
"""Fields every item carries, whatever its section."""

_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SECTION_KEYS = ("key", "label", "sort", "cta", "archive", "fields")
_FIELD_KEYS = ("type", "label", "required", "highlight")


def read_sections(
    value: Any, line: int, path: Path, base: Mapping[str, SectionSpec], problems: list[Problem]
) -> tuple[SectionSpec, ...]:
    """Read a ``sections:`` list; an entry named in ``base`` starts from that section.

    Every mistake is added to ``problems`` with its line; faulty entries are left out.
    """
    if not isinstance(value, LineList):
        problems.append(Problem(path, line, "« sections » doit être une liste de rubriques (« - key: news »)."))
        return ()
    sections: list[SectionSpec] = []
    for entry, entry_line in zip(value, value.lines, strict=True):
        spec = _read_section(entry, entry_line, path, base, problems)
        if spec is None:
            continue
        if any(s.key == spec.key for s in sections):
            problems.append(Problem(path, entry_line, f"la rubrique « {spec.key} » est listée deux fois."))
            continue
        sections.append(spec)
    return tuple(sections)


def _read_section(
    entry: Any, line: int, path: Path, base: Mapping[str, SectionSpec], problems: list[Problem]
) -> SectionSpec | None:
    mapping = entry if isinstance(entry, LineDict) else LineDict.at(line)
    key = mapping.get("key") if isinstance(entry, LineDict) else entry
    before = len(problems)
    _report_unknown(mapping, _SECTION_KEYS, " dans une rubrique", path, problems)
    if key is None:
        problems.append(
            Problem(
                path,
                line,
                f"rubrique sans « key » : écrivez « - key: … » avec {_names(base) or 'le nom de la rubrique'}.",
            )
        )
        return None
    if not isinstance(key, str) or not _KEY.match(key):
        problems.append(
            Problem(
                path,
                mapping.lines.get("key", line),
                f"« {key} » ne convient pas comme clé de rubrique : des minuscules sans accent, des chiffres, des « "
                f"- » ou des « _ », par exemple « portrait ».",
            )
        )
        return None
    builtin = base.get(key)
    if builtin is None and "label" not in mapping and "fields" not in mapping:
        problems.append(Problem(
            path, mapping.lines.get("key", line),
            f"rubrique inconnue « {key} »{did_you_mean(key, base)} ; les rubriques fournies sont {_names(base)}. "
            "Pour en créer une nouvelle, donnez-lui un « label » et ses « fields ».",
        ))
        return None
    spec = builtin or SectionSpec(key, "", COMMON)
    label = _text(mapping, "label", path, problems)
    if label is not None:
        spec = replace(spec, label=label)
    elif not spec.label:
        problems.append(
            Problem(path, line, f"la nouvelle rubrique « {key} » n'a pas d'intitulé : ajoutez « label: … ».")
        )
    cta = _text(mapping, "cta", path, problems)
    if cta is not None:
        spec = replace(spec, cta=cta)
    if "fields" in mapping:
        spec = replace(spec, fields=_read_fields(mapping["fields"], mapping.lines["fields"], path, spec, problems))
    if "archive" in mapping:
        page = mapping["archive"]
        if page in ARCHIVE_PAGES:
            spec = replace(spec, archive=page)
        else:
            problems.append(
                Problem(
                    path,
                    mapping.lines["archive"],
                    f"page d'archive inconnue « {page} »{did_you_mean(str(page), ARCHIVE_PAGES)} ; écrivez calls "
                    f"(appels en cours), "
                    "offers (offres en cours) ou agenda (événements à venir).",
                )
            )
    if "sort" in mapping:
        spec = replace(spec, sort=_read_sort(mapping["sort"], mapping.lines["sort"], path, spec, problems))
    if spec.archive == "agenda" and getattr(spec.field("date"), "kind", None) != "date":
        problems.append(
            Problem(
                path, line, f"la rubrique « {key} » va dans l'agenda : elle a besoin d'un champ « date » de type date."
            )
        )
    return spec if len(problems) == before else None


def _read_fields(
    value: Any, line: int, path: Path, spec: SectionSpec, problems: list[Problem]
) -> tuple[FieldSpec, ...]:
    if not isinstance(value, LineDict):
        problems.append(
            Problem(
                path,
                line,
                "« fields » doit donner un champ par ligne, par exemple « structure: "
                "{type: text, label: \"Structure\"} ».",
            )
        )
        return spec.fields
    fields = {f.name: f for f in spec.fields}
    for name, definition in value.items():
        field_line = value.lines[name]
        if any(f.name == name for f in COMMON):
            problems.append(
                Problem(
                    path,
                    field_line,
                    f"le champ « {name} » existe déjà dans toutes les rubriques : choisissez un autre nom.",
                )
            )
            continue
        if not _FIELD_NAME.match(name):
            problems.append(
                Problem(
                    path,
                    field_line,
                    f"« {name} » ne convient pas comme nom de champ : des minuscules sans accent, des chiffres et "
                    f"des « _ », par exemple « end_date ».",
                )
            )
            continue
        field = _read_field(name, definition, field_line, path, fields.get(name), problems)
        if field is None:
            continue
        fields[name] = field
        if field.kind == "image" and f"{name}_alt" not in value:
            fields.setdefault(f"{name}_alt", FieldSpec(f"{name}_alt", "text", "Texte alternatif de l'image"))
    return tuple(fields.values())


def _read_field(
    name: str, definition: Any, line: int, path: Path, inherited: FieldSpec | None, problems: list[Problem]
) -> FieldSpec | None:
    """``nom: text`` or ``nom: {type: text, label: "…", required: true}``."""
    if isinstance(definition, str):
        definition_map = LineDict.at(line)
        definition_map.put("type", definition, line, path, problems)
    elif isinstance(definition, LineDict):
        definition_map = definition
    elif definition is None and inherited is not None:
        return inherited
    else:
        problems.append(
            Problem(
                path,
                line,
                f"le champ « {name} » doit donner son type, par exemple « {name}: {{type: text, label: \"…\"}} ».",
            )
        )
        return None
    before = len(problems)
    _report_unknown(definition_map, _FIELD_KEYS, f" pour le champ « {name} »", path, problems)
    kind = definition_map.get("type", inherited.kind if inherited else None)
    if kind is None:
        problems.append(
            Problem(path, line, f"le champ « {name} » n'a pas de type : ajoutez « type: », parmi {_KIND_NAMES}.")
        )
    elif kind not in FIELD_KINDS:
        problems.append(Problem(
            path, definition_map.lines.get("type", line),
            f"type de champ inconnu « {kind} »{_kind_hint(str(kind))} ; les types sont {_KIND_NAMES}.",
        ))
    label = _text(definition_map, "label", path, problems)
    flags = {flag: _flag(definition_map, flag, name, path, problems) for flag in ("required", "highlight")}
    if len(problems) > before:
        return None
    field_kind = cast(FieldKind, kind)  # checked against FIELD_KINDS above
    start = inherited or FieldSpec(name, field_kind, name.replace("_", " ").capitalize())
    return replace(
        start, kind=field_kind, label=label or start.label,
        required=start.required if flags["required"] is None else flags["required"],
        highlight=start.highlight if flags["highlight"] is None else flags["highlight"],
    )


def _read_sort(value: Any, line: int, path: Path, spec: SectionSpec, problems: list[Problem]) -> SortOrder | None:
    text = str(value) if isinstance(value, str) else ""
    name = text.removeprefix("-")
    field = spec.field(name)
    if field is None or field.kind not in SORTABLE_KINDS or name in ("section", "order"):
        choices = [f.name for f in spec.fields if f.kind in SORTABLE_KINDS and f.name not in ("section", "order")]
        problems.append(Problem(
            path, line,
            f"« sort: {value} » : la rubrique ne peut pas être classée par ce champ{did_you_mean(name, choices)} ; "
            f"indiquez {', '.join(choices)} (précédé de « - » pour l'ordre décroissant, par exemple « -date »).",
        ))
        return spec.sort
    return SortOrder(name, descending=text.startswith("-"))


def _text(mapping: LineDict, key: str, path: Path, problems: list[Problem]) -> str | None:
    if key not in mapping:
        return None
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(path, mapping.lines[key], f"« {key} » doit être un texte non vide, entre guillemets."))
        return None
    return value.strip()


def _flag(mapping: LineDict, key: str, name: str, path: Path, problems: list[Problem]) -> bool | None:
    if key not in mapping:
        return None
    if not isinstance(mapping[key], bool):
        problems.append(
            Problem(path, mapping.lines[key], f"« {key} » du champ « {name} » doit valoir true (oui) ou false (non).")
        )
        return None
    return mapping[key]


_FRENCH_KINDS = {
    "texte": "text", "heure": "time", "lien": "url", "adresse web": "url", "oui/non": "bool", "booleen": "bool",
    "montant": "amount", "territoire": "territory", "contrat": "contract", "public": "audience",
    "candidature": "apply", "nombre": "int", "entier": "int",
}
_KIND_NAMES = (
    "text (texte), date, time (heure), url (lien web), bool (oui ou non), amount (montant), image, "
    "territory (territoire), contract (type de contrat), audience (public), apply (adresse e-mail ou lien "
    "pour candidater) et int (nombre entier)"
)


def _kind_hint(word: str) -> str:
    """Officers often write the type in French: ``texte`` means ``text``."""
    english = _FRENCH_KINDS.get(fold(word))
    return f" (vouliez-vous dire « {english} » ?)" if english else did_you_mean(word, FIELD_KINDS)


def _report_unknown(
    mapping: LineDict, known: tuple[str, ...], where: str, path: Path, problems: list[Problem]
) -> None:
    """« réglage inconnu » at the line of each key of ``mapping`` not in ``known``."""
    for extra in mapping:
        if extra not in known:
            message = f"réglage inconnu « {extra} »{where}{setting_hint(extra, known)}."
            problems.append(Problem(path, mapping.lines[extra], message))


def _names(sections: Mapping[str, SectionSpec]) -> str:
    return ", ".join(sections)


def _load_builtin() -> dict[str, SectionSpec]:
    resource = resources.files("inserecho") / "resources" / "sections.yaml"
    path = Path(str(resource))
    value, problems = parse_yaml(resource.read_text(encoding="utf-8"), path)
    sections = read_sections(value, 1, path, {}, problems)
    if problems:  # a defect of the package, not of the officer's files
        raise RuntimeError("\n".join(p.format() for p in problems))
    return {s.key: s for s in sections}


BUILTIN_SECTIONS: dict[str, SectionSpec] = _load_builtin()
