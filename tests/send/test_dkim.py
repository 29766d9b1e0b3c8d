import os
from dataclasses import dataclass
from pathlib import Path

import dkim
import pytest

from inserecho.content.loader import load_issue
from inserecho.render.renderer import render_issue
from inserecho.send.dkim import DkimKey, DkimKeyError, DkimSigner, new_key
from inserecho.send.message import Composer
from inserecho.send.tokens import TokenSigner
from inserecho.settings import load_settings

REPO = Path(__file__).resolve().parents[2]
DOMAIN = "inser-eco93.example.org"


@dataclass
class Person:
    email: str
    name: str | None = None
    first_name: str | None = None


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    path = tmp_path_factory.mktemp("dkim") / "dkim-lettre.pem"
    record = new_key(path)
    return path, record


@pytest.fixture(scope="module")
def composer(key):
    settings = load_settings(REPO)
    rendered = render_issue(load_issue(REPO / "issues" / "2026-12", settings), settings)
    signer = DkimSigner.from_file(DkimKey(DOMAIN, "lettre", key[0]))
    return Composer(
        rendered, settings, TokenSigner(b"s", settings.list_id), "2026-12", "https://a.example.org", dkim=signer
    )


def dns(record):
    def lookup(name, timeout=5):
        return record if name == f"lettre._domainkey.{DOMAIN}.".encode() else None

    return lookup


def test_a_composed_message_verifies_with_dkimpy(key, composer):
    data = composer.compose(Person("marie@example.org", "Marie")).data
    assert data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert b" d=inser-eco93.example.org; s=lettre;" in data
    assert dkim.verify(data, dnsfunc=dns(key[1]))
    assert dkim.verify(data.replace(b"\n", b"\r\n"), dnsfunc=dns(key[1]))  # as it travels over SMTP


def test_the_signature_covers_the_unsubscribe_headers(key, composer):
    data = composer.compose(Person("marie@example.org")).data
    signed = dkim.DKIM(data)
    assert signed.verify(dnsfunc=dns(key[1]))
    covered = {name.strip() for name in signed.signature_fields[b"h"].split(b":")}
    assert {
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"list-id",
        b"list-unsubscribe",
        b"list-unsubscribe-post",
    } <= covered
    forged = data.replace(b"subject=unsubscribe%20", b"subject=unsubscribe%20x", 1)  # in List-Unsubscribe
    assert not dkim.verify(forged, dnsfunc=dns(key[1]))


def test_each_recipients_body_is_signed_on_its_own(key, composer):
    one, other = (composer.compose(Person(a)).data for a in ("marie@example.org", "paul@example.org"))

    def body_hash(data):
        return data.split(b"bh=")[1][:44]

    assert body_hash(one) != body_hash(other)
    assert dkim.verify(other, dnsfunc=dns(key[1]))


def test_the_key_file_must_be_private(tmp_path):
    path = tmp_path / "cle.pem"
    new_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)
    with pytest.raises(DkimKeyError, match="chmod 600 cle.pem"):
        DkimSigner.from_file(DkimKey(DOMAIN, "s", path))
    with pytest.raises(DkimKeyError, match="illisible"):
        DkimSigner.from_file(DkimKey(DOMAIN, "s", tmp_path / "absente.pem"))
    with pytest.raises(FileExistsError):
        new_key(path)


def test_a_key_that_is_not_pem_is_a_french_error():
    with pytest.raises(DkimKeyError, match="format PEM"):
        DkimSigner(DOMAIN, "s", b"pas une cle")


def test_a_body_given_in_pieces_is_signed_as_the_whole(key):
    signer = DkimSigner.from_file(DkimKey(DOMAIN, "lettre", key[0]))
    head = b"From: lettre@inser-eco93.example.org\nTo: marie@example.org\nSubject: Essai\n"
    for body in (
        [b"Bonjour  Marie, \n", b"ligne\t fixe\n", b"fin"],
        [b"sans fin de ligne ", b"suite\n"],
        [b"<p>fin</p>", b"\n--limite--\n"],
    ):
        signed = signer.sign_parts(head, body)
        assert signed.endswith(b"".join(body))
        assert dkim.verify(signed, dnsfunc=dns(key[1]))
