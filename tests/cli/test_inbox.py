"""``inserecho inbox`` against a real Dovecot on 127.0.0.1: a send to the outbox, then
what comes back dropped in the mailbox, read, applied and filed."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from inserecho.send.journal import Journal
from issuefolder import SETTINGS, SLUG, make_folder, run_cli, write_files
from mailbox_messages import (
    complaint,
    hard_bounce,
    mailto_unsubscribe,
    out_of_office,
    postfix_dsn,
    reply,
    soft_bounce,
)

SUBSCRIBERS = """\
    - email: marie@example.org
    - email: paul@example.org
    - email: lea@example.org
    - email: k.haddad@regie-exemple.example.org
      name: Karim Haddad
    - email: zoe@example.org
    """
PROCESSED = "INBOX.inserecho-traite"  # Dovecot's Maildir separator is "."


@pytest.fixture
def folder(tmp_path, dovecot, monkeypatch):
    monkeypatch.setenv("INSERECHO_IMAP_PASSWORD", dovecot.password)
    monkeypatch.delenv("INSERECHO_IMAP_URL", raising=False)
    root = make_folder(tmp_path / "lettre")
    write_files(root, {"subscribers.yaml": SUBSCRIBERS})
    return root


@pytest.fixture
def send(smtp_server, monkeypatch):
    """Send the issue for real to a local relay: what comes back in the mailbox answers a real send."""
    monkeypatch.setenv("INSERECHO_SMTP_URL", smtp_server.url)

    def send(root: Path, campaign: str) -> dict[str, bytes]:
        before = len(smtp_server.handler.received)
        result = run_cli(root, "send", SLUG, "--campaign", campaign, "--yes")
        assert result.code == 0, result.output
        # as the receiving server files it: the envelope sender becomes Return-Path
        return {
            message.rcpt: f"Return-Path: <{message.mail_from}>\r\n".encode() + message.data
            for message in smtp_server.handler.received[before:]
        }

    return send


def inbox(root: Path, dovecot, *args: str):
    return run_cli(root, "inbox", "--imap", dovecot.url("imap", "localhost"), "--cafile", str(dovecot.cafile), *args)


def test_a_bounce_a_complaint_and_a_mailto_unsubscribe_are_skipped_by_the_next_campaign(folder, dovecot, send):
    sent = send(folder, "2027-01")
    dovecot.append(
        hard_bounce(sent["marie@example.org"]),
        complaint(sent["paul@example.org"]),
        mailto_unsubscribe(sent["lea@example.org"]),
        reply(sent["k.haddad@regie-exemple.example.org"]),
    )
    result = inbox(folder, dovecot)
    assert result.code == 0, result.output
    assert "Nouveaux messages : 4" in result.out
    assert "marie@example.org (adresse inexistante, 2027-01 : adresse inexistante (5.1.1))" in result.out
    assert "paul@example.org (plainte, 2027-01" in result.out
    assert "lea@example.org (désinscription" in result.out
    assert "Karim Haddad <k.haddad@regie-exemple.example.org> : Re: Inser’Echo n° 43" in result.out
    assert "3 messages rangés dans « INBOX/inserecho-traite »" in result.out

    (left,) = dovecot.messages()
    assert b"Merci pour ce num" in left
    assert b"\\Seen" not in dovecot.flags()[0]  # the reply is left unread, as it came
    assert len(dovecot.messages(PROCESSED)) == 3

    again = inbox(folder, dovecot)
    assert "Rien de nouveau" in again.out
    assert "1 déjà traité" in again.out
    assert len(dovecot.messages()) == 1

    next_campaign = send(folder, "2027-02")
    assert set(next_campaign) == {"k.haddad@regie-exemple.example.org", "zoe@example.org"}
    with Journal.open(folder / "journal.sqlite3") as journal:
        reasons = {s.email: s.reason for s in journal.suppressions()}
    assert reasons == {"marie@example.org": "bounce", "paul@example.org": "complaint", "lea@example.org": "unsubscribe"}


def test_an_out_of_office_is_filed_and_changes_nothing(folder, dovecot, send):
    sent = send(folder, "2027-01")
    dovecot.append(out_of_office(sent["zoe@example.org"]))
    result = inbox(folder, dovecot)
    assert "réponses automatiques (ignorées)" in result.out
    assert dovecot.messages() == [] and len(dovecot.messages(PROCESSED)) == 1
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert journal.suppressed_count() == 0


def test_three_campaigns_of_soft_bounces_suppress_the_address(folder, dovecot, send):
    for number, campaign in enumerate(("2027-01", "2027-02", "2027-03"), 1):
        sent = send(folder, campaign)
        dovecot.append(soft_bounce(sent["zoe@example.org"]))
        result = inbox(folder, dovecot)
        assert "échecs temporaires (rebonds temporaires)" in result.out
        with Journal.open(folder / "journal.sqlite3") as journal:
            assert journal.is_suppressed("zoe@example.org") is (number == 3)
    assert "zoe@example.org (échecs temporaires répétés" in result.out


def test_a_processed_folder_named_by_the_officer(folder, dovecot, send):
    sent = send(folder, "2027-01")
    dovecot.append(hard_bounce(sent["marie@example.org"]))
    result = inbox(folder, dovecot, "--folder", "Lettre/Traités")
    assert result.code == 0, result.output
    assert "Lettre.Trait&AOk-s" in dovecot.folders()  # modified UTF-7, as IMAP names folders
    assert len(dovecot.messages("Lettre.Trait&AOk-s")) == 1


def test_dry_run_changes_nothing(folder, dovecot, send):
    sent = send(folder, "2027-01")
    dovecot.append(hard_bounce(sent["marie@example.org"]))
    result = inbox(folder, dovecot, "--dry-run")
    assert "Adresses qui seraient écartées" in result.out and "rien n'a été modifié" in result.out
    assert len(dovecot.messages()) == 1
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert not journal.is_suppressed("marie@example.org")
        assert journal.last_mailbox_read() is None
    assert "Nouveaux messages : 1" in inbox(folder, dovecot).out


def test_the_url_from_the_settings_and_implicit_tls(folder, dovecot, send):
    settings = textwrap.dedent(SETTINGS) + f'imap:\n  url: "{dovecot.url("imaps", "localhost")}"\n'
    write_files(folder, {"inserecho.yaml": settings})
    dovecot.append(out_of_office(send(folder, "2027-01")["zoe@example.org"]))
    result = run_cli(folder, "inbox", "--cafile", str(dovecot.cafile))
    assert result.code == 0, result.output
    assert f"imaps://{dovecot.user}@localhost:{dovecot.imaps_port}" in result.out


def test_a_refused_password_is_a_french_error_that_hides_it(folder, dovecot, monkeypatch):
    monkeypatch.setenv("INSERECHO_IMAP_PASSWORD", "pas le bon mot de passe")
    result = inbox(folder, dovecot)
    assert result.code == 1
    assert "refuse l'identification" in result.err and "INSERECHO_IMAP_PASSWORD" in result.err
    assert "pas le bon" not in result.output


def test_an_unreachable_mailbox_is_a_french_error(folder, dovecot):
    url = dovecot.url()
    dovecot.stop()
    result = run_cli(folder, "inbox", "--imap", url)
    assert result.code == 1
    assert "impossible de joindre le serveur imap://" in result.err
    assert "connexion refusée" in result.err


def test_no_mailbox_set(folder):
    result = run_cli(folder, "inbox")
    assert result.code == 2
    assert "aucune boîte aux lettres réglée" in result.err


def test_clear_text_to_another_host_is_refused(folder, relay_name, monkeypatch):
    from dovecot import start_dovecot

    plain = start_dovecot(tls=False)
    try:
        result = run_cli(folder, "inbox", "--imap", plain.url("imap", relay_name))
        assert result.code == 1
        assert "ne propose pas de chiffrement (STARTTLS)" in result.err
        monkeypatch.setenv("INSERECHO_IMAP_PASSWORD", plain.password)
        assert run_cli(folder, "inbox", "--imap", plain.url("imap", relay_name), "--insecure").code == 0
    finally:
        plain.stop()


def test_status_undo_and_the_reminder_before_a_send(folder, dovecot, send):
    write_files(folder, {"inserecho.yaml": textwrap.dedent(SETTINGS) + f'imap:\n  url: "{dovecot.url()}"\n'})
    sent = send(folder, "2027-01")
    reminder = "la boîte de l'association n'a pas été lue depuis le dernier envoi"
    assert reminder in run_cli(folder, "send", SLUG, "--campaign", "2027-02", "--outbox", "o2", "--yes").out
    dovecot.append(hard_bounce(sent["marie@example.org"]), complaint(sent["paul@example.org"]))
    assert run_cli(folder, "inbox", "--cafile", str(dovecot.cafile)).code == 0
    assert reminder not in run_cli(folder, "send", SLUG, "--campaign", "2027-02", "--outbox", "o2", "--yes").out

    status = run_cli(folder, "status", SLUG, "--campaign", "2027-01").out
    assert "Retours lus dans la boîte" in status
    assert re.search(r"adresses inexistantes\.+ +1\n", status) and re.search(r"plaintes\.+ +1\n", status)

    undo = run_cli(folder, "unsubscribe", "--undo", "paul@example.org", "marie@example.org")
    assert undo.code == 0
    assert "Attention : paul@example.org a signalé la lettre comme indésirable" in undo.err
    assert "marie@example.org" not in undo.err


def test_without_verp_the_returned_message_id_names_recipient_and_campaign(folder, dovecot, send):
    settings = textwrap.dedent(SETTINGS).replace("sender:\n", "sender:\n  verp: non\n")
    write_files(folder, {"inserecho.yaml": settings})
    sent = send(folder, "2027-01")
    assert b"Return-Path: <lettre@inser-eco93.fr>" in sent["marie@example.org"]
    dovecot.append(hard_bounce(sent["marie@example.org"]))
    result = inbox(folder, dovecot)
    assert "marie@example.org (adresse inexistante, 2027-01" in result.out


def test_a_bounce_for_someone_not_on_the_list_changes_nothing(folder, dovecot, send):
    send(folder, "2027-01")
    poor = postfix_dsn("lettre@inser-eco93.fr", "inconnu@example.net", "A1")
    personal = postfix_dsn(
        "contact@inser-eco93.example.org", "zoe@example.org", "A2",
        "From: contact@inser-eco93.example.org\nTo: zoe@example.org\nMessage-ID: <perso@example.org>",
    )
    dovecot.append(poor, personal)
    result = inbox(folder, dovecot)
    assert "inconnu@example.net, qui n'est pas dans la liste" in result.out
    assert "rapport de non-remise d'un autre envoi" in result.out
    assert len(dovecot.messages()) == 2  # left for the officer
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert journal.suppressed_count() == 0


def test_the_same_report_twice_is_applied_once_and_both_are_filed(folder, dovecot, send):
    sent = send(folder, "2027-01")
    bounce = hard_bounce(sent["marie@example.org"])
    dovecot.append(bounce, bounce)
    result = inbox(folder, dovecot)
    assert "Nouveaux messages : 1" in result.out and "dont 1 déjà traité" in result.out
    assert dovecot.messages() == [] and len(dovecot.messages(PROCESSED)) == 2
