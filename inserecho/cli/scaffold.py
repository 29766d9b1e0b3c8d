"""``inserecho init`` and ``inserecho new``: a working folder, a new issue."""

from __future__ import annotations

import re
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from inserecho.content.textfile import read_text
from inserecho.french.formats import format_date
from inserecho.paths import SLUG_PATTERN
from inserecho.problems import ContentError, UsageProblem

_RESOURCES = resources.files("inserecho") / "resources"
MONTH_SLUG = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# French public holidays on a fixed date (month, day): no issue comes out on 1 January.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
# The number and date written in resources/new_issue/issue.yaml, which every date of
# the examples is relative to.
SCAFFOLD_NUMBER = 43
SCAFFOLD_DATE = date(2027, 1, 7)

GITIGNORE = """\
# Fichiers propres à cette machine : à ne pas partager
subscribers.yaml
build/
outbox/
journal.sqlite3*
journal.sqlite3.lock
.inserecho-secret
"""


class ScaffoldError(UsageProblem):
    """A French message: the folder cannot be created as asked."""


def init_folder(target: Path) -> list[Path]:
    """Fill ``target`` with settings, templates, the sample issue and example subscribers.

    Never overwrites: if any file already exists, nothing is written.
    """
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} est un fichier : indiquez un dossier (nouveau ou vide).")
    plan: dict[Path, Traversable] = {}
    _plan_copy(_RESOURCES / "folder", target, plan)
    _plan_copy(_RESOURCES / "templates", target / "templates", plan)
    existing = sorted(p for p in [*plan, target / ".gitignore"] if p.exists())
    if existing:
        names = ", ".join(str(p.relative_to(target)) for p in existing[:5])
        raise ScaffoldError(
            f"le dossier {target} contient déjà {names}"
            f"{'…' if len(existing) > 5 else ''} : choisissez un dossier vide ou un autre nom."
        )
    for destination, source in plan.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(source.read_bytes())
    (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return sorted(plan)


def new_issue(issues_dir: Path, slug: str, issue_date: date | None = None) -> Path:
    """Create ``issues_dir/slug`` with ``issue.yaml`` and one example item per section.

    The issue is dated ``issue_date``, by default :func:`default_date` of the slug, and
    the examples relative to it, so their deadlines fall after it; the number follows the
    highest existing one. The issue is a draft until the officer marks it ready.
    """
    if not SLUG_PATTERN.match(slug):
        raise ScaffoldError(
            f"« {slug} » ne convient pas comme nom de numéro : utilisez des minuscules, "
            "des chiffres et des tirets, par exemple 2027-01."
        )
    month_like = re.fullmatch(r"(\d{4})-(\d{2})", slug)
    if month_like and not MONTH_SLUG.match(slug):
        raise ScaffoldError(
            f"« {slug} » ressemble à un mois, mais {month_like.group(2)} n'est pas un numéro de mois (01 à 12) : "
            "corrigez-le, par exemple 2027-01."
        )
    folder = issues_dir / slug
    if folder.exists():
        raise ScaffoldError(f"le numéro « {slug} » existe déjà ({folder}) : choisissez un autre nom.")
    plan: dict[Path, Traversable] = {}
    _plan_copy(_RESOURCES / "new_issue", folder, plan)
    number = _next_number(issues_dir) or SCAFFOLD_NUMBER
    issue_date = issue_date or default_date(slug, date.today())
    shift = issue_date - SCAFFOLD_DATE
    for destination, source in plan.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_bytes().decode("utf-8")
        text = re.sub(r"(?m)^(date|end_date|deadline): *(\d{4}-\d{2}-\d{2})", lambda m: _shifted(m, shift), text)
        if destination.name == "issue.yaml":
            text = text.replace(f"(ici : {format_date(SCAFFOLD_DATE)})", f"(ici : {format_date(issue_date)})")
            text = text.replace(f"n° {SCAFFOLD_NUMBER}", f"n° {number}")
            text = re.sub(r"(?m)^number: *\d+", f"number: {number}", text, count=1)
        destination.write_text(text, encoding="utf-8")
    return folder


def default_date(slug: str, today: date) -> date:
    """The first working day (Monday to Friday, not a fixed public holiday) of the month a
    ``2027-01`` slug names; ``today`` for any other slug."""
    match = MONTH_SLUG.match(slug)
    if not match:
        return today
    day = date(int(match.group(1)), int(match.group(2)), 1)
    while day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        day += timedelta(days=1)
    return day


def _shifted(match: re.Match[str], shift: timedelta) -> str:
    return f"{match.group(1)}: {(date.fromisoformat(match.group(2)) + shift).isoformat()}"


def _plan_copy(source: Traversable, destination: Path, plan: dict[Path, Traversable]) -> None:
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            _plan_copy(entry, destination / entry.name, plan)
        else:
            plan[destination / entry.name] = entry


def _next_number(issues_dir: Path) -> int | None:
    """One more than the highest ``number:`` among existing issues, if any."""
    numbers = []
    for issue_file in issues_dir.glob("*/issue.yaml"):
        try:
            text = read_text(issue_file)
        except ContentError:  # an unreadable issue is reported when it is built, not here
            continue
        match = re.search(r"(?m)^number: *(\d+)", text)
        if match:
            numbers.append(int(match.group(1)))
    return max(numbers) + 1 if numbers else None
