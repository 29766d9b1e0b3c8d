"""Problems found in the officer's files, reported as ``fichier:ligne: message``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal

Severity = Literal["erreur", "avertissement"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a file the officer wrote."""

    path: Path
    line: int | None
    message: str
    severity: Severity = "erreur"

    @property
    def is_error(self) -> bool:
        return self.severity == "erreur"

    def format(self, relative_to: Path | None = None) -> str:
        path = self.path
        if relative_to is not None:
            path = _relative(path, relative_to)
        where = f"{path}:{self.line}" if self.line else f"{path}"
        prefix = "" if self.is_error else "avertissement : "
        return f"{where}: {prefix}{self.message}"


def _relative(path: Path, folder: Path) -> Path:
    """``path`` as the officer knows it inside ``folder``: the link's own name, not its target."""
    for candidate, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(folder))), (path.resolve(), folder.resolve())):
        if candidate.is_relative_to(base):
            return candidate.relative_to(base)
    return path


class ContentError(Exception):
    """Raised when the officer's files have errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]
