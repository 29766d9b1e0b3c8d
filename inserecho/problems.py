"""What the officer is told when something stops a command, and with which exit code.

Every stage raises one family: :class:`UserError` (one French message), its
:class:`ContentError` (problems found in the officer's files, each ``fichier:ligne``),
:class:`InvalidValue` (one value that cannot be used, placed at its file and line by
whoever read it), :class:`UsageProblem` (a wrong option or argument, exit code 2) and
:class:`EnvironmentProblem` (the system refused a read or a write: a read-only folder,
a full disk, an unreadable file). The command line shows any of them with its exit
code; anything else is a bug.

Warnings are never raised: they are :class:`Problem` values of severity
:attr:`Severity.WARNING`, handed back with the result.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

EXIT_USER = 1
EXIT_USAGE = 2


class Severity(StrEnum):
    """How serious a problem is; the value is the French word shown to the officer."""

    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a file the officer wrote."""

    path: Path
    line: int | None
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def format(self, relative_to: Path | None = None) -> str:
        where = f"{shown_path(self.path, relative_to)}:{self.line}" if self.line else shown_path(self.path, relative_to)
        prefix = "" if self.is_error else f"{Severity.WARNING} : "
        return f"{where}: {prefix}{self.message}"


class UserError(Exception):
    """A reason to stop that the officer can act on: shown as is, never as a traceback."""

    exit_code: ClassVar[int] = EXIT_USER

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def lines(self, relative_to: Path | None = None) -> list[str]:
        """What to print, one line each."""
        return [self.message]


class InvalidValue(UserError):
    """One value the officer wrote cannot be used; the message says why, in French.

    The function that checks a value does not know where it came from: its caller turns
    the error into a :class:`Problem` at the value's file and line (:meth:`at`), or, for a
    command-line argument, into a :class:`UsageProblem`.
    """

    def at(self, path: Path, line: int | None) -> Problem:
        return Problem(path, line, self.message)


class UsageProblem(UserError):
    """An option or argument the command cannot work with."""

    exit_code = EXIT_USAGE


class ContentError(UserError):
    """Raised when the officer's files have errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

    def lines(self, relative_to: Path | None = None) -> list[str]:
        errors = sum(p.is_error for p in self.problems)
        total = f"{errors} erreur(s) à corriger avant de continuer." if errors else "Rien n'a été produit."
        return [*(p.format(relative_to) for p in self.problems), total]


class EnvironmentProblem(UserError):
    """The system refused to read or write a file: says what, on which path, and what to do."""

    def __init__(self, error: OSError):
        self.error = error
        self.path = Path(error.filename) if error.filename else None
        super().__init__(self._sentence(str(self.path) if self.path else None))

    def lines(self, relative_to: Path | None = None) -> list[str]:
        return [self._sentence(shown_path(self.path, relative_to) if self.path else None)]

    def _sentence(self, where: str | None) -> str:
        if where is None:
            return f"le système a refusé une lecture ou une écriture : {describe_os_error(self.error)}"
        verb = "d'écrire" if self.error.errno in _WRITE_ONLY else "d'accéder à"
        return f"impossible {verb} {where} : {describe_os_error(self.error)}"


_WRITE_ONLY = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_REMEDIES = {
    errno.ENOENT: "il n'existe pas ; vérifiez le nom et le dossier",
    errno.EACCES: "accès refusé ; vérifiez les droits du fichier ou du dossier, "
                  "ou travaillez dans une copie du dossier de lettre qui vous appartient",
    errno.EPERM: "opération non permise ; vérifiez les droits du fichier ou du dossier",
    errno.EROFS: "le disque est en lecture seule ; travaillez dans une copie du dossier de lettre "
                 "sur un disque où vous pouvez écrire",
    errno.ENOSPC: "le disque est plein ; libérez de la place (anciens dossiers build/ ou outbox/, corbeille) "
                  "puis relancez la même commande",
    errno.EDQUOT: "votre quota de disque est atteint ; libérez de la place puis relancez la même commande",
    errno.EFBIG: "le fichier dépasse la taille permise ; libérez de la place ou écrivez sur un autre disque",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EIO: "erreur de lecture ou d'écriture du disque ; vérifiez le disque (clé USB retirée ?) "
               "puis relancez la même commande",
}


def describe_os_error(error: OSError) -> str:
    """Why the system refused, in French, and what to do about it."""
    return _REMEDIES.get(error.errno or 0, error.strerror or str(error)) + "."


def shown_path(path: Path, relative_to: Path | None) -> str:
    """``path`` relative to ``relative_to`` when it is inside it, as the officer typed it otherwise."""
    if relative_to is not None:
        # the link's own name first, then its target: what the officer knows inside the folder
        for candidate, base in ((Path(os.path.abspath(path)), Path(os.path.abspath(relative_to))),
                                (path.resolve(), relative_to.resolve())):
            if candidate.is_relative_to(base):
                return str(candidate.relative_to(base))
    return str(path)

