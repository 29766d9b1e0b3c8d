"""Commands around sending: ``send``, ``status``, ``unsubscribe``, ``subscribers``."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from contextlib import ExitStack, nullcontext
from datetime import date, datetime
from pathlib import Path

import click

from inserecho.atomicfile import write_atomic
from inserecho.cli.context import (
    EXIT_CONTENT,
    Folder,
    pass_folder,
    report_warnings,
    shown,
    subscribers_option,
    tls_options,
)
from inserecho.cli.forget import forget
from inserecho.cli.french import IntRange
from inserecho.content.addresses import address_key, normalise_address
from inserecho.french.formats import format_date, format_duration, format_number, format_time, kilobytes, plural
from inserecho.paths import SLUG_PATTERN
from inserecho.problems import ContentError, InvalidValue, Problem, UsageProblem, UserError
from inserecho.send.campaign import Campaign, prepare_campaign, signer_for
from inserecho.send.csvimport import CsvImport, import_files, to_yaml
from inserecho.send.delivery import DeliveryOptions, DeliveryReport, Progress, Waiting, deliver
from inserecho.send.journal import Journal, Suppression
from inserecho.send.listexport import state_of, write_list_export
from inserecho.send.listmerge import Merged, merge_entries
from inserecho.send.plan import Standing, addresses_for_test_copies, delivery_options, estimated_seconds, standing
from inserecho.send.ratelimit import Rate
from inserecho.send.report import MAILBOX_LABELS, STATE_LABELS, write_delivery_report
from inserecho.send.runlock import exclusive_run
from inserecho.send.subscribers import Subscriber, load_subscribers, select
from inserecho.send.tokens import load_secret
from inserecho.send.transport.outbox import MaildirOutbox
from inserecho.send.transport.pool import SmtpTransport
from inserecho.send.transport.relay import RelayConfig
from inserecho.send.transport.replies import FatalRelayError, SendError, Transport

EXIT_INTERRUPTED = 130
SMTP_URL_VARIABLE = "INSERECHO_SMTP_URL"
DEFAULT_OUTBOX = "outbox"
NOT_THE_REAL_SEND = "Ceci ne compte pas comme l'envoi réel : personne n'est noté comme servi."


@click.command()
@click.argument("issue", metavar="NUMÉRO")
@subscribers_option()
@click.option(
    "--only", multiple=True, metavar="CLÉ=VALEUR", help="Ne viser qu'un segment : territory=… ou tag=… (répétable)."
)
@click.option(
    "--smtp",
    "smtp_url",
    metavar="URL",
    envvar=SMTP_URL_VARIABLE,
    help="Relais SMTP, par exemple smtps://utilisateur@relais.example.org:465 "
    f"(sinon {SMTP_URL_VARIABLE} ou inserecho.yaml). Mot de passe : INSERECHO_SMTP_PASSWORD.",
)
@click.option(
    "--outbox",
    type=click.Path(path_type=Path),
    metavar="DOSSIER",
    help="Écrire les messages dans ce dossier (format Maildir) au lieu de les envoyer.",
)
@click.option("--campaign", metavar="NOM", help="Nom de la campagne dans le journal (par défaut : le numéro).")
@click.option("--dry-run", is_flag=True, help="Tout préparer et compter, sans rien envoyer.")
@click.option(
    "--test",
    "test_addresses",
    multiple=True,
    is_flag=False,
    flag_value="",
    metavar="ADRESSE",
    help="Envoyer un exemplaire marqué [Test] à cette adresse (répétable, ou plusieurs séparées par "
    "des virgules ; sans adresse : celles de « test_recipients » dans inserecho.yaml).",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Réessayer aussi les destinataires en échec temporaire (et finir les envois en attente).",
)
@click.option("--yes", "-y", is_flag=True, help="Ne pas demander de confirmation.")
@tls_options("un relais", "relais")
@click.option("--connections", type=IntRange(1, 50), metavar="NOMBRE", help="Connexions simultanées au relais.")
@click.option("--rate", metavar="DÉBIT", help="Débit maximal, par exemple 300/heure ou 20/seconde.")
@pass_folder
def send(
    folder: Folder,
    issue: str,
    subscribers_file: Path | None,
    only: tuple[str, ...],
    smtp_url: str | None,
    outbox: Path | None,
    campaign: str | None,
    dry_run: bool,
    test_addresses: tuple[str, ...],
    retry_failed: bool,
    yes: bool,
    insecure: bool,
    connections: int | None,
    rate: str | None,
    cafile: str | None,
) -> None:
    """Envoyer un numéro aux abonné·e·s (reprend là où un envoi précédent s'est arrêté).

    \b
    Exemples :
      inserecho send 2027-01 --test moi@example.org   un exemplaire marqué [Test]
      inserecho send 2027-01 --test moi@x.fr,toi@x.fr un exemplaire à chaque adresse
      inserecho send 2027-01 --dry-run                tout préparer, ne rien envoyer
      inserecho send 2027-01                          l'envoi réel, après confirmation
    """
    settings = folder.newsletter()
    rehearsal = outbox is not None  # asked for; a dry run without a relay still counts for the real send
    if outbox is None and not (smtp_url or settings.smtp_url):
        outbox = folder.root / DEFAULT_OUTBOX
        click.echo(
            f"Aucun relais SMTP réglé (smtp.url, --smtp ou {SMTP_URL_VARIABLE}) : "
            f"les messages seront écrits dans {shown(outbox)}/, sans quitter la machine."
        )
    if campaign is not None and not SLUG_PATTERN.match(campaign):
        raise UsageProblem("--campaign : utilisez des minuscules, des chiffres et des tirets, par exemple voeux-2027.")
    if test_addresses and dry_run:
        raise UsageProblem("--test envoie un exemplaire et --dry-run n'envoie rien : choisissez l'un ou l'autre.")
    if test_addresses:
        _send_test_copies(
            folder,
            issue,
            campaign,
            addresses_for_test_copies(test_addresses, settings),
            _transport(folder, outbox, smtp_url, insecure, cafile, 1, settings.smtp_timeout),
        )
        return

    subscribers_file = subscribers_file or _default_subscribers(folder)
    prepared = prepare_campaign(settings, folder.issue_folder(issue), campaign, subscribers_file, only, dry_run=dry_run)
    options = delivery_options(
        settings,
        connections=connections,
        rate=rate,
        retry_failed=retry_failed,
        rehearsal=rehearsal or (outbox is not None and not dry_run),
    )
    if not prepared.recipients:
        where = f"le segment « {prepared.segment} » de " if only else ""
        raise UserError(f"personne à qui envoyer : {where}{shown(subscribers_file)} ne contient aucun·e abonné·e.")
    if dry_run:
        if outbox is None:  # a relay address the real send could not use is said now
            _relay(folder, smtp_url, insecure, cafile, settings.smtp_timeout)
        _dry_run(folder, prepared, options)
        return
    if outbox is None and prepared.unready:
        _refuse_unready(folder, prepared)
    transport = _transport(folder, outbox, smtp_url, insecure, cafile, options.connections, settings.smtp_timeout)
    with ExitStack() as stack:
        stack.enter_context(exclusive_run(settings.journal_path.parent))
        journal = stack.enter_context(Journal.open(settings.journal_path))
        _announce(folder, prepared, journal, transport, options)
        _remind_mailbox(settings.imap_url, journal)
        if not yes:
            _confirm()
        report = _deliver(prepared, journal, transport, options)
        if isinstance(transport, SmtpTransport) and transport.connections < options.connections:
            click.echo(
                f"Le relais n'a accepté que {transport.connections} connexion(s) simultanée(s) sur "
                f"{options.connections} : réglez « connections: {transport.connections} » sous « smtp » "
                "dans inserecho.yaml (ou --connections) pour les prochains envois."
            )
        prefix = "repetition" if options.rehearsal else "envoi"
        report_path = settings.build_dir / prepared.slug / f"{prefix}-{prepared.name}.csv"
        write_delivery_report(journal, prepared.name, report_path, rehearsal=options.rehearsal)
    _summarise(report, report_path, outbox, settings.journal_path)


@click.command()
@click.argument("issue", metavar="NUMÉRO")
@click.option("--campaign", metavar="NOM", help="Nom de la campagne (par défaut : le numéro).")
@pass_folder
def status(folder: Folder, issue: str, campaign: str | None) -> None:
    """Où en est l'envoi d'un numéro : décomptes et liste des échecs.

    \b
    Exemple :
      inserecho status 2027-01
    """
    name = campaign or folder.issue_name(issue)
    settings = folder.newsletter()
    if not settings.journal_path.exists():
        click.echo("Aucun envoi n'a encore eu lieu depuis ce dossier.")
        return
    with Journal.open(settings.journal_path) as journal:
        campaigns = journal.campaigns()
        if name not in campaigns:
            known = ", ".join(campaigns) or "aucune"
            raise UsageProblem(f"aucune campagne « {name} » dans le journal (campagnes : {known}).")
        counts = journal.counts(name)
        if sum(counts.values()):
            click.echo(f"Campagne {name}, envoi réel : {sum(counts.values())} destinataires")
            for state, label in STATE_LABELS.items():
                click.echo(f"  {label:.<40} {counts.get(state, 0):>6}")
        else:
            click.echo(f"Campagne {name}, envoi réel : pas encore fait (personne n'a reçu ce numéro).")
        rehearsed = journal.counts(name, rehearsal=True)
        if sum(rehearsed.values()):
            when = (journal.last_update(name, rehearsal=True) or "")[:16].replace("T", " à ")
            click.echo(
                f"Répétition (boîte d'envoi, ne compte pas comme l'envoi réel) : "
                f"{plural(rehearsed['sent'], 'message')} écrit{'' if rehearsed['sent'] == 1 else 's'}, "
                f"le {when} (UTC)"
            )
        answers = journal.mailbox_counts(name)
        if answers:
            click.echo("Retours lus dans la boîte (inserecho inbox) :")
            for kind, label in MAILBOX_LABELS.items():
                if answers.get(kind):
                    click.echo(f"  {label:.<40} {answers[kind]:>6}")
        failures = journal.failures(name)
        if failures:
            click.echo("Échecs :")
            for failure in failures:
                kind = "temporaire" if failure.state == "failed_temporary" else "définitif"
                click.echo(
                    f"  {failure.email} ({kind}, {failure.attempts} tentative(s)) : {failure.reply or 'sans réponse'}"
                )
            if counts.get("failed_temporary"):
                named = f" --campaign {campaign}" if campaign else ""
                click.echo(
                    f"Pour réessayer : inserecho send {issue}{named} --retry-failed "
                    "(avec le même --subscribers que pour l'envoi)"
                )


@click.command()
@click.argument("addresses", nargs=-1, metavar="[ADRESSE]...")
@click.option(
    "--token", "tokens", multiple=True, metavar="JETON", help="Jeton reçu par le lien ou l'en-tête de désinscription."
)
@click.option(
    "--undo", is_flag=True, help="Retirer ces adresses de la liste de désinscription (réinscription demandée)."
)
@click.option(
    "--list", "show_list", is_flag=True, help="Afficher la liste de désinscription (adresse, état, date, raison)."
)
@pass_folder
def unsubscribe(
    folder: Folder, addresses: tuple[str, ...], tokens: tuple[str, ...], undo: bool, show_list: bool
) -> None:
    """Désinscrire des adresses : plus aucun envoi ne leur sera fait.

    \b
    Exemples :
      inserecho unsubscribe marie.dupont@example.org
      inserecho unsubscribe --list
    """
    settings = folder.newsletter()
    if show_list:
        if addresses or tokens or undo:
            raise UsageProblem(
                "--list affiche la liste seulement : donnez les adresses à désinscrire dans une autre commande."
            )
        _show_suppressions(settings.journal_path)
        return
    if not addresses and not tokens:
        raise UsageProblem("indiquez au moins une adresse ou un --token (ou --list pour voir la liste).")
    signer = signer_for(settings, load_secret(settings.root, create=False))  # no secret yet: no token can be ours
    targets: list[tuple[str, str]] = []
    for token in tokens:
        address = signer.resolve(token)
        if address is None:
            raise UsageProblem(f"jeton de désinscription invalide : « {token} » (copié en entier ?).")
        targets.append((address, "lien de désinscription"))
    for raw in addresses:
        try:
            address = normalise_address(raw)
        except InvalidValue as error:
            raise UsageProblem(error.message) from None
        targets.append((address, "demande manuelle"))
    with Journal.open(settings.journal_path) as journal:
        for address, source in targets:
            if undo:
                entry = journal.suppression(address)
                if entry is not None and entry.reason == "complaint":
                    click.secho(
                        f"Attention : {address} a signalé la lettre comme indésirable ({entry.time[:10]}). "
                        "Ne la réinscrivez que si la personne vous l'a demandé.",
                        fg="yellow",
                        err=True,
                    )
                done = journal.unsuppress(address)
                click.echo(f"{address} : {'réinscrite' if done else 'n’était pas désinscrite'}.")
            else:
                journal.suppress(address, "unsubscribe", source)
                click.echo(f"{address} : désinscrite ({source}).")
        click.echo(f"Adresses désinscrites au total : {journal.suppressed_count()}.")


def _show_suppressions(journal_path: Path) -> None:
    if not journal_path.exists():  # reading only: no journal made
        click.echo("La liste de désinscription est vide : aucune adresse n'a été désinscrite depuis ce dossier.")
        return
    with Journal.open(journal_path) as journal:
        suppressions = list(journal.suppressions())
    if not suppressions:
        click.echo("La liste de désinscription est vide.")
        return
    click.echo(f"Liste de désinscription : {plural(len(suppressions), 'adresse')}")
    width = max(len(s.email) for s in suppressions)
    for suppression in suppressions:
        source = f" ({suppression.source})" if suppression.source else ""
        click.echo(
            f"  {suppression.email:<{width}}  {state_of(suppression)} le "
            f"{format_date(date.fromisoformat(suppression.time[:10]))}{source}"
        )


@click.group(subcommand_metavar="COMMANDE [ARGUMENTS]...")
def subscribers() -> None:
    """Vérifier, importer, exporter la liste des abonné·e·s, ou effacer une personne.

    \b
    Exemple :
      inserecho subscribers import export-brevo.csv
    """


subscribers.add_command(forget)


@subscribers.command("check")
@click.argument("file", type=click.Path(path_type=Path), metavar="FICHIER")
@click.option("--only", multiple=True, metavar="CLÉ=VALEUR", help="Compter un segment : territory=… ou tag=….")
@pass_folder
def subscribers_check(folder: Folder, file: Path, only: tuple[str, ...]) -> None:
    """Vérifier une liste : adresses, doublons, territoires, désinscrits.

    \b
    Exemple :
      inserecho subscribers check subscribers.yaml --only "territory=Plaine Commune"
    """
    loaded, problems = load_subscribers(file)
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    selected, segment = select(loaded, only)
    suppressed = 0
    if folder.settings.journal_path.exists():
        with Journal.open(folder.settings.journal_path) as journal:
            unsubscribed = journal.suppressed_addresses()
        suppressed = sum(address_key(s.email) in unsubscribed for s in selected)
    click.echo(f"{shown(file)} : {len(loaded)} abonné·e·s, aucune erreur.")
    report_warnings(tuple(problems), folder.root)
    click.echo(
        f"Segment ({segment}) : {len(selected)}, dont {suppressed} désinscrit·e·s ; {len(selected) - suppressed} "
        f"recevraient la lettre."
    )


@subscribers.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FICHIER.csv...")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="FICHIER",
    help="Fichier YAML à écrire (par défaut : subscribers.yaml dans le dossier de la lettre).",
)
@click.option("--merge", is_flag=True, help="Fusionner dans la liste existante au lieu d'en écrire une nouvelle.")
@click.option("--force", is_flag=True, help="Remplacer le fichier s'il existe déjà.")
@pass_folder
def subscribers_import(folder: Folder, files: tuple[Path, ...], output: Path | None, merge: bool, force: bool) -> None:
    """Convertir l'export CSV d'un autre outil (Brevo, Mailchimp, tableur) en liste YAML.

    Les contacts que l'export dit désinscrits ou en erreur vont dans la liste de
    désinscription, jamais dans la liste des abonné·e·s.

    \b
    Exemples :
      inserecho subscribers import export-brevo.csv
      inserecho subscribers import subscribed.csv unsubscribed.csv cleaned.csv
      inserecho subscribers import nouveaux.csv --merge
    """
    if merge and force:
        raise UsageProblem("--merge garde la liste existante et --force la remplace : choisissez l'un ou l'autre.")
    settings = folder.newsletter()
    output = output or settings.subscribers_path
    if output.exists() and not (merge or force):
        raise UsageProblem(
            f"{shown(output)} existe déjà : --merge pour y ajouter ces contacts, -o pour écrire "
            "un autre fichier, ou --force pour le remplacer."
        )
    imported = import_files(files)
    if any(p.is_error for p in imported.problems):
        raise ContentError(imported.problems)
    existing: list[Subscriber] = []
    if merge and output.exists():
        existing, problems = load_subscribers(output)
        if any(p.is_error for p in problems):
            raise ContentError(
                [
                    *problems,
                    Problem(
                        output, None, "la liste existante a des erreurs : corrigez-les avant d'y fusionner un import."
                    ),
                ]
            )
    merged = merge_entries(existing, imported.entries)
    with Journal.open(settings.journal_path) as journal:
        for opt_out in imported.opted_out:
            journal.suppress(opt_out.email, opt_out.reason, f"import : {opt_out.detail}")
    write_atomic(output, to_yaml(merged.entries, ", ".join(f.name for f in files)), overwrite=True)
    for problem in imported.problems:
        click.echo(problem.format(), err=True)
    _report_import(imported, merged, existing, output, merge)


def _report_import(imported: CsvImport, merged: Merged, existing: list[Subscriber], output: Path, merge: bool) -> None:
    click.echo("Colonnes utilisées : " + ", ".join(f"« {name} » ({role})" for name, role in imported.columns))
    if imported.ignored:
        click.echo("Colonnes ignorées : " + ", ".join(f"« {name} »" for name in imported.ignored))
    if merge and existing:
        click.echo(
            f"{shown(output)} : {merged.added} ajouté·e(s), {merged.changed} modifié·e(s), "
            f"{merged.unchanged} laissé·e(s) tel·le·s quel·le·s ; {len(merged.entries)} abonné·e·s en tout."
        )
    else:
        click.echo(
            f"{len(merged.entries)} {'abonné·e écrit·e' if len(merged.entries) == 1 else 'abonné·e·s écrit·e·s'} "
            f"dans {shown(output)}."
        )
    if imported.opted_out:
        bounced = sum(o.reason == "bounce" for o in imported.opted_out)
        click.echo(
            f"Liste de désinscription : {len(imported.opted_out) - bounced} désinscrit·e(s) et {bounced} adresse(s) "
            "en erreur, gardé·e·s hors de la liste (voir inserecho unsubscribe --list)."
        )
        left = {address_key(o.email) for o in imported.opted_out}
        still = sum(address_key(s.email) in left for s in existing)
        if still:
            click.echo(
                f"Dont {still} encore dans {shown(output)} : la liste de désinscription les écarte de chaque envoi."
            )


@subscribers.command("export")
@click.argument("file", type=click.Path(path_type=Path), required=False, metavar="[FICHIER.csv]")
@subscribers_option()
@pass_folder
def subscribers_export(folder: Folder, file: Path | None, subscribers_file: Path | None) -> None:
    """Écrire la liste avec l'état de chacun·e (actif, désinscrit, adresse en erreur) pour un tableur.

    \b
    Exemple :
      inserecho subscribers export abonnes.csv
    """
    settings = folder.newsletter()
    subscribers_file = subscribers_file or _default_subscribers(folder)
    loaded, problems = load_subscribers(subscribers_file)
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    target = file or settings.build_dir / "abonnes.csv"
    suppressions: list[Suppression] = []
    if settings.journal_path.exists():
        with Journal.open(settings.journal_path) as journal:
            suppressions = list(journal.suppressions())
    counts = write_list_export(loaded, suppressions, target)
    summary = " ; ".join(f"{state} : {count}" for state, count in counts.items())
    click.echo(f"{shown(target)} : {plural(sum(counts.values()), 'ligne')} ({summary or 'liste vide'}).")


def _refuse_unready(folder: Folder, prepared: Campaign) -> None:
    for problem in prepared.unready:
        click.echo(problem.format(folder.root), err=True)
    raise UserError(
        "ce numéro n'est pas prêt à partir (voir ci-dessus) : corrigez ces fichiers avant l'envoi réel. "
        "En attendant, --test, --dry-run et --outbox restent possibles."
    )


def _default_subscribers(folder: Folder) -> Path:
    path = folder.settings.subscribers_path
    if not path.exists():
        raise UsageProblem(
            "pas de liste d'abonné·e·s : indiquez --subscribers FICHIER, ou copiez "
            "subscribers.example.yaml en subscribers.yaml et complétez-le."
        )
    return path


def _transport(
    folder: Folder,
    outbox: Path | None,
    smtp_url: str | None,
    insecure: bool,
    cafile: str | None,
    size: int,
    timeout: float,
) -> Transport:
    if outbox is not None:
        return MaildirOutbox(outbox.absolute())
    return SmtpTransport(_relay(folder, smtp_url, insecure, cafile, timeout), size)


def _relay(folder: Folder, smtp_url: str | None, insecure: bool, cafile: str | None, timeout: float) -> RelayConfig:
    """The relay's settings; a :class:`UsageProblem` says in French what is wrong with its address."""
    url = smtp_url or folder.settings.smtp_url
    assert url is not None, "send() writes to the outbox when no relay is set"
    return RelayConfig.from_url(url, insecure=insecure, cafile=cafile, timeout=timeout)


def _send_test_copies(
    folder: Folder, issue: str, campaign: str | None, addresses: tuple[str, ...], transport: Transport
) -> None:
    """One copy marked [Test] to each address, one after the other, each outcome said."""
    prepared = prepare_campaign(folder.newsletter(), folder.issue_folder(issue), campaign, None, test=True)

    async def run() -> list[tuple[str, str | None]]:
        outcomes: list[tuple[str, str | None]] = []
        try:
            for address in addresses:
                message = prepared.composer.compose(Subscriber(address, None, None, (), (), 0))
                try:
                    outcomes.append((address, str(await transport.send(message))))
                except SendError as error:  # this address refused: the others may still get theirs
                    outcomes.append((address, None))
                    click.echo(f"L'exemplaire de test pour {address} n'est pas parti : {error}", err=True)
        except FatalRelayError as error:
            raise UserError(f"l'exemplaire de test n'est pas parti : {error}") from None
        finally:
            await transport.close()
        return outcomes

    outcomes = asyncio.run(run())
    for address, reply in outcomes:
        if reply is not None:
            click.echo(f"Exemplaire de test envoyé à {address} via {transport.describe()} ({reply}).")
    click.echo(NOT_THE_REAL_SEND)
    missed = sum(reply is None for _, reply in outcomes)
    if missed:
        raise UserError(f"{missed} exemplaire(s) de test sur {len(outcomes)} ne sont pas partis (voir ci-dessus).")


def _dry_run(folder: Folder, prepared: Campaign, options: DeliveryOptions) -> None:
    started = time.perf_counter()
    samples = prepared.composer.samples(prepared.recipients)
    elapsed = time.perf_counter() - started
    total = sum(len(message.data) for message in samples)
    path = folder.settings.journal_path
    with Journal.open(path) if path.exists() else nullcontext() as journal:  # reading only: no journal made
        counted = _standing(prepared, journal, options)
    count = len(prepared.recipients)
    report_warnings(prepared.warnings, folder.root)
    took = f"en {format_number(elapsed, 2)} s" if elapsed >= 0.01 else "en moins de 0,01 s"
    composed = len(samples)
    click.echo(
        f"Essai à blanc : {plural(count, 'destinataire')} vérifié{'' if count == 1 else 's'} (adresses et en-têtes) ; "
        f"{plural(composed, 'message')} composé{'' if composed == 1 else 's'} pour vérification, un par forme "
        f"d'en-tête, {took} ({kilobytes(total // max(composed, 1))} en moyenne) ; rien n'a été envoyé."
    )
    click.echo(NOT_THE_REAL_SEND)
    click.echo(f"Segment : {prepared.segment}, {plural(count, 'destinataire')} ; {_standing_text(counted)}.")
    click.echo(_estimate(counted.to_send, options))


def _standing(prepared: Campaign, journal: Journal | None, options: DeliveryOptions) -> Standing:
    """The recipients by state, as the send ``options`` describe would find them."""
    return standing(
        prepared.name, prepared.recipients, journal, retry_failed=options.retry_failed, rehearsal=options.rehearsal
    )


def _standing_text(counted: Standing) -> str:
    failures = f" ; en échec : {counted.failed}" if counted.failed else ""
    return (
        f"déjà servis : {counted.sent} ; désinscrits : {counted.suppressed}{failures} ; à envoyer : {counted.to_send}"
    )


def _estimate(to_send: int, options: DeliveryOptions) -> str:
    """The send's expected length at the configured rate, in words."""
    if options.rate is None:
        if options.rehearsal:
            return "Durée estimée : quelques instants (écriture dans un dossier, sans limite de débit)."
        return (
            "Durée estimée : aucune limite de débit réglée (smtp.rate), l'envoi ira aussi vite que le relais l'accepte."
        )
    seconds = estimated_seconds(to_send, options.rate)
    if not seconds:
        return f"Durée estimée : sans attente ({plural(to_send, 'message')}, dans la limite de {options.rate})."
    return f"Durée estimée : environ {format_duration(seconds)} à {options.rate}."


def _announce(
    folder: Folder, prepared: Campaign, journal: Journal, transport: Transport, options: DeliveryOptions
) -> None:
    report_warnings(prepared.warnings, folder.root)
    counted = _standing(prepared, journal, options)
    click.echo(f"Numéro : {prepared.rendered.subject}")
    click.echo(f"Destinataires : {len(prepared.recipients)} ({prepared.segment}) ; {_standing_text(counted)}")
    if options.rehearsal:
        click.secho(
            "Type d'envoi : RÉPÉTITION, les messages sont écrits dans un dossier. Elle ne compte pas "
            "comme l'envoi réel : celui-ci ira ensuite à tout le monde.",
            bold=True,
        )
        click.echo(f"Destination : {transport.describe()} (aucun message ne quitte la machine)")
    else:
        click.secho("Type d'envoi : ENVOI RÉEL aux abonné·e·s.", bold=True)
        pace = f", débit {options.rate}" if options.rate else ""
        click.echo(f"Relais : {transport.describe()} ({options.connections} connexion(s){pace})")
    click.echo(
        f"Campagne : {prepared.name}" + (" (nouvel essai des échecs temporaires)" if options.retry_failed else "")
    )
    if counted.to_send:
        click.echo(_estimate(counted.to_send, options))


def _remind_mailbox(imap_url: str | None, journal: Journal) -> None:
    """Bounces and unsubscribes of the last campaign wait in the mailbox until ``inbox`` reads them."""
    last_send, last_read = journal.last_send(), journal.last_mailbox_read()
    if imap_url and last_send and (last_read is None or last_read < last_send):
        click.secho(
            "Rappel : la boîte de l'association n'a pas été lue depuis le dernier envoi ; lancez d'abord "
            "« inserecho inbox » pour écarter les adresses inexistantes et les désinscriptions.",
            fg="yellow",
        )


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise UsageProblem("confirmation impossible sans terminal : ajoutez --yes pour envoyer sans question.")
    answer = click.prompt("Envoyer maintenant ? [o/N]", default="n", show_default=False)
    if answer.strip().casefold() not in {"o", "oui", "y", "yes"}:
        click.echo("Envoi annulé : rien n'est parti.")
        sys.exit(0)


def _deliver(prepared: Campaign, journal: Journal, transport: Transport, options: DeliveryOptions) -> DeliveryReport:
    async def run() -> DeliveryReport:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stop_sending() -> None:
            click.echo(
                "\nArrêt demandé : fin des envois en cours, puis arrêt (Ctrl-C à nouveau pour forcer).", err=True
            )
            stop.set()

        def on_interrupt() -> None:
            stop_sending()
            loop.remove_signal_handler(signal.SIGINT)

        def on_plain_signal(*_: object) -> None:
            signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C forces
            loop.call_soon_threadsafe(stop_sending)

        try:
            loop.add_signal_handler(signal.SIGINT, on_interrupt)
            loop.add_signal_handler(signal.SIGTERM, on_interrupt)
            handlers = "loop"
        except NotImplementedError:  # Windows' event loop has no signal handlers: a plain one
            signal.signal(signal.SIGINT, on_plain_signal)
            handlers = "plain"

        bar = _ProgressBar(options.rate)
        try:
            async with transport:
                return await deliver(
                    prepared.name,
                    prepared.recipients,
                    prepared.composer.compose,
                    transport,
                    journal,
                    options,
                    progress=bar.update,
                    stop=stop,
                )
        finally:
            bar.finish()
            if handlers == "loop":
                loop.remove_signal_handler(signal.SIGTERM)
            else:
                signal.signal(signal.SIGINT, signal.default_int_handler)

    return asyncio.run(run())


class _ProgressBar:
    """A one-line progress display on a terminal, and a line for each wait everywhere.

    The bar counts the messages the relay accepted as it accepts them; a wait (rate
    window full, relay asking to slow down, only retries left) is said once, with the
    time it ends, on the terminal or in a log.
    """

    def __init__(self, rate: Rate | None) -> None:
        self.rate = rate
        self.started = time.monotonic()
        self.shown = 0.0
        self.tty = sys.stderr.isatty()
        self.last_wait: tuple[str, str] | None = None

    def update(self, progress: Progress) -> None:
        if progress.waiting is not None:
            self._say_wait(progress.waiting, progress.retrying)
        now = time.monotonic()
        if not self.tty or (now - self.shown < 0.2 and progress.remaining and progress.waiting is None):
            return
        self.shown = now
        done = progress.sent + progress.failed
        speed = done / max(now - self.started, 1e-6)
        if self.rate is not None:  # the limit, not the first burst, sets the pace: the windows still to wait
            left = estimated_seconds(progress.remaining + 1, self.rate) if progress.remaining else 0
        else:
            left = progress.remaining / speed if speed else 0
        width = 30
        filled = int(width * done / max(progress.total, 1))
        failed = f" · {progress.failed} en échec" if progress.failed else ""
        retrying = f" · {progress.retrying} à réessayer" if progress.retrying else ""
        click.echo(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.sent}/{progress.total} acceptés{failed}"
            f"{retrying} · reste {format_duration(left)}   ",
            nl=False,
            err=True,
        )

    def _say_wait(self, waiting: Waiting, retrying: int) -> None:
        resume = format_time(waiting.until.time())
        if (waiting.reason, resume) == self.last_wait:
            return
        self.last_wait = (waiting.reason, resume)
        if waiting.reason == "rate":
            why = f"limite de {self.rate} atteinte"
        elif waiting.reason == "throttle":
            why = "le relais demande de ralentir"
        else:
            why = (
                f"{plural(retrying, 'destinataire')} refusé{'' if retrying == 1 else 's'} "
                "pour l'instant (liste grise, serveur occupé), nouvel essai"
            )
        left = (waiting.until - datetime.now().astimezone()).total_seconds()
        if self.tty:
            click.echo(err=True)  # keep the bar's last state above
        click.echo(f"{why} : reprise à {resume} (dans {format_duration(max(left, 0))}).", err=True)

    def finish(self) -> None:
        if self.tty:
            click.echo(err=True)


def _summarise(report: DeliveryReport, report_path: Path, outbox: Path | None, journal_path: Path) -> None:
    if report.journal_restored:
        click.secho(
            f"Attention : le journal d'envoi {shown(journal_path)} a été supprimé ou remplacé pendant "
            "l'envoi ; il a été remis en place avec tout ce que l'envoi savait. Ne le supprimez pas : "
            "c'est lui qui évite d'envoyer deux fois la lettre.",
            fg="yellow",
            err=True,
        )
    if report.to_send == 0:
        click.echo(
            "Rien à envoyer : chaque destinataire de ce segment a déjà été servi, s'est désinscrit "
            "ou est en échec (voir inserecho status)."
        )
    else:
        bounced = f" (dont {report.bounced} adresse(s) inexistante(s), désormais écartée(s))" if report.bounced else ""
        done = "Écrits" if outbox is not None else "Envoyés"
        click.echo(
            f"{done} : {report.sent} · échecs temporaires : {report.failed_temporary} · "
            f"échecs définitifs : {report.failed_permanent}{bounced} · restants : {report.remaining}"
        )
    click.echo(f"Rapport détaillé : {shown(report_path)}")
    if outbox is not None:
        click.echo(
            f"Messages écrits dans {shown(outbox)}/new/ (un fichier par destinataire, à ouvrir avec une messagerie)."
        )
        click.secho(
            "C'était une RÉPÉTITION : elle ne compte pas comme l'envoi réel, personne n'est noté comme "
            "servi. L'envoi réel se fait avec un relais SMTP (smtp.url ou --smtp).",
            bold=True,
        )
    elif report.complete:
        click.secho("Envoi réel terminé pour ce segment (le détail : inserecho status).", bold=True)
    if report.interrupted:
        click.echo("Envoi interrompu : relancez la même commande pour reprendre là où il s'est arrêté.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if report.stopped_reason:
        click.secho(f"Envoi arrêté : {report.stopped_reason}", fg="red", err=True)
        sys.exit(EXIT_CONTENT)
    if report.failed_temporary:
        click.echo("Des envois ont échoué temporairement : réessayez plus tard avec --retry-failed.", err=True)
        sys.exit(EXIT_CONTENT)
