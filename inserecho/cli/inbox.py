"""``inserecho inbox``: read the association's mailbox and apply what came back."""

from __future__ import annotations

from pathlib import Path

import click

from inserecho.cli.context import Folder, pass_folder, subscribers_option, tls_options
from inserecho.french.formats import plural
from inserecho.inbox.apply import JournalKeys
from inserecho.inbox.imap import URL_VARIABLE, ImapConfig, Mailbox, MailboxError
from inserecho.inbox.run import InboxReport, read_inbox
from inserecho.send.campaign import signer_for, verp_for
from inserecho.send.journal import Journal
from inserecho.send.subscribers import load_subscribers
from inserecho.send.tokens import load_secret
from inserecho.web.notices import NOTICE_PURPOSE, PayloadSigner

KIND_LABELS = {
    "hard_bounce": "adresses inexistantes (rebonds définitifs)",
    "soft_bounce": "échecs temporaires (rebonds temporaires)",
    "complaint": "plaintes (signalé comme indésirable)",
    "unsubscribe": "demandes de désinscription",
    "signup": "inscriptions confirmées (ajoutées à la liste)",
    "auto_reply": "réponses automatiques (ignorées)",
    "ignored": "avis ignorés",
    "human": "à lire par vous (restent dans la boîte)",
}
WHY_SUPPRESSED = {
    "hard_bounce": "adresse inexistante",
    "soft_bounce": "échecs temporaires répétés",
    "complaint": "plainte",
    "unsubscribe": "désinscription",
}


@click.command()
@click.option(
    "--imap",
    "imap_url",
    metavar="URL",
    envvar=URL_VARIABLE,
    help=f"Boîte aux lettres, par exemple imaps://lettre@exemple.org@imap.exemple.org:993 (sinon {URL_VARIABLE} "
    "ou imap.url dans inserecho.yaml). Mot de passe : INSERECHO_IMAP_PASSWORD.",
)
@click.option(
    "--folder",
    "folder_name",
    metavar="NOM",
    help="Dossier où ranger les messages traités (par défaut : imap.folder, INBOX/inserecho-traite).",
)
@click.option("--dry-run", is_flag=True, help="Dire ce qui serait fait, sans rien modifier ni déplacer.")
@subscribers_option(
    "Liste des abonné·e·s, pour reconnaître les demandes de désinscription (par défaut : subscribers.yaml)."
)
@tls_options("une boîte", "serveur")
@pass_folder
def inbox(
    folder: Folder,
    imap_url: str | None,
    folder_name: str | None,
    dry_run: bool,
    subscribers_file: Path | None,
    insecure: bool,
    cafile: str | None,
) -> None:
    """Lire la boîte de l'association : rebonds, plaintes, désinscriptions.

    Les adresses inexistantes, les plaintes et les demandes de désinscription sont
    écartées des prochains envois ; les messages traités sont rangés dans un dossier,
    les réponses des lecteurs restent dans la boîte. Rien n'est jamais supprimé.

    \b
    Exemples :
      inserecho inbox --dry-run     voir ce qui serait fait, sans rien changer
      inserecho inbox               appliquer les retours de la boîte
    """
    settings = folder.settings
    target = folder_name or settings.imap_folder
    url = imap_url or settings.imap_url
    if not url:
        raise click.UsageError(
            f"aucune boîte aux lettres réglée : indiquez --imap URL, la variable {URL_VARIABLE} "
            "ou « url » sous « imap » dans inserecho.yaml."
        )
    config = ImapConfig.from_url(url, insecure=insecure, cafile=cafile)
    listed_file = subscribers_file or settings.subscribers_path
    listed = [s.email for s in load_subscribers(listed_file)[0]] if listed_file.exists() else []
    with Journal.open(settings.journal_path) as journal:
        secret = load_secret(settings.root)
        notices = PayloadSigner(secret, settings.list_id, NOTICE_PURPOSE)
        keys = JournalKeys(
            journal,
            signer_for(settings, secret),
            verp_for(settings, secret),
            notices,
            settings.sender_domain,
            settings.list_id,
            settings.unsubscribe_mailto,
            listed,
        )
        try:
            with Mailbox(config) as mailbox:
                report = read_inbox(mailbox, journal, keys, target, listed_file, dry_run)
        except MailboxError as error:
            raise click.ClickException(str(error)) from None
    _summarise(config.describe(), report, target, dry_run)


def _summarise(where: str, report: InboxReport, target: str, dry_run: bool) -> None:
    new = sum(report.counts.values())
    click.echo(f"Boîte {where} : {plural(report.messages, 'message')}, dont {report.already} déjà traité(s).")
    if not new:
        click.echo("Rien de nouveau depuis la dernière lecture.")
    else:
        click.echo(f"Nouveaux messages : {new}")
        for kind, label in KIND_LABELS.items():
            if report.counts.get(kind):
                click.echo(f"  {label:.<52} {report.counts[kind]:>5}")
    suppressed = [a for a in report.applied if a.suppressed]
    if suppressed:
        click.echo("Adresses écartées des prochains envois :" if not dry_run else "Adresses qui seraient écartées :")
        for applied in suppressed:
            verdict = applied.verdict
            where_from = f", {applied.campaign}" if applied.campaign else ""
            click.echo(f"  {verdict.address} ({WHY_SUPPRESSED[verdict.kind]}{where_from} : {verdict.detail})")
    if report.for_human:
        click.echo("À lire (restés dans la boîte de réception) :")
        for sender, why in report.for_human:
            click.echo(f"  {sender or 'expéditeur inconnu'} : {why}")
    if dry_run:
        click.echo("Essai à blanc : rien n'a été modifié ni déplacé.")
    elif report.moved:
        click.echo(f"{plural(report.moved, 'message')} rangé{'s' if report.moved > 1 else ''} dans « {target} ».")
