"""The ``inserecho`` command: a thin layer that wires the pipeline's stages together."""

from __future__ import annotations

import importlib
import os
import sys
import webbrowser
from pathlib import Path

import click

from inserecho import __version__
from inserecho.cli.console import survive_code_page
from inserecho.cli.context import (
    EXIT_CONTENT,
    Folder,
    pass_folder,
    report_error,
    report_warnings,
    shown,
)
from inserecho.cli.french import install_french_messages
from inserecho.cli.scaffold import init_folder, new_issue
from inserecho.content.model import Issue
from inserecho.french.formats import kilobytes, plural
from inserecho.problems import EnvironmentProblem, Problem, UsageProblem, UserError
from inserecho.render.build import check_warnings, write_build
from inserecho.render.renderer import GMAIL_CLIP_BYTES, clipping_warning, render_issue
from inserecho.settings import SETTINGS_FILE


class _Commands(click.Group):
    """Loads the sending and web commands only when asked for: they bring in the SMTP,
    e-mail address and file-watching libraries, which ``build`` does not need."""

    _lazy = {
        "send": "inserecho.cli.send", "status": "inserecho.cli.send", "unsubscribe": "inserecho.cli.send",
        "subscribers": "inserecho.cli.send", "preview": "inserecho.cli.web", "archive": "inserecho.cli.web",
        "inbox": "inserecho.cli.inbox", "dkim": "inserecho.cli.dkim", "serve": "inserecho.cli.serve",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self._lazy and name not in self.commands:
            self.add_command(getattr(importlib.import_module(self._lazy[name]), name))
        return super().get_command(ctx, name)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"]},
    subcommand_metavar="COMMANDE [ARGUMENTS]...",
    epilog="Aide d'une commande : inserecho COMMANDE --help (par exemple inserecho send --help).",
)
@click.option(
    "--root", type=click.Path(path_type=Path), default=".", metavar="DOSSIER",
    help="Dossier de la lettre (par défaut : le dossier courant).",
)
@click.version_option(__version__, "--version", message="inserecho %(version)s", help="Afficher la version et quitter.")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Rédiger, prévisualiser et envoyer la lettre d'information Inser'Echo.

    Chaque numéro est un dossier de issues/ : un fichier Markdown par article.

    \b
    Un numéro, du début à la fin :
      inserecho new 2027-01                            préparer le numéro (brouillon)
      inserecho check 2027-01                          vérifier ce qui reste à faire
      inserecho preview 2027-01                        le voir dans le navigateur
      inserecho send 2027-01 --test moi@example.org    s'envoyer un exemplaire
      inserecho send 2027-01                           l'envoyer (après « draft: non »)
      inserecho status 2027-01                         où en est l'envoi
    """
    ctx.obj = Folder(root.resolve())


@cli.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path), default=".", metavar="[DOSSIER]")
def init(directory: Path) -> None:
    """Créer un dossier de lettre prêt à l'emploi (réglages, gabarits, numéro d'exemple).

    \b
    Exemple :
      inserecho init ma-lettre
    """
    created = init_folder(directory.resolve())
    click.echo(f"Dossier de lettre créé dans {directory.resolve()} ({len(created)} fichiers).")
    click.echo("Étapes suivantes :")
    click.echo(f"  1. adaptez {SETTINGS_FILE} (expéditeur, adresse, lien de désinscription) ;")
    click.echo("  2. copiez subscribers.example.yaml en subscribers.yaml et mettez-y vos abonné·e·s ;")
    click.echo("  3. essayez : inserecho build 2026-12")


@cli.command()
@click.argument("slug", metavar="NUMÉRO")
@pass_folder
def new(folder: Folder, slug: str) -> None:
    """Préparer un nouveau numéro dans issues/NUMÉRO avec un exemple par rubrique.

    Le numéro est un brouillon, daté du premier jour ouvré du mois qu'il nomme.

    \b
    Exemple :
      inserecho new 2027-01
    """
    created = new_issue(folder.settings.issues_dir, slug)
    click.echo(f"Numéro créé : {shown(created)}")
    click.echo(f"C'est un brouillon : complétez issue.yaml, remplacez les exemples par vos articles, "
               f"voyez ce qui reste à faire avec « inserecho check {slug} », puis écrivez « draft: non » "
               "dans issue.yaml quand il est prêt à partir.")


@cli.command()
@click.argument("issue", metavar="NUMÉRO")
@click.option(
    "--strict", is_flag=True, help="Traiter les avertissements comme des erreurs (pour une intégration continue)."
)
@pass_folder
def check(folder: Folder, issue: str, strict: bool) -> None:
    """Vérifier un numéro sans rien produire.

    Le courriel est aussi mis en forme, pour en mesurer le poids. Un brouillon ou un
    texte d'exemple laissé est signalé.

    \b
    Exemple :
      inserecho check 2027-01 --strict
    """
    loaded = folder.load(issue)
    warnings = check_warnings(loaded, render_issue(loaded, folder.settings), folder.settings)
    report_warnings(warnings, folder.root)
    if strict and warnings:
        click.echo(f"{len(warnings)} avertissement(s) : refusé avec --strict.", err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"Numéro {loaded.meta.number} : {plural(len(loaded.items), 'article')}, aucune erreur.")


@cli.command()
@click.argument("issue", metavar="NUMÉRO")
@click.option("--open", "open_browser", is_flag=True, help="Ouvrir le résultat dans le navigateur.")
@pass_folder
def build(folder: Folder, issue: str, open_browser: bool) -> None:
    """Produire le courriel HTML et sa version texte dans build/NUMÉRO/.

    \b
    Exemple :
      inserecho build 2027-01 --open
    """
    loaded = folder.load(issue)
    rendered = render_issue(loaded, folder.settings)
    result = write_build(loaded, rendered, folder.settings)
    click.echo(
        f"{folder.settings.name} n° {loaded.meta.number} du {rendered.view.date} : "
        f"{plural(len(loaded.items), 'article')}"
    )
    for label, count in result.sections:
        click.echo(f"  {label:.<44} {count:>3}")
    click.echo(f"HTML : {kilobytes(result.html_bytes)} sur {kilobytes(GMAIL_CLIP_BYTES)} (seuil de coupure de Gmail)")
    report_warnings(_with_clipping(loaded, result.html_bytes), folder.root)
    click.echo(f"Courriel : {shown(result.html_path)}")
    click.echo(f"Version texte : {shown(result.text_path)}")
    if open_browser and not webbrowser.open(result.html_path.as_uri()):
        click.echo("Impossible d'ouvrir un navigateur ici : ouvrez le fichier ci-dessus vous-même.")


def _with_clipping(issue: Issue, html_bytes: int) -> tuple[Problem, ...]:
    """The issue's warnings, plus one if Gmail would clip an email this heavy."""
    clipping = clipping_warning(issue, html_bytes)
    return issue.warnings + ((clipping,) if clipping else ())


def _command_context(argv: list[str]) -> click.Context | None:
    """The context of the command ``argv`` names, parsed again leniently, for its usage line."""
    ctx = click.Context(cli, info_name="inserecho", resilient_parsing=True)
    rest = click.Command.parse_args(cli, ctx, list(argv))  # the group's options, not its command
    if not rest:
        return ctx
    name, command, args = cli.resolve_command(ctx, rest)
    return command.make_context(name, args, parent=ctx, resilient_parsing=True) if command and name else ctx


def main(argv: list[str] | None = None) -> None:
    """Entry point: French messages, exit codes 0 (ok), 1 (the officer's files or the
    system stopped the command), 2 (usage), 130 (interrupted), 70 (a bug)."""
    survive_code_page()
    install_french_messages()
    root = Path.cwd()
    try:
        code = cli.main(args=argv, prog_name="inserecho", standalone_mode=False)
    except UsageProblem as error:  # shown as click shows its own: the command's usage first
        click.UsageError(error.message, _command_context(sys.argv[1:] if argv is None else argv)).show()
        code = error.exit_code
    except UserError as error:
        report_error(error, root)
        code = error.exit_code
    except OSError as error:  # a read-only folder, a full disk, an unreadable file
        problem = EnvironmentProblem(error)
        report_error(problem, root)
        code = problem.exit_code
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("\nInterrompu.", err=True)
        code = 130
    except Exception:
        if os.environ.get("INSERECHO_DEBUG"):
            raise
        click.echo(
            "Erreur interne d'inserecho : ce n'est pas de votre fait. Relancez avec la variable "
            "INSERECHO_DEBUG=1 et transmettez le message obtenu à l'équipe technique.",
            err=True,
        )
        code = 70
    sys.exit(code or 0)
