"""The readers' side through real HTTP (wsgiref on 127.0.0.1), the mail it sends caught
by aiosmtpd, and its notices carried into Dovecot and applied by ``inserecho inbox``."""

from __future__ import annotations

import email
import mailbox
import re
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from email import policy
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from inserecho.send.journal import Journal
from inserecho.send.subscribers import load_subscribers
from inserecho.send.tokens import load_secret
from inserecho.send.transport.relay import RelayConfig
from inserecho.settings import load_settings
from inserecho.web.app import ReadersSite, WebConfig, smtp_mailer
from inserecho.web.notices import (
    LINK_PURPOSE,
    PayloadSigner,
    Signup,
    confirmation_token,
    now_here,
)
from issuefolder import SETTINGS, SLUG, make_folder, run_cli, write_files

MAILBOX = "desinscription@inser-eco93.example.org"
SUBSCRIBERS = "# La liste\n- email: marie@example.org\n  name: Marie\n- email: paul@example.org\n"


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def folder(tmp_path, monkeypatch, dovecot):
    monkeypatch.setenv("INSERECHO_IMAP_PASSWORD", dovecot.password)
    settings = textwrap.dedent(SETTINGS) + f'imap:\n  url: "{dovecot.url("imap", "localhost")}"\n'
    root = make_folder(tmp_path / "lettre", settings=settings)
    write_files(root, {"subscribers.yaml": SUBSCRIBERS})
    return root


@pytest.fixture
def site(folder, smtp_server):
    settings = load_settings(folder)
    config = WebConfig.from_settings(settings, load_secret(folder))
    server = make_server("127.0.0.1", 0, ReadersSite(config, smtp_mailer(RelayConfig.from_url(smtp_server.url))),
                         handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def http(url, data=None):
    """(status, page) of a GET, or of a POST when ``data`` (a dict or bytes) is given."""
    body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sent_to(root, campaign, outbox):
    result = run_cli(root, "send", SLUG, "--campaign", campaign, "--outbox", outbox, "--yes")
    assert result.code == 0, result.output
    messages = [m.as_bytes() for m in mailbox.Maildir(root / outbox, create=False)]
    return {email.message_from_bytes(m, policy=policy.default)["To"].addresses[0].addr_spec: m for m in messages}


def one_click_url(message: bytes, base: str) -> str:
    header = email.message_from_bytes(message)["List-Unsubscribe"]
    https = next(link for link in re.findall(r"<([^>]+)>", header) if link.startswith("https:"))
    parts = urllib.parse.urlsplit(https)
    return f"{base}{parts.path}?{parts.query}"


def inbox(root, dovecot, captured):
    dovecot.append(*captured)
    result = run_cli(root, "inbox", "--cafile", str(dovecot.cafile))
    assert result.code == 0, result.output
    return result


def test_one_click_unsubscribe_then_inbox_makes_the_next_campaign_skip_the_reader(folder, site, smtp_server, dovecot):
    url = one_click_url(sent_to(folder, "2027-01", "outbox")["marie@example.org"], site)
    status, page = http(url)  # what a link scanner does
    assert status == 200 and "Confirmer la désinscription" in page and "marie@example.org" in page
    assert smtp_server.handler.received == []

    status, page = http(url, b"List-Unsubscribe=One-Click")  # RFC 8058, as Gmail posts it
    assert status == 200 and "Désinscription enregistrée" in page
    (notice,) = smtp_server.handler.received
    assert notice.rcpt == MAILBOX

    result = inbox(folder, dovecot, [notice.data])
    assert "marie@example.org (désinscription" in result.out
    assert set(sent_to(folder, "2027-02", "outbox-2")) == {"paul@example.org"}


def test_a_repeated_post_is_applied_once(folder, site, smtp_server, dovecot):
    url = one_click_url(sent_to(folder, "2027-01", "outbox")["paul@example.org"], site)
    for _ in range(2):
        assert http(url, {"token": urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]})[0] == 200
    result = inbox(folder, dovecot, [m.data for m in smtp_server.handler.received])
    assert "Nouveaux messages : 1" in result.out and "dont 1 déjà traité" in result.out


@pytest.mark.parametrize("tamper", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
                                    lambda t: "bWFyaWVAZXhhbXBsZS5vcmc.forged", lambda t: ""])
def test_a_forged_or_altered_token_is_refused_and_nothing_is_mailed(site, smtp_server, folder, tamper):
    url = one_click_url(sent_to(folder, "2027-01", "outbox")["marie@example.org"], site)
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]
    bad = f"{site}/desinscription?token={urllib.parse.quote(tamper(token))}"
    status, page = http(bad, b"List-Unsubscribe=One-Click")
    assert status == 400 and "Lien de désinscription invalide" in page
    assert smtp_server.handler.received == []


def test_sign_up_confirmed_then_inbox_adds_the_reader_with_consent(folder, site, smtp_server, dovecot):
    status, page = http(f"{site}/inscription")
    assert status == 200 and 'lang="fr"' in page and '<label for="email">' in page
    assert "J&#39;accepte de recevoir Inser" in page  # the consent wording from the settings

    form = {"email": "Zoe@Example.org", "name": "Zoé Martin", "organisation": "ACI Les Jardins",
            "territory": "Est Ensemble", "consent": "oui", "website": ""}
    status, page = http(f"{site}/inscription", form)
    assert status == 200 and "Vérifiez votre boîte" in page
    (confirmation,) = smtp_server.handler.received
    assert confirmation.rcpt == "Zoe@example.org"
    assert (folder / "subscribers.yaml").read_text(encoding="utf-8") == SUBSCRIBERS  # nobody added yet
    link = re.search(r"(http://\S+/inscription/confirmer\?jeton=\S+)", email.message_from_bytes(
        confirmation.data, policy=policy.default).get_content()).group(1)

    status, page = http(link)
    assert status == 200 and ">Confirmer</button>" in page and len(smtp_server.handler.received) == 1
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["jeton"][0]
    status, page = http(f"{site}/inscription/confirmer", {"jeton": token})
    assert status == 200 and "Inscription confirmée" in page
    notice = smtp_server.handler.received[1]
    assert notice.rcpt == MAILBOX

    result = inbox(folder, dovecot, [notice.data])
    assert "inscriptions confirmées" in result.out
    text = (folder / "subscribers.yaml").read_text(encoding="utf-8")
    assert text.startswith(SUBSCRIBERS)  # the officer's file, comments and order kept
    (zoe,) = [s for s in load_subscribers(folder / "subscribers.yaml")[0] if s.email == "Zoe@example.org"]
    assert (zoe.name, zoe.organisation, zoe.territories) == ("Zoé Martin", "ACI Les Jardins", ("Est Ensemble",))
    assert zoe.consent.source == "formulaire" and zoe.consent.version == "1"
    assert zoe.consent.date[:10] == now_here().date().isoformat()
    assert "Zoe@example.org" in sent_to(folder, "2027-01", "outbox")


def test_a_suppressed_reader_comes_back_only_through_the_confirmed_link(folder, site, smtp_server, dovecot):
    run_cli(folder, "unsubscribe", "paul@example.org")
    http(f"{site}/inscription", {"email": "paul@example.org", "consent": "oui"})
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert journal.is_suppressed("paul@example.org")  # asking is not confirming
    link = re.search(r"jeton=(\S+)", email.message_from_bytes(
        smtp_server.handler.received[0].data, policy=policy.default).get_content()).group(1)
    http(f"{site}/inscription/confirmer", {"jeton": urllib.parse.unquote(link)})
    inbox(folder, dovecot, [smtp_server.handler.received[1].data])
    with Journal.open(folder / "journal.sqlite3") as journal:
        assert not journal.is_suppressed("paul@example.org")


def test_an_expired_link_and_a_forged_one(folder, site, smtp_server):
    signer = PayloadSigner(load_secret(folder), load_settings(folder).list_id, LINK_PURPOSE)
    signup = Signup("zoe@example.org", None, None, None, "1")
    old = confirmation_token(signer, signup, now_here() - timedelta(days=8))
    status, page = http(f"{site}/inscription/confirmer?jeton={old}")
    assert status == 410 and "plus de 7 jours" in page
    assert http(f"{site}/inscription/confirmer", {"jeton": old})[0] == 410
    fresh = confirmation_token(PayloadSigner(b"autre secret", "x", LINK_PURPOSE), signup, now_here())
    assert http(f"{site}/inscription/confirmer", {"jeton": fresh})[0] == 400
    assert smtp_server.handler.received == []


def test_a_bot_filling_the_trap_field_is_told_nothing_and_nothing_is_mailed(site, smtp_server):
    status, page = http(f"{site}/inscription", {"email": "bot@example.org", "consent": "oui", "website": "http://spam"})
    assert status == 200 and "Vérifiez votre boîte" in page
    assert smtp_server.handler.received == []


@pytest.mark.parametrize(("address", "wire"), [
    ("zoe@exemple-café.fr", "zoe@xn--exemple-caf-lbb.fr"),  # IDNA: no SMTPUTF8 needed
    ("zoé@exemple.fr", "zoé@exemple.fr"),  # an accented local part needs SMTPUTF8, and is written as is
])
def test_a_reader_at_an_accented_address_is_mailed_as_a_campaign_would_be(site, smtp_server, address, wire):
    status, page = http(f"{site}/inscription", {"email": address, "consent": "oui", "website": ""})
    assert status == 200 and "Vérifiez votre boîte" in page
    (confirmation,) = smtp_server.handler.received
    assert confirmation.rcpt == wire
    assert f"\r\nTo: {wire}\r\n".encode() in confirmation.data


def test_a_form_without_consent_or_with_a_bad_address_says_why(site, smtp_server):
    status, page = http(f"{site}/inscription", {"email": "pas-une-adresse", "territory": "Montreuil"})
    assert status == 400
    assert 'aria-invalid="true"' in page and "Cochez la case" in page and "Choisissez un territoire" in page
    assert "il manque le « @ »" in page
    assert smtp_server.handler.received == []


def test_a_relay_that_is_down_is_a_french_503_and_nothing_is_lost(folder):
    config = WebConfig.from_settings(load_settings(folder), load_secret(folder))
    app = ReadersSite(config, smtp_mailer(RelayConfig.from_url("smtp://127.0.0.1:9", timeout=2)))
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        form = {"email": "zoe@example.org", "consent": "oui"}
        status, page = http(f"http://127.0.0.1:{server.server_port}/inscription", form)
        assert status == 503 and "Réessayez dans quelques minutes" in page
    finally:
        server.shutdown()
        server.server_close()


def test_the_wsgi_callable_is_configured_by_the_environment(tmp_path):
    script = textwrap.dedent("""
        import sys
        import inserecho.web
        assert "watchfiles" not in sys.modules and "aiosmtplib" not in sys.modules
        from inserecho.web import application
        print(type(application).__name__, application.config.mailbox, application.config.unsubscribe_path)
    """)
    env = {"INSERECHO_SECRET": "s3cret", "INSERECHO_LIST_ID": "inserecho.example.org",
           "INSERECHO_SMTP_URL": "smtp://127.0.0.1:2525", "INSERECHO_MAILBOX": MAILBOX,
           "INSERECHO_SENDER": "lettre@inser-eco93.example.org",
           "INSERECHO_UNSUBSCRIBE_URL": "https://inser-eco93.example.org/se-desinscrire"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], env={"PYTHONPATH": str(root), **env},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ReadersSite", MAILBOX, "/se-desinscrire"]
    missing = subprocess.run([sys.executable, "-c", "from inserecho.web import application"],
                             env={"PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode != 0 and "INSERECHO_SECRET" in missing.stderr
