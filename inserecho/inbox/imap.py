"""The association's mailbox over IMAP (imaplib): read without marking as read, move
processed messages into a folder, never delete.

The URL is ``imaps://identifiant@serveur:993`` (implicit TLS) or ``imap://…:143``
(STARTTLS); clear text only to loopback or with ``--insecure``, and the password only
from ``INSERECHO_IMAP_PASSWORD``: the rules of the SMTP relay (:mod:`inserecho.serverurl`).
"""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, Self

from inserecho.serverurl import (
    Protocol,
    SecuredServer,
    client_tls_context,
)

PASSWORD_VARIABLE = "INSERECHO_IMAP_PASSWORD"
URL_VARIABLE = "INSERECHO_IMAP_URL"
IMAP = Protocol(
    service="IMAP",
    ports={"imap": 143, "imaps": 993},
    tls_scheme="imaps",
    password_variable=PASSWORD_VARIABLE,
    expected="forme attendue : imaps://identifiant@serveur:993 ou imap://identifiant@serveur:143",
    example_port=993,
)
INBOX = "INBOX"
FETCH_BATCH = 200  # messages asked for in one FETCH
_UID = re.compile(rb"\bUID (\d+)")


class MailboxError(Exception):
    """The mailbox cannot be read (unreachable, password refused…); the message is French."""


@dataclass(frozen=True)
class ImapConfig(SecuredServer):
    PROTOCOL = IMAP

    scheme: Literal["imap", "imaps"]


@dataclass(frozen=True)
class Fetched:
    uid: bytes
    data: bytes


class Mailbox:
    """One logged-in session on the INBOX; use as a context manager."""

    def __init__(self, config: ImapConfig):
        self.config = config
        self._imap = self._connect()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass

    def message_ids(self) -> dict[bytes, str | None]:
        """UID -> Message-ID of every message of the INBOX (``None`` when it has none)."""
        typ, data = self._call(self._imap.select, INBOX)
        self._ok((typ, data), "ouvrir la boîte de réception")
        if data and data[0] == b"0":
            return {}
        typ, data = self._call(self._imap.uid, "FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        self._ok((typ, data), "lire la liste des messages")
        found: dict[bytes, str | None] = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            match = _UID.search(item[0])
            if match:
                found[match.group(1)] = _message_id(item[1])
        return found

    def fetch(self, uids: Iterable[bytes]) -> Iterator[Fetched]:
        """The whole messages, in batches, without marking them as read."""
        pending = list(uids)
        for start in range(0, len(pending), FETCH_BATCH):
            batch = b",".join(pending[start : start + FETCH_BATCH]).decode("ascii")
            typ, data = self._call(self._imap.uid, "FETCH", batch, "(UID BODY.PEEK[])")
            self._ok((typ, data), "lire les messages")
            for item in data:
                if isinstance(item, tuple) and (match := _UID.search(item[0])):
                    yield Fetched(match.group(1), item[1])

    def move(self, uids: list[bytes], folder: str) -> None:
        """Move ``uids`` into ``folder`` (``/`` separates levels), created if needed.

        Without the MOVE extension the messages are copied and flagged as read in the
        INBOX, not deleted.
        """
        if not uids:
            return
        name = self._folder_name(folder)
        self._call(self._imap.create, name)  # NO when it already exists: fine
        sequence = b",".join(uids).decode("ascii")
        if "MOVE" in self._imap.capabilities:
            self._ok(self._call(self._imap.uid, "MOVE", sequence, name), f"déplacer les messages dans « {folder} »")
        else:
            self._ok(self._call(self._imap.uid, "COPY", sequence, name), f"copier les messages dans « {folder} »")
            self._ok(self._call(self._imap.uid, "STORE", sequence, "+FLAGS.SILENT", r"(\Seen)"), "marquer les messages")

    # Internals

    def _folder_name(self, folder: str) -> str:
        """The officer's ``INBOX/traité`` in the server's own separator and encoding, quoted."""
        typ, data = self._call(self._imap.list, '""', '""')
        delimiter = "/"
        if typ == "OK" and data and isinstance(data[0], bytes):
            match = re.search(rb'\) "(.)"', data[0])
            if match:
                delimiter = match.group(1).decode("ascii")
        name = delimiter.join(_utf7(part) for part in folder.strip("/").split("/"))
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def _connect(self) -> imaplib.IMAP4:
        config, where = self.config, self.config.describe()
        try:
            context = client_tls_context(config)
        except (OSError, ssl.SSLError) as error:
            raise MailboxError(f"certificat d'autorité {config.cafile} illisible ({error})") from None
        try:
            if config.implicit_tls:
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    config.host, config.port, ssl_context=context, timeout=config.timeout
                )
            else:
                imap = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
                if "STARTTLS" in imap.capabilities:
                    imap.starttls(ssl_context=context)
                elif config.requires_tls:
                    imap.shutdown()
                    raise MailboxError(
                        f"le serveur {where} ne propose pas de chiffrement (STARTTLS) : inserecho refuse "
                        "d'y envoyer identifiant et mot de passe en clair. Utilisez imaps:// (port 993) ; "
                        "sinon, si ce réseau est sûr, ajoutez --insecure"
                    )
        except (ssl.SSLError, ssl.CertificateError) as error:
            raise MailboxError(
                f"connexion chiffrée impossible avec {where} ({getattr(error, 'reason', None) or 'erreur TLS'}) : "
                "vérifiez le nom du serveur et le port (993 pour imaps://, 143 pour imap://)"
            ) from None
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(
                f"impossible de joindre le serveur {where} ({_reason(error)}) : vérifiez "
                "l'adresse du serveur, le port et la connexion à Internet"
            ) from None
        self._login(imap)
        return imap

    def _login(self, imap: imaplib.IMAP4) -> None:
        config, where = self.config, self.config.describe()
        if not config.username:
            imap.shutdown()
            raise MailboxError(f"identifiant manquant pour la boîte {where} : écrivez imaps://identifiant@serveur")
        if not config.password:
            imap.shutdown()
            raise MailboxError(
                f"mot de passe manquant pour {where} : définissez la variable d'environnement {PASSWORD_VARIABLE}"
            )
        user, password = config.username, config.password
        try:
            if "AUTH=PLAIN" in imap.capabilities:  # UTF-8 safe, unlike LOGIN in imaplib
                imap.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
            else:
                imap.login(user, password)
        except imaplib.IMAP4.error as error:
            imap.shutdown()
            reply = str(error).replace(password, "***")
            raise MailboxError(
                f"le serveur {where} refuse l'identification ({reply}) : vérifiez l'identifiant dans "
                f"l'adresse de la boîte et le mot de passe ({PASSWORD_VARIABLE})"
            ) from None
        except OSError as error:
            raise MailboxError(f"connexion coupée par le serveur {where} ({_reason(error)})") from None
        # servers announce more (MOVE…) once logged in; imaplib keeps the first list
        typ, data = self._call(imap.capability)
        if typ == "OK" and data and isinstance(data[0], bytes):
            imap.capabilities = tuple(data[0].decode("ascii", "replace").upper().split())

    def _call(self, method, *args):
        try:
            return method(*args)
        except (imaplib.IMAP4.abort, OSError) as error:
            raise MailboxError(f"connexion coupée par le serveur {self.config.describe()} ({_reason(error)})") from None
        except imaplib.IMAP4.error as error:
            return "NO", [str(error).encode("utf-8", "replace")]

    def _ok(self, response: tuple[str, list], doing: str) -> None:
        typ, data = response
        if typ != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
            raise MailboxError(f"le serveur {self.config.describe()} refuse de {doing} ({detail})")


def _message_id(header: bytes) -> str | None:
    value = header.decode("utf-8", "replace").partition(":")[2]
    value = " ".join(value.split())
    return value or None


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        return "nom de serveur inconnu"
    if isinstance(error, ConnectionRefusedError):
        return "connexion refusée : aucun serveur n'écoute à ce port"
    if isinstance(error, TimeoutError):
        return "le serveur ne répond pas"
    if isinstance(error, OSError) and error.strerror:
        return f"erreur réseau : {error.strerror}"
    return str(error) or type(error).__name__


def _utf7(text: str) -> str:
    """IMAP's modified UTF-7 (RFC 3501, 5.1.3) for folder names with accents."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            encoded = base64.b64encode("".join(run).encode("utf-16-be")).rstrip(b"=").replace(b"/", b",")
            out.append("&" + encoded.decode("ascii") + "-")
            run.clear()

    for char in text:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    return "".join(out)
