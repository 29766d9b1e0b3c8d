"""Unsubscribe tokens: the address, signed with HMAC so that nobody can forge one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Mapping

SECRET_ENV = "INSERECHO_SECRET"
SECRET_FILE = ".inserecho-secret"
_MAC_BYTES = 16


def load_secret(root: Path, environ: Mapping[str, str] = os.environ) -> bytes:
    """The signing secret: ``INSERECHO_SECRET``, else a file made once in the folder.

    The file is created with owner-only permissions; losing it invalidates the links
    already mailed, so it is kept beside the journal rather than regenerated.
    """
    if environ.get(SECRET_ENV):
        return environ[SECRET_ENV].encode("utf-8")
    path = root / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip().encode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip().encode("ascii")


class TokenSigner:
    """``token(address)`` for links and headers, ``resolve(token)`` to read one back."""

    def __init__(self, secret: bytes, list_id: str):
        self._key = hmac.new(secret, list_id.encode("utf-8"), hashlib.sha256).digest()

    def token(self, address: str) -> str:
        raw = address.encode("utf-8")
        return f"{_b64(raw)}.{_b64(self._mac(raw))}"

    def resolve(self, token: str) -> str | None:
        """The address the token was made for, or ``None`` if it is not one of ours."""
        payload, _, mac = token.strip().partition(".")
        try:
            raw, given = _unb64(payload), _unb64(mac)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(given, self._mac(raw)):
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _mac(self, raw: bytes) -> bytes:
        return hmac.digest(self._key, raw, "sha256")[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
