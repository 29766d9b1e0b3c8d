"""VERP: an envelope sender per recipient, ``lettre+b-TAG@domaine``, so that a bounce names
its recipient even when the bounce itself is too poor to say who it was for.

The tag is opaque: an HMAC of the address with the folder's secret, which reveals
nothing of the address and cannot be made up for another one. Reading a tag back
means recomputing the tags of the known addresses (:meth:`Verp.index`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator

from inserecho.content.addresses import address_key
from inserecho.send.mac import Mac

MARK = "+b-"
_TAG_BYTES = 10  # 16 base32 characters: short enough for any local part


class Verp:
    """``envelope(address)`` for sending, ``tag_of(envelope)`` and ``index()`` for reading back."""

    def __init__(self, secret: bytes, list_id: str, sender: str):
        self._mac = Mac(hmac.new(secret, b"verp\0" + list_id.encode("utf-8"), hashlib.sha256).digest())
        local, _, self._domain = sender.rpartition("@")
        self._local = local.partition("+")[0]
        self._prefix = f"{self._local}{MARK}".casefold()
        self._pattern = re.compile(
            rf"{re.escape(self._local)}{re.escape(MARK)}([a-z2-7]{{16}})@{re.escape(self._domain)}", re.IGNORECASE
        )

    def tag(self, address: str) -> str:
        mac = self._mac.digest(address_key(address).encode("utf-8"))[:_TAG_BYTES]
        return base64.b32encode(mac).decode("ascii").lower()

    def envelope(self, address: str) -> str:
        """The envelope sender (Return-Path) of the message to ``address``."""
        return f"{self._local}{MARK}{self.tag(address)}@{self._domain}"

    def tag_of(self, envelope: str) -> str | None:
        """The tag of one of our VERP addresses (case-insensitive), else ``None``."""
        local, _, domain = envelope.strip().strip("<>").rpartition("@")
        if domain.casefold() != self._domain.casefold() or not local.casefold().startswith(self._prefix):
            return None
        return local[len(self._prefix):].casefold() or None

    def find_tags(self, text: str) -> Iterator[str]:
        """The tags of the VERP addresses in ``text`` (a bounce's headers, a returned message)."""
        return (match.group(1).lower() for match in self._pattern.finditer(text))

    def index(self, addresses: Iterable[str]) -> dict[str, str]:
        """Tag -> address for the given addresses."""
        return {self.tag(address): address for address in addresses}
