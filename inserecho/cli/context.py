"""What every command shares: the newsletter folder and how problems are shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from inserecho.content.loader import load_issue
from inserecho.content.model import Issue
from inserecho.paths import SLUG_PATTERN
from inserecho.problems import EXIT_USER, ContentError, Problem, UsageProblem, UserError
from inserecho.settings import SETTINGS_FILE, Settings, load_settings

EXIT_CONTENT = EXIT_USER


@dataclass
class Folder:
    """The newsletter folder the command works on; settings are read on first use."""

    root: Path
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            if not self.root.is_dir():
                raise UsageProblem(
                    f"le dossier de lettre {self.root} n'existe pas ou n'est pas un dossier (option --root)."
                )
            self._settings = load_settings(self.root)
        return self._settings

    def issue_name(self, name: str) -> str:
        """The issue's folder name in ``issues/``: ``2026-12``, or ``issues/2026-12/`` as the
        shell completes it. Never a path elsewhere: ``/etc`` or ``../../x`` would read or
        build a folder that is not an issue of this newsletter."""
        parts = Path(name).parts
        slug = parts[-1] if len(parts) == 2 and parts[0] == "issues" else name.rstrip("/")
        if not SLUG_PATTERN.match(slug):
            raise click.UsageError(
                f"« {name} » n'est pas un nom de numéro : indiquez le nom d'un dossier de issues/, "
                "en minuscules, chiffres et tirets, par exemple 2027-01."
            )
        return slug

    def issue_folder(self, name: str) -> Path:
        """The folder ``issues/NAME`` (see :meth:`issue_name`), which must exist."""
        slug = self.issue_name(name)
        in_issues = self.settings.issues_dir / slug
        if in_issues.is_dir():
            return in_issues
        if not (self.root / SETTINGS_FILE).exists():
            reason = self._not_a_newsletter()
            raise UsageProblem(f"numéro introuvable : « {name} ». {reason[0].upper()}{reason[1:]}")
        available = sorted(p.name for p in self.settings.issues_dir.glob("*") if p.is_dir())
        hint = (
            f" Numéros disponibles : {', '.join(available)}."
            if available
            else " Créez-en un avec « inserecho new NUMÉRO », par exemple « inserecho new 2027-01 »."
        )
        raise UsageProblem(
            f"numéro introuvable : « {name} » n'est ni un dossier ni un numéro de {self.settings.issues_dir}.{hint}"
        )

    def newsletter(self) -> Settings:
        """The settings, refusing a folder without ``inserecho.yaml``: commands that keep the
        journal and the signing secret must not leave them in a stray folder."""
        if not (self.root / SETTINGS_FILE).is_file():
            raise UsageProblem(self._not_a_newsletter())
        return self.settings

    def _not_a_newsletter(self) -> str:
        return (
            f"le dossier {self.root} n'est pas un dossier de lettre (pas de {SETTINGS_FILE}) : "
            "placez-vous dans votre dossier de lettre, indiquez-le avec --root DOSSIER, "
            "ou créez-en un avec « inserecho init »."
        )

    def load(self, name: str) -> Issue:
        return load_issue(self.issue_folder(name), self.settings)


pass_folder = click.make_pass_decorator(Folder)

_Command = TypeVar("_Command", bound=Callable[..., Any])


def subscribers_option(
    help: str = "Liste des abonné·e·s (par défaut : subscribers.yaml).",
) -> Callable[[_Command], _Command]:
    """``--subscribers FICHIER``, the list a command reads instead of subscribers.yaml."""
    return click.option(
        "--subscribers", "subscribers_file", type=click.Path(path_type=Path), metavar="FICHIER", help=help
    )


def tls_options(server: str, kind: str) -> Callable[[_Command], _Command]:
    """``--insecure`` and ``--cafile`` for a mail server: ``server`` as in « un relais »,
    ``kind`` as in « relais à certificat privé »."""

    def decorate(command: _Command) -> _Command:
        command = click.option(
            "--cafile", metavar="FICHIER", help=f"Certificat d'autorité supplémentaire ({kind} à certificat privé)."
        )(command)
        return click.option("--insecure", is_flag=True, help=f"Autoriser {server} sans chiffrement (déconseillé).")(
            command
        )

    return decorate


def report_warnings(warnings: tuple[Problem, ...], root: Path) -> None:
    if warnings:
        click.secho(f"Avertissements ({len(warnings)}) :", fg="yellow")
        for warning in warnings:
            click.echo("  " + warning.format(root))


def report_error(error: UserError, root: Path) -> None:
    """On stderr: each problem then their count, or ``Erreur : message``; the last line in red."""
    *details, last = error.lines(root)
    for line in details:
        click.echo(line, err=True)
    click.secho(last if isinstance(error, ContentError) else f"Erreur : {last}", fg="red", err=True)


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
