"""``inserecho preview`` and ``inserecho archive``: the issue and the archive in a browser."""

from __future__ import annotations

import errno
import threading
import webbrowser
from datetime import date
from pathlib import Path

import click

from inserecho.cli.context import Folder, pass_folder, report_warnings, shown
from inserecho.cli.french import IntRange
from inserecho.french.formats import kilobytes
from inserecho.problems import UsageProblem
from inserecho.web.archive import build_archive
from inserecho.web.preview import (
    DEFAULT_PORT,
    PreviewServer,
    PreviewSession,
    Snapshot,
    watch_and_rebuild,
)


@click.command()
@click.argument("issue", metavar="NUMÉRO")
@click.option(
    "--port", type=IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, metavar="PORT",
    help="Port local de l'aperçu (0 : un port libre au hasard).",
)
@click.option("--open", "open_browser", is_flag=True, help="Ouvrir l'aperçu dans le navigateur.")
@pass_folder
def preview(folder: Folder, issue: str, port: int, open_browser: bool) -> None:
    """Afficher un numéro dans le navigateur, mis à jour à chaque enregistrement.

    L'aperçu montre le courriel en largeur ordinateur ou mobile, sa version texte,
    sa taille et les vérifications. Ctrl-C pour arrêter.

    \b
    Exemple :
      inserecho preview 2027-01 --open
    """
    session = PreviewSession(folder.root, folder.issue_folder(issue))
    first = session.rebuild()
    try:
        server = PreviewServer(session, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageProblem(
                f"le port {port} est déjà utilisé (un autre aperçu est peut-être ouvert) : "
                f"fermez-le ou choisissez un autre port, par exemple --port {port + 1}."
            ) from None
        raise
    with server:
        click.echo(f"Aperçu du numéro {session.issue_folder.name} : {server.url}")
        click.echo(
            "La page se met à jour à chaque enregistrement d'un fichier du numéro, des gabarits ou des réglages."
        )
        click.echo("Ctrl-C pour arrêter.")
        _report_rebuild(first, folder.root)
        if open_browser and not webbrowser.open(server.url):
            click.echo("Impossible d'ouvrir un navigateur ici : ouvrez l'adresse ci-dessus vous-même.")
        try:
            watch_and_rebuild(session, threading.Event(), lambda snapshot: _report_rebuild(snapshot, folder.root))
        except KeyboardInterrupt:
            pass
    click.echo("\nAperçu arrêté.")


def _report_rebuild(snapshot: Snapshot, root: Path) -> None:
    when = snapshot.finished.strftime("%H:%M:%S")
    seconds = f"{snapshot.seconds:.2f}".replace(".", ",")
    if snapshot.email is None:
        errors = sum(p.is_error for p in snapshot.problems)
        click.secho(f"[{when}] {errors} erreur(s) : le courriel n'est plus affiché jusqu'à leur correction.", fg="red")
        for problem in snapshot.problems:
            click.echo("  " + problem.format(root))
        return
    click.echo(f"[{when}] Courriel reconstruit en {seconds} s ({kilobytes(snapshot.email.html_bytes)}).")
    report_warnings(snapshot.problems, root)


@click.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, metavar="DOSSIER",
    help="Dossier du site produit (par défaut : build/archive).",
)
@pass_folder
def archive(folder: Folder, out: Path | None) -> None:
    """Produire le site des anciens numéros, avec les appels et offres en cours.

    Le site fonctionne depuis un simple dossier (clé USB) comme chez un hébergeur.
    Les numéros en brouillon n'y entrent pas.

    \b
    Exemple :
      inserecho archive --out build/archive
    """
    target = (out or folder.settings.build_dir / "archive").resolve()
    result = build_archive(folder.settings, target, today=date.today())
    click.echo(
        f"Archive : {result.issues} numéro(s), {result.calls} appel(s) et {result.offers} offre(s) en cours, "
        f"{result.events} événement(s) à venir."
    )
    report_warnings(result.warnings, folder.root)
    click.echo(f"Site : {shown(result.directory / 'index.html')}")
    if result.feed:
        click.echo(f"Flux Atom : {shown(result.feed)} (à publier à l'adresse {folder.settings.archive_url})")
