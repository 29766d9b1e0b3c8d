"""Unsubscribe tokens: the address, encrypted and authenticated with a key only the folder has.

A token must be opaque (it sits in links that every web server log on the way sees),
unforgeable, and readable back offline by whoever holds the secret: ``inserecho
unsubscribe --token``, and the stateless web side, which has the secret but not the
journal. So the token *is* the address, encrypted with a deterministic authenticated
scheme built on HMAC-SHA-256 (the SIV construction: the tag, a MAC of the padded
address, is also the nonce of an HMAC keystream). The same address always gets the same
token for a list; its length only tells the address's length to within 16 bytes.

Tokens of the first format (``base64(address).mac``, address readable) were mailed in
earlier issues: they are still accepted, never made.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from inserecho.atomicfile import write_atomic
from inserecho.problems import ContentError, Problem, UserError
from inserecho.send.mac import Mac

SECRET_ENV = "INSERECHO_SECRET"
SECRET_FILE = ".inserecho-secret"
MIN_SECRET_BYTES = 32
TAG_BYTES = 16
"""128-bit tags: forging a token takes 2**128 tries on average."""
_VERSION = b"\x02"
_PADDING = 16
_LEGACY_MAC_BYTES = 16
_GENERATE = "python3 -c \"import secrets; print(secrets.token_hex(32))\""


def load_secret(root: Path, environ: Mapping[str, str] = os.environ, *, create: bool = True) -> bytes:
    """The signing secret: ``INSERECHO_SECRET``, else ``.inserecho-secret`` in the folder.

    The file is made once, whole and owner-only; losing it invalidates the links already
    mailed, so it is kept beside the journal rather than regenerated. With
    ``create=False`` (a dry run, a command that only reads) a missing file stays missing
    and a throwaway secret is returned: no token mailed so far can match it.
    A secret shorter than :data:`MIN_SECRET_BYTES` is refused: it would make tokens
    forgeable from the public List-Id.
    """
    if SECRET_ENV in environ:
        secret = environ[SECRET_ENV].encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            raise UserError(
                f"la variable {SECRET_ENV} ne contient que {len(secret)} octet(s) : il en faut au moins "
                f"{MIN_SECRET_BYTES}, sinon les liens de désinscription pourraient être contrefaits. "
                f"Remettez le secret d'origine, ou générez-en un avec {_GENERATE}."
            )
        return secret
    path = root / SECRET_FILE
    try:
        secret = path.read_bytes().strip()
    except FileNotFoundError:
        if not create:
            return secrets.token_bytes(MIN_SECRET_BYTES)
        try:
            write_atomic(path, secrets.token_hex(MIN_SECRET_BYTES) + "\n", overwrite=False, mode=0o600)
        except FileExistsError:
            pass  # another run made it first: use that one
        secret = path.read_bytes().strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise ContentError([Problem(path, None, (
            f"le secret de signature ne fait que {len(secret)} octet(s) : il en faut au moins {MIN_SECRET_BYTES}, "
            "sinon les liens de désinscription pourraient être contrefaits. Remettez le secret d'origine "
            "(depuis votre sauvegarde) ; s'il n'y en a jamais eu d'autre (fichier vide après un disque plein), "
            "supprimez ce fichier : un nouveau secret sera créé au prochain envoi."
        ))])
    return secret


class TokenSigner:
    """``token(address)`` for links and headers, ``resolve(token)`` to read one back."""

    def __init__(self, secret: bytes, list_id: str):
        list_key = hmac.digest(secret, list_id.encode("utf-8"), "sha256")
        self._legacy_key = list_key
        self._tag_mac = Mac(hmac.digest(list_key, b"inserecho token tag", "sha256"))
        self._stream_mac = Mac(hmac.digest(list_key, b"inserecho token stream", "sha256"))

    def token(self, address: str) -> str:
        raw = address.encode("utf-8")
        padded = raw + b"\0" * (-len(raw) % _PADDING)  # an address never contains NUL
        tag = self._tag(padded)
        return b64url(_VERSION + tag + _xor(padded, self._stream(tag, len(padded))))

    def resolve(self, token: str) -> str | None:
        """The address the token was made for, or ``None`` if it is not one of ours."""
        token = token.strip()
        if "." in token:
            return self._resolve_legacy(token)
        raw = unb64url(token)
        if raw is None or len(raw) <= 1 + TAG_BYTES or raw[:1] != _VERSION:
            return None
        tag, body = raw[1:1 + TAG_BYTES], raw[1 + TAG_BYTES:]
        padded = _xor(body, self._stream(tag, len(body)))
        if not hmac.compare_digest(tag, self._tag(padded)):
            return None
        return _decoded(padded.rstrip(b"\0"))

    def _resolve_legacy(self, token: str) -> str | None:
        payload, _, mac = token.partition(".")
        raw, given = unb64url(payload), unb64url(mac)
        if raw is None or given is None:
            return None
        expected = hmac.digest(self._legacy_key, raw, "sha256")[:_LEGACY_MAC_BYTES]
        return _decoded(raw) if hmac.compare_digest(given, expected) else None

    def _tag(self, padded: bytes) -> bytes:
        return self._tag_mac.digest(padded)[:TAG_BYTES]

    def _stream(self, tag: bytes, size: int) -> bytes:
        blocks = (self._stream_mac.digest(tag + n.to_bytes(4, "big")) for n in range(-(-size // 32)))
        return b"".join(blocks)[:size]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def _decoded(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def b64url(data: bytes) -> str:
    """``data`` as URL-safe base64 without padding, as tokens and signed notices travel."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes | None:
    """The bytes of :func:`b64url` text, or None if it is none."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:  # binascii.Error, or characters outside ASCII
        return None
