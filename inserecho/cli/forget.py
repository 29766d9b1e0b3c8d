"""``inserecho subscribers forget ADRESSE``: erase a person (RGPD, article 17)."""

from __future__ import annotations

from pathlib import Path

import click

from inserecho.cli.context import Folder, pass_folder, shown, subscribers_option
from inserecho.content.addresses import normalise_address
from inserecho.problems import InvalidValue, UsageProblem
from inserecho.send.journal import Journal
from inserecho.send.listfile import backup_path, remove_subscriber


@click.command("forget")
@click.argument("address", metavar="ADRESSE")
@subscribers_option()
@click.option("--yes", "-y", is_flag=True, help="Ne pas demander de confirmation.")
@pass_folder
def forget(folder: Folder, address: str, subscribers_file: Path | None, yes: bool) -> None:
    """Effacer une personne de la liste et du journal (droit à l'effacement).

    Seule reste son adresse dans la liste de désinscription, pour qu'elle ne
    reçoive plus jamais la lettre, même si elle revient par un import.

    \b
    Exemple :
      inserecho subscribers forget marie@example.org
    """
    try:
        email = normalise_address(address)
    except InvalidValue as error:
        raise UsageProblem(error.message) from None
    path = subscribers_file or folder.settings.subscribers_path
    if not yes and not click.confirm(f"Effacer {email} de {shown(path)} et du journal ?", default=False):
        click.echo("Rien n'a été effacé.")
        return
    removed = path.exists() and remove_subscriber(path, email)
    if removed:
        click.echo(f"{email} : effacée de {shown(path)}.")
        click.echo(f"  Copie de l'ancienne liste : {shown(backup_path(path))} ; elle contient encore la personne : "
                   "supprimez-la dès que vous avez vérifié le résultat.")
    else:
        click.echo(f"{email} : absente de {shown(path)}.")
    with Journal.open(folder.settings.journal_path) as journal:
        journal.forget(email)
    click.echo(f"{email} : effacée du journal ; reste seulement dans la liste de désinscription (sans autre détail).")
