"""Problems found in the officer's files, reported as ``fichier:ligne: message``."""

from __future__ import annotations

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
            try:
                path = path.resolve().relative_to(relative_to.resolve())
            except ValueError:
                pass
        where = f"{path}:{self.line}" if self.line else f"{path}"
        prefix = "" if self.is_error else "avertissement : "
        return f"{where}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised when the officer's files have errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]
