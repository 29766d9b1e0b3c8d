"""``inserecho send``, ``status``, ``unsubscribe`` and ``subscribers`` through the real command.

Every test builds a newsletter folder in ``tmp_path`` and runs the command (in this
process, or as a real ``python -m inserecho.cli`` child process where signals or the
terminal matter) against a real SMTP server (aiosmtpd) on 127.0.0.1.
"""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import errno
import mailbox
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from inserecho.send.journal import Journal
from issuefolder import ISSUE, SLUG, Run, make_folder, run_cli, write_files

SETTINGS = """\
    newsletter:
      name: "Inser'Echo"
      publisher: "Inser'Eco93"
      postal_address: "Inser'Eco93, 12 rue de l'Exemple, 93000 Bobigny"
      website: "https://inser-eco93.example.org"
      list_id: "inserecho.inser-eco93.example.org"
    sender:
      from: "Inser'Échos du réseau <lettre@inser-eco93.example.org>"
      reply_to: "Équipe Inser'Eco93 <contact@inser-eco93.example.org>"
    archive_url: "https://inser-eco93.example.org/inserecho/"
    unsubscribe:
      mailto: "desinscription@inser-eco93.example.org"
      url: "https://inser-eco93.example.org/desinscription"
    """

SUBJECT = "Inser'Echo n° 43 : les vœux du réseau"  # as issuefolder.ISSUE writes it
SENT_SUBJECT = "Inser’Echo n° 43 : les vœux du réseau"  # after French typography, spaces aside

SUBSCRIBERS = """\
    - email: marie.dupont@example.org
      name: Marie Dupont-Lefèvre
      territories: [Est Ensemble]
    - email: paul@example.org
      territories: [Plaine Commune]
    - email: ines@example.org
      name: "Inès & Cie <direction>"
      territories: [Plaine Commune]
      tags: [adherent]
    """
ADDRESSES = {"marie.dupont@example.org", "paul@example.org", "ines@example.org"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No relay, password or secret from the machine running the tests."""
    for name in ("INSERECHO_SMTP_URL", "INSERECHO_SMTP_PASSWORD", "INSERECHO_SECRET"):
        monkeypatch.delenv(name, raising=False)


def newsletter(root: Path, subscribers: str = SUBSCRIBERS, settings: str = SETTINGS) -> Path:
    make_folder(root, settings=settings)
    write_files(root, {"subscribers.yaml": subscribers})
    return root


@pytest.fixture
def folder(tmp_path) -> Path:
    return newsletter(tmp_path / "lettre")


def send(root: Path, server, *args: str) -> Run:
    return run_cli(root, "send", SLUG, "--smtp", server.url, "--yes", *args)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def messages(server) -> dict[str, EmailMessage]:
    """The messages the server accepted, by recipient (each must have come once)."""
    assert max(server.handler.recipients().values(), default=1) == 1
    return {m.rcpt: parse(m.data) for m in server.handler.received}


def counts(root: Path, campaign: str = SLUG) -> dict[str, int]:
    with Journal.open(root / "journal.sqlite3") as journal:
        return journal.counts(campaign)


def report_rows(root: Path, campaign: str = SLUG) -> dict[str, dict[str, str]]:
    """The CSV report of a campaign, by address."""
    text = (root / "build" / SLUG / f"envoi-{campaign}.csv").read_text(encoding="utf-8-sig")
    return {row["adresse"]: row for row in csv.DictReader(text.splitlines(), delimiter=";")}


def spaced(text: str) -> str:
    """``text`` with every run of spaces (no-break ones included) as one plain space."""
    return " ".join(text.split())


def text_of(message: EmailMessage, kind: str = "plain") -> str:
    """A part's decoded content, with the wire's CRLF line endings read as LF."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def token_of(message: EmailMessage) -> str:
    return re.search(r"token=([\w.-]+)>", message["List-Unsubscribe"])[1]


# Messages: headers, parts, personalisation


def test_every_message_is_a_well_formed_personalised_newsletter(smtp_server, folder):
    result = send(folder, smtp_server)
    assert result.code == 0, result.output
    assert "Envoyés : 3 · échecs temporaires : 0 · échecs définitifs : 0 · restants : 0" in result.out
    assert f"Rapport détaillé : {Path('build', SLUG, f'envoi-{SLUG}.csv')}" in result.out

    received = messages(smtp_server)
    assert set(received) == ADDRESSES
    for address, message in received.items():
        assert all(part.defects == [] for part in message.walk())
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert {p.get_content_charset() for p in message.iter_parts()} == {"utf-8"}
        assert message["From"] == "Inser'Échos du réseau <lettre@inser-eco93.example.org>"
        assert message["Reply-To"] == "Équipe Inser'Eco93 <contact@inser-eco93.example.org>"
        assert message["To"].addresses[0].addr_spec == address
        assert spaced(message["Subject"]) == SENT_SUBJECT
        assert message["Date"].datetime is not None
        assert re.fullmatch(r"<[\w.-]+@inser-eco93\.example\.org>", message["Message-ID"])
        assert message["List-Id"] == "Inser'Echo <inserecho.inser-eco93.example.org>"
        token = token_of(message)
        assert message["List-Unsubscribe"] == (
            f"<mailto:desinscription@inser-eco93.example.org?subject=unsubscribe%20{token}>, "
            f"<https://inser-eco93.example.org/desinscription?token={token}>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = text_of(message, "html")
        assert f'href="https://inser-eco93.example.org/desinscription?token={token}"' in html
        assert f"Se désinscrire : https://inser-eco93.example.org/desinscription?token={token}" in spaced(
            text_of(message)
        )
    # every header line the wire carried is ASCII: display names are RFC 2047 encoded
    raw_headers = smtp_server.handler.received[0].data.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii() and b"=?utf-8?" in raw_headers
    assert len({m["Message-ID"] for m in received.values()}) == 3
    assert len({token_of(m) for m in received.values()}) == 3

    marie, paul, ines = (received[a] for a in ("marie.dupont@example.org", "paul@example.org", "ines@example.org"))
    assert marie["To"] == "Marie Dupont-Lefèvre <marie.dupont@example.org>"
    assert text_of(marie).startswith("Bonjour Marie Dupont-Lefèvre,\n")
    assert "Bonjour Marie Dupont-Lefèvre," in text_of(marie, "html")
    assert paul["To"] == "paul@example.org"
    assert text_of(paul).startswith("Bonjour,\n")
    assert "Bonjour Paul" not in text_of(paul, "html")
    assert ines["To"].addresses[0].display_name == "Inès & Cie <direction>"
    assert text_of(ines).startswith("Bonjour Inès & Cie <direction>,\n")
    assert "Bonjour Inès &amp; Cie &lt;direction&gt;," in text_of(ines, "html")

    assert counts(folder)["sent"] == 3
    rows = report_rows(folder)
    assert set(rows) == ADDRESSES
    assert {(r["état"], r["tentatives"]) for r in rows.values()} == {("envoyé", "1")}
    assert all(r["réponse du serveur"].startswith("250 2.0.0 Ok: queued as") for r in rows.values())


def test_sending_again_resumes_and_mails_nobody_twice(smtp_server, folder):
    assert send(folder, smtp_server).code == 0
    again = send(folder, smtp_server)
    assert again.code == 0, again.output
    assert "déjà servis : 3" in again.out
    assert "Rien à envoyer : chaque destinataire de ce segment a déjà été servi" in again.out
    assert len(smtp_server.handler.received) == 3


def test_unsubscribe_token_from_a_message_stops_the_next_campaigns(smtp_server, folder):
    assert send(folder, smtp_server).code == 0
    token = token_of(messages(smtp_server)["marie.dupont@example.org"])

    result = run_cli(folder, "unsubscribe", "--token", token)
    assert result.code == 0, result.output
    assert "marie.dupont@example.org : désinscrite (lien de désinscription)." in result.out

    same = send(folder, smtp_server, "--dry-run")
    assert "déjà servis : 3 ; désinscrits : 0 ; à envoyer : 0." in same.out  # she had this one
    rappel = send(folder, smtp_server, "--campaign", "rappel")
    assert rappel.code == 0, rappel.output
    assert "désinscrits : 1" in rappel.out and "Envoyés : 2" in rappel.out
    assert smtp_server.handler.recipients() == Counter(
        {"marie.dupont@example.org": 1, "paul@example.org": 2, "ines@example.org": 2}
    )
    assert counts(folder, "rappel")["suppressed"] == 1
    assert report_rows(folder, "rappel")["marie.dupont@example.org"]["état"] == "désinscrit"


def test_a_forged_token_is_refused(folder):
    result = run_cli(folder, "unsubscribe", "--token", "bWFyaWVAZXhhbXBsZS5vcmc.AAAAAAAAAAAAAAAAAAAAAA")
    assert result.code == 2
    assert "jeton de désinscription invalide" in result.err


def test_links_in_a_message_do_not_show_the_address(smtp_server, folder):
    assert send(folder, smtp_server).code == 0
    for address, message in messages(smtp_server).items():
        token = token_of(message)
        local = address.split("@")[0]
        assert local not in token and local not in base64.urlsafe_b64decode(token + "==").decode("latin-1")
        assert "." not in token  # not the first format, base64(address).signature


def test_a_token_mailed_in_the_first_format_still_unsubscribes(folder):
    write_files(folder, {".inserecho-secret": "0123456789abcdef" * 4 + "\n"})
    # what `send` put in the links of its earlier issues for this list and this secret
    token = "cGF1bEBleGFtcGxlLm9yZw.6KAYYPMko2rtcsXV59aoeg"
    result = run_cli(folder, "unsubscribe", "--token", token)
    assert result.code == 0, result.output
    assert "paul@example.org : désinscrite (lien de désinscription)." in result.out


def test_unsubscribe_by_token_makes_no_secret(folder):
    result = run_cli(folder, "unsubscribe", "--token", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789")
    assert result.code == 2 and "jeton de désinscription invalide" in result.err
    assert not (folder / ".inserecho-secret").exists()


@pytest.mark.parametrize("content", ["", "court\n"])
def test_a_short_secret_stops_the_send_before_anything_leaves(smtp_server, folder, content):
    write_files(folder, {".inserecho-secret": content})
    result = send(folder, smtp_server)
    assert result.code == 1, result.output
    assert ".inserecho-secret" in result.err and "il en faut au moins 32" in result.err
    assert "Traceback" not in result.output
    assert smtp_server.handler.received == [] and not (folder / "journal.sqlite3").exists()
    assert (folder / ".inserecho-secret").read_text() == content


def test_a_short_secret_in_the_environment_is_refused(smtp_server, folder, monkeypatch):
    monkeypatch.setenv("INSERECHO_SECRET", "secret")
    result = send(folder, smtp_server, "--dry-run")
    assert result.code == 1 and "INSERECHO_SECRET ne contient que 6 octet(s)" in result.err


def test_a_dry_run_makes_no_secret_and_the_real_send_makes_it_once(smtp_server, folder):
    assert send(folder, smtp_server, "--dry-run").code == 0
    assert not (folder / ".inserecho-secret").exists()
    assert send(folder, smtp_server).code == 0
    secret = (folder / ".inserecho-secret").read_bytes()
    assert len(secret.strip()) == 64 and (folder / ".inserecho-secret").stat().st_mode & 0o777 == 0o600
    assert send(folder, smtp_server, "--campaign", "rappel").code == 0
    assert (folder / ".inserecho-secret").read_bytes() == secret


def test_the_first_send_on_a_full_disk_leaves_no_secret_and_sends_nothing(smtp_server, folder, monkeypatch):
    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)  # a full disk cannot be made without privileges
    result = send(folder, smtp_server)
    monkeypatch.undo()
    assert result.code == 1, result.output
    assert "impossible d'écrire .inserecho-secret : le disque est plein" in result.err
    assert "Traceback" not in result.output and "Erreur interne" not in result.output
    assert not any(p.name.startswith(".inserecho-secret") for p in folder.iterdir())
    assert smtp_server.handler.received == []
    assert send(folder, smtp_server).code == 0  # once there is room, the send goes ahead
    assert len(smtp_server.handler.received) == 3


def test_manual_unsubscribe_is_counted_by_check_and_honoured_by_send(smtp_server, folder):
    result = run_cli(folder, "unsubscribe", "Paul@Example.org")
    assert result.code == 0, result.output
    assert "Paul@example.org : désinscrite (demande manuelle)." in result.out
    assert "Adresses désinscrites au total : 1." in result.out

    check = run_cli(folder, "subscribers", "check", "subscribers.yaml")
    assert check.code == 0, check.output
    assert "subscribers.yaml : 3 abonné·e·s, aucune erreur." in check.out
    assert "Segment (toute la liste) : 3, dont 1 désinscrit·e·s ; 2 recevraient la lettre." in check.out

    assert send(folder, smtp_server).code == 0
    assert set(messages(smtp_server)) == ADDRESSES - {"paul@example.org"}
    status = run_cli(folder, "status", SLUG)
    assert re.search(r"désinscrit\.+ +1\n", status.out), status.out
    assert re.search(r"envoyé\.+ +2\n", status.out)

    undo = run_cli(folder, "unsubscribe", "--undo", "paul@example.org")
    assert "paul@example.org : réinscrite." in undo.out
    resumed = send(folder, smtp_server)  # the same campaign, resumed: Paul's turn
    assert resumed.code == 0 and "déjà servis : 2 ; désinscrits : 0 ; à envoyer : 1" in resumed.out
    assert smtp_server.handler.recipients() == Counter(dict.fromkeys(ADDRESSES, 1))


# Relay replies: retries, permanent failures, throttling


def test_temporary_failures_and_a_dropped_connection_are_retried_then_delivered(smtp_server, folder):
    smtp_server.handler.script("paul@example.org", "450 4.2.1 Boîte occupée, réessayez")
    smtp_server.handler.script("ines@example.org", "drop")
    result = send(folder, smtp_server)
    assert result.code == 0, result.output
    assert smtp_server.handler.attempts["paul@example.org"] == 2
    assert smtp_server.handler.dropped == ["ines@example.org"]
    assert set(messages(smtp_server)) == ADDRESSES
    rows = report_rows(folder)
    assert (rows["paul@example.org"]["état"], rows["paul@example.org"]["tentatives"]) == ("envoyé", "2")
    assert (rows["ines@example.org"]["état"], rows["ines@example.org"]["tentatives"]) == ("envoyé", "2")


def test_a_relay_refusing_more_connections_sends_on_those_it_has_and_says_so(smtp_server, folder):
    smtp_server.handler.greeting, smtp_server.handler.greeting_after = "421 4.7.0 Too many connections", 1
    result = send(folder, smtp_server, "--connections", "4")
    assert result.code == 0, result.output
    assert set(messages(smtp_server)) == ADDRESSES
    assert "n'a accepté que 1 connexion(s) simultanée(s) sur 4" in result.out
    assert "connections: 1" in result.out


def test_a_permanent_failure_is_recorded_and_never_retried(smtp_server, folder):
    smtp_server.handler.script("paul@example.org", "552 5.2.2 Boîte pleine")
    smtp_server.handler.script("ines@example.org", "rcpt:550 5.1.1 Utilisateur inconnu")
    result = send(folder, smtp_server)
    assert result.code == 0, result.output
    assert (
        "Envoyés : 1 · échecs temporaires : 0 · échecs définitifs : 2 (dont 1 adresse(s) inexistante(s)" in result.out
    )

    status = run_cli(folder, "status", SLUG)
    assert "Campagne 2027-01, envoi réel : 3 destinataires" in status.out
    assert "  ines@example.org (définitif, 1 tentative(s)) : 550 5.1.1 Utilisateur inconnu" in status.out
    assert "  paul@example.org (définitif, 1 tentative(s)) : 552 5.2.2 Boîte pleine" in status.out
    assert "--retry-failed" not in status.out
    rows = report_rows(folder)
    assert rows["paul@example.org"]["état"] == "échec définitif"
    assert rows["paul@example.org"]["réponse du serveur"] == "552 5.2.2 Boîte pleine"

    retry = send(folder, smtp_server, "--retry-failed")
    assert retry.code == 0 and "Rien à envoyer" in retry.out
    assert smtp_server.handler.attempts == Counter(dict.fromkeys(ADDRESSES, 1))
    # the unknown address is a hard bounce: on the suppression list for every later issue
    assert "dont 1 désinscrit·e·s" in run_cli(folder, "subscribers", "check", "subscribers.yaml").out


def test_retry_failed_tries_again_the_temporary_failures(smtp_server, tmp_path):
    root = newsletter(tmp_path, settings=textwrap.dedent(SETTINGS) + "smtp:\n  max_attempts: 1\n")
    smtp_server.handler.script("paul@example.org", "450 4.2.1 Boîte occupée")
    first = send(root, smtp_server, "--campaign", "voeux")
    assert first.code == 1
    assert "échecs temporaires : 1" in first.out
    assert "réessayez plus tard avec --retry-failed" in first.err
    status = run_cli(root, "status", SLUG, "--campaign", "voeux")
    assert "  paul@example.org (temporaire, 1 tentative(s)) : 450 4.2.1 Boîte occupée" in status.out
    assert f"Pour réessayer : inserecho send {SLUG} --campaign voeux --retry-failed" in status.out
    assert report_rows(root, "voeux")["paul@example.org"]["état"] == "échec temporaire"

    plain_resume = send(root, smtp_server, "--campaign", "voeux")
    assert "en échec : 1 ; à envoyer : 0" in plain_resume.out and "Rien à envoyer" in plain_resume.out
    assert smtp_server.handler.attempts["paul@example.org"] == 1

    retry = send(root, smtp_server, "--campaign", "voeux", "--retry-failed")
    assert retry.code == 0, retry.output
    assert "à envoyer : 1" in retry.out and "nouvel essai des échecs temporaires" in retry.out
    assert "Envoyés : 1" in retry.out
    assert set(messages(smtp_server)) == ADDRESSES
    assert report_rows(root, "voeux")["paul@example.org"]["tentatives"] == "2"


GREYLISTING = "rcpt:451 4.7.1 Greylisted, please try again later"


def test_a_greylisting_server_is_waited_out_in_one_run(smtp_server, tmp_path):
    addresses = [f"abonne{n:02}@example.org" for n in range(12)]  # more than the failure streak's 10
    root = newsletter(
        tmp_path,
        subscribers="".join(f"- email: {a}\n" for a in addresses),
        settings=textwrap.dedent(SETTINGS) + 'smtp:\n  retry_for: "4 secondes"\n',
    )
    for address in addresses:  # each one refused at first, as a greylisting server does
        smtp_server.handler.script(address, GREYLISTING, GREYLISTING)
    result = send(root, smtp_server)
    assert result.code == 0, result.output
    assert "Envoyés : 12 · échecs temporaires : 0" in result.out
    assert smtp_server.handler.recipients() == Counter(dict.fromkeys(addresses, 1))
    assert set(smtp_server.handler.attempts.values()) == {3}
    assert re.search(r"destinataires? refusés? pour l'instant .* : reprise à \d+ h", spaced(result.err))
    assert {r["tentatives"] for r in report_rows(root).values()} == {"3"}


def test_greylisting_past_the_budget_is_left_for_retry_failed(smtp_server, tmp_path):
    root = newsletter(tmp_path, settings=textwrap.dedent(SETTINGS) + 'smtp:\n  retry_for: "1 seconde"\n')
    smtp_server.handler.script("paul@example.org", *[GREYLISTING] * 1000)
    result = send(root, smtp_server)
    assert result.code == 1
    assert "Envoyés : 2 · échecs temporaires : 1" in result.out
    assert "réessayez plus tard avec --retry-failed" in result.err
    assert smtp_server.handler.attempts["paul@example.org"] > 1
    assert counts(root)["failed_temporary"] == 1


def test_a_full_rate_window_is_said_with_the_time_it_reopens(smtp_server, folder):
    result = send(folder, smtp_server, "--rate", "2/seconde", "--connections", "1")
    assert result.code == 0, result.output
    assert re.search(r"limite de 2/seconde atteinte : reprise à \d+ h( \d\d)? \(dans \d s\)", spaced(result.err))
    assert set(messages(smtp_server)) == ADDRESSES


def test_a_throttling_relay_is_waited_out(smtp_server, tmp_path):
    root = newsletter(tmp_path, settings=textwrap.dedent(SETTINGS) + "smtp:\n  max_attempts: 1\n")
    smtp_server.handler.throttle(2)
    result = send(root, smtp_server)
    assert result.code == 0, result.output
    assert [reply for _, reply in smtp_server.handler.refused] == ["421 4.7.0 Trop de messages, ralentissez"] * 2
    assert set(messages(smtp_server)) == ADDRESSES  # "slow down" is not a failed attempt
    assert {r["tentatives"] for r in report_rows(root).values()} == {"1"}


def test_a_relay_refusing_everyone_stops_the_run_and_brands_nobody(smtp_server, tmp_path):
    root = newsletter(tmp_path, subscribers="".join(f"- email: abonne{n}@example.org\n" for n in range(14)))
    for n in range(14):
        smtp_server.handler.script(f"abonne{n}@example.org", "rcpt:550 5.7.1 Relais non autorisé")
    result = send(root, smtp_server)
    assert result.code == 1
    assert "Envoi arrêté : les 10 derniers destinataires essayés ont tous échoué" in result.err
    assert "550 5.7.1 Relais non autorisé" in result.err
    assert counts(root)["pending"] == 14  # still to send once the relay is fixed
    assert "dont 0 désinscrit·e·s" in run_cli(root, "subscribers", "check", "subscribers.yaml").out


def test_a_refused_sender_stops_the_run(smtp_server, folder):
    smtp_server.handler.sender_reply = "553 5.7.1 Expéditeur non autorisé"
    result = send(folder, smtp_server)
    assert result.code == 1
    assert "refuse l'adresse d'expédition lettre+b-" in result.err
    assert "« verp: non »" in result.err
    assert "vérifiez « sender » dans inserecho.yaml" in result.err
    assert smtp_server.handler.commands.count("MAIL") <= 4  # those in flight on the 4 connections, no more
    assert counts(folder)["pending"] == 3


def test_a_relay_turning_against_the_sender_stops_the_run_and_unsubscribes_nobody(smtp_server, tmp_path):
    addresses = [f"abonne{n:02}@example.org" for n in range(20)]
    root = newsletter(tmp_path, subscribers="".join(f"- email: {a}\n" for a in addresses))
    rejected = "550 5.1.0 <lettre@inser-eco93.example.org>: Sender address rejected: Domain not found"
    for address in addresses[4:]:
        smtp_server.handler.script(address, "rcpt:" + rejected)
    result = send(root, smtp_server, "--connections", "1")
    assert result.code == 1
    assert "Envoi arrêté : les 10 derniers destinataires essayés ont tous échoué avec la même réponse" in result.err
    assert "Sender address rejected" in result.err and "personne n'a été désinscrit" in result.err
    assert counts(root)["sent"] == 4 and counts(root)["pending"] == 16
    assert "dont 0 désinscrit·e·s" in run_cli(root, "subscribers", "check", "subscribers.yaml").out

    for address in addresses[4:]:  # the sender's domain is fixed
        smtp_server.handler.script(address)
    assert send(root, smtp_server).code == 0
    assert smtp_server.handler.recipients() == Counter(dict.fromkeys(addresses, 1))


def test_a_relay_that_never_answers_data_stops_the_run(smtp_server, tmp_path):
    root = newsletter(
        tmp_path,
        subscribers="".join(f"- email: abonne{n:02}@example.org\n" for n in range(20)),
        settings=textwrap.dedent(SETTINGS) + "smtp:\n  timeout: 1\n",
    )
    smtp_server.handler.delay = 3600
    result = send(root, smtp_server)
    assert result.code == 1
    assert "Envoi arrêté : les 10 derniers destinataires essayés ont tous échoué" in result.err
    assert "pas de réponse du serveur en 1 s" in result.err
    assert smtp_server.handler.commands.count("MAIL") <= 10 + 4  # the streak, plus what was in flight
    assert counts(root)["pending"] == 20


# Bad input: nothing leaves


@pytest.mark.parametrize(
    "name",
    [
        r"Marie\nBcc: tous@example.org",
        r"Marie\r\nBcc: tous@example.org",
        r"Marie\rDupont",
        r"Marie\vDupont",
        r"Marie\fDupont",
        r"Marie\x1cDupont",
        r"Marie\NDupont",  # U+0085, next line
        r"Marie\LDupont",  # U+2028, line separator
        r"Marie\x1bDupont",
        r"Marie\x7fDupont",
    ],
)
def test_a_line_break_in_a_name_is_refused_before_anything_is_sent(smtp_server, tmp_path, name):
    root = newsletter(
        tmp_path,
        subscribers=f"""\
        - email: paul@example.org
        - email: marie@example.org
          name: "{name}"
        """,
    )
    result = send(root, smtp_server)
    assert result.code == 1
    assert "subscribers.yaml:3: « name » contient un saut de ligne ou un caractère de contrôle" in result.err
    assert "Traceback" not in result.err
    assert smtp_server.handler.commands == []  # not even a connection
    assert not (root / "journal.sqlite3").exists()


def test_a_line_break_in_the_subject_is_blamed_on_the_issue(smtp_server, tmp_path):
    root = newsletter(tmp_path)
    write_files(root, {f"issues/{SLUG}/issue.yaml": ISSUE.replace(SUBJECT, r"Inser'Echo\nBcc: tous@example.org")})
    result = send(root, smtp_server)
    assert result.code == 1
    assert f"{Path('issues', SLUG, 'issue.yaml')}:3: « subject » doit tenir sur une seule ligne" in result.err
    assert smtp_server.handler.commands == []


@pytest.mark.parametrize(("key", "setting"), [("from", "sender.from"), ("reply_to", "sender.reply_to")])
def test_an_unusable_sender_address_in_the_settings_is_refused(smtp_server, tmp_path, key, setting):
    settings = re.sub(rf"{key}: .*", f'{key}: "contact chez inser-eco93"', SETTINGS)
    root = newsletter(tmp_path, settings=settings)
    result = send(root, smtp_server)
    assert result.code == 1
    assert re.search(
        rf"^inserecho\.yaml:\d+: « contact chez inser-eco93 » n'est pas une adresse e-mail valide pour « {setting} »",
        result.err,
        re.MULTILINE,
    ), result.err
    assert smtp_server.handler.commands == []


def test_invalid_and_duplicated_addresses_are_refused_with_their_lines(smtp_server, tmp_path):
    root = newsletter(
        tmp_path,
        subscribers="""\
        - email: marie@example.org
        - email: paul@@example.org
        - email: ines@example.org
        - email: Marie@Example.org
        """,
    )
    result = send(root, smtp_server)
    assert result.code == 1
    assert "subscribers.yaml:2: adresse « paul@@example.org » invalide" in result.err
    assert "subscribers.yaml:4: adresse en double : déjà présente ligne 1." in result.err
    assert smtp_server.handler.commands == []
    check = run_cli(root, "subscribers", "check", "subscribers.yaml")
    assert check.code == 1 and "subscribers.yaml:4: adresse en double" in check.err


# Modes: dry run, test copy, outbox, segment


def test_dry_run_sends_nothing_and_writes_nothing_in_the_journal(smtp_server, folder):
    assert run_cli(folder, "unsubscribe", "ines@example.org").code == 0
    result = send(folder, smtp_server, "--dry-run")
    assert result.code == 0, result.output
    assert "Essai à blanc : 3 destinataires vérifiés" in result.out and "rien n'a été envoyé" in result.out
    # Marie and Inès have a non-ASCII name, Paul none: two shapes of header, one message each
    assert "2 messages composés pour vérification, un par forme d'en-tête" in result.out
    assert "3 destinataires ; déjà servis : 0 ; désinscrits : 1 ; à envoyer : 2." in result.out
    assert smtp_server.handler.commands == []
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert journal.campaigns() == []
    assert not (folder / "build" / SLUG / f"envoi-{SLUG}.csv").exists()


def test_dry_run_counts_agree_with_each_other_and_use_a_decimal_comma(smtp_server, folder):
    assert send(folder, smtp_server).code == 0
    result = send(folder, smtp_server, "--dry-run", "--rate", "1/heure")
    assert result.code == 0, result.output
    assert "3 destinataires vérifiés (adresses et en-têtes) ; 2 messages composés" in result.out
    assert "3 destinataires ; déjà servis : 3 ; désinscrits : 0 ; à envoyer : 0." in result.out
    assert re.search(r"en (moins de )?\d+(,\d+)? s \(\d+,\d Ko en moyenne\)", result.out)
    assert not re.search(r"\d\.\d", result.out)  # no decimal point anywhere
    assert "Durée estimée : sans attente (0 messages" in result.out


def test_the_estimated_duration_and_the_check_warnings_come_before_the_send(smtp_server, folder):
    dry = send(folder, smtp_server, "--dry-run", "--rate", "1/heure")
    assert "Durée estimée : environ 2 h à 1/heure." in spaced(dry.out)  # 3 messages, one an hour
    no_relay_yet = run_cli(folder, "send", SLUG, "--dry-run", "--rate", "1/heure")
    assert "Durée estimée : environ 2 h à 1/heure." in spaced(no_relay_yet.out)  # the real send's, still
    result = send(folder, smtp_server, "--rate", "100/heure")
    assert result.code == 0, result.output
    lines = result.out.splitlines()
    warning = next(n for n, line in enumerate(lines) if "expéditeur est encore une adresse d'exemple" in line)
    estimate = next(n for n, line in enumerate(lines) if line.startswith("Durée estimée"))
    first_count = next(n for n, line in enumerate(lines) if line.startswith("Envoyés"))
    assert warning < estimate < first_count  # said before the confirmation, which comes right after
    assert lines[estimate] == "Durée estimée : sans attente (3 messages, dans la limite de 100/heure)."


def test_a_test_copy_goes_to_every_address_given(smtp_server, folder):
    result = send(
        folder, smtp_server, "--test", "moi@example.org", "--test", "Collegue@Example.org, direction@example.org"
    )
    assert result.code == 0, result.output
    assert sorted(m.rcpt for m in smtp_server.handler.received) == [
        "Collegue@example.org",
        "direction@example.org",
        "moi@example.org",
    ]
    assert result.out.count("Exemplaire de test envoyé à") == 3
    assert not (folder / "journal.sqlite3").exists()


def test_test_copies_go_to_the_test_recipients_setting(smtp_server, tmp_path):
    root = newsletter(
        tmp_path, settings=textwrap.dedent(SETTINGS) + "test_recipients: [moi@example.org, direction@example.org]\n"
    )
    result = send(root, smtp_server, "--test")
    assert result.code == 0, result.output
    assert sorted(m.rcpt for m in smtp_server.handler.received) == ["direction@example.org", "moi@example.org"]

    nobody = send(newsletter(tmp_path / "autre"), smtp_server, "--test")
    assert nobody.code == 2 and "test_recipients" in nobody.err
    invalid = send(root, smtp_server, "--test", "moi@example.org,moi@")
    assert invalid.code == 2 and "--test" in invalid.err
    assert len(smtp_server.handler.received) == 2  # nothing left for a list with a bad address


def test_a_test_copy_refused_for_one_address_still_reaches_the_others(smtp_server, folder):
    smtp_server.handler.script("refus@example.org", "rcpt:550 5.1.1 Utilisateur inconnu")
    result = send(folder, smtp_server, "--test", "refus@example.org,moi@example.org")
    assert result.code == 1
    assert [m.rcpt for m in smtp_server.handler.received] == ["moi@example.org"]
    assert "pour refus@example.org n'est pas parti" in result.err and "5.1.1" in result.err


def test_a_test_copy_goes_to_one_address_and_leaves_the_journal_alone(smtp_server, folder):
    result = send(folder, smtp_server, "--test", "Moi@Example.org")
    assert result.code == 0, result.output
    assert f"Exemplaire de test envoyé à Moi@example.org via {smtp_server.url}" in result.out
    (copy,) = smtp_server.handler.received
    assert copy.rcpt == "Moi@example.org"
    message = parse(copy.data)
    assert spaced(message["Subject"]) == "[Test] " + SENT_SUBJECT
    assert text_of(message).startswith("Bonjour,\n")
    assert not (folder / "journal.sqlite3").exists()

    invalid = send(folder, smtp_server, "--test", "moi@")
    assert invalid.code == 2 and "--test" in invalid.err


def test_outbox_writes_a_maildir_instead_of_sending(folder):
    result = run_cli(folder, "send", SLUG, "--outbox", "boite", "--yes")
    assert result.code == 0, result.output
    assert "aucun message ne quitte la machine" in result.out
    assert f"Messages écrits dans {Path('boite', 'new')}/" in result.out
    box = mailbox.Maildir(folder / "boite", factory=None, create=False)
    assert len(box) == 3
    delivered = {m["Delivered-To"]: m for m in box}
    assert set(delivered) == ADDRESSES
    assert all(m.get_content_type() == "multipart/alternative" for m in delivered.values())
    assert (folder / "build" / SLUG / f"repetition-{SLUG}.csv").exists()


def test_rehearsals_never_use_up_the_real_send(smtp_server, folder):
    assert send(folder, smtp_server, "--test", "moi@example.org").code == 0
    dry = send(folder, smtp_server, "--dry-run")
    assert "ne compte pas comme l'envoi réel" in dry.out
    default_outbox = run_cli(folder, "send", SLUG, "--yes")  # no relay set: the outbox
    explicit_outbox = run_cli(folder, "send", SLUG, "--outbox", "boite", "--yes")
    for rehearsal in (default_outbox, explicit_outbox):
        assert rehearsal.code == 0, rehearsal.output
        assert "Type d'envoi : RÉPÉTITION" in rehearsal.out
        assert "déjà servis : 0 ; désinscrits : 0 ; à envoyer : 3" in rehearsal.out  # each rehearsal afresh
        assert "C'était une RÉPÉTITION : elle ne compte pas comme l'envoi réel" in rehearsal.out
    status = run_cli(folder, "status", SLUG).out
    assert f"Campagne {SLUG}, envoi réel : pas encore fait" in status
    assert "Répétition (boîte d'envoi, ne compte pas comme l'envoi réel) : 3 messages écrits" in status

    real = send(folder, smtp_server)
    assert real.code == 0, real.output
    assert "Type d'envoi : ENVOI RÉEL" in real.out and "déjà servis : 0" in real.out
    assert "Envoi réel terminé" in real.out
    assert set(messages(smtp_server)) == ADDRESSES | {"moi@example.org"}
    assert counts(folder)["sent"] == 3
    status = run_cli(folder, "status", SLUG).out
    assert f"Campagne {SLUG}, envoi réel : 3 destinataires" in status and "Répétition" in status


def test_a_dry_run_of_a_rehearsal_counts_as_the_rehearsal_would(smtp_server, folder):
    assert send(folder, smtp_server).code == 0  # the real send: everyone served
    dry = run_cli(folder, "send", SLUG, "--outbox", "boite", "--dry-run")
    assert dry.code == 0, dry.output
    assert "déjà servis : 0 ; désinscrits : 0 ; à envoyer : 3" in dry.out  # as the rehearsal writes to everyone


def test_only_sends_to_a_segment(smtp_server, folder):
    result = send(folder, smtp_server, "--only", "territory=Plaine Commune", "--campaign", "plaine-commune")
    assert result.code == 0, result.output
    assert "Destinataires : 2 (territoire Plaine Commune)" in result.out
    assert set(messages(smtp_server)) == {"paul@example.org", "ines@example.org"}
    assert sum(counts(folder, "plaine-commune").values()) == 2

    tagged = send(folder, smtp_server, "--only", "territory=Plaine Commune", "--only", "tag=adherent", "--dry-run")
    assert "Essai à blanc : 1 destinataire vérifié (adresses et en-têtes) ; 1 message composé" in tagged.out

    wrong = send(folder, smtp_server, "--only", "ville=Bobigny")
    assert wrong.code == 2 and "filtre inconnu « ville »" in wrong.err
    nobody = send(folder, smtp_server, "--only", "territory=Paris Terres d'Envol", "--campaign", "envol")
    assert nobody.code == 1
    assert "personne à qui envoyer : le segment « territoire Paris Terres d'Envol » de subscribers.yaml" in nobody.err
    assert len(smtp_server.handler.received) == 2


def test_an_empty_list_is_not_a_finished_send(smtp_server, tmp_path):
    root = newsletter(tmp_path, subscribers="# à compléter\n")
    result = send(root, smtp_server)
    assert result.code == 1
    assert "personne à qui envoyer : subscribers.yaml ne contient aucun·e abonné·e." in result.err
    assert smtp_server.handler.commands == [] and not (root / "journal.sqlite3").exists()
    check = run_cli(root, "subscribers", "check", "subscribers.yaml")
    assert check.code == 0 and "subscribers.yaml: avertissement : la liste des abonnés est vide." in check.out


# Security of the relay connection


@pytest.mark.parametrize("scheme", ["smtps", "smtp"])  # smtp: STARTTLS, which this server requires
def test_tls_and_authentication(tls_server, folder, monkeypatch, scheme):
    port = tls_server.smtps_port if scheme == "smtps" else tls_server.starttls_port
    monkeypatch.setenv("INSERECHO_SMTP_PASSWORD", tls_server.password)
    url = f"{scheme}://{tls_server.username}@localhost:{port}"
    result = run_cli(
        folder, "send", SLUG, "--smtp", url, "--cafile", str(tls_server.cafile), "--connections", "1", "--yes"
    )
    assert result.code == 0, result.output
    assert f"Relais : {url} (1 connexion(s))" in result.out
    assert tls_server.password not in result.output
    assert {m.rcpt for m in tls_server.handler.received} == ADDRESSES
    assert tls_server.handler.commands.count("AUTH") == 1  # one connection: logged in once, reused


def test_a_wrong_password_stops_the_run_and_is_never_shown(tls_server, folder, monkeypatch):
    wrong = "Faux-Mot-De-Passe-7"
    monkeypatch.setenv("INSERECHO_SMTP_PASSWORD", wrong)
    url = f"smtps://{tls_server.username}@localhost:{tls_server.smtps_port}"
    result = run_cli(folder, "send", SLUG, "--smtp", url, "--cafile", str(tls_server.cafile), "--yes")
    assert result.code == 1
    assert "Envoi arrêté : le serveur" in result.err and "refuse l'identification" in result.err
    assert "INSERECHO_SMTP_PASSWORD" in result.err
    assert wrong not in result.output
    assert "Traceback" not in result.output
    assert tls_server.handler.received == [] and "MAIL" not in tls_server.handler.commands
    assert counts(folder)["pending"] == 3  # nobody branded as failed
    assert wrong not in (folder / "build" / SLUG / f"envoi-{SLUG}.csv").read_text(encoding="utf-8-sig")


def test_no_clear_text_to_a_remote_relay_without_insecure(smtp_server, folder, relay_name, monkeypatch):
    monkeypatch.setenv("INSERECHO_SMTP_PASSWORD", "Zq9xK7w-secret")
    url = f"smtp://lettre@{relay_name}:{smtp_server.port}"
    result = run_cli(folder, "send", SLUG, "--smtp", url, "--yes")
    assert result.code == 1
    assert "STARTTLS" in result.err and "--insecure" in result.err
    assert "Zq9xK7w-secret" not in result.output
    assert smtp_server.handler.commands == ["EHLO"]  # neither AUTH nor MAIL went out
    assert counts(folder)["pending"] == 3

    monkeypatch.delenv("INSERECHO_SMTP_PASSWORD")
    insecure = run_cli(folder, "send", SLUG, "--smtp", f"smtp://{relay_name}:{smtp_server.port}", "--insecure", "--yes")
    assert insecure.code == 0, insecure.output
    assert set(messages(smtp_server)) == ADDRESSES


def test_relay_problems_found_before_sending_are_explained(folder):
    write_files(folder, {"faux.pem": "pas un certificat\n", "fichier": "x"})
    bad_url = run_cli(folder, "send", SLUG, "--smtp", "smtpp://relais.example.org", "--yes")
    assert bad_url.code == 2 and "protocole « smtpp » inconnu" in bad_url.err
    bad_ca = run_cli(folder, "send", SLUG, "--smtp", "smtps://relais.example.org", "--cafile", "faux.pem", "--yes")
    assert bad_ca.code == 1 and "certificat d'autorité faux.pem illisible" in bad_ca.err
    bad_box = run_cli(folder, "send", SLUG, "--outbox", "fichier/boite", "--yes")
    assert bad_box.code == 1 and "impossible de créer le dossier d'envoi" in bad_box.err
    for result in (bad_url, bad_ca, bad_box):
        assert "Erreur interne" not in result.err and "Traceback" not in result.err
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert journal.campaigns() == []


# Guard rails: confirmation, one run at a time


def process(cwd: Path, *args: str, **popen) -> subprocess.Popen:
    """``python -m inserecho.cli ARGS`` as the officer would run it, without a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "inserecho.cli", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        **popen,
    )


def wait_until_received(server, count: int, child: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while len(server.handler.received) < count:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the send made no progress"
        time.sleep(0.002)


def test_without_yes_and_without_a_terminal_nothing_is_sent(smtp_server, folder):
    child = process(folder, "send", SLUG, "--smtp", smtp_server.url)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 2
    assert "Destinataires : 3 (toute la liste)" in out
    assert "confirmation impossible sans terminal : ajoutez --yes" in err
    assert smtp_server.handler.commands == []


def in_a_terminal(cwd: Path, *args: str, answer: str) -> str:
    """Run ``python -m inserecho.cli ARGS`` on a pseudo-terminal, type ``answer`` at the question;
    return all it showed."""
    import pty

    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "inserecho.cli", *args],
        cwd=cwd,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(terminal)
    shown, answered = b"", False
    try:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if not answered and b"Envoyer maintenant" in shown:
                os.write(controller, answer.encode() + b"\n")
                answered = True
    finally:
        os.close(controller)
        child.wait(timeout=60)
    assert child.returncode == 0, shown.decode()
    return shown.decode().replace("\r\n", "\n")


def test_on_a_terminal_the_warnings_and_estimate_come_before_the_question_and_the_bar_counts_acceptances(
    smtp_server, tmp_path
):
    root = newsletter(
        tmp_path, settings=textwrap.dedent(SETTINGS) + 'smtp:\n  rate: "100/heure"\n  retry_for: "3 secondes"\n'
    )
    smtp_server.handler.script("paul@example.org", GREYLISTING)
    shown = in_a_terminal(root, "send", SLUG, "--smtp", smtp_server.url, answer="o")
    question = shown.index("Envoyer maintenant")
    assert shown.index("expéditeur est encore une adresse d'exemple") < question
    assert shown.index("Durée estimée : sans attente (3 messages, dans la limite de 100/heure)") < question
    bars = re.findall(r"\] (\d)/3 acceptés", shown[question:])
    assert bars[-1] == "3" and bars == sorted(bars)  # the count of accepted messages only grows
    assert "1 à réessayer" in shown[question:]  # paul, refused for now, is counted apart
    assert "Envoyés : 3" in shown and set(messages(smtp_server)) == ADDRESSES


def test_a_second_send_in_the_same_folder_is_refused_while_one_runs(smtp_server, folder):
    smtp_server.handler.delay = 0.4  # the first run takes over a second
    first = process(folder, "send", SLUG, "--smtp", smtp_server.url, "--yes", "--connections", "1")
    wait_until_received(smtp_server, 1, first)
    second = send(folder, smtp_server)
    assert second.code == 2
    assert "un autre envoi est déjà en cours depuis ce dossier" in second.err
    _, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert smtp_server.handler.recipients() == Counter(dict.fromkeys(ADDRESSES, 1))


# Crashes and Ctrl-C: a real process, killed, then run again


CAMPAIGN_SIZE, CONNECTIONS = 240, 4


def generated_list(root: Path) -> set[str]:
    addresses = [f"abonne{n:04}@example.org" for n in range(CAMPAIGN_SIZE)]
    write_files(
        root, {"subscribers.yaml": "".join(f"- email: {a}\n  name: Abonné·e {n}\n" for n, a in enumerate(addresses))}
    )
    return set(addresses)


def start_send(root: Path, server) -> subprocess.Popen:
    return process(root, "send", SLUG, "--smtp", server.url, "--yes", "--connections", str(CONNECTIONS))


def test_deleting_files_of_the_folder_does_not_release_the_send_lock(smtp_server, folder):
    smtp_server.handler.delay = 0.4
    first = process(folder, "send", SLUG, "--smtp", smtp_server.url, "--yes", "--connections", "1")
    wait_until_received(smtp_server, 1, first)
    for leftover in folder.glob("journal.sqlite3*"):  # a lock file, if there were one, would go too
        leftover.unlink()
    second = send(folder, smtp_server)
    assert second.code == 2
    assert "un autre envoi est déjà en cours depuis ce dossier" in second.err
    _, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert smtp_server.handler.recipients() == Counter(dict.fromkeys(ADDRESSES, 1))


@pytest.mark.parametrize("deleted", ["journal.sqlite3", "journal.sqlite3*"])
def test_a_journal_deleted_during_a_send_is_restored_and_the_rerun_mails_nobody_twice(smtp_server, folder, deleted):
    addresses = generated_list(folder)
    smtp_server.handler.delay = 0.002
    child = start_send(folder, smtp_server)
    wait_until_received(smtp_server, 40, child)
    for path in folder.glob(deleted):
        path.unlink()
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "le journal d'envoi journal.sqlite3 a été supprimé ou remplacé pendant l'envoi" in err
    assert counts(folder)["sent"] == CAMPAIGN_SIZE

    rerun = start_send(folder, smtp_server)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert "Rien à envoyer" in out
    received = smtp_server.handler.recipients()
    assert set(received) == addresses
    assert sum(n - 1 for n in received.values()) <= CONNECTIONS  # at most the messages in flight


def test_an_emptied_journal_is_refused_before_anything_is_sent(smtp_server, folder):
    (folder / "journal.sqlite3").write_bytes(b"")
    result = send(folder, smtp_server)
    assert result.code == 1
    assert "journal.sqlite3" in result.err and "vide (0 octet)" in result.err
    assert "Traceback" not in result.err
    assert smtp_server.handler.commands == []
    assert run_cli(folder, "status", SLUG).code == 1


@pytest.mark.slow
def test_kill_9_at_several_points_then_resume(smtp_server, folder):
    addresses = generated_list(folder)
    smtp_server.handler.delay = 0.002  # keep a few messages in flight
    kills = (1, 60, 150)
    for threshold in kills:
        child = start_send(folder, smtp_server)
        wait_until_received(smtp_server, threshold, child)
        child.send_signal(signal.SIGKILL)
        child.communicate()
        assert child.returncode == -signal.SIGKILL

    final = start_send(folder, smtp_server)
    out, err = final.communicate(timeout=60)
    assert final.returncode == 0, err
    assert "restants : 0" in out

    received = smtp_server.handler.recipients()
    assert set(received) == addresses  # nobody skipped
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= CONNECTIONS * len(kills)  # at most what was in flight at each kill
    ids: dict[str, set[str]] = {}
    for message in smtp_server.handler.received:
        ids.setdefault(message.rcpt, set()).add(parse(message.data)["Message-ID"])
    assert all(len(found) == 1 for found in ids.values())  # a resent message keeps its id
    assert counts(folder)["sent"] == CAMPAIGN_SIZE
    assert {r["état"] for r in report_rows(folder).values()} == {"envoyé"}


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_then_resume_sends_nobody_twice(smtp_server, folder):
    addresses = generated_list(folder)
    smtp_server.handler.delay = 0.002
    child = start_send(folder, smtp_server)
    wait_until_received(smtp_server, 40, child)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    assert "Traceback" not in err
    assert "Arrêt demandé" in err and "Envoi interrompu : relancez la même commande" in err
    assert "Rapport détaillé" in out

    received = set(smtp_server.handler.recipients())
    with Journal.open(folder / "journal.sqlite3") as journal:
        sent = {a for a in addresses if journal.states(SLUG).get(a) == "sent"}
    assert sent == received  # what the relay accepted is exactly what the journal says
    assert 40 <= len(sent) < CAMPAIGN_SIZE
    assert counts(folder)["pending"] == CAMPAIGN_SIZE - len(sent)

    final = start_send(folder, smtp_server)
    out, err = final.communicate(timeout=60)
    assert final.returncode == 0, err
    assert f"déjà servis : {len(sent)}" in out
    assert smtp_server.handler.recipients() == Counter(dict.fromkeys(addresses, 1))


# status and subscribers import


def test_status_before_any_send_and_for_an_unknown_campaign(smtp_server, folder):
    assert "Aucun envoi n'a encore eu lieu" in run_cli(folder, "status", SLUG).out
    assert send(folder, smtp_server).code == 0
    unknown = run_cli(folder, "status", "2026-12")
    assert unknown.code == 2
    assert "aucune campagne « 2026-12 » dans le journal (campagnes : 2027-01)" in unknown.err


def test_subscribers_import_writes_the_list_and_never_overwrites_without_force(folder):
    write_files(
        folder,
        {
            "export.csv": """\
        Email;Prénom;Nom;Structure;Territoire
        marie@example.org;Marie;Dupont;Régie de quartier;Est Ensemble
        paul@example.org;Paul;Martin;;Plaine Commune
        """
        },
    )
    existing = (folder / "subscribers.yaml").read_bytes()
    refused = run_cli(folder, "subscribers", "import", "export.csv")
    assert refused.code == 2
    assert "subscribers.yaml existe déjà" in refused.err and "--force" in refused.err
    assert (folder / "subscribers.yaml").read_bytes() == existing

    forced = run_cli(folder, "subscribers", "import", "export.csv", "--force")
    assert forced.code == 0, forced.output
    assert "2 abonné·e·s écrit·e·s dans subscribers.yaml." in forced.out
    assert "name: Marie Dupont" in (folder / "subscribers.yaml").read_text(encoding="utf-8")
    check = run_cli(folder, "subscribers", "check", "subscribers.yaml", "--only", "territory=Est Ensemble")
    assert check.code == 0, check.output
    assert "subscribers.yaml : 2 abonné·e·s, aucune erreur." in check.out
    assert "Segment (territoire Est Ensemble) : 1, dont 0 désinscrit·e·s" in check.out


def test_subscribers_import_writes_into_the_newsletter_folder_given_by_root(tmp_path):
    root = make_folder(tmp_path / "lettre")
    write_files(tmp_path, {"export.csv": "Courriel\nmarie@example.org\n"})
    result = run_cli(tmp_path, "--root", "lettre", "subscribers", "import", "export.csv")
    assert result.code == 0, result.output
    assert "1 abonné·e écrit·e dans lettre/subscribers.yaml." in result.out
    assert (root / "subscribers.yaml").exists() and not (tmp_path / "subscribers.yaml").exists()


def test_without_a_relay_the_messages_go_to_the_outbox_of_the_folder(folder):
    result = run_cli(folder, "send", SLUG, "--yes")
    assert result.code == 0, result.output
    assert "Aucun relais SMTP réglé" in result.out
    assert len(mailbox.Maildir(folder / "outbox", create=False)) == len(ADDRESSES)


def test_a_campaign_name_must_be_a_simple_name(folder):
    result = run_cli(folder, "send", SLUG, "--campaign", "a/b", "--outbox", "outbox", "--yes")
    assert result.code == 2
    assert "minuscules, des chiffres et des tirets" in result.err


def test_test_and_dry_run_do_not_go_together(folder):
    result = run_cli(folder, "send", SLUG, "--test", "moi@example.org", "--dry-run")
    assert result.code == 2
    assert "choisissez l'un ou l'autre" in result.err
