"""``inserecho dkim new SELECTEUR``: a DKIM key for the folder and the DNS record to publish."""

from __future__ import annotations

import click

from inserecho.cli.context import Folder, pass_folder, shown
from inserecho.send.dkim import new_key

_DNS_STRING = 255  # a TXT record is made of strings of at most 255 characters


@click.group(subcommand_metavar="COMMANDE [ARGUMENTS]...")
def dkim() -> None:
    """Signature DKIM des messages, dans le domaine de l'association.

    \b
    Exemple :
      inserecho dkim new lettre2027
    """


@dkim.command("new")
@click.argument("selector", metavar="SÉLECTEUR")
@click.option("--domain", metavar="DOMAINE", help="Domaine signé (par défaut : celui de l'expéditeur, sender.from).")
@pass_folder
def dkim_new(folder: Folder, selector: str, domain: str | None) -> None:
    """Créer une clé DKIM et afficher l'enregistrement DNS à publier.

    \b
    Exemple :
      inserecho dkim new lettre2027
    """
    if not selector.replace("-", "").isalnum() or not selector.isascii():
        raise click.BadParameter(
            "lettres, chiffres et tirets seulement, par exemple lettre2027.", param_hint="SÉLECTEUR"
        )
    domain = domain or folder.settings.sender_domain
    path = folder.root / f"dkim-{selector}.pem"
    try:
        record = new_key(path).decode("ascii")
    except FileExistsError:
        raise click.UsageError(f"{shown(path)} existe déjà : choisissez un autre sélecteur.") from None
    strings = " ".join(f'"{record[i : i + _DNS_STRING]}"' for i in range(0, len(record), _DNS_STRING))
    click.echo(f"Clé privée écrite dans {shown(path)} (lisible par vous seul·e ; ne la partagez jamais).")
    click.echo("1. Publiez cet enregistrement DNS chez l'hébergeur du domaine :")
    click.echo(f"   nom : {selector}._domainkey.{domain}")
    click.echo("   type : TXT")
    click.echo(f"   valeur : {strings}")
    click.echo("2. Une fois l'enregistrement visible (quelques heures au plus), ajoutez à inserecho.yaml :")
    click.echo(f"   dkim:\n     domain: \"{domain}\"\n     selector: \"{selector}\"\n     private_key: \"{path.name}\"")
