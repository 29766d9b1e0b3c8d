import base64
import os
from pathlib import Path

import pytest

from inserecho.problems import ContentError, UserError
from inserecho.send.tokens import (
    MIN_SECRET_BYTES,
    SECRET_FILE,
    TAG_BYTES,
    TokenSigner,
    load_secret,
)

SECRET = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
LIST_ID = "inserecho.inser-eco93.example.org"
ADDRESS = "andré.lefèvre@example.org"
# Made by the first token format (address in base64, then a 16-byte HMAC) for ADDRESS
# with SECRET and LIST_ID, as mailed in the issues sent before tokens were encrypted.
MAILED_BEFORE = "YW5kcsOpLmxlZsOodnJlQGV4YW1wbGUub3Jn.gTKPMzfn0D11S1M7zY6pgQ"


def unpadded_b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_a_token_resolves_to_the_address_it_was_made_for():
    signer = TokenSigner(SECRET, LIST_ID)
    token = signer.token(ADDRESS)
    assert signer.resolve(token) == ADDRESS
    assert signer.token(ADDRESS) == token  # the same link in every issue
    assert all(c.isalnum() or c in "-_" for c in token)  # safe in URLs and mail subjects


def test_a_token_shows_nothing_of_the_address():
    signer = TokenSigner(SECRET, LIST_ID)
    token = signer.token("marie.dupont@example.org")
    raw = unpadded_b64decode(token)
    for piece in (b"marie", b"dupont", b"example", b"@"):
        assert piece not in raw
    assert "marie" not in token and "ZXhhbXBsZ" not in token  # nor its base64
    # lengths are rounded up to 16 bytes: one version byte, the tag, the padded address
    assert len(raw) == 1 + TAG_BYTES + 32
    assert len(unpadded_b64decode(signer.token("a@example.org"))) == len(
        unpadded_b64decode(signer.token("ab@example.org"))
    )


def test_the_tag_is_128_bits():
    assert TAG_BYTES == 16
    raw = unpadded_b64decode(TokenSigner(SECRET, LIST_ID).token("a@example.org"))
    assert len(raw) - 1 - 16 == 16  # "a@example.org" (13 bytes) padded to 16


def test_a_token_mailed_before_encryption_is_still_accepted():
    assert TokenSigner(SECRET, LIST_ID).resolve(MAILED_BEFORE) == ADDRESS
    assert TokenSigner(SECRET, "autre.example.org").resolve(MAILED_BEFORE) is None
    payload, mac = MAILED_BEFORE.split(".")
    assert TokenSigner(SECRET, LIST_ID).resolve(f"{payload}A.{mac}") is None


def test_a_forged_or_damaged_token_resolves_to_nothing():
    signer = TokenSigner(SECRET, LIST_ID)
    token = signer.token("marie@example.org")
    raw = bytearray(unpadded_b64decode(token))
    raw[-1] ^= 1  # one bit of the encrypted address flipped
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert signer.resolve(flipped) is None
    assert signer.resolve(token[:-2]) is None
    assert signer.resolve("pas-un-jeton") is None
    assert signer.resolve("jeton-é") is None
    assert signer.resolve("") is None
    # another secret or another list cannot validate our tokens
    assert TokenSigner(b"o" * 64, LIST_ID).resolve(token) is None
    assert TokenSigner(SECRET, "autre.example.org").resolve(token) is None


def test_the_secret_comes_from_the_environment_first(tmp_path: Path):
    assert load_secret(tmp_path, {"INSERECHO_SECRET": "e" * 32}) == b"e" * 32
    assert not (tmp_path / SECRET_FILE).exists()


@pytest.mark.parametrize("value", ["", "trop-court"])
def test_a_short_secret_in_the_environment_is_refused(tmp_path: Path, value: str):
    with pytest.raises(UserError, match="INSERECHO_SECRET ne contient que"):
        load_secret(tmp_path, {"INSERECHO_SECRET": value})
    assert not (tmp_path / SECRET_FILE).exists()


def test_the_secret_is_created_once_in_the_folder_owner_only(tmp_path: Path):
    first = load_secret(tmp_path, {})
    assert len(first) == 64
    assert load_secret(tmp_path, {}) == first
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == [SECRET_FILE]


@pytest.mark.parametrize("content", [b"", b"\n", b"0123456789abcdef0123456789abcde\n"])
def test_a_short_secret_file_is_refused_and_left_alone(tmp_path: Path, content: bytes):
    (tmp_path / SECRET_FILE).write_bytes(content)
    with pytest.raises(ContentError) as raised:
        load_secret(tmp_path, {})
    [problem] = raised.value.problems
    assert problem.path == tmp_path / SECRET_FILE
    assert f"il en faut au moins {MIN_SECRET_BYTES}" in problem.message
    assert (tmp_path / SECRET_FILE).read_bytes() == content


def test_without_create_a_missing_secret_stays_missing(tmp_path: Path):
    throwaway = load_secret(tmp_path, {}, create=False)
    assert len(throwaway) >= MIN_SECRET_BYTES
    assert not (tmp_path / SECRET_FILE).exists()
    assert load_secret(tmp_path, {}, create=False) != throwaway  # matches no token ever mailed


def test_a_full_disk_leaves_no_secret_file(tmp_path: Path, monkeypatch):
    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError) as raised:
        load_secret(tmp_path, {})
    assert raised.value.filename == str(tmp_path / SECRET_FILE)
    assert os.listdir(tmp_path) == []
