"""Keep every path the tool reads or writes inside the folder it belongs to.

A path is judged once resolved, symlinks and ``..`` included: a link inside the issue
folder to ``/etc/passwd``, or an image path that climbs out through a link, is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

# What an issue folder or a campaign may be called: safe as a folder name and in a URL.
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def within(path: Path, folder: Path) -> Path | None:
    """``path`` with every symlink and ``..`` resolved, or ``None`` if that leaves ``folder``."""
    resolved = path.resolve()
    return resolved if resolved.is_relative_to(folder.resolve()) else None


def outside_read(path: Path, folder_label: str) -> str:
    """Why a file that leads out of its folder is not read, in French."""
    return (
        f"ce fichier mène en dehors du {folder_label} (vers {path.resolve()}) : il n'est pas lu. "
        "Copiez le fichier dans le dossier au lieu d'y faire un lien."
    )


def outside_write(path: Path, folder: Path) -> str:
    """Why nothing is written at a path that leads out of the output folder, in French."""
    return (
        f"écrire ici sortirait du dossier {folder} (le chemin mène vers {path.resolve()}) : "
        "rien n'a été écrit. Supprimez le lien symbolique qui y mène."
    )
