"""Split a Markdown item into its YAML front matter and its body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inserecho.problems import ContentError, Problem

FENCE = "---"


@dataclass(frozen=True)
class SplitItem:
    front_matter: str
    front_matter_line: int
    """Line (1-based) of the first front-matter line in the file."""
    body: str
    body_line: int
    """Line of the body's first line (blank lines after the front matter are left out)."""


def split_front_matter(text: str, path: Path) -> SplitItem:
    """Split ``text`` (``\\n`` line endings) at its ``---`` fences, or :class:`ContentError`."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise _problem(path, 1, "le fichier est vide ; écrivez un en-tête entre deux lignes « --- » puis le texte.")
    if lines[first].rstrip() != FENCE:
        raise _problem(
            path, first + 1,
            "le fichier doit commencer par un en-tête entre deux lignes « --- » "
            "(par exemple « section: news » et « title: … »).",
        )
    for end in range(first + 1, len(lines)):
        if lines[end].rstrip() in (FENCE, "..."):
            rest = lines[end + 1 :]
            blank = next((i for i, line in enumerate(rest) if line), 0)
            return SplitItem(
                front_matter="\n".join(lines[first + 1 : end]),
                front_matter_line=first + 2,
                body="\n".join(rest).strip("\n"),
                body_line=end + 2 + blank,
            )
    raise _problem(
        path, first + 1,
        "l'en-tête ouvert par « --- » n'est jamais refermé : ajoutez une ligne « --- » après le dernier champ.",
    )


def _problem(path: Path, line: int, message: str) -> ContentError:
    return ContentError([Problem(path, line, message)])
