"""The example texts that ``inserecho new`` writes, found where the officer left them.

An issue that still holds one is not ready to go out, like an issue marked as a draft.
The phrases are the scaffold's own (``resources/new_issue``); the tests check that each
example file of the scaffold is caught.
"""

from __future__ import annotations

from pathlib import Path

from inserecho.problems import Problem, Severity

# In issue.yaml and _edito.md: "à compléter" is the scaffold's marker for every value.
ISSUE_PHRASES = ("à compléter", "écrivez ici l'éditorial", "prénom nom, fonction")
# In item files, where "à compléter" may be genuine ("le dossier à compléter").
ITEM_PHRASES = (
    "titre de l'actualité : court et informatif",
    "sous les tirets, écrivez le texte",
    "appel à projets : nom de l'appel",
    "nom du financeur",
    "expliquez en un à trois courts paragraphes",
    "nom de l'acheteur",
    "décrivez le marché en un à trois",
    "nom de la structure",
    "décrivez le poste en un à trois",
)


def find_placeholder(path: Path, text: str, phrases: tuple[str, ...]) -> Problem | None:
    """A warning at the first line of ``text`` (not a ``#`` comment) holding one of ``phrases``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        folded = line.replace("’", "'").casefold()
        phrase = next((p for p in phrases if p in folded), None)
        if phrase:
            remedy = "" if phrases is ISSUE_PHRASES else ", ou supprimez ce fichier s'il ne sert pas"
            return Problem(
                path, number,
                f"texte d'exemple encore présent (« {phrase} ») : remplacez-le par le vôtre{remedy}.",
                Severity.WARNING,
            )
    return None
