from pathlib import Path

from inserecho.send.tokens import SECRET_FILE, TokenSigner, load_secret


def test_a_token_resolves_to_the_address_it_was_made_for():
    signer = TokenSigner(b"secret", "inserecho.example.org")
    token = signer.token("andré.lefèvre@example.org")
    assert signer.resolve(token) == "andré.lefèvre@example.org"
    assert all(c.isalnum() or c in "-_." for c in token)  # safe in URLs and mail subjects


def test_a_forged_or_damaged_token_resolves_to_nothing():
    signer = TokenSigner(b"secret", "inserecho.example.org")
    token = signer.token("marie@example.org")
    payload, mac = token.split(".")
    other_payload = TokenSigner(b"secret", "x").token("pirate@example.org").split(".")[0]
    assert signer.resolve(f"{other_payload}.{mac}") is None
    assert signer.resolve(token[:-2]) is None
    assert signer.resolve("pas-un-jeton") is None
    assert signer.resolve("") is None
    # another secret or another list cannot validate our tokens
    assert TokenSigner(b"other", "inserecho.example.org").resolve(token) is None
    assert TokenSigner(b"secret", "autre.example.org").resolve(token) is None


def test_the_secret_comes_from_the_environment_first(tmp_path: Path):
    assert load_secret(tmp_path, {"INSERECHO_SECRET": "from-env"}) == b"from-env"
    assert not (tmp_path / SECRET_FILE).exists()


def test_the_secret_is_created_once_in_the_folder_owner_only(tmp_path: Path):
    first = load_secret(tmp_path, {})
    assert len(first) == 64
    assert load_secret(tmp_path, {}) == first
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
