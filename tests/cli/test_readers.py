"""``serve``, ``dkim new``, a send signed with DKIM, and ``subscribers forget`` through
the real command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import dkim

from inserecho.send.journal import Journal
from issuefolder import SETTINGS, SLUG, make_folder, run_cli, write_files

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = textwrap.dedent("""\
    # Direction d'une régie adhérente
    - email: k.haddad@regie.example.org
      name: Karim Haddad

    # Une lectrice
    - email: marie@example.org
    """)


def test_dkim_new_then_every_sent_message_verifies(tmp_path, smtp_server):
    root = make_folder(tmp_path)
    write_files(root, {"subscribers.yaml": SUBSCRIBERS})
    result = run_cli(root, "dkim", "new", "lettre2027")
    assert result.code == 0, result.output
    assert "nom : lettre2027._domainkey.inser-eco93.fr" in result.out
    key = root / "dkim-lettre2027.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    record = "".join(re.findall(r'"([^"]*)"', result.out.split("valeur : ")[1].splitlines()[0])).encode()
    assert record.startswith(b"v=DKIM1; k=rsa; p=")

    block = re.search(r"   dkim:\n(?:     .*\n)+", result.out).group(0)
    write_files(root, {"inserecho.yaml": textwrap.dedent(SETTINGS) + textwrap.dedent(block)})
    sent = run_cli(root, "send", SLUG, "--smtp", smtp_server.url, "--yes")
    assert sent.code == 0, sent.output
    messages = smtp_server.handler.received
    assert len(messages) == 2

    def dns(name, timeout=5):
        return record if name == b"lettre2027._domainkey.inser-eco93.fr." else None

    assert all(dkim.verify(m.data, dnsfunc=dns) for m in messages)
    assert run_cli(root, "dkim", "new", "lettre2027").code == 2  # never over an existing key


def test_a_key_readable_by_others_stops_the_send(tmp_path):
    root = make_folder(tmp_path)
    write_files(root, {"subscribers.yaml": SUBSCRIBERS})
    run_cli(root, "dkim", "new", "s1")
    os.chmod(root / "dkim-s1.pem", 0o644)
    settings = (
        textwrap.dedent(SETTINGS) + 'dkim:\n  domain: "inser-eco93.fr"\n  selector: s1\n  private_key: dkim-s1.pem\n'
    )
    write_files(root, {"inserecho.yaml": settings})
    result = run_cli(root, "send", SLUG, "--outbox", "outbox", "--yes")
    assert result.code == 1
    assert "inserecho.yaml: la clé privée DKIM" in result.err and "chmod 600 dkim-s1.pem" in result.err
    assert not (root / "outbox").exists()


def test_forget_erases_the_person_from_the_list_and_the_journal(tmp_path):
    root = make_folder(tmp_path)
    write_files(root, {"subscribers.yaml": SUBSCRIBERS})
    assert run_cli(root, "send", SLUG, "--outbox", "outbox", "--yes").code == 0
    result = run_cli(root, "subscribers", "forget", "K.Haddad@regie.example.org", "--yes")
    assert result.code == 0, result.output
    assert "supprimez-la dès que vous avez vérifié" in result.out
    assert (root / "subscribers.yaml").read_text(encoding="utf-8") == "\n# Une lectrice\n- email: marie@example.org\n"
    assert "Karim Haddad" in (root / "subscribers.yaml.bak").read_text(encoding="utf-8")
    with Journal.open(root / "journal.sqlite3") as journal:
        assert "k.haddad@regie.example.org" not in journal.states(SLUG)
        entry = journal.suppression("k.haddad@regie.example.org")
        assert entry is not None and entry.source is None  # kept so that no import brings the person back


def test_serve_answers_on_its_port(tmp_path):
    root = make_folder(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "inserecho.cli", "serve", "--port", "0", "--smtp", "smtp://127.0.0.1:9"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        first = process.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/inscription)", first).group(1)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200 and "<h1>S&#39;inscrire à Inser&#39;Echo</h1>" in response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_needs_a_relay(tmp_path):
    result = run_cli(make_folder(tmp_path), "serve")
    assert result.code == 2 and "aucun relais SMTP réglé" in result.err
