"""Load an issue folder into a validated :class:`Issue`, reporting every problem at once."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inserecho.content.body import Body, render_body
from inserecho.content.fields import check_field, warner
from inserecho.content.frontmatter import split_front_matter
from inserecho.content.model import Issue, IssueMeta, Item, SectionItems
from inserecho.content.placeholders import ISSUE_PHRASES, ITEM_PHRASES, find_placeholder
from inserecho.content.sections import BUILTIN_SECTIONS, FieldSpec, SortOrder
from inserecho.content.textfile import read_text
from inserecho.content.yamlfile import LineDict, parse_mapping
from inserecho.french.formats import format_date
from inserecho.french.suggest import did_you_mean, fold
from inserecho.paths import outside_read, within
from inserecho.problems import ContentError, InvalidValue, Problem, Severity

if TYPE_CHECKING:  # settings import the section specifications of this stage
    from inserecho.settings import Settings

ISSUE_FILE = "issue.yaml"
EDITORIAL_FILE = "_edito.md"
PREHEADER_MAX = 110

_ISSUE_FIELDS = (
    FieldSpec("number", "int", "Numéro", required=True),
    FieldSpec("date", "date", "Date de parution", required=True),
    FieldSpec("subject", "text", "Objet du courriel", required=True),
    FieldSpec("preheader", "text", "Phrase d'aperçu"),
    FieldSpec("editorial", "text", "Éditorial", multiline=True),
    FieldSpec("draft", "bool", "Brouillon"),
    FieldSpec("greeting", "bool", "Formule d'appel (« Bonjour Prénom, »)"),
)


def load_issue(folder: Path, settings: Settings) -> Issue:
    """Read ``folder`` (an ``issues/SLUG`` directory).

    Raises :class:`ContentError` with every error (and warning) found; on success the
    warnings travel in ``Issue.warnings``.
    """
    problems: list[Problem] = []
    unready: list[Problem] = []
    if not folder.is_dir():
        raise ContentError(
            [Problem(folder, None, "ce dossier de numéro n'existe pas ; créez-le avec « inserecho new NUMÉRO ».")]
        )
    meta = _load_meta(folder, problems, unready)
    files = _item_files(folder)
    items = [
        item for path, anchor in zip(files, unique_anchors(files), strict=True)
        if (item := _load_item(path, anchor, folder, settings, meta, problems, unready))
    ]
    problems.extend(unready)
    if not items and not any(p.is_error and p.path != folder / ISSUE_FILE for p in problems):
        problems.append(Problem(
            folder, None,
            "le numéro ne contient aucun article : ajoutez au moins un fichier .md "
            "(« inserecho new » en crée des exemples).",
        ))
    if any(p.is_error for p in problems) or meta is None:
        raise ContentError(_reading_order(problems))
    sections = tuple(
        SectionItems(spec, sort_items(members, spec.sort))
        for spec in settings.sections
        if (members := [i for i in items if i.section == spec.key])
    )
    return Issue(folder.name, folder, meta, sections, tuple(_reading_order(problems)), tuple(unready))


def _reading_order(problems: list[Problem]) -> list[Problem]:
    """File by file as they were read, each from top to bottom."""
    files: dict[Path, int] = {}
    for problem in problems:
        files.setdefault(problem.path, len(files))
    return sorted(problems, key=lambda p: (files[p.path], p.line or 0))


def _item_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() == ".md" and p.is_file() and not p.name.startswith(("_", "."))
    )


def sort_items(items: list[Item], sort: SortOrder | None) -> tuple[Item, ...]:
    """Items with ``order`` first (smallest first), then by the section's ``sort``, then by title.

    Items without a value for the sort field come after those with one, either way.
    """
    ordered = sorted(items, key=lambda i: i.title.casefold())
    if sort is not None:
        def value(item: Item) -> Any:
            found = item.title if sort.field == "title" else item.fields.get(sort.field)
            return found.casefold() if isinstance(found, str) else found
        valued = sorted((i for i in ordered if value(i) is not None), key=value, reverse=sort.descending)
        ordered = valued + [i for i in ordered if value(i) is None]
    return tuple(sorted(ordered, key=lambda i: (i.order is None, i.order or 0)))


def _load_meta(folder: Path, problems: list[Problem], unready: list[Problem]) -> IssueMeta | None:
    path = folder / ISSUE_FILE
    if not path.is_file():
        problems.append(
            Problem(
                path,
                None,
                "fichier issue.yaml manquant : il donne le numéro, la date et l'objet (voir « inserecho new »).",
            )
        )
        return None
    text = _read(path, folder, problems)
    data = _parse_mapping(text, path, 1, problems, "le fichier issue.yaml") if text is not None else None
    if data is None:
        return None
    _note_placeholder(find_placeholder(path, text or "", ISSUE_PHRASES), unready)
    values = _check_fields(data, {f.name: f for f in _ISSUE_FIELDS}, path, folder, problems, "dans issue.yaml")
    editorial_path = folder / EDITORIAL_FILE
    editorial = values.get("editorial") or ""
    # a block (``editorial: |``) starts on the line after its key
    editorial_at = (path, data.lines["editorial"] + ("\n" in editorial)) if editorial else None
    if editorial_path.is_file():
        text = _read(editorial_path, folder, problems)
        if text is None:
            pass
        elif editorial:
            problems.append(
                Problem(
                    path,
                    data.lines["editorial"],
                    "l'éditorial est à la fois dans issue.yaml et dans _edito.md : gardez-en un seul.",
                )
            )
        else:
            editorial = text.strip()
            editorial_at = (editorial_path, 1 + text[: len(text) - len(text.lstrip())].count("\n"))
            _note_placeholder(find_placeholder(editorial_path, text, ISSUE_PHRASES), unready)
    rendered = render_body(editorial, *editorial_at, folder, problems) if editorial_at else Body("", ())
    if not values.get("preheader") and values.get("subject"):
        problems.append(
            Problem(
                path,
                data.line,
                "pas de phrase d'aperçu (« preheader ») : les messageries afficheront le début du courriel à la place.",
                Severity.WARNING,
            )
        )
    elif values.get("preheader") and len(values["preheader"]) > PREHEADER_MAX:
        problems.append(
            Problem(
                path,
                data.lines["preheader"],
                f"la phrase d'aperçu dépasse {PREHEADER_MAX} caractères ; elle sera coupée dans la boîte de réception.",
                Severity.WARNING,
            )
        )
    if values.get("draft"):
        unready.insert(0, Problem(
            path, data.lines["draft"],
            "ce numéro est un brouillon : quand il est prêt à partir, écrivez « draft: non » "
            "(ou supprimez la ligne).", Severity.WARNING,
        ))
    if any(values.get(f.name) is None for f in _ISSUE_FIELDS if f.required):
        return None
    return IssueMeta(
        values["number"], values["date"], values["subject"], values.get("preheader") or "", editorial,
        draft=bool(values.get("draft")), greeting=values.get("greeting", True) is not False,
        editorial_html=rendered.html, editorial_images=rendered.images,
    )


def _note_placeholder(problem: Problem | None, unready: list[Problem]) -> None:
    if problem:
        unready.append(problem)


def _load_item(
    path: Path, anchor: str, folder: Path, settings: Settings, meta: IssueMeta | None, problems: list[Problem],
    unready: list[Problem],
) -> Item | None:
    text = _read(path, folder, problems)
    if text is None:
        return None
    _note_placeholder(find_placeholder(path, text or "", ITEM_PHRASES), unready)
    try:
        split = split_front_matter(text, path)
    except ContentError as error:
        problems.extend(error.problems)
        return None
    data = _parse_mapping(split.front_matter, path, split.front_matter_line, problems)
    if data is None:
        return None
    section_key = data.get("section")
    spec = settings.section(section_key) if isinstance(section_key, str) else None
    if spec is None:
        keys = [s.key for s in settings.sections]
        if section_key is None:
            message = f"champ « section » manquant : indiquez la rubrique ({', '.join(keys)})."
        elif not isinstance(section_key, str):
            message = f"« section » doit être le nom d'une seule rubrique, sans crochets ({', '.join(keys)})."
        elif section_key in BUILTIN_SECTIONS:
            message = (f"la rubrique « {section_key} » n'est pas dans la liste « sections » de inserecho.yaml ; "
                       "ajoutez-la ou changez de rubrique.")
        else:
            message = (f"rubrique inconnue « {section_key} »{did_you_mean(section_key, keys)} ; "
                       f"les rubriques sont {', '.join(keys)}.")
        problems.append(Problem(path, data.lines.get("section", data.line), message))
        return None
    values = _check_fields(
        data, {f.name: f for f in spec.fields}, path, folder, problems, f"pour un article de la rubrique « {spec.key} »"
    )
    for image in (f.name for f in spec.fields if f.kind == "image" and f.name in values):
        if not values.get(f"{image}_alt"):
            problems.append(
                Problem(
                    path,
                    data.lines[image],
                    f"l'image n'a pas de texte alternatif : ajoutez « {image}_alt: » qui décrit l'image pour les "
                    f"personnes qui ne la voient pas.",
                )
            )
    starts, ends = values.get("date"), values.get("end_date")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        problems.append(
            Problem(
                path,
                data.lines["end_date"],
                f"« end_date » ({format_date(ends)}) tombe avant « date » ({format_date(starts)}) : corrigez l'une "
                f"des deux.",
            )
        )
    elif spec.archive == "agenda" and isinstance(starts, date) and meta and (ends or starts) < meta.date:
        problems.append(Problem(
            path, data.lines["end_date" if ends else "date"],
            f"l'événement est déjà passé à la date du numéro ({format_date(meta.date)}) : corrigez la date, "
            "ou racontez-le dans une autre rubrique (les actualités, par exemple).",
        ))
    deadline: date | None = values.get("deadline")
    if deadline and meta and deadline < meta.date:
        problems.append(Problem(
            path, data.lines["deadline"],
            f"la date limite ({format_date(deadline)}) est déjà passée à la date du numéro "
            f"({format_date(meta.date)}) : corrigez-la ou retirez cet article.",
        ))
    if not split.body.strip():
        problems.append(Problem(path, split.body_line, "l'article n'a pas de texte sous l'en-tête.", Severity.WARNING))
    body = render_body(split.body, path, split.body_line, folder, problems)
    if any(values.get(name) is None for name in spec.required):
        return None
    fields = {k: v for k, v in values.items() if v is not None and k not in ("section", "title", "order")}
    return Item(
        path, anchor, spec.key, values["title"], fields, split.body, values.get("order"), body.html, body.images
    )


def _check_fields(
    data: LineDict, specs: dict[str, FieldSpec], path: Path, folder: Path, problems: list[Problem], where: str
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in data.items():
        line = data.lines[key]
        spec = specs.get(key)
        if spec is None:
            hint = did_you_mean(key, specs) or f" ; les champs possibles sont {', '.join(specs)}"
            problems.append(Problem(path, line, f"champ inconnu « {key} » {where}{hint}."))
            continue
        try:
            values[key] = check_field(spec, raw, folder, warner(problems, path, line))
        except InvalidValue as error:
            problems.append(error.at(path, line))
    for spec in specs.values():
        if spec.required and spec.name not in data:
            problems.append(
                Problem(
                    path,
                    data.line,
                    f"champ obligatoire « {spec.name} » ({spec.label}) manquant : ajoutez une ligne « {spec.name}: … "
                    f"».",
                )
            )
    return values


def _read(path: Path, folder: Path, problems: list[Problem]) -> str | None:
    """The text of one of the issue's files, unless it leads out of the issue folder."""
    if within(path, folder) is None:
        problems.append(Problem(path, None, outside_read(path, "dossier du numéro")))
        return None
    try:
        return read_text(path)
    except ContentError as error:
        problems.extend(error.problems)
        return None


def _parse_mapping(
    text: str, path: Path, first_line: int, problems: list[Problem], what: str = "l'en-tête"
) -> LineDict | None:
    data, found = parse_mapping(text, path, first_line, what)
    problems.extend(found)
    return data


def unique_anchors(paths: list[Path]) -> list[str]:
    """One anchor per item file, from its name: ``Marché été.md`` is ``article-marche-ete``.

    Accents are folded so anchors stay plain ASCII; names that still meet (``marché.md``
    and ``marche.md``) are told apart by a number, in file order.
    """
    anchors: list[str] = []
    taken: set[str] = set()
    for path in paths:
        slug = re.sub(r"[^a-z0-9]+", "-", fold(path.stem)).strip("-")
        base = f"article-{slug}" if slug else "article"
        anchor, number = base, 1
        while anchor in taken:
            number += 1
            anchor = f"{base}-{number}"
        taken.add(anchor)
        anchors.append(anchor)
    return anchors
