"""DKIM signatures (RFC 6376) in the association's domain, on the bytes already built.

Canonicalisation (relaxed/relaxed), header selection and the DKIM-Signature field are
dkimpy's; the RSA operation is done by ``cryptography`` (OpenSSL), because dkimpy's own
pure-Python RSA costs about 12 ms a message, which would bound a send to a hundred
messages a second. The signature covers From, To, Subject, Date, Message-ID, List-Id,
List-Unsubscribe and List-Unsubscribe-Post, as Gmail and Yahoo require of bulk senders
(a header that is absent is signed as absent, so it cannot be added on the way).
"""

from __future__ import annotations

import base64
import hashlib
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from inserecho.atomicfile import write_atomic

SIGNED_HEADERS: tuple[bytes, ...] = (
    b"from", b"to", b"subject", b"date", b"message-id", b"list-id", b"list-unsubscribe", b"list-unsubscribe-post",
)
KEY_BITS = 2048
_NAME = b"DKIM-Signature"
_CACHED_SIZE = 512  # pieces this large are the static ones, shared by every message
_CACHE_ENTRIES = 64


class DkimKeyError(ValueError):
    """The private key cannot be used; the message is French."""


class _Collect:
    """What ``dkim.hash_headers`` feeds a hasher: kept as bytes, for OpenSSL to sign."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def update(self, data: bytes) -> None:
        self.parts.append(data)


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_key: Path


class DkimSigner:
    """``sign_parts(head, body)``: the message with a DKIM-Signature field on top (LF line endings)."""

    def __init__(self, domain: str, selector: str, private_key_pem: bytes):
        try:
            key = serialization.load_pem_private_key(private_key_pem, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise DkimKeyError("la clé privée DKIM est illisible (une clé RSA au format PEM est attendue)") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DkimKeyError("la clé privée DKIM doit être une clé RSA")
        # dkimpy brings a DNS resolver along: imported here, a folder without DKIM never loads it
        import dkim  # type: ignore[import-untyped]
        from dkim.canonicalization import CanonicalizationPolicy  # type: ignore[import-untyped]

        self._dkim = dkim
        self._policy = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
        self._key = key
        self._cache: dict[bytes, bytes] = {}
        self._domain, self._selector = domain.encode("ascii"), selector.encode("ascii")

    @classmethod
    def from_file(cls, settings_key: DkimKey) -> DkimSigner:
        """Read the key file; it must be readable by its owner only (mode 0600)."""
        path = settings_key.private_key
        try:
            mode = path.stat().st_mode
            pem = path.read_bytes()
        except OSError as error:
            raise DkimKeyError(f"clé privée DKIM {path} illisible ({error.strerror})") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise DkimKeyError(
                f"la clé privée DKIM {path} est lisible par d'autres utilisateurs : "
                f"protégez-la avec « chmod 600 {path.name} »"
            )
        return cls(settings_key.domain, settings_key.selector, pem)

    def sign_parts(self, head: bytes, body: Sequence[bytes]) -> bytes:
        """The message made of ``head`` (its header lines), a blank line and ``body``,
        signed. The body comes in pieces that each end a line (the last aside): a large
        piece given again, such as the static part of a newsletter, is canonicalised
        once, so signing costs little more than the RSA operation. Pieces that do not
        split the body at line ends are joined and canonicalised whole."""
        digest = hashlib.sha256()
        if _line_aligned(body):
            for piece in body[:-1]:
                digest.update(self._canonical_lines(piece))
            digest.update(self._policy.canonicalize_body(_crlf(body[-1])))
        else:
            digest.update(self._policy.canonicalize_body(_crlf(b"".join(body))))
        fields = [
            (b"v", b"1"), (b"a", b"rsa-sha256"), (b"c", b"relaxed/relaxed"), (b"d", self._domain),
            (b"s", self._selector), (b"t", str(int(time.time())).encode("ascii")),
            (b"h", b" : ".join(SIGNED_HEADERS)), (b"bh", base64.b64encode(digest.digest())), (b"b", b""),
        ]
        dkim = self._dkim
        unsigned = dkim.fold(b"; ".join(b"=".join(f) for f in fields), namelen=len(_NAME), linesep=b"\r\n")
        headers, _ = dkim.rfc822_parse(head)
        collected = _Collect()
        dkim.hash_headers(collected, self._policy, self._policy.canonicalize_headers(headers), SIGNED_HEADERS,
                          (_NAME, b" " + unsigned), {})
        signature = self._key.sign(b"".join(collected.parts), padding.PKCS1v15(), hashes.SHA256())
        fields[-1] = (b"b", base64.b64encode(signature))
        # folded as the hashed copy was (CRLF), so that both fold at the same places
        value = dkim.fold(b"; ".join(b"=".join(f) for f in fields), namelen=len(_NAME), linesep=b"\r\n")
        value = value.replace(b"\r\n", b"\n")
        return b"".join((_NAME, b": ", value, b"\n", head, b"\n", *body))

    def _canonical_lines(self, piece: bytes) -> bytes:
        """Relaxed canonicalisation of whole lines (trailing empty lines are the last piece's concern)."""
        cached = self._cache.get(piece) if len(piece) >= _CACHED_SIZE else None
        if cached is None:
            canonical = self._dkim.canonicalization
            cached = canonical.compress_whitespace(canonical.strip_trailing_whitespace(_crlf(piece)))
            if len(piece) >= _CACHED_SIZE:
                if len(self._cache) >= _CACHE_ENTRIES:
                    self._cache.clear()
                self._cache[piece] = cached
        return cached


def _line_aligned(body: Sequence[bytes]) -> bool:
    """Whether every piece but the last ends a line, or ends where the next starts one
    (without trailing blanks, which the whole body's canonicalisation would strip)."""
    return all(
        piece.endswith(b"\n") or (following.startswith(b"\n") and not piece.endswith((b" ", b"\t")))
        for piece, following in pairwise(body)
    )


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def new_key(path: Path) -> bytes:
    """Write a new RSA key at ``path`` (mode 0600, never over an existing file); the
    public key's DNS TXT value (``v=DKIM1; k=rsa; p=…``)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    write_atomic(path, pem, overwrite=False, mode=0o600)
    return dns_record(key.public_key())


def dns_record(public_key: rsa.RSAPublicKey) -> bytes:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
